//! Benchmark (not a test): throughput of `webhost::probe::kinds::server_observer::parse_instance` on
//! WebObserver documents (~20 KB, ~80 modules, the ones the mock fleet serves), against
//! `serde_json::from_slice::<serde_json::Value>` on the same bytes. Target: within 2×.
//!
//! ```sh
//! cargo bench --bench parse
//! cargo bench --bench parse -- --docs 64 --seconds 1 --runs 5
//! ```
//!
//! Each run parses every document in turn for at least `--seconds`; the best of `--runs` runs
//! is kept. `answer::parse_json` (the noise-skipping JSON read `parse_instance` starts with)
//! is timed too, to tell reading JSON from making the instance document.

#[path = "common/doc.rs"]
mod doc;

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use webhost::probe::answer;
use webhost::probe::kinds::server_observer;

const TARGET_RATIO: f64 = 2.0;

const USAGE: &str = "usage: cargo bench --bench parse -- [--docs N] [--seconds S] [--runs R]";

struct Options {
    docs: u64,
    seconds: f64,
    runs: usize,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        docs: 64,
        seconds: 1.0,
        runs: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        let bad = |text: &str| format!("not a number: {text}");
        match arg.as_str() {
            // `cargo bench` passes --bench to harness = false targets.
            "--bench" => {}
            "--docs" => {
                let v = value()?;
                o.docs = v.parse().map_err(|_| bad(&v))?;
            }
            "--seconds" => {
                let v = value()?;
                o.seconds = v.parse().map_err(|_| bad(&v))?;
            }
            "--runs" => {
                let v = value()?;
                o.runs = v.parse().map_err(|_| bad(&v))?;
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    o.docs = o.docs.max(1);
    o.runs = o.runs.max(1);
    Ok(o)
}

/// Best throughput, in MB/s (10^6 bytes), of `parse` over every document.
fn throughput(o: &Options, docs: &[Vec<u8>], parse: impl Fn(&[u8]) -> bool) -> f64 {
    let bytes: usize = docs.iter().map(Vec::len).sum();
    let budget = Duration::from_secs_f64(o.seconds);
    // Warm-up: caches, allocator.
    for d in docs {
        assert!(parse(black_box(d)), "a document did not parse");
    }
    let mut best = 0.0f64;
    for _ in 0..o.runs {
        let started = Instant::now();
        let mut rounds = 0u64;
        while started.elapsed() < budget {
            for d in docs {
                black_box(parse(black_box(d)));
            }
            rounds += 1;
        }
        let mbps = (bytes as u64 * rounds) as f64 / started.elapsed().as_secs_f64() / 1e6;
        best = best.max(mbps);
    }
    best
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("parse bench: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let docs: Vec<Vec<u8>> = (1..=o.docs)
        .map(|n| doc::document(n).into_bytes())
        .collect();
    let bytes: usize = docs.iter().map(Vec::len).sum();
    let modules: usize = docs
        .iter()
        .map(|d| {
            server_observer::parse_instance(d)
                .ok()
                .and_then(|doc| doc.modules)
                .map_or(0, |m| m.len())
        })
        .sum();
    println!(
        "{} documents, {:.1} KB and {:.0} modules each on average; best of {} runs of {} s",
        docs.len(),
        bytes as f64 / docs.len() as f64 / 1e3,
        modules as f64 / docs.len() as f64,
        o.runs,
        o.seconds
    );
    let value = throughput(&o, &docs, |d| {
        serde_json::from_slice::<serde_json::Value>(d).is_ok()
    });
    let json = throughput(&o, &docs, |d| answer::parse_json(d).is_ok());
    let instance = throughput(&o, &docs, |d| server_observer::parse_instance(d).is_ok());
    let per_doc_us = |mbps: f64| bytes as f64 / docs.len() as f64 / mbps;
    println!(
        "serde_json::from_slice::<Value>   {value:8.1} MB/s  {:6.1} µs/document",
        per_doc_us(value)
    );
    println!(
        "answer::parse_json                {json:8.1} MB/s  {:6.1} µs/document",
        per_doc_us(json)
    );
    println!(
        "server_observer::parse_instance   {instance:8.1} MB/s  {:6.1} µs/document",
        per_doc_us(instance)
    );
    let ratio = value / instance;
    println!(
        "parse_instance takes {ratio:.2}× the time of Value (target <= {TARGET_RATIO}×: {})",
        if ratio <= TARGET_RATIO {
            "met"
        } else {
            "MISSED"
        }
    );
    ExitCode::SUCCESS
}

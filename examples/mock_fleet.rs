//! A mock fleet of Dolibarr WebObserver instances, for load tests of `webhost update-instances`.
//!
//! ```sh
//! cargo run --release --example mock_fleet -- --port 8080 --instances 10000 \
//!     --latency-ms 100 --fail-share 0.05 --token T
//! ```
//!
//! Serves instance n (1..=N) at `http://127.0.0.1:PORT/i/<n>/get-data.php`: the real WebObserver
//! document shape (~20 KB, ~80 modules, different for each n and the same on every run), after
//! `--latency-ms`, for requests signed `hash=md5(T + time)&time=time` (180 s window; otherwise
//! `Invalid hash`, as the real script). A `--fail-share` of the instances (always the same ones)
//! hang, answer HTTP 500, or answer a page without JSON. Prints `listening on 127.0.0.1:PORT`
//! when ready (`--port 0` picks a free port), then serves until killed. Add instances to a
//! webhost database with kind `server-observer-v1`, the URL above and the token.
//!
//! The server and the document generator live in `benches/common/` and are shared with
//! `cargo bench --bench pass` (which runs the same fleet in-process) and `--bench parse`.

#[path = "../benches/common/doc.rs"]
mod doc;
#[path = "../benches/common/fleet.rs"]
mod fleet;

use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: mock_fleet [--port P] [--instances N] [--latency-ms MS] \
[--fail-share F] [--token T] [--hang-ms MS]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mock_fleet: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut port: u16 = 0;
    let mut config = fleet::Config {
        instances: 1000,
        latency: Duration::from_millis(100),
        fail_share: 0.0,
        token: "mock-fleet-token".into(),
        hang: Duration::from_secs(300),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--port" => port = number(&value()?)?,
            "--instances" => config.instances = number(&value()?)?,
            "--latency-ms" => config.latency = Duration::from_millis(number(&value()?)?),
            "--fail-share" => {
                config.fail_share = number(&value()?)?;
                if !(0.0..=1.0).contains(&config.fail_share) {
                    return Err("--fail-share is between 0 and 1".into());
                }
            }
            "--token" => config.token = value()?,
            "--hang-ms" => config.hang = Duration::from_millis(number(&value()?)?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let faults = (1..=config.instances)
        .filter(|&n| fleet::fault(n, config.fail_share).is_some())
        .count();
    let instances = config.instances;
    let running = fleet::start(port, config).map_err(|e| format!("cannot listen: {e}"))?;
    eprintln!(
        "mock_fleet: {instances} instances at /i/1/get-data.php .. /i/{instances}/get-data.php, \
         {faults} of them broken"
    );
    println!("listening on 127.0.0.1:{}", running.port);
    loop {
        std::thread::park();
    }
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("not a number: {text}"))
}

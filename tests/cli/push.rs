//! Pushes from WebObserver: `webhost receive` run as a CGI program (the binary with the CGI
//! variables and the body on stdin) and `webhost serve` on 127.0.0.1:0 taking real HTTP
//! POSTs, with bodies encoded as PHP's JSON_FORCE_OBJECT encodes them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use serde_json::Value;
use webhost::domain::push::force_object;

use crate::server::{fixture, hash};
use crate::support::{Env, now};

const TOKEN: &str = "wo-Martin-7f3a9c";

/// The instance document WebObserver pushes, as it sends it.
fn pushed_document() -> Vec<u8> {
    let doc: Value = serde_json::from_slice(&fixture("webobserver-instance.json")).expect("json");
    serde_json::to_vec(&force_object(&doc)).expect("encode")
}

fn query(reference: &str, token: &str, time: i64) -> String {
    format!(
        "action=set-info-instance-dolibarr&hash={}&time={time}&api_observer_type=webobserver_v1&ref={reference}",
        hash(token, &time.to_string())
    )
}

/// One CGI request: (status line of the answer, its text, stderr).
fn cgi(env: &Env, at: i64, method: &str, query: &str, body: &[u8]) -> (String, String, String) {
    let mut command = env.command(&["receive", "--max-body", "1M"]);
    command
        .env("WEBHOST_NOW", at.to_string())
        .env("REQUEST_METHOD", method)
        .env("QUERY_STRING", query)
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn receive");
    // A receiver that refuses by CONTENT_LENGTH alone reads none of it.
    let _ = child.stdin.take().expect("stdin").write_all(body);
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "token shown"
    );
    let (head, text) = stdout.split_once("\r\n\r\n").expect("a CGI answer");
    let status = head.lines().next().unwrap_or("").to_string();
    assert!(status.starts_with("Status: "), "{stdout}");
    (status, text.trim().to_string(), stderr)
}

fn push_env(at: i64) -> Env {
    let env = Env::new();
    env.run_at(
        at,
        &[
            "instance",
            "add",
            "shop",
            "--api",
            "server-observer-v1",
            "--token",
            TOKEN,
            "--push",
            "--push-grace",
            "5m",
        ],
    )
    .ok();
    env
}

#[test]
fn a_push_through_cgi_is_stored_as_a_check_and_refusals_say_why() {
    let t = now();
    let env = push_env(t - 60);
    let body = pushed_document();

    let (status, text, log) = cgi(&env, t, "POST", &query("shop", TOKEN, t), &body);
    assert_eq!(
        (status.as_str(), text.as_str()),
        ("Status: 200 OK", "OK"),
        "{log}"
    );
    assert!(log.contains("accepted a push for instance 'shop'"), "{log}");
    let shown = env.run(&["--json", "instance", "show", "shop"]).ok().json();
    assert_eq!(shown["status"], "online", "{shown}");
    assert_eq!(shown["instance"]["dolibarr_version"], "18.0.4");
    assert_eq!(shown["instance"]["push"], true);
    assert!(shown["instance"]["last_push_at"].is_string(), "{shown}");
    assert!(!shown["modules"].as_array().expect("modules").is_empty());
    let history = env.run(&["--json", "history", "shop"]).ok().json();
    assert_eq!(history["checks"][0]["source"], "push", "{history}");

    // The same push again is a replay, as is an older time.
    let (status, text, _) = cgi(&env, t, "POST", &query("shop", TOKEN, t), &body);
    assert_eq!(status, "Status: 403 Forbidden");
    assert!(text.contains("replay"), "{text}");
    let (_, text, _) = cgi(&env, t, "POST", &query("shop", TOKEN, t - 5), &body);
    assert!(text.contains("replay"), "{text}");

    // A bad signature and an unknown ref answer the same; only the log tells them apart.
    let (bad_status, bad_text, bad_log) = cgi(
        &env,
        t + 1,
        "POST",
        &query("shop", "wrong-token", t + 1),
        &body,
    );
    let (unknown_status, unknown_text, unknown_log) =
        cgi(&env, t + 1, "POST", &query("nobody", TOKEN, t + 1), &body);
    assert_eq!(bad_status, "Status: 403 Forbidden");
    assert_eq!((&bad_status, &bad_text), (&unknown_status, &unknown_text));
    assert!(
        bad_log.contains("bad signature for ref 'shop'"),
        "{bad_log}"
    );
    assert!(
        unknown_log.contains("no push instance ref 'nobody'"),
        "{unknown_log}"
    );

    let (status, text, _) = cgi(&env, t, "POST", &query("shop", TOKEN, t - 600), &body);
    assert_eq!(status, "Status: 403 Forbidden");
    assert!(text.contains("check the clocks"), "{text}");

    let too_big = vec![b' '; 2 << 20];
    let (status, _, _) = cgi(&env, t + 2, "POST", &query("shop", TOKEN, t + 2), &too_big);
    assert_eq!(status, "Status: 413 Content Too Large");
    let (status, text, _) = cgi(&env, t + 3, "POST", &query("shop", TOKEN, t + 3), b"<html>");
    assert_eq!(status, "Status: 400 Bad Request");
    assert!(text.starts_with("bad request:"), "{text}");
    let (status, text, _) = cgi(&env, t + 4, "POST", &query("shop", TOKEN, t + 4), b"");
    assert_eq!(status, "Status: 400 Bad Request");
    assert!(text.contains("empty body"), "{text}");
    let (status, _, _) = cgi(&env, t + 5, "GET", &query("shop", TOKEN, t + 5), b"");
    assert_eq!(status, "Status: 405 Method Not Allowed");
    let (status, text, _) = cgi(
        &env,
        t + 6,
        "POST",
        "action=set-info-instance-dolibarr",
        &body,
    );
    assert_eq!(status, "Status: 400 Bad Request");
    assert!(text.contains("no hash"), "{text}");

    // Refusals stored nothing.
    let history = env.run(&["--json", "history", "shop"]).ok().json();
    assert_eq!(history["checks"].as_array().map(Vec::len), Some(1));
}

#[test]
fn the_captured_push_of_the_real_webobserver_is_accepted() {
    let raw = fixture("webobserver-push-request.txt");
    let raw = String::from_utf8(raw).expect("text");
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .expect("head");
    let target = head.split_whitespace().nth(1).expect("target");
    let query = target.split_once('?').expect("query").1;
    let time: i64 = query
        .split('&')
        .find_map(|p| p.strip_prefix("time="))
        .and_then(|t| t.parse().ok())
        .expect("time");
    // It names id 42 and ref boulangerie-martin: this database's instance has another id.
    let query = query.replace("&id=42", "");
    let env = Env::new();
    env.run_at(
        time - 60,
        &[
            "instance",
            "add",
            "boulangerie-martin",
            "--api",
            "server-observer-v1",
            "--token",
            TOKEN,
            "--push",
        ],
    )
    .ok();
    let (status, text, log) = cgi(&env, time + 30, "POST", &query, body.as_bytes());
    assert_eq!(
        (status.as_str(), text.as_str()),
        ("Status: 200 OK", "OK"),
        "{log}"
    );
    let shown = env
        .run(&["--json", "instance", "show", "boulangerie-martin"])
        .ok()
        .json();
    assert_eq!(shown["instance"]["users_active"], 4, "{shown}");
}

#[test]
fn a_push_record_goes_offline_after_its_grace_and_a_push_brings_it_back() {
    let t = now();
    let env = push_env(t - 120);
    let body = pushed_document();
    let (status, _, log) = cgi(&env, t, "POST", &query("shop", TOKEN, t), &body);
    assert_eq!(status, "Status: 200 OK", "{log}");

    // Within the grace: the pass neither fetches it nor changes it.
    let res = env
        .run_at(t + 240, &["--json", "update-instances"])
        .ok()
        .json();
    assert_eq!(res.as_array().map(Vec::len), Some(0), "not fetched: {res}");
    let shown = env.run(&["--json", "instance", "show", "shop"]).ok().json();
    assert_eq!(shown["status"], "online");
    // Asked for by ref, it is not "monitoring off": only its silence is checked.
    let run = env
        .run_at(t + 250, &["update-instances", "--ref", "shop"])
        .ok();
    assert!(!run.stderr.contains("not polled"), "{}", run.stderr);

    env.run_at(t + 17 * 60, &["update-instances"]).ok();
    let shown = env.run(&["--json", "instance", "show", "shop"]).ok().json();
    assert_eq!(shown["status"], "offline", "{shown}");
    assert_eq!(shown["message"], "no push for 17m");

    let later = t + 18 * 60;
    let (status, _, log) = cgi(&env, later, "POST", &query("shop", TOKEN, later), &body);
    assert_eq!(status, "Status: 200 OK", "{log}");
    let shown = env.run(&["--json", "instance", "show", "shop"]).ok().json();
    assert_eq!(shown["status"], "online", "{shown}");
}

/// `webhost serve` on a free port; stops it with SIGTERM when dropped.
struct Serve {
    child: Child,
    address: String,
}

impl Serve {
    fn start(env: &Env) -> Serve {
        let mut child = env
            .command(&["serve", "--listen", "127.0.0.1:0", "--threads", "2"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn serve");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr"));
        let mut line = String::new();
        lines.read_line(&mut line).expect("first line");
        let address = line
            .trim()
            .strip_prefix("webhost: listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_string();
        // Keep reading its log, so that it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = lines.read_to_string(&mut sink);
        });
        Serve { child, address }
    }

    /// One POST on a new connection: (status code, body).
    fn post(&self, query: &str, body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        let head = format!(
            "POST /webhost/receive?{query} HTTP/1.1\r\nHost: monitor\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).expect("head");
        stream.write_all(body).expect("body");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("answer");
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        let text = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b).trim();
        (status, text.to_string())
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        // SIGTERM: a clean stop.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

#[test]
fn serve_takes_pushes_over_http_and_refuses_what_it_must() {
    let t = now();
    let env = push_env(t - 60);
    let serve = Serve::start(&env);
    let body = pushed_document();

    assert_eq!(
        serve.post(&query("shop", TOKEN, t), &body),
        (200, "OK".into())
    );
    let shown = env.run(&["--json", "instance", "show", "shop"]).ok().json();
    assert_eq!(shown["status"], "online");
    let (status, text) = serve.post(&query("shop", TOKEN, t), &body);
    assert_eq!(status, 403);
    assert!(text.contains("replay"), "{text}");
    let (status, _) = serve.post(&query("shop", "nope", t + 1), &body);
    assert_eq!(status, 403);
    let (status, _) = serve.post(&query("shop", TOKEN, t + 2), b"not json");
    assert_eq!(status, 400);

    // A body larger than the limit is refused from its Content-Length, unread.
    let mut stream = TcpStream::connect(&serve.address).expect("connect");
    stream
        .write_all(b"POST /r?x HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n")
        .expect("head");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");

    // Two pushes on one kept-alive connection.
    let mut stream = TcpStream::connect(&serve.address).expect("connect");
    for time in [t + 3, t + 4] {
        let head = format!(
            "POST /r?{} HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            query("shop", TOKEN, time),
            body.len()
        );
        stream.write_all(head.as_bytes()).expect("head");
        stream.write_all(&body).expect("body");
        let mut reader = BufReader::new(&stream);
        let mut status = String::new();
        reader.read_line(&mut status).expect("status");
        assert!(status.starts_with("HTTP/1.1 200 "), "{status}");
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("header");
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                length = v.trim().parse().expect("length");
            }
        }
        let mut text = vec![0u8; length];
        reader.read_exact(&mut text).expect("body");
        assert_eq!(text, b"OK\n");
    }
    let history = env.run(&["--json", "history", "shop"]).ok().json();
    assert_eq!(history["checks"].as_array().map(Vec::len), Some(3));
}

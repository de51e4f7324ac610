//! Checks that assert more than "it answered": statuses, body patterns, a response time, and
//! ping's method and headers, each passing and failing, through real passes.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use crate::server::{Raw, Reply, Server, fixture};
use crate::support::{Env, result_of};

fn pass(env: &Env) -> serde_json::Value {
    env.run(&["--json", "update-instances"]).ok().json()
}

#[test]
fn statuses_and_body_patterns_pass_and_fail_with_their_reason() {
    let server = Server::start(None, |hit| match hit.path.as_str() {
        "/maintenance" => Reply::ok("<h1>Site en maintenance</h1>"),
        "/moved" => Reply::Body(301, Vec::new()),
        _ => Reply::ok("<h1>Bienvenue chez Martin</h1>"),
    });
    let env = Env::new();
    let ok = server.url("/");
    let maintenance = server.url("/maintenance");
    env.add_instance(
        "welcome",
        "ping",
        &["--url", &ok, "--expect-body", "Bienvenue"],
    );
    env.add_instance(
        "paused",
        "ping",
        &["--url", &maintenance, "--reject-body", "(?i)maintenance"],
    );
    env.add_instance(
        "lost",
        "ping",
        &["--url", &maintenance, "--expect-body", "Bienvenue"],
    );
    env.add_instance(
        "moved",
        "ping",
        &["--url", &server.url("/moved"), "--expect-status", "200"],
    );
    env.add_instance(
        "redirect-ok",
        "ping",
        &["--url", &server.url("/moved"), "--expect-status", "200,301"],
    );

    let res = pass(&env);
    assert_eq!(result_of(&res, "welcome").0, "online", "{res}");
    assert_eq!(result_of(&res, "redirect-ok").0, "online", "{res}");
    let (status, message) = result_of(&res, "paused");
    assert_eq!(status, "offline");
    assert!(
        message.contains("matches --reject-body '(?i)maintenance'"),
        "{message}"
    );
    assert!(
        message.contains("Site en maintenance") || message.contains("maintenance"),
        "{message}"
    );
    let (status, message) = result_of(&res, "lost");
    assert_eq!(status, "offline");
    assert!(
        message.contains("does not match --expect-body 'Bienvenue'"),
        "{message}"
    );
    let (status, message) = result_of(&res, "moved");
    assert_eq!(status, "offline");
    assert!(message.contains("expected HTTP 200"), "{message}");

    // An edit changes one assertion and keeps the others.
    env.run(&["instance", "edit", "paused", "--no-reject-body"])
        .ok();
    assert_eq!(result_of(&pass(&env), "paused").0, "online");
    let shown = env
        .run(&["--json", "instance", "show", "welcome"])
        .ok()
        .json();
    assert_eq!(shown["assertions"]["expect_body"], "Bienvenue", "{shown}");
}

#[test]
fn a_slow_answer_is_degraded_health_not_down() {
    // A server that takes its time: latency is what is under test here, not a wait for it.
    let server = Server::start(None, |_| {
        std::thread::sleep(std::time::Duration::from_millis(60));
        Reply::ok("ok")
    });
    let env = Env::new();
    let url = server.url("/");
    env.add_instance("slow", "ping", &["--url", &url, "--max-response", "20ms"]);
    env.add_instance("fine", "ping", &["--url", &url, "--max-response", "10s"]);
    pass(&env);
    let slow = env.run(&["--json", "instance", "show", "slow"]).ok().json();
    assert_eq!(slow["status"], "online");
    assert_eq!(slow["health"], "warning", "{slow}");
    assert!(
        slow["health_reasons"][0]
            .as_str()
            .unwrap_or("")
            .contains("over --max-response 20 ms"),
        "{slow}"
    );
    let fine = env.run(&["--json", "instance", "show", "fine"]).ok().json();
    assert_eq!(fine["health"], "ok", "{fine}");
}

#[test]
fn a_ping_sends_its_method_and_headers() {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let raw = Raw::start(move |mut socket| {
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        log.lock()
            .expect("log")
            .push(String::from_utf8_lossy(&head).into_owned());
        let _ =
            socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    let env = Env::new();
    env.add_instance(
        "vhost",
        "ping",
        &[
            "--url",
            &raw.url("/"),
            "--method",
            "head",
            "--header",
            "Host: shop.example",
            "--header",
            "X-Probe: webhost",
        ],
    );
    assert_eq!(result_of(&pass(&env), "vhost").0, "online");
    let heads = seen.lock().expect("log").clone();
    let head = heads.first().expect("a request");
    assert!(head.starts_with("HEAD / HTTP/1.1\r\n"), "{head}");
    let lower = head.to_ascii_lowercase();
    assert!(lower.contains("\r\nhost: shop.example\r\n"), "{head}");
    assert!(lower.contains("\r\nx-probe: webhost\r\n"), "{head}");
}

#[test]
fn an_observer_page_with_a_php_error_is_an_error_with_the_reason() {
    let body = [
        b"<b>Fatal error</b>: Uncaught Exception in conf.php\n".as_slice(),
        &fixture("webobserver-instance.json"),
    ]
    .concat();
    let server = Server::start(None, move |_| Reply::ok(body.clone()));
    let env = Env::new();
    env.add_instance(
        "shop",
        "server-observer-v1",
        &[
            "--url",
            &server.url("/get-data.php"),
            "--reject-body",
            "Fatal error",
        ],
    );
    let (status, message) = result_of(&pass(&env), "shop");
    assert_eq!(status, "error");
    assert!(
        message.contains("matches --reject-body 'Fatal error'"),
        "{message}"
    );
}

#[test]
fn assertions_that_cannot_work_are_refused() {
    let env = Env::sqlite();
    let url = "https://shop.example/";
    env.run(&[
        "instance",
        "add",
        "x",
        "--api",
        "ping",
        "--url",
        url,
        "--expect-body",
        "(",
    ])
    .fails(2, "--expect-body '('");
    env.run(&[
        "instance", "add", "x", "--api", "ping", "--url", url, "--header", "nocolon",
    ])
    .fails(2, "'Name: value'");
    env.run(&[
        "instance",
        "add",
        "x",
        "--api",
        "server-observer-v1",
        "--url",
        url,
        "--method",
        "HEAD",
    ])
    .fails(2, "--method and --header are for --api ping");
    // A usage error, as clap words it.
    let run = env.run(&[
        "instance", "add", "x", "--api", "ping", "--url", url, "--method", "POST",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("one of GET, HEAD, OPTIONS, DELETE"),
        "{}",
        run.stderr
    );
    assert!(!env.db.exists());
}

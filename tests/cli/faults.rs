//! The fault matrix: one real pass (`update-instances --json --timeout 2s --jobs N`) against
//! local servers that misbehave in every way the field has shown, each fault on its own record.
//! Every record gets its status and a message that says what happened; a healthy record in the
//! same pass stays online; a server that never finishes its answer is asked once and cut at the
//! timeout. docs/faults.md lists the messages observed here.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

use crate::server::{Raw, Reply, Server, Silent, fixture, read_head, refused_url};
use crate::support::{CANARY, Env, now};
use crate::tls_server::https_server;

const JOBS: usize = 8;

/// A server answering every request with `head` (status line and headers, no blank line) and
/// then `body`, produced by `write_body` on the socket.
fn raw(
    head: String,
    write_body: impl Fn(&mut TcpStream) -> io::Result<()> + Send + Sync + 'static,
) -> Raw {
    Raw::start(move |mut socket| {
        if !read_head(&mut socket) {
            return;
        }
        let _ = socket
            .write_all(head.as_bytes())
            .and_then(|()| socket.write_all(b"\r\n\r\n"))
            .and_then(|()| write_body(&mut socket));
        // A clean FIN, so the client sees exactly the bytes written and then the end.
        let _ = socket.shutdown(Shutdown::Both);
    })
}

/// About `expanded` zero bytes, gzipped: one gzip member of 16 MiB of zeros (twice the default
/// cap, so the cap trips inside it), repeated. Members in a row are one valid gzip stream (what
/// `cat a.gz b.gz` makes); compressing a single member keeps the test cheap in a debug build.
fn gzip_bomb(expanded: usize) -> Vec<u8> {
    const BLOCK: usize = 1 << 20;
    const MEMBER: usize = 16 * BLOCK;
    let zeros = vec![0u8; BLOCK];
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    for _ in 0..MEMBER / BLOCK {
        gz.write_all(&zeros).expect("compress");
    }
    let member = gz.finish().expect("compress");
    member.repeat(expanded.div_ceil(MEMBER))
}

/// A WebObserver document listing `count` modules of about 1 KB each.
fn module_list_doc(count: usize) -> Vec<u8> {
    let pad = "x".repeat(900);
    let mut doc = String::from(
        r#"{"apiname":"serverobserver","apiversion":"1.0","dolibarr":{"version":"19.0.2"},"module":{"#,
    );
    for i in 0..count {
        if i > 0 {
            doc.push(',');
        }
        write!(
            doc,
            r#""modBig{i:05}":{{"dir":"big{i}","numero":"{i}","version":"1.0.{i}","source":"external","gitinfos":false,"editor_name":"Editor","editor_url":"https://editor.example/{pad}","active":"1"}}"#
        )
        .expect("write to string");
    }
    doc.push_str("}}");
    doc.into_bytes()
}

/// PHP habits in one document: numbers as strings, booleans as "1"/"", `[]` for an empty object.
const STRINGLY: &str = r#"{"apiname":"serverobserver","apiversion":"1.0",
"dolibarr":{"version":"17.0.2\n","version1":false,"path":{"http":"https://s.example/"},
 "repertoire_client":{"path":"/home/s/dolibarr","size":"1000000"},
 "data":{"path":"/home/s/documents","size":"250000"},"htdocs":[]},
"user":{"all":"12","active":"7","date_last_login":"2026-01-02 03:04:05"},
"security":[],
"module":{"modFacture":{"numero":"30","version":"dolibarr","source":"core","gitinfos":false,"active":"1"},
 "modStock":{"numero":"52","version":"dolibarr","source":"core","gitinfos":false,"active":""},
 "modOld":{"numero":"500000","version":"2.1","source":"external","gitinfos":false,"active":"0"},
 "modNull":{"numero":"5","version":null,"active":null}}}"#;

/// Every size is -1: no folder was found. Disk unknown, never -1.
const MINUS_ONE: &str = r#"{"apiname":"serverobserver","apiversion":"1.0",
"dolibarr":{"version":"18.0.1",
 "repertoire_client":{"path":"/c","size":-1},"data":{"path":"/d","size":-1},
 "htdocs":{"path":"/c/htdocs","size":-1}},"module":[]}"#;

/// A web server's default page where the observer script should be.
const NGINX_WELCOME: &str = "<html><head><title>Welcome to nginx!</title></head>\n<body>\n\
<h1>Welcome to nginx!</h1>\n</body></html>";

/// PHP with display_errors on, as an HTTP 500.
const PHP_FATAL: &str = "<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined function \
dol_now() in /var/www/get-data.php:12";

/// nginx's own error page, as a reverse proxy sends it when PHP-FPM is down.
const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";

fn result<'a>(results: &'a Value, r: &str) -> &'a Value {
    results
        .as_array()
        .and_then(|a| a.iter().find(|x| x["ref"] == r))
        .unwrap_or_else(|| panic!("no result for {r} in {results}"))
}

#[test]
fn every_fault_gets_its_status_and_message_and_the_pass_stays_bounded() {
    let fixture_body = fixture("webobserver-instance.json");
    let half = fixture_body[..fixture_body.len() / 2].to_vec();

    // --- Servers -------------------------------------------------------------------------------
    // Where a cross-host redirect of an unsigned record lands: a healthy observer, asked once.
    let moved = Server::start(None, |_| Reply::fixture("webobserver-instance.json")).expect_hits(1);
    // Where a signed record is redirected: it must never be contacted. Nobody accepts here; a
    // connection would wait in the backlog.
    let untouched = TcpListener::bind("127.0.0.1:0").expect("bind");
    let untouched_base = format!(
        "http://127.0.0.1:{}",
        untouched.local_addr().expect("addr").port()
    );
    let steal = untouched_base.clone();
    let signed = Server::start(Some(CANARY), move |hit| match hit.path.as_str() {
        "/control" => Reply::fixture("webobserver-instance.json"),
        // The site moved, and its redirect echoes the query, signature included.
        "/away" => Reply::Redirect(
            302,
            format!(
                "{steal}/get-data.php?hash={}&time={}",
                hit.query.get("hash").map_or("", String::as_str),
                hit.query.get("time").map_or("", String::as_str)
            ),
        ),
        _ => Reply::Body(404, b"Not Found".to_vec()),
    });
    let big_modules = module_list_doc(10_000);
    assert!(
        (9 << 20..15 << 20).contains(&big_modules.len()),
        "between the default 8 MiB cap and 16 MiB: {}",
        big_modules.len()
    );
    let moved_to = moved.url("/get-data.php");
    let open = Server::start(None, move |hit| match hit.path.as_str() {
        "/noise" => Reply::fixture("serverobserver-legacy-check.txt"),
        "/html" => Reply::ok(NGINX_WELCOME),
        "/401" => Reply::Body(401, b"<h1>Unauthorized</h1>".to_vec()),
        "/404" => Reply::Body(404, b"<h1>Not Found</h1>".to_vec()),
        "/500" => Reply::Body(500, PHP_FATAL.as_bytes().to_vec()),
        "/502" => Reply::Body(502, NGINX_502.as_bytes().to_vec()),
        "/loop" => Reply::Redirect(302, "/loop".into()),
        "/elsewhere" => Reply::Redirect(301, moved_to.clone()),
        "/array" => Reply::ok("[]"),
        "/stringly" => Reply::ok(STRINGLY),
        "/minus1" => Reply::ok(MINUS_ONE),
        "/fresh" => Reply::fixture("instance-empty-modules.json"),
        "/bigmods" => Reply::ok(big_modules.clone()),
        _ => Reply::Body(404, b"Not Found".to_vec()),
    });
    let silent = Silent::start();
    // Headers at once, then the fixture one byte per second: only the whole-answer timeout ends it.
    let drip_len = fixture_body.len();
    let drip_body = fixture_body.clone();
    let drip = Raw::start(move |mut socket| {
        if !read_head(&mut socket) {
            return;
        }
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {drip_len}\r\n\r\n");
        if socket.write_all(head.as_bytes()).is_err() {
            return;
        }
        for byte in &drip_body {
            if socket.write_all(&[*byte]).is_err() {
                return; // the client gave up
            }
            thread::sleep(Duration::from_secs(1)); // the fault itself, not synchronisation
        }
    });
    // 100 MB announced and streamed from one 64 KiB buffer, until the client hangs up.
    let huge = raw(
        "HTTP/1.1 200 OK\r\nContent-Length: 104857600".into(),
        |socket| {
            let chunk = vec![b' '; 64 << 10];
            for _ in 0..1600 {
                socket.write_all(&chunk)?;
            }
            Ok(())
        },
    );
    // Over 200 MiB of zeros in about 200 KB.
    let bomb = gzip_bomb(200 << 20);
    assert!(bomb.len() < 1 << 20, "gzip bomb is {} bytes", bomb.len());
    let gzip = raw(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}",
            bomb.len()
        ),
        move |socket| socket.write_all(&bomb),
    );
    // Half the fixture, but the full length announced: the HTTP layer sees the cut.
    let half_framed = half.clone();
    let cut = raw(
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}", fixture_body.len()),
        move |socket| socket.write_all(&half_framed),
    );
    // Half the fixture on a close-delimited answer: only the JSON shows the cut.
    let half_closed = half.clone();
    let cut_close = raw(
        "HTTP/1.1 200 OK\r\nConnection: close".into(),
        move |socket| socket.write_all(&half_closed),
    );
    let tls = https_server(now() + 365 * 86_400, fixture_body.clone());

    // --- Records -------------------------------------------------------------------------------
    let env = Env::new();
    let add = |r: &str, url: &str, extra: &[&str]| {
        env.add_instance(r, "server-observer-v1", &[&["--url", url], extra].concat());
    };
    let token = ["--token", CANARY];
    add("control", &signed.url("/control"), &token);
    add("refused", &refused_url(), &[]);
    add("dns", "http://nonexistent.invalid/", &[]);
    add("hang", &format!("{}/", silent.base), &[]);
    add("drip", &drip.url("/get-data.php"), &[]);
    add("huge", &huge.url("/get-data.php"), &[]);
    add("cut", &cut.url("/get-data.php"), &[]);
    add("cut-close", &cut_close.url("/get-data.php"), &[]);
    add("html", &open.url("/html"), &[]);
    add("noise", &open.url("/noise"), &[]);
    add(
        "bad-hash",
        &signed.url("/control"),
        &["--token", "not-the-right-token"],
    );
    add("no-token", &signed.url("/control"), &[]);
    add("http401", &open.url("/401"), &[]);
    add("http404", &open.url("/404"), &[]);
    add("http500", &open.url("/500"), &[]);
    add("http502", &open.url("/502"), &[]);
    add("loop", &open.url("/loop"), &[]);
    add("elsewhere", &open.url("/elsewhere"), &[]);
    add("signed-away", &signed.url("/away"), &token);
    add("tls-strict", &tls, &[]);
    add("tls-lax", &tls, &["--insecure-tls"]);
    add("array", &open.url("/array"), &[]);
    add("stringly", &open.url("/stringly"), &[]);
    add("minus1", &open.url("/minus1"), &[]);
    add("fresh", &open.url("/fresh"), &[]);
    add("bigmods", &open.url("/bigmods"), &[]);
    add("gzip-bomb", &gzip.url("/get-data.php"), &[]);

    // --- The pass ------------------------------------------------------------------------------
    let jobs = JOBS.to_string();
    let run = env.run(&[
        "--json",
        "update-instances",
        "--timeout",
        "2s",
        "--jobs",
        &jobs,
    ]);
    let res = run.ok().json();
    let records = res.as_array().map_or(0, Vec::len);
    assert_eq!(records, 27, "{res}");

    let expected: &[(&str, &str, &str)] = &[
        (
            "control",
            "online",
            "Dolibarr 18.0.4, 10 modules (6 active)",
        ),
        ("refused", "offline", "connection refused"),
        (
            "dns",
            "offline",
            "DNS lookup failed for nonexistent.invalid",
        ),
        ("hang", "offline", "timed out after 2 s"),
        ("drip", "offline", "timed out after 2 s"),
        ("huge", "error", "answer larger than 8 MiB"),
        (
            "cut",
            "offline",
            "connection closed before the answer was complete",
        ),
        (
            "cut-close",
            "error",
            "answer cut short: its JSON document ends before it is complete",
        ),
        ("html", "error", "answer is not JSON: Welcome to nginx!"),
        ("noise", "online", "Dolibarr 12.0.5, 4 modules (3 active)"),
        (
            "bad-hash",
            "error",
            "the token is wrong, or this machine's clock is more than 3 minutes off the server's (Invalid hash)",
        ),
        (
            "no-token",
            "error",
            "it wants a signed request: set the token (Missing parameter)",
        ),
        ("http401", "error", "HTTP 401 Unauthorized"),
        ("http404", "error", "HTTP 404 Not Found"),
        (
            "http500",
            "offline",
            "HTTP 500 Internal Server Error: Fatal error: Uncaught Error: Call to undefined function dol_now()",
        ),
        ("http502", "offline", "HTTP 502 Bad Gateway"),
        (
            "loop",
            "error",
            &format!(
                "too many redirects (more than 5), last to {}/loop",
                open.base
            ),
        ),
        ("elsewhere", "online", "Dolibarr 18.0.4"),
        (
            "signed-away",
            "error",
            &format!("redirected to {untouched_base}, not followed because the request is signed"),
        ),
        (
            "tls-strict",
            "offline",
            "TLS error: invalid peer certificate",
        ),
        ("tls-lax", "online", "Dolibarr 18.0.4"),
        (
            "array",
            "error",
            "the answer is JSON but not a Dolibarr observer document",
        ),
        (
            "stringly",
            "online",
            "Dolibarr 17.0.2, 4 modules (1 active)",
        ),
        ("minus1", "online", "Dolibarr 18.0.1, 0 modules (0 active)"),
        ("fresh", "online", "Dolibarr 20.0.0, 0 modules (0 active)"),
        ("bigmods", "error", "answer larger than 8 MiB"),
        ("gzip-bomb", "error", "answer larger than 8 MiB"),
    ];
    let mut wrong = Vec::new();
    for (r, status, needle) in expected {
        let got = result(&res, r);
        let message = got["message"].as_str().unwrap_or("");
        eprintln!(
            "{r:12} {:8} {message}",
            got["status"].as_str().unwrap_or("")
        );
        if got["status"] != *status || !message.contains(needle) {
            wrong.push(format!("{r}: want {status} {needle:?}, got {got}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // What bounds the pass is the timeout, not the servers: the one that never answers and the
    // one that would take half an hour to were each asked once, not retried, and each record
    // ended at the timeout ("timed out after 2 s" above), not at the end of the answer. How
    // long the pass takes belongs to the benchmarks.
    assert!(
        silent.wait_for_connections(1, Duration::from_secs(20)),
        "the hanging server was never asked"
    );
    assert_eq!(silent.connections(), 1, "connections to the hanging server");
    assert_eq!(drip.connections(), 1, "connections to the dripping server");
    // The proxy's page only repeats the status: nothing added.
    assert_eq!(result(&res, "http502")["message"], "HTTP 502 Bad Gateway");

    // The signed record's redirect was not followed: the other host got no connection, and the
    // message names it without the signature.
    untouched.set_nonblocking(true).expect("nonblocking");
    let accepted = untouched.accept();
    assert!(
        matches!(&accepted, Err(e) if e.kind() == io::ErrorKind::WouldBlock),
        "the redirect target was contacted: {accepted:?}"
    );
    let away = result(&res, "signed-away")["message"]
        .as_str()
        .unwrap_or("");
    let sent: Vec<String> = signed
        .hits()
        .iter()
        .filter(|h| h.path == "/away")
        .filter_map(|h| h.query.get("hash").cloned())
        .collect();
    assert_eq!(sent.len(), 1, "asked once");
    assert!(!away.contains("hash") && !away.contains(&sent[0]), "{away}");

    // The healthy record is whole: version, disk, modules.
    let show = |r: &str| env.run(&["--json", "instance", "show", r]).ok().json();
    let control = show("control");
    assert_eq!(control["instance"]["dolibarr_version"], "18.0.4");
    assert_eq!(control["disk_used_bytes"], 1_189_085_184_i64);
    assert_eq!(control["modules"].as_array().map(Vec::len), Some(10));

    // PHP habits read the lenient way.
    let stringly = show("stringly");
    assert_eq!(stringly["instance"]["dolibarr_version"], "17.0.2");
    assert_eq!(stringly["instance"]["users_all"], 12);
    assert_eq!(stringly["instance"]["users_active"], 7);
    assert_eq!(
        stringly["instance"]["last_login_local"],
        "2026-01-02 03:04:05"
    );
    // documents lie outside the client folder: both counted.
    assert_eq!(stringly["disk_used_bytes"], 1_250_000);
    let active: Vec<(&str, bool)> = stringly["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .map(|m| (m["module"].as_str().unwrap_or(""), m["active"] == true))
        .collect();
    assert_eq!(
        active,
        [
            ("modFacture", true),
            ("modNull", false),
            ("modOld", false),
            ("modStock", false)
        ]
    );
    // -1 is "not found": unknown, never a size.
    let minus1 = show("minus1");
    assert!(minus1["disk_used_bytes"].is_null(), "{minus1}");
    assert_eq!(minus1["disk_partial"], false);

    // The 10 MB module list parses once the cap allows it.
    let res = env
        .run(&[
            "--json",
            "update-instances",
            "--ref",
            "bigmods",
            "--max-answer-size",
            "16M",
            "--timeout",
            "10s",
        ])
        .ok()
        .json();
    let bigmods = result(&res, "bigmods");
    assert_eq!(bigmods["status"], "online", "{bigmods}");
    assert_eq!(
        bigmods["message"],
        "Dolibarr 19.0.2, 10000 modules (10000 active)"
    );
}

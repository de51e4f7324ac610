//! HTTPS records against a local TLS server with a certificate made by the test: certificate
//! expiry is recorded, and `--insecure-tls` stays with its own record.

use crate::support::{Env, now, result_of};
use crate::tls_server::{ConnectProxy, TestCa, https_server};

#[test]
fn certificate_expiry_is_recorded_and_insecure_tls_stays_per_record() {
    let expires = now() + 10 * 86_400 + 3600;
    let url = https_server(expires, b"hello");
    let env = Env::new();
    env.add_instance("lax", "ping", &["--url", &url, "--insecure-tls"]);
    env.add_instance("strict", "ping", &["--url", &url]);
    let res = env
        .run(&["--json", "update-instances", "--jobs", "1"])
        .ok()
        .json();
    let get = |r: &str| {
        res.as_array()
            .and_then(|a| a.iter().find(|x| x["ref"] == r).cloned())
            .expect("result")
    };
    assert_eq!(get("lax")["status"], "online", "{res}");
    // Same host and port, polled right after on the same pool: still verified, still refused.
    assert_eq!(get("strict")["status"], "offline", "{res}");
    assert!(
        get("strict")["message"]
            .as_str()
            .unwrap_or("")
            .contains("TLS"),
        "{res}"
    );

    let lax = env.run(&["--json", "instance", "show", "lax"]).ok().json();
    let rfc = lax["cert_expires_at"]
        .as_str()
        .expect("expiry recorded")
        .to_string();
    assert!(rfc.ends_with('Z'));
    assert_eq!(
        lax["health"], "warning",
        "10 days left is under the 21-day warning"
    );
    assert_eq!(
        lax["health_reasons"][0],
        "TLS certificate expires in 10 days"
    );
    let strict = env
        .run(&["--json", "instance", "show", "strict"])
        .ok()
        .json();
    assert_eq!(
        strict["cert_expires_at"],
        rfc.as_str(),
        "read even when the certificate is not trusted"
    );

    // Warning at 5 days needs a critical threshold below it (the default is 7).
    env.run(&[
        "instance",
        "edit",
        "lax",
        "--cert-warn-days",
        "5",
        "--cert-crit-days",
        "3",
    ])
    .ok();
    let lax = env.run(&["--json", "instance", "show", "lax"]).ok().json();
    assert_eq!(lax["health"], "ok");

    let status = env.run(&["--json", "status"]).ok().json();
    let certs = status["certificates"].as_array().expect("certificates");
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0]["days_left"], 10);
}

#[test]
fn one_handshake_per_instance_and_the_expiry_read_from_it() {
    let ca = TestCa::new();
    let expires = now() + 40 * 86_400;
    let server = ca.server(expires, b"hello");
    let env = Env::new();
    let pem = env.path().join("internal-ca.pem");
    ca.write_pem(&pem);
    let pem = pem.to_str().expect("utf-8 path");
    for (r, path) in [("a", "a"), ("b", "b"), ("c", "c")] {
        let url = format!("{}{path}", server.url);
        env.add_instance(r, "ping", &["--url", &url, "--ca-file", pem]);
    }
    let res = env
        .run(&["--json", "update-instances", "--jobs", "3"])
        .ok()
        .json();
    for r in ["a", "b", "c"] {
        assert_eq!(result_of(&res, r).0, "online", "{res}");
        let shown = env.run(&["--json", "instance", "show", r]).ok().json();
        assert!(shown["cert_expires_at"].is_string(), "{shown}");
    }
    // Two per instance when the expiry had a connection of its own.
    assert_eq!(server.handshakes(), 3);
}

#[test]
fn an_internal_ca_is_refused_until_it_is_trusted() {
    let ca = TestCa::new();
    let server = ca.server(now() + 90 * 86_400, b"hello");
    let env = Env::new();
    let pem_path = env.path().join("internal-ca.pem");
    ca.write_pem(&pem_path);
    let pem = pem_path.to_str().expect("utf-8 path");
    env.add_instance("plain", "ping", &["--url", &server.url]);
    env.add_instance("own", "ping", &["--url", &server.url, "--ca-file", pem]);
    let shown = env.run(&["--json", "instance", "show", "own"]).ok().json();
    assert_eq!(shown["ca_file"], pem);

    let res = env.run(&["--json", "update-instances"]).ok().json();
    let (status, message) = result_of(&res, "plain");
    assert_eq!(status, "offline", "{res}");
    assert!(message.contains("certificate"), "{message}");
    assert_eq!(result_of(&res, "own").0, "online", "{res}");

    // The machine's trust, as OpenSSL-minded tools read it.
    let res = env
        .run_env(
            &["--json", "update-instances", "--ref", "plain"],
            &[("SSL_CERT_FILE", pem)],
        )
        .ok()
        .json();
    assert_eq!(result_of(&res, "plain").0, "online", "{res}");
    let res = env
        .run_env(
            &["--json", "update-instances", "--ref", "plain"],
            &[("SSL_CERT_DIR", env.path().to_str().expect("utf-8"))],
        )
        .ok()
        .json();
    assert_eq!(result_of(&res, "plain").0, "online", "{res}");

    // The stored setting, for every record without a CA file of its own.
    env.run(&["config", "set", "ca-file", pem]).ok();
    let res = env.run(&["--json", "update-instances"]).ok().json();
    assert_eq!(result_of(&res, "plain").0, "online", "{res}");
    env.run(&["config", "unset", "ca-file"]).ok();
    env.run(&["instance", "edit", "own", "--no-ca-file"]).ok();
    let res = env.run(&["--json", "update-instances"]).ok().json();
    assert_eq!(result_of(&res, "own").0, "offline", "{res}");
}

#[test]
fn a_ca_file_that_cannot_be_used_is_refused_when_given() {
    let env = Env::sqlite();
    let url = "https://127.0.0.1:9/";
    let missing = env.path().join("nowhere.pem");
    let missing = missing.to_str().expect("utf-8");
    env.run(&[
        "instance",
        "add",
        "x",
        "--api",
        "ping",
        "--url",
        url,
        "--ca-file",
        missing,
    ])
    .fails(2, "nowhere.pem");
    let junk = env.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").expect("write");
    let junk = junk.to_str().expect("utf-8");
    env.run(&[
        "instance",
        "add",
        "x",
        "--api",
        "ping",
        "--url",
        url,
        "--ca-file",
        junk,
    ])
    .fails(2, "no certificate in it");
    env.run(&["config", "set", "ca-file", junk])
        .fails(2, "no certificate in it");
    env.run(&["config", "set", "ca-file", "relative.pem"])
        .fails(2, "absolute path");
    env.run(&[
        "instance",
        "add",
        "x",
        "--api",
        "ping",
        "--url",
        url,
        "--ca-file",
        junk,
        "--insecure-tls",
    ])
    .fails(2, "one or the other");
    assert!(!env.db.exists(), "nothing was created");
}

#[test]
fn https_goes_through_the_connect_proxy_unless_no_proxy_says() {
    let ca = TestCa::new();
    let server = ca.server(now() + 90 * 86_400, b"hello");
    let proxy = ConnectProxy::start();
    let env = Env::new();
    let pem = env.path().join("internal-ca.pem");
    ca.write_pem(&pem);
    let pem = pem.to_str().expect("utf-8 path");
    env.add_instance("shop", "ping", &["--url", &server.url, "--ca-file", pem]);

    let res = env
        .run_env(
            &["--json", "update-instances"],
            &[("HTTPS_PROXY", &proxy.url)],
        )
        .ok()
        .json();
    assert_eq!(result_of(&res, "shop").0, "online", "{res}");
    assert_eq!(proxy.targets(), [format!("127.0.0.1:{}", server.port)]);
    let shown = env.run(&["--json", "instance", "show", "shop"]).ok().json();
    assert!(
        shown["cert_expires_at"].is_string(),
        "read through the tunnel"
    );

    let res = env
        .run_env(
            &["--json", "update-instances"],
            &[("HTTPS_PROXY", &proxy.url), ("NO_PROXY", "127.0.0.1")],
        )
        .ok()
        .json();
    assert_eq!(result_of(&res, "shop").0, "online", "{res}");
    assert_eq!(proxy.targets().len(), 1, "NO_PROXY went direct");
    assert_eq!(server.handshakes(), 2, "one per pass, proxied or not");
}

#[test]
fn an_internationalised_name_goes_out_in_ascii_and_is_shown_as_written() {
    const ASCII: &str = "xn--boulangerie-crme-6pb.fr";
    let ca = TestCa::new();
    let server = ca.server_for(&[ASCII], now() + 90 * 86_400, b"bonjour");
    let proxy = ConnectProxy::towards(server.port);
    let env = Env::sqlite();
    let pem = env.path().join("internal-ca.pem");
    ca.write_pem(&pem);
    let pem = pem.to_str().expect("utf-8 path");
    let written = "https://boulangerie-crème.fr/";
    env.add_instance("creme", "ping", &["--url", written, "--ca-file", pem]);
    env.add_instance(
        "punycode",
        "ping",
        &["--url", &format!("https://{ASCII}/"), "--ca-file", pem],
    );

    let res = env
        .run_env(
            &["--json", "update-instances", "--jobs", "1"],
            &[("HTTPS_PROXY", &proxy.url)],
        )
        .ok()
        .json();
    // The certificate is for the ASCII name only: verified means SNI sent it.
    assert_eq!(result_of(&res, "creme").0, "online", "{res}");
    assert_eq!(result_of(&res, "punycode").0, "online", "{res}");
    assert_eq!(
        proxy.targets(),
        [format!("{ASCII}:443"), format!("{ASCII}:443")]
    );
    assert_eq!(server.hosts(), [ASCII, ASCII]);

    for r in ["creme", "punycode"] {
        let shown = env.run(&["--json", "instance", "show", r]).ok().json();
        assert_eq!(shown["url"], written, "shown in Unicode");
    }
    let stored: String = env
        .sql()
        .query_row("SELECT url FROM instances WHERE ref = 'creme'", [], |r| {
            r.get(0)
        })
        .expect("stored url");
    assert_eq!(stored, written, "stored as written");

    env.run(&[
        "instance",
        "add",
        "bad",
        "--api",
        "ping",
        "--url",
        "https://\u{0301}crème.fr/",
    ])
    .fails(2, "not a valid internationalised domain name");
}

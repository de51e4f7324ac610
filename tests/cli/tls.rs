//! HTTPS records against a local TLS server with a certificate made by the test: certificate
//! expiry is recorded, and `--insecure-tls` stays with its own record.

use crate::support::{Env, now};
use crate::tls_server::https_server;

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

//! HTTPS records against a local TLS server with a certificate made by the test: certificate
//! expiry is recorded, and `--insecure-tls` stays with its own record.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rcgen::{CertificateParams, KeyPair, date_time_ymd};
use rustls::pki_types::PrivateKeyDer;
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::support::Env;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Serves `body` over HTTPS with a self-signed certificate expiring at `not_after`.
fn https_server(not_after: i64, body: &'static [u8]) -> String {
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    params.not_before = date_time_ymd(2000, 1, 1);
    params.not_after =
        date_time_ymd(2000, 1, 1) + Duration::from_secs((not_after - 946_684_800) as u64);
    let cert = params.self_signed(&key).expect("self-sign");
    let key = PrivateKeyDer::try_from(key.serialize_der()).expect("key der");
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key)
            .expect("certificate");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    thread::spawn(move || {
        for socket in listener.incoming().flatten() {
            let config = config.clone();
            thread::spawn(move || {
                let Ok(conn) = ServerConnection::new(config) else {
                    return;
                };
                let mut tls = StreamOwned::new(conn, socket);
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf) {
                        Ok(0) | Err(_) => return, // a handshake-only visit (the expiry check)
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(head.as_bytes());
                let _ = tls.write_all(body);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    format!("https://127.0.0.1:{port}/")
}

#[test]
fn certificate_expiry_is_recorded_and_insecure_tls_stays_per_record() {
    let expires = now() + 10 * 86_400 + 3600;
    let url = https_server(expires, b"hello");
    let env = Env::new();
    env.run(&[
        "instance",
        "add",
        "lax",
        "--api",
        "ping",
        "--url",
        &url,
        "--insecure-tls",
    ])
    .ok();
    env.run(&["instance", "add", "strict", "--api", "ping", "--url", &url])
        .ok();
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

    env.run(&["instance", "edit", "lax", "--cert-warn-days", "5"])
        .ok();
    let lax = env.run(&["--json", "instance", "show", "lax"]).ok().json();
    assert_eq!(lax["health"], "ok");

    let status = env.run(&["--json", "status"]).ok().json();
    let certs = status["certificates"].as_array().expect("certificates");
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0]["days_left"], 10);
}

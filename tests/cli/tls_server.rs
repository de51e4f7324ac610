//! A local HTTPS server with a self-signed certificate made by the test (rcgen + rustls).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rcgen::{CertificateParams, KeyPair, date_time_ymd};
use rustls::pki_types::PrivateKeyDer;
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// Serves `body` (HTTP 200) to every request over HTTPS, with a self-signed certificate for
/// `localhost` expiring at `not_after` (Unix seconds). Returns `https://127.0.0.1:PORT/`.
pub fn https_server(not_after: i64, body: impl Into<Vec<u8>>) -> String {
    let body: Arc<[u8]> = body.into().into();
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
            let (config, body) = (config.clone(), body.clone());
            thread::spawn(move || {
                let Ok(conn) = ServerConnection::new(config) else {
                    return;
                };
                let mut tls = StreamOwned::new(conn, socket);
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf) {
                        // A handshake-only visit (the expiry check), or a client that refused
                        // the certificate.
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(head.as_bytes());
                let _ = tls.write_all(&body);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    format!("https://127.0.0.1:{port}/")
}

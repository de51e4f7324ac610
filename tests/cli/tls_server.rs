//! Local HTTPS servers with certificates made by the test (rcgen + rustls): self-signed, or
//! issued by a CA of the test's own (an internal CA), counting the handshakes they complete.
//! And a CONNECT proxy that counts the tunnels it opens.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, date_time_ymd};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// Serves `body` (HTTP 200) to every request over HTTPS, with a self-signed certificate for
/// `localhost` expiring at `not_after` (Unix seconds). Returns `https://127.0.0.1:PORT/`.
pub fn https_server(not_after: i64, body: impl Into<Vec<u8>>) -> String {
    let key = KeyPair::generate().expect("key");
    let cert = leaf_params(&LOCAL, not_after)
        .self_signed(&key)
        .expect("self-sign");
    serve(vec![cert.der().clone()], &key, body.into()).url
}

/// An HTTPS server and what it has seen.
pub struct TlsServer {
    /// `https://127.0.0.1:PORT/`
    pub url: String,
    pub port: u16,
    handshakes: Arc<AtomicU64>,
    hosts: Arc<std::sync::Mutex<Vec<String>>>,
}

impl TlsServer {
    /// TLS handshakes completed so far: one per connection a client kept.
    pub fn handshakes(&self) -> u64 {
        self.handshakes.load(Ordering::SeqCst)
    }

    /// The Host header of every request so far.
    pub fn hosts(&self) -> Vec<String> {
        self.hosts.lock().expect("hosts").clone()
    }
}

/// A CA of the test's own, as an internal CA would be: its certificate is in no trust store.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

impl TestCa {
    pub fn new() -> TestCa {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "webhost test internal CA");
        let cert = params.self_signed(&key).expect("CA self-sign");
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// Writes the CA certificate as PEM to `path`.
    pub fn write_pem(&self, path: &Path) {
        std::fs::write(path, &self.pem).expect("write CA PEM");
    }

    /// An HTTPS server whose certificate (for `localhost` and 127.0.0.1) this CA issued,
    /// expiring at `not_after`.
    pub fn server(&self, not_after: i64, body: impl Into<Vec<u8>>) -> TlsServer {
        self.server_for(&LOCAL, not_after, body)
    }

    /// The same for other names (as they go on the wire: an IDN in its ASCII form).
    pub fn server_for(
        &self,
        names: &[&str],
        not_after: i64,
        body: impl Into<Vec<u8>>,
    ) -> TlsServer {
        let key = KeyPair::generate().expect("key");
        let cert = leaf_params(names, not_after)
            .signed_by(&key, &self.issuer)
            .expect("issue");
        serve(vec![cert.der().clone()], &key, body.into())
    }
}

const LOCAL: [&str; 2] = ["localhost", "127.0.0.1"];

fn leaf_params(names: &[&str], not_after: i64) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).expect("params");
    params.not_before = date_time_ymd(2000, 1, 1);
    params.not_after =
        date_time_ymd(2000, 1, 1) + Duration::from_secs((not_after - 946_684_800) as u64);
    params
}

fn serve(chain: Vec<CertificateDer<'static>>, key: &KeyPair, body: Vec<u8>) -> TlsServer {
    let body: Arc<[u8]> = body.into();
    let key = PrivateKeyDer::try_from(key.serialize_der()).expect("key der");
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("certificate");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handshakes = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&handshakes);
    let hosts = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&hosts);
    thread::spawn(move || {
        for socket in listener.incoming().flatten() {
            let (config, body, counted) = (config.clone(), body.clone(), counted.clone());
            let seen = Arc::clone(&seen);
            thread::spawn(move || {
                let Ok(conn) = ServerConnection::new(config) else {
                    return;
                };
                let mut tls = StreamOwned::new(conn, socket);
                while tls.conn.is_handshaking() {
                    // A client that refused the certificate ends here.
                    if tls.conn.complete_io(&mut tls.sock).is_err() {
                        return;
                    }
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf) {
                        // A handshake-only visit (an expiry check of its own).
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request).into_owned();
                if let Some(host) = text.lines().find_map(|l| {
                    l.split_once(':')
                        .filter(|(k, _)| k.eq_ignore_ascii_case("host"))
                        .map(|(_, v)| v.trim().to_string())
                }) {
                    seen.lock().expect("hosts").push(host);
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
    TlsServer {
        url: format!("https://127.0.0.1:{port}/"),
        port,
        handshakes,
        hosts,
    }
}

/// A CONNECT proxy on 127.0.0.1: tunnels to whatever a client asks, and notes each target.
pub struct ConnectProxy {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    targets: Arc<std::sync::Mutex<Vec<String>>>,
}

impl ConnectProxy {
    pub fn start() -> ConnectProxy {
        ConnectProxy::routed(None)
    }

    /// A proxy that sends every tunnel to `upstream`, whatever name it was asked for: a name
    /// no DNS of the test's knows reaches a server of the test's.
    pub fn towards(upstream: u16) -> ConnectProxy {
        ConnectProxy::routed(Some(upstream))
    }

    fn routed(upstream: Option<u16>) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let targets = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = Arc::clone(&targets);
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let seen = Arc::clone(&seen);
                thread::spawn(move || {
                    let _ = tunnel(client, &seen, upstream);
                });
            }
        });
        ConnectProxy { url, targets }
    }

    /// The `host:port` of every CONNECT so far.
    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().expect("targets").clone()
    }
}

fn tunnel(
    mut client: TcpStream,
    seen: &std::sync::Mutex<Vec<String>>,
    upstream: Option<u16>,
) -> io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte)? == 0 || head.len() > 8192 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut words = head.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
        client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(());
    };
    seen.lock().expect("targets").push(target.to_string());
    let upstream = match upstream {
        Some(port) => TcpStream::connect(("127.0.0.1", port))?,
        None => TcpStream::connect(target)?,
    };
    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    let (mut up_read, mut client_write) = (upstream.try_clone()?, client.try_clone()?);
    let back = thread::spawn(move || {
        let _ = io::copy(&mut up_read, &mut client_write);
        let _ = client_write.shutdown(Shutdown::Write);
    });
    let mut up_write = upstream;
    let _ = io::copy(&mut client, &mut up_write);
    let _ = up_write.shutdown(Shutdown::Write);
    let _ = back.join();
    Ok(())
}

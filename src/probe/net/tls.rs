//! When an https server's certificate expires: one TLS handshake per host and port, and the
//! leaf certificate's notAfter read from it.
//!
//! The expiry is wanted even for a certificate nobody trusts (self-signed, expired, wrong
//! name), so this handshake verifies nothing. That is safe only because the connection sends
//! no request, no token and no other data: it is closed right after the handshake.

use std::collections::HashMap;
use std::io;
use std::net::TcpStream;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use der::asn1::{GeneralizedTime, UtcTime};
use der::{Decode, Reader, SliceReader, Tag, TagNumber};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
use ureq::http::Uri;

use super::connect::race;
use super::resolve::{LookupError, Lookups};
use crate::domain::units::human_duration;

/// The leaf certificate's notAfter, in Unix seconds (UTC), of the https server at `url`.
///
/// The lookup, connecting and the handshake all happen within `timeout`. A record's `insecure_tls` does not
/// matter here: this handshake never verifies the certificate anyway.
pub fn certificate_expiry(url: &str, lookups: &Lookups, timeout: Duration) -> Result<i64, String> {
    let (host, port) = https_host_port(url)?;
    let deadline = Instant::now() + timeout;
    let timed_out = || format!("timed out after {}", human_duration(timeout));

    let name = ServerName::try_from(host.clone())
        .map_err(|_| format!("invalid host name for TLS: {host}"))?;
    let mut socket = connect(&host, port, lookups, deadline, &timed_out)?;
    let mut tls = ClientConnection::new(client_config()?, name)
        .map_err(|error| format!("TLS handshake failed: {error}"))?;

    while tls.is_handshaking() {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(timed_out());
        }
        let io_error = |error: io::Error| describe_io(&error, &timed_out);
        if tls.wants_write() {
            socket
                .set_write_timeout(Some(remaining))
                .map_err(io_error)?;
            tls.write_tls(&mut socket).map_err(io_error)?;
            continue;
        }
        socket.set_read_timeout(Some(remaining)).map_err(io_error)?;
        if tls.read_tls(&mut socket).map_err(io_error)? == 0 {
            return Err("connection closed during the TLS handshake".into());
        }
        if let Err(error) = tls.process_new_packets() {
            // Tell the server why (best effort): rustls has queued the alert.
            let _ = tls.write_tls(&mut socket);
            return Err(format!("TLS handshake failed: {error}"));
        }
    }

    let leaf = tls
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|leaf| leaf.as_ref().to_vec());

    // Finish politely (our last handshake flight and close_notify), so that the server does not
    // log an aborted handshake. Best effort: the certificate is already in hand.
    tls.send_close_notify();
    while tls.wants_write() {
        if tls.write_tls(&mut socket).is_err() {
            break;
        }
    }

    not_after(&leaf.ok_or("the server sent no certificate")?)
}

/// notAfter of a DER X.509 certificate, in Unix seconds (UTC).
///
/// Walks only Certificate → tbsCertificate → validity: the rest (extensions, odd serial
/// numbers) is skipped unparsed, so that a certificate that is quirky elsewhere still gives its
/// date. The `der` crate does the tag/length reading and the UTCTime/GeneralizedTime rules.
pub fn not_after(der: &[u8]) -> Result<i64, String> {
    let unreadable = |error: der::Error| format!("unreadable certificate: {error}");
    let mut reader = SliceReader::new(der).map_err(unreadable)?;
    let seconds = reader
        .sequence(|certificate| {
            let seconds = certificate.sequence(|tbs| {
                // version is `[0] EXPLICIT`, absent from v1 certificates.
                let version = Tag::ContextSpecific {
                    constructed: true,
                    number: TagNumber(0),
                };
                if Tag::peek(tbs)? == version {
                    tbs.tlv_bytes()?;
                }
                tbs.tlv_bytes()?; // serialNumber
                tbs.tlv_bytes()?; // signature (algorithm)
                tbs.tlv_bytes()?; // issuer
                let seconds = tbs.sequence(|validity| {
                    validity.tlv_bytes()?; // notBefore
                    read_time(validity)
                })?;
                skip_rest(tbs)?;
                Ok::<_, der::Error>(seconds)
            })?;
            skip_rest(certificate)?; // signatureAlgorithm, signatureValue
            Ok::<_, der::Error>(seconds)
        })
        .map_err(unreadable)?;
    reader.finish().map_err(unreadable)?;
    Ok(seconds)
}

/// Certificate expiries of one pass: at most one handshake per distinct host and port, however
/// many records (and threads) ask.
#[derive(Debug, Default)]
pub struct ExpiryCache {
    /// One cell per `host:port`. The map's lock is held only to find or add a cell, never across
    /// the network: the cell itself makes concurrent askers of the same key wait for one result.
    cells: Mutex<HashMap<String, Arc<ExpiryCell>>>,
}

impl ExpiryCache {
    pub fn new() -> ExpiryCache {
        ExpiryCache::default()
    }

    /// Notes the expiry a connection's handshake saw, for `get` to find instead of making a
    /// handshake of its own. The first note of a host and port stands.
    pub fn note(&self, host: &str, port: u16, expiry: Result<i64, String>) {
        let _ = self.cell(key(host, port)).set(expiry);
    }

    /// The expiry for `url`'s host and port: the one a connection noted, else one handshake
    /// made by the first asker (a fetch that failed before TLS, or ended on plain http); None
    /// when `url` is not https (nothing to check).
    pub fn get(
        &self,
        url: &str,
        lookups: &Lookups,
        timeout: Duration,
    ) -> Option<Result<i64, String>> {
        let (host, port) = match https_host_port(url) {
            Ok(host_port) => host_port,
            Err(error) if error == NOT_HTTPS => return None,
            // Unusable URL: nothing to share, and the error costs no network.
            Err(error) => return Some(Err(error)),
        };
        let cell = self.cell(key(&host, port));
        Some(
            cell.get_or_init(|| certificate_expiry(url, lookups, timeout))
                .clone(),
        )
    }

    fn cell(&self, key: String) -> Arc<ExpiryCell> {
        // A thread that panicked while holding the lock left the map itself intact.
        let mut cells = self
            .cells
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(cells.entry(key).or_default())
    }
}

fn key(host: &str, port: u16) -> String {
    format!("{}:{port}", host.to_ascii_lowercase())
}

/// One host and port's expiry, or why it is unknown; set once.
type ExpiryCell = OnceLock<Result<i64, String>>;

const NOT_HTTPS: &str = "not https";

/// Host (lowercase, IPv6 without brackets) and port (default 443) of an https URL.
fn https_host_port(url: &str) -> Result<(String, u16), String> {
    let scheme_is_https = url
        .trim_start()
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"));
    if !scheme_is_https {
        return Err(NOT_HTTPS.into());
    }
    let ascii = crate::domain::url::to_ascii(url.trim())?;
    let uri: Uri = ascii.parse().map_err(|_| "invalid URL".to_string())?;
    let host = uri
        .host()
        .filter(|host| !host.is_empty())
        .ok_or("invalid URL: no host")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((host.to_ascii_lowercase(), uri.port_u16().unwrap_or(443)))
}

/// A TCP connection to the first address of `host` that accepts one before `deadline`.
fn connect(
    host: &str,
    port: u16,
    lookups: &Lookups,
    deadline: Instant,
    timed_out: &dyn Fn() -> String,
) -> Result<TcpStream, String> {
    let left = deadline.saturating_duration_since(Instant::now());
    let addresses = lookups
        .lookup(host, port, left)
        .map_err(|error| match error {
            LookupError::NotFound => format!("DNS lookup failed for {host}"),
            LookupError::TimedOut => timed_out(),
        })?;
    race(&addresses, deadline)
        .map(|connected| connected.stream)
        .map_err(|error| describe_io(&error, timed_out))
}

fn describe_io(error: &io::Error, timed_out: &dyn Fn() -> String) -> String {
    use io::ErrorKind as K;
    match error.kind() {
        K::ConnectionRefused => "connection refused".into(),
        K::ConnectionReset => "connection reset by the server".into(),
        K::ConnectionAborted => "connection aborted".into(),
        K::TimedOut | K::WouldBlock => timed_out(),
        K::UnexpectedEof => "connection closed during the TLS handshake".into(),
        K::HostUnreachable => "host unreachable".into(),
        K::NetworkUnreachable => "network unreachable".into(),
        K::AddrNotAvailable => "address not available".into(),
        _ => format!("network error: {error}"),
    }
}

/// The client side of the expiry handshake: the same ring provider as ureq's, any certificate.
fn client_config() -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("TLS setup failed: {error}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Accepts every certificate and handshake signature: acceptable only because the expiry
/// connection carries no data at all (see the module's doc). Checking the signature would prove
/// nothing here (whoever answers can sign a certificate of their own making), and refusing an
/// algorithm would only lose the date.
#[derive(Debug)]
pub(crate) struct AcceptAnyCertificate;

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        // Everything a server's key may sign with, so that no key type loses its date.
        use SignatureScheme as S;
        vec![
            S::ECDSA_NISTP256_SHA256,
            S::ECDSA_NISTP384_SHA384,
            S::ECDSA_NISTP521_SHA512,
            S::ED25519,
            S::ED448,
            S::RSA_PSS_SHA256,
            S::RSA_PSS_SHA384,
            S::RSA_PSS_SHA512,
            S::RSA_PKCS1_SHA256,
            S::RSA_PKCS1_SHA384,
            S::RSA_PKCS1_SHA512,
            S::RSA_PKCS1_SHA1,
            S::ECDSA_SHA1_Legacy,
        ]
    }
}

/// Reads one X.509 `Time` (UTCTime or GeneralizedTime) as Unix seconds.
fn read_time(reader: &mut SliceReader<'_>) -> der::Result<i64> {
    let since_epoch = match Tag::peek(reader)? {
        Tag::UtcTime => UtcTime::decode(reader)?.to_unix_duration(),
        Tag::GeneralizedTime => GeneralizedTime::decode(reader)?.to_unix_duration(),
        other => return Err(other.unexpected_error(Some(Tag::UtcTime)).into()),
    };
    i64::try_from(since_epoch.as_secs()).map_err(|_| Tag::GeneralizedTime.value_error().into())
}

/// Consumes what is left of a SEQUENCE unparsed (`der` insists a nested read reaches its end).
fn skip_rest(reader: &mut SliceReader<'_>) -> der::Result<()> {
    let rest = reader.remaining_len();
    reader.read_slice(rest).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    use rcgen::{CertificateParams, KeyPair, date_time_ymd};
    use rustls::pki_types::PrivateKeyDer;
    use rustls::{ServerConfig, ServerConnection};

    /// 2031-07-15 12:34:56 UTC (from `date -u -d '2031-07-15 12:34:56' +%s`).
    const JULY_2031: i64 = 1_941_885_296;
    /// 2001-01-01 00:00:00 UTC (likewise).
    const Y2001: i64 = 978_307_200;
    /// 2061-03-01 00:00:00 UTC: past 2049, so encoded as GeneralizedTime.
    const MARCH_2061: i64 = 2_876_860_800;

    /// A self-signed certificate for localhost expiring at `not_after` (Unix seconds, after
    /// 2000), with its private key in DER.
    fn certificate(not_after: i64) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate().expect("generate a key");
        let mut params =
            CertificateParams::new(vec!["localhost".to_string()]).expect("certificate parameters");
        params.not_before = date_time_ymd(1999, 1, 1);
        let after_2000 =
            Duration::from_secs(u64::try_from(not_after - 946_684_800).expect("≥ 2000"));
        params.not_after = date_time_ymd(2000, 1, 1) + after_2000;
        let cert = params.self_signed(&key).expect("self-sign");
        let key = PrivateKeyDer::try_from(key.serialize_der()).expect("key DER");
        (cert.der().clone(), key)
    }

    /// A TLS server on 127.0.0.1 that counts completed handshakes until `finish`.
    struct Server {
        port: u16,
        thread: thread::JoinHandle<usize>,
    }

    impl Server {
        fn start(not_after: i64, versions: &[&'static rustls::SupportedProtocolVersion]) -> Self {
            let (cert, key) = certificate(not_after);
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut config = ServerConfig::builder_with_provider(provider)
                .with_protocol_versions(versions)
                .expect("protocol versions")
                .with_no_client_auth()
                .with_single_cert(vec![cert], key)
                .expect("server certificate");
            // No session tickets to push after the handshake: the client is gone by then.
            config.send_tls13_tickets = 0;
            let config = Arc::new(config);
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            let port = listener.local_addr().expect("local address").port();
            let thread = thread::spawn(move || {
                let mut handshakes = 0;
                for socket in listener.incoming() {
                    let Ok(mut socket) = socket else { continue };
                    // A connection closed without a byte is `finish` saying stop.
                    if socket.peek(&mut [0u8; 1]).unwrap_or(0) == 0 {
                        break;
                    }
                    // Only a guard against a hung test, not synchronisation.
                    let _ = socket.set_read_timeout(Some(Duration::from_secs(10)));
                    let mut tls = ServerConnection::new(Arc::clone(&config)).expect("server");
                    while tls.is_handshaking() {
                        if tls.complete_io(&mut socket).is_err() {
                            break;
                        }
                    }
                    if !tls.is_handshaking() {
                        handshakes += 1;
                    }
                }
                handshakes
            });
            Server { port, thread }
        }

        fn url(&self, path: &str) -> String {
            format!("https://127.0.0.1:{}{path}", self.port)
        }

        /// Stops the server; returns how many handshakes it completed.
        fn finish(self) -> usize {
            drop(TcpStream::connect(("127.0.0.1", self.port)).expect("connect to stop"));
            self.thread.join().expect("server thread")
        }
    }

    const TIMEOUT: Duration = Duration::from_secs(10);

    #[test]
    fn reads_the_expiry_of_the_served_certificate() {
        let server = Server::start(JULY_2031, rustls::DEFAULT_VERSIONS);
        let expiry = certificate_expiry(&server.url("/index.php"), &Lookups::new(1), TIMEOUT);
        assert_eq!(expiry, Ok(JULY_2031));
        assert_eq!(server.finish(), 1);
    }

    #[test]
    fn reads_the_expiry_over_tls_1_2() {
        let server = Server::start(JULY_2031, &[&rustls::version::TLS12]);
        assert_eq!(
            certificate_expiry(&server.url(""), &Lookups::new(1), TIMEOUT),
            Ok(JULY_2031)
        );
        assert_eq!(server.finish(), 1);
    }

    #[test]
    fn an_expired_self_signed_certificate_still_gives_its_date() {
        let server = Server::start(Y2001, rustls::DEFAULT_VERSIONS);
        assert_eq!(
            certificate_expiry(&server.url("/"), &Lookups::new(1), TIMEOUT),
            Ok(Y2001)
        );
        assert_eq!(server.finish(), 1);
    }

    #[test]
    fn not_after_reads_utc_and_generalized_times() {
        for expected in [JULY_2031, Y2001, MARCH_2061] {
            let (cert, _) = certificate(expected);
            assert_eq!(not_after(cert.as_ref()), Ok(expected));
        }
    }

    /// A DER TLV with a short or one-byte-long length (enough for these tests).
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match content.len() {
            len @ 0..=127 => out.push(len as u8),
            len => out.extend([0x81, u8::try_from(len).expect("short test TLV")]),
        }
        out.extend_from_slice(content);
        out
    }

    /// A minimal certificate-shaped structure: v1 (no version field), empty names.
    fn v1_certificate(not_before: &[u8], not_after: &[u8]) -> Vec<u8> {
        let validity = tlv(0x30, &[not_before, not_after].concat());
        let tbs = [
            tlv(0x02, &[0x01]), // serial
            tlv(0x30, &[]),     // signature algorithm
            tlv(0x30, &[]),     // issuer
            validity,
            tlv(0x30, &[]), // subject
            tlv(0x30, &[]), // subjectPublicKeyInfo
        ]
        .concat();
        let certificate = [tlv(0x30, &tbs), tlv(0x30, &[]), tlv(0x03, &[0x00])].concat();
        tlv(0x30, &certificate)
    }

    #[test]
    fn not_after_handles_a_certificate_without_version() {
        let der = v1_certificate(&tlv(0x17, b"010101000000Z"), &tlv(0x18, b"20610301000000Z"));
        assert_eq!(not_after(&der), Ok(MARCH_2061));
    }

    #[test]
    fn not_after_rejects_what_is_not_a_certificate() {
        let (cert, _) = certificate(JULY_2031);
        let der = cert.as_ref();
        let time = tlv(0x17, b"010101000000Z");
        let cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"-----BEGIN CERTIFICATE-----".to_vec(),
            der[..der.len() / 2].to_vec(),
            [der, &[0]].concat(),
            // notAfter that is not a time.
            v1_certificate(&time, &tlv(0x02, &[0x01])),
            // A date that does not exist.
            v1_certificate(&time, &tlv(0x17, b"311345000000Z")),
        ];
        for case in cases {
            let result = not_after(&case);
            assert!(
                result
                    .as_ref()
                    .is_err_and(|message| message.starts_with("unreadable certificate: ")),
                "{case:02x?} gave {result:?}"
            );
        }
    }

    #[test]
    fn a_refused_connection_is_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("local address").port();
        drop(listener);
        let url = format!("https://127.0.0.1:{port}/");
        assert_eq!(
            certificate_expiry(&url, &Lookups::new(1), TIMEOUT),
            Err("connection refused".to_string())
        );
    }

    #[test]
    fn a_silent_server_times_out() {
        // The kernel accepts the connection; nobody ever answers the ClientHello.
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("local address").port();
        let url = format!("https://127.0.0.1:{port}/");
        assert_eq!(
            certificate_expiry(&url, &Lookups::new(1), Duration::from_millis(200)),
            Err("timed out after 200 ms".to_string())
        );
    }

    #[test]
    fn a_plain_http_server_is_a_handshake_error() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("local address").port();
        let server = thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut socket, _) = listener.accept().expect("accept");
            let _ = socket.read(&mut [0u8; 512]);
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
        let result = certificate_expiry(
            &format!("https://127.0.0.1:{port}/"),
            &Lookups::new(1),
            TIMEOUT,
        );
        server.join().expect("server thread");
        assert!(
            result
                .as_ref()
                .is_err_and(|message| message.starts_with("TLS handshake failed: ")),
            "{result:?}"
        );
    }

    #[test]
    fn only_https_urls_are_checked() {
        for url in [
            "http://example.com/",
            "ftp://example.com",
            "example.com",
            "",
        ] {
            assert_eq!(
                certificate_expiry(url, &Lookups::new(1), TIMEOUT),
                Err("not https".to_string())
            );
            assert_eq!(ExpiryCache::new().get(url, &Lookups::new(1), TIMEOUT), None);
        }
        assert_eq!(
            certificate_expiry("https://", &Lookups::new(1), TIMEOUT),
            Err("invalid URL".to_string())
        );
    }

    #[test]
    fn host_and_port_come_from_the_url() {
        assert_eq!(
            https_host_port("HTTPS://Example.COM/x?y=1"),
            Ok(("example.com".to_string(), 443))
        );
        assert_eq!(
            https_host_port("https://user@example.com:8443/"),
            Ok(("example.com".to_string(), 8443))
        );
        assert_eq!(
            https_host_port("https://[::1]:9443/"),
            Ok(("::1".to_string(), 9443))
        );
    }

    #[test]
    fn the_cache_does_one_handshake_per_host_and_port() {
        let server = Server::start(JULY_2031, rustls::DEFAULT_VERSIONS);
        let cache = ExpiryCache::new();
        let urls: Vec<String> = ["/a", "/b", "", "/c?d=e"]
            .iter()
            .map(|path| server.url(path))
            .collect();
        thread::scope(|scope| {
            let askers: Vec<_> = (0..8)
                .map(|n| {
                    let (cache, url) = (&cache, &urls[n % urls.len()]);
                    scope.spawn(move || cache.get(url, &Lookups::new(1), TIMEOUT))
                })
                .collect();
            for asker in askers {
                assert_eq!(asker.join().expect("asker"), Some(Ok(JULY_2031)));
            }
        });
        assert_eq!(
            cache.get(&server.url("/later"), &Lookups::new(1), TIMEOUT),
            Some(Ok(JULY_2031))
        );
        assert_eq!(server.finish(), 1);
    }

    #[test]
    fn the_cache_keeps_failures_per_host_and_port_too() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("local address").port();
        drop(listener);
        let cache = ExpiryCache::new();
        let refused = Some(Err("connection refused".to_string()));
        for path in ["/", "/other"] {
            let url = format!("https://127.0.0.1:{port}{path}");
            assert_eq!(cache.get(&url, &Lookups::new(1), TIMEOUT), refused);
        }
        let cells = cache.cells.lock().expect("cache lock");
        assert_eq!(
            cells.keys().collect::<Vec<_>>(),
            [&format!("127.0.0.1:{port}")]
        );
    }
}

//! Which certificates a verified connection trusts: the machine's store (or the files that
//! `SSL_CERT_FILE` / `SSL_CERT_DIR` name, as curl and OpenSSL read them), plus a record's own
//! CA file; and the rustls client set up for it, which also notes every server's leaf
//! certificate, trusted or not, for its expiry.

use std::cell::RefCell;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::tls::{AcceptAnyCertificate, not_after};

/// Larger CA files are refused: a bundle of every public root is about 200 KiB.
const MAX_CA_FILE: u64 = 8 * 1024 * 1024;

/// Where the trusted roots came from, for `-v` and messages.
#[derive(Debug, Clone)]
pub struct Roots {
    pub store: Arc<RootCertStore>,
    pub source: &'static str,
}

/// The machine's roots, read once per process: the system store (or the `SSL_CERT_FILE` /
/// `SSL_CERT_DIR` files), or the bundled web roots when the machine has none (a minimal
/// container without ca-certificates).
pub fn system_roots() -> &'static Roots {
    static ROOTS: OnceLock<Roots> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        let mut store = RootCertStore::empty();
        store.add_parsable_certificates(found.certs);
        if store.is_empty() {
            Roots {
                store: Arc::new(RootCertStore {
                    roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
                }),
                source: "the bundled web roots (no system certificate store found)",
            }
        } else {
            let source = if std::env::var_os("SSL_CERT_FILE").is_some()
                || std::env::var_os("SSL_CERT_DIR").is_some()
            {
                "SSL_CERT_FILE / SSL_CERT_DIR"
            } else {
                "the system certificate store"
            };
            Roots {
                store: Arc::new(store),
                source,
            }
        }
    })
}

/// The certificates of a PEM file, each one a trusted root: a CA the user names.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("CA file {shown}: {e}"))?;
    let mut pem = Vec::new();
    file.take(MAX_CA_FILE + 1)
        .read_to_end(&mut pem)
        .map_err(|e| format!("CA file {shown}: {e}"))?;
    if pem.len() as u64 > MAX_CA_FILE {
        return Err(format!("CA file {shown}: larger than 8 MiB"));
    }
    let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("CA file {shown}: not a PEM file ({e})"))?;
    if certificates.is_empty() {
        return Err(format!(
            "CA file {shown}: no certificate in it (a PEM file with \
             -----BEGIN CERTIFICATE----- blocks)"
        ));
    }
    Ok(certificates)
}

/// A rustls client: verifying against the machine's roots plus `ca_file`, or verifying
/// nothing (`insecure`).
pub fn client_config(insecure: bool, ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let inner: Arc<dyn ServerCertVerifier> = if insecure {
        Arc::new(AcceptAnyCertificate)
    } else {
        verifier(&provider, ca_file)?
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NoteLeaf { inner }))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

fn verifier(
    provider: &Arc<CryptoProvider>,
    ca_file: Option<&Path>,
) -> Result<Arc<dyn ServerCertVerifier>, String> {
    let roots = match ca_file {
        None => Arc::clone(&system_roots().store),
        Some(path) => {
            let mut store = RootCertStore::clone(&system_roots().store);
            let (added, _) = store.add_parsable_certificates(read_ca_file(path)?);
            if added == 0 {
                return Err(format!(
                    "CA file {}: no usable CA certificate in it",
                    path.display()
                ));
            }
            Arc::new(store)
        }
    };
    let verifier = WebPkiServerVerifier::builder_with_provider(roots, Arc::clone(provider))
        .build()
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    Ok(verifier)
}

thread_local! {
    /// The expiry of the leaf certificate of the last handshake this thread verified.
    static LEAF: RefCell<Option<Result<i64, String>>> = const { RefCell::new(None) };
}

/// Forgets the last handshake's leaf: call before a handshake.
pub fn forget_leaf() {
    LEAF.with(|leaf| leaf.borrow_mut().take());
}

/// The expiry of the leaf certificate of the handshake this thread just made, if the server
/// sent one (a resumed session sends none).
pub fn take_leaf() -> Option<Result<i64, String>> {
    LEAF.with(|leaf| leaf.borrow_mut().take())
}

/// Any verifier, noting the leaf certificate's expiry before it decides: the date is wanted
/// for a certificate that fails verification too (expired, unknown CA), and rustls keeps the
/// peer's certificates only after a successful handshake.
#[derive(Debug)]
struct NoteLeaf {
    inner: Arc<dyn ServerCertVerifier>,
}

impl ServerCertVerifier for NoteLeaf {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let expiry = not_after(end_entity.as_ref());
        LEAF.with(|leaf| *leaf.borrow_mut() = Some(expiry));
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.inner.requires_raw_public_keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_must_hold_certificates() {
        let dir = tempfile::tempdir().expect("temp dir");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").expect("write");
        let error = read_ca_file(&empty).expect_err("no certificate");
        assert!(error.contains("no certificate in it"), "{error}");

        let missing = dir.path().join("missing.pem");
        let error = read_ca_file(&missing).expect_err("missing");
        assert!(error.starts_with("CA file "), "{error}");
        assert!(error.contains("No such file"), "{error}");

        let ca = rcgen::CertificateParams::new(Vec::<String>::new())
            .expect("params")
            .self_signed(&rcgen::KeyPair::generate().expect("key"))
            .expect("certificate");
        let good = dir.path().join("ca.pem");
        std::fs::write(&good, ca.pem()).expect("write");
        assert_eq!(read_ca_file(&good).expect("read").len(), 1);
    }
}

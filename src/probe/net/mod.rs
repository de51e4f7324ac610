//! The network: HTTP requests, and TLS handshakes for certificate expiry.

pub mod http;
pub mod tls;

//! The network: HTTP requests, TLS handshakes for certificate expiry, and the connectivity
//! check that tells this machine's network being down from the fleet being down.

pub mod connect;
pub mod http;
pub mod resolve;
pub mod tls;
pub mod transport;
pub mod trust;

use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Whether any of `targets` (`HOST:PORT`) accepts a TCP connection, all tried within
/// `timeout`. A refusal is an answer too: the network works, only that port is closed.
pub fn reachable(targets: &[String], timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    targets.iter().any(|target| {
        let Ok(addresses) = target.to_socket_addrs() else {
            return false;
        };
        addresses.into_iter().any(|address| {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match TcpStream::connect_timeout(&address, left) {
                Ok(_) => true,
                Err(e) => e.kind() == std::io::ErrorKind::ConnectionRefused,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn a_listener_or_a_refusal_is_reached_a_black_hole_is_not() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let open = listener.local_addr().expect("addr").to_string();
        let closed = {
            let l = TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").to_string()
        };
        let second = Duration::from_secs(1);
        assert!(reachable(std::slice::from_ref(&open), second));
        assert!(reachable(&[closed], second), "a refusal proves the network");
        assert!(!reachable(&["not a target".into()], second));
        assert!(!reachable(&[], second));
    }
}

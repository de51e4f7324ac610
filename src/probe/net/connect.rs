//! TCP connections that race a name's addresses (Happy Eyeballs, RFC 8305).
//!
//! A name with an AAAA record whose IPv6 path drops packets is common (the record is published,
//! the firewall drops). Trying addresses one after another waits out the first before the
//! second; racing starts the next address 250 ms after the previous one (or as soon as it
//! fails), alternating families, and keeps the first connection that completes. One thread
//! does it all with non-blocking sockets and poll(2).

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::net::{AddressFamily, SocketFlags, SocketType, connect, socket_with, sockopt};

/// RFC 8305's "Connection Attempt Delay": how long an attempt runs alone before the next starts.
pub const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// A connection, and which address gave it.
#[derive(Debug)]
pub struct Connected {
    pub stream: TcpStream,
    pub address: SocketAddr,
    /// Set when the address that answered was not the first one tried: what became of it.
    pub note: Option<String>,
}

/// Connects to the first of `addresses` that accepts before `deadline`.
///
/// The error is the last failure seen (a refusal from every address is "connection refused"),
/// or `TimedOut` when the deadline came first.
pub fn race(addresses: &[SocketAddr], deadline: Instant) -> io::Result<Connected> {
    let order = interleave(addresses);
    let Some(&first) = order.first() else {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "the name has no address",
        ));
    };
    let mut pending: Vec<(OwnedFd, SocketAddr)> = Vec::new();
    let mut failures: Vec<(SocketAddr, io::Error)> = Vec::new();
    let mut next = 0;
    let mut next_start = Instant::now();

    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(io::Error::from(io::ErrorKind::TimedOut));
        }
        // Start the next attempt when its turn has come, or when nothing else is running.
        if next < order.len() && (now >= next_start || pending.is_empty()) {
            let address = order[next];
            next += 1;
            match start(address) {
                Ok(Started::Connected(stream)) => {
                    return Ok(won(stream, address, first, &failures, &pending));
                }
                Ok(Started::Pending(socket)) => {
                    pending.push((socket, address));
                    next_start = now + ATTEMPT_DELAY;
                }
                // This address failed at once (no route, family not available): the next
                // starts now.
                Err(error) => {
                    failures.push((address, error));
                    next_start = now;
                }
            }
            continue;
        }
        if pending.is_empty() {
            // Every address was tried and failed.
            let error = failures.pop().map_or_else(
                || io::Error::from(io::ErrorKind::ConnectionRefused),
                |f| f.1,
            );
            return Err(error);
        }

        let until = if next < order.len() {
            next_start.min(deadline)
        } else {
            deadline
        };
        let wait = until.saturating_duration_since(now);
        let timespec = Timespec::try_from(wait).unwrap_or(Timespec {
            tv_sec: 1,
            tv_nsec: 0,
        });
        let mut fds: Vec<PollFd<'_>> = pending
            .iter()
            .map(|(socket, _)| PollFd::new(socket, PollFlags::OUT))
            .collect();
        match poll(&mut fds, Some(&timespec)) {
            Ok(0) => continue, // the next attempt's turn, or the deadline
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(error) => return Err(error.into()),
        }
        let finished: Vec<usize> = fds
            .iter()
            .enumerate()
            .filter(|(_, fd)| !fd.revents().is_empty())
            .map(|(i, _)| i)
            .collect();
        drop(fds);
        // Highest index first, so that removing one does not move the others.
        for i in finished.into_iter().rev() {
            let (socket, address) = pending.swap_remove(i);
            match sockopt::socket_error(&socket) {
                Ok(Ok(())) => {
                    let stream = blocking(socket)?;
                    return Ok(won(stream, address, first, &failures, &pending));
                }
                Ok(Err(errno)) | Err(errno) => failures.push((address, errno.into())),
            }
            // A failed attempt lets the next one start at once.
            next_start = Instant::now();
        }
    }
}

enum Started {
    Connected(TcpStream),
    Pending(OwnedFd),
}

fn start(address: SocketAddr) -> io::Result<Started> {
    let family = match address {
        SocketAddr::V4(_) => AddressFamily::INET,
        SocketAddr::V6(_) => AddressFamily::INET6,
    };
    let socket = socket_with(
        family,
        SocketType::STREAM,
        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
        None,
    )?;
    match connect(&socket, &address) {
        Ok(()) => Ok(Started::Connected(blocking(socket)?)),
        Err(rustix::io::Errno::INPROGRESS) => Ok(Started::Pending(socket)),
        Err(error) => Err(error.into()),
    }
}

/// The connected socket as a blocking stream with Nagle off: a request is one small write,
/// and waiting for an ACK before sending it only adds latency.
fn blocking(socket: OwnedFd) -> io::Result<TcpStream> {
    rustix::io::ioctl_fionbio(&socket, false)?;
    let stream = TcpStream::from(socket);
    stream.set_nodelay(true)?;
    Ok(stream)
}

fn won(
    stream: TcpStream,
    address: SocketAddr,
    first: SocketAddr,
    failures: &[(SocketAddr, io::Error)],
    pending: &[(OwnedFd, SocketAddr)],
) -> Connected {
    let note = (address != first).then(|| {
        let what = match failures.iter().find(|(a, _)| *a == first) {
            Some((_, error)) => what_failed(error),
            None if pending.iter().any(|(_, a)| *a == first) => {
                "did not answer in time".to_string()
            }
            None => "did not answer".to_string(),
        };
        format!("answered on {address}; {first} {what}")
    });
    Connected {
        stream,
        address,
        note,
    }
}

fn what_failed(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::ConnectionRefused => "refused the connection".into(),
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
            "is unreachable".into()
        }
        _ => format!("failed: {error}"),
    }
}

/// The addresses alternating families, starting with the family of the first (the system's
/// preference), each family in the order given.
fn interleave(addresses: &[SocketAddr]) -> Vec<SocketAddr> {
    let Some(first) = addresses.first() else {
        return Vec::new();
    };
    let (mut preferred, mut other): (Vec<SocketAddr>, Vec<SocketAddr>) = addresses
        .iter()
        .partition(|a| a.is_ipv6() == first.is_ipv6());
    preferred.reverse();
    other.reverse();
    let mut order = Vec::with_capacity(addresses.len());
    loop {
        match (preferred.pop(), other.pop()) {
            (None, None) => break,
            (a, b) => order.extend(a.into_iter().chain(b)),
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn addr(text: &str) -> SocketAddr {
        text.parse().expect("address")
    }

    #[test]
    fn families_alternate_from_the_first() {
        let given = [
            addr("[::1]:1"),
            addr("[::2]:1"),
            addr("[::3]:1"),
            addr("127.0.0.1:1"),
        ];
        assert_eq!(
            interleave(&given),
            vec![
                addr("[::1]:1"),
                addr("127.0.0.1:1"),
                addr("[::2]:1"),
                addr("[::3]:1")
            ]
        );
        assert!(interleave(&[]).is_empty());
    }

    #[test]
    fn the_first_address_that_listens_wins_and_a_refusal_is_named() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let open = listener.local_addr().expect("addr");
        let closed = {
            let l = TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr")
        };
        let deadline = Instant::now() + Duration::from_secs(10);

        let direct = race(&[open], deadline).expect("connects");
        assert_eq!(direct.address, open);
        assert_eq!(direct.note, None);

        let second = race(&[closed, open], deadline).expect("connects");
        assert_eq!(second.address, open);
        assert_eq!(
            second.note.as_deref(),
            Some(format!("answered on {open}; {closed} refused the connection").as_str())
        );

        let error = race(&[closed], deadline).expect_err("refused");
        assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
    }

    /// A port whose SYNs go unanswered, as behind a firewall that drops: a listener that
    /// never accepts, with its one-connection backlog already filled.
    fn black_hole(ip: &str) -> (TcpListener, TcpStream, SocketAddr) {
        let socket = socket_with(
            if ip.contains(':') {
                AddressFamily::INET6
            } else {
                AddressFamily::INET
            },
            SocketType::STREAM,
            SocketFlags::CLOEXEC,
            None,
        )
        .expect("socket");
        rustix::net::bind(&socket, &addr(&format!("{ip}:0"))).expect("bind");
        rustix::net::listen(&socket, 0).expect("listen");
        let listener = TcpListener::from(socket);
        let address = listener.local_addr().expect("addr");
        let filler = TcpStream::connect(address).expect("fills the backlog");
        (listener, filler, address)
    }

    #[test]
    fn an_address_that_drops_packets_is_overtaken_by_the_next() {
        let (_hole, _filler, dropped) = black_hole("[::1]");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let open = listener.local_addr().expect("addr");
        let started = Instant::now();
        let deadline = started + Duration::from_secs(30);

        let connected = race(&[dropped, open], deadline).expect("the second address answers");
        assert_eq!(connected.address, open);
        assert_eq!(
            connected.note.as_deref(),
            Some(format!("answered on {open}; {dropped} did not answer in time").as_str())
        );
        // Raced, not waited out: the second attempt started after the attempt delay, far
        // inside the deadline a one-after-another connect would have spent on the first.
        assert!(started.elapsed() < Duration::from_secs(15));

        let alone = race(&[dropped], Instant::now() + Duration::from_millis(300));
        assert_eq!(
            alone.expect_err("no answer").kind(),
            io::ErrorKind::TimedOut
        );
    }
}

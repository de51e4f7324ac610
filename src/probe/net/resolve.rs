//! Name lookups on a small pool of threads, each bounded by the time its check has left.
//!
//! The system resolver (`getaddrinfo`) blocks and has no timeout of its own. ureq bounds it by
//! starting a thread for every lookup, which costs a pass over a fleet of names 10,000 to 20,000
//! threads. Here a fixed pool, as large as the pass's job count, does the lookups: a check
//! waits for its answer only as long as it has time left, and a late lookup finishes on its own
//! (its pool thread is busy meanwhile, no new thread is started).

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Why a lookup gave no address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// The name does not resolve (or resolves to nothing).
    NotFound,
    /// No answer within the time the check had left.
    TimedOut,
}

type Answer = Result<Vec<SocketAddr>, LookupError>;

struct Job {
    host: String,
    port: u16,
    reply: SyncSender<Answer>,
}

/// A pool of lookup threads, started on the first lookup of a name. Cloning shares the pool.
#[derive(Clone)]
pub struct Lookups {
    inner: Arc<Pool>,
}

struct Pool {
    size: usize,
    /// None until the first lookup starts the threads.
    queue: Mutex<Option<Sender<Job>>>,
}

impl std::fmt::Debug for Lookups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lookups")
            .field("size", &self.inner.size)
            .finish()
    }
}

impl Lookups {
    /// A pool of at most `size` threads (at least one).
    pub fn new(size: usize) -> Lookups {
        Lookups {
            inner: Arc::new(Pool {
                size: size.max(1),
                queue: Mutex::new(None),
            }),
        }
    }

    /// The addresses of `host` (a name or an IP address, IPv6 with or without brackets) at
    /// `port`, within `limit`.
    pub fn lookup(&self, host: &str, port: u16, limit: Duration) -> Answer {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        if limit.is_zero() {
            return Err(LookupError::TimedOut);
        }
        let (reply, answer) = mpsc::sync_channel(1);
        let job = Job {
            host: bare.to_string(),
            port,
            reply,
        };
        if !self.send(job) {
            // No pool (threads could not start): look up here rather than not at all.
            return look_up(bare, port);
        }
        match answer.recv_timeout(limit) {
            Ok(answer) => answer,
            Err(RecvTimeoutError::Timeout) => Err(LookupError::TimedOut),
            Err(RecvTimeoutError::Disconnected) => Err(LookupError::NotFound),
        }
    }

    fn send(&self, job: Job) -> bool {
        let mut queue = self
            .inner
            .queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if queue.is_none() {
            *queue = self.start();
        }
        match queue.as_ref() {
            Some(sender) => sender.send(job).is_ok(),
            None => false,
        }
    }

    fn start(&self) -> Option<Sender<Job>> {
        let (sender, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        let mut started = 0;
        for n in 0..self.inner.size {
            let jobs = Arc::clone(&jobs);
            let spawned = std::thread::Builder::new()
                .name(format!("lookup-{n}"))
                // getaddrinfo needs little stack; the default 2 MiB per thread is reserved
                // address space, not memory, but there is no reason to ask for it.
                .stack_size(256 * 1024)
                .spawn(move || serve(&jobs));
            if spawned.is_ok() {
                started += 1;
            }
        }
        (started > 0).then_some(sender)
    }
}

/// One pool thread: looks up names until the pool is dropped.
fn serve(jobs: &Mutex<Receiver<Job>>) {
    loop {
        // The guard is dropped at the end of the statement, before the lookup.
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        // A check that gave up waiting has dropped its receiver: nothing to do with the answer.
        let _ = job.reply.send(look_up(&job.host, job.port));
    }
}

fn look_up(host: &str, port: u16) -> Answer {
    match (host, port).to_socket_addrs() {
        Ok(addresses) => {
            let addresses: Vec<SocketAddr> = addresses.collect();
            if addresses.is_empty() {
                Err(LookupError::NotFound)
            } else {
                Ok(addresses)
            }
        }
        Err(_) => Err(LookupError::NotFound),
    }
}

/// ureq's side: the URL's host through the pool, bounded by the call's time left.
impl Resolver for Lookups {
    fn resolve(
        &self,
        uri: &Uri,
        _config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().ok_or(ureq::Error::HostNotFound)?;
        let port = uri
            .port_u16()
            .or(match uri.scheme_str() {
                Some("https") => Some(443),
                Some("http") => Some(80),
                _ => None,
            })
            .ok_or(ureq::Error::HostNotFound)?;
        let limit = timeout.not_zero().map_or(Duration::MAX, |limit| *limit);
        match self.lookup(host, port, limit) {
            Ok(found) => {
                let mut addresses = self.empty();
                // ureq keeps at most 16; more are of no use to a connection attempt anyway.
                for address in found.into_iter().take(16) {
                    addresses.push(address);
                }
                Ok(addresses)
            }
            Err(LookupError::NotFound) => Err(ureq::Error::HostNotFound),
            Err(LookupError::TimedOut) => Err(ureq::Error::Timeout(timeout.reason)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_not_looked_up() {
        let lookups = Lookups::new(1);
        assert_eq!(
            lookups.lookup("[::1]", 8443, Duration::ZERO),
            Ok(vec!["[::1]:8443".parse().expect("address")])
        );
        assert_eq!(
            lookups.lookup("127.0.0.2", 80, Duration::ZERO),
            Ok(vec!["127.0.0.2:80".parse().expect("address")])
        );
        // No thread was needed for either.
        assert!(lookups.inner.queue.lock().expect("lock").is_none());
    }

    #[test]
    fn names_resolve_on_the_pool_and_unknown_ones_are_not_found() {
        let lookups = Lookups::new(2);
        let found = lookups
            .lookup("localhost", 80, Duration::from_secs(10))
            .expect("localhost resolves");
        assert!(found.iter().all(|a| a.ip().is_loopback() && a.port() == 80));
        assert_eq!(
            lookups.lookup("no-such-name.invalid", 80, Duration::from_secs(10)),
            Err(LookupError::NotFound)
        );
        // The pool is reused: still one queue, the same threads.
        assert!(lookups.inner.queue.lock().expect("lock").is_some());
    }

    #[test]
    fn no_time_left_is_a_timeout_without_a_lookup() {
        let lookups = Lookups::new(1);
        assert_eq!(
            lookups.lookup("localhost", 80, Duration::ZERO),
            Err(LookupError::TimedOut)
        );
    }
}

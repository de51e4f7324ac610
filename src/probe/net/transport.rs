//! The connections under ureq: TCP that races a name's addresses, and TLS that keeps the
//! server's certificate expiry, so that an https check needs one handshake, not two.
//!
//! The chain is ureq's CONNECT proxy (it honours `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`),
//! then [`Tcp`] (skipped when the proxy already gave a tunnel), then [`Tls`].

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use ureq::unversioned::transport::time::{Duration as UreqDuration, Instant as UreqInstant};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
    TransportAdapter,
};

use super::connect;
use super::tls::ExpiryCache;
use super::trust;

thread_local! {
    /// What the last connection this thread opened has to say about its addresses.
    static ADDRESS_NOTE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Forgets the last connection's address note: call before a request.
pub fn forget_address_note() {
    ADDRESS_NOTE.with(|note| note.borrow_mut().take());
}

/// Set when this thread's last new connection was answered by another address than the first
/// it tried: "answered on 127.0.0.1:443; [::1]:443 did not answer in time".
pub fn take_address_note() -> Option<String> {
    ADDRESS_NOTE.with(|note| note.borrow_mut().take())
}

/// TCP to the resolved addresses, raced (see `connect`).
#[derive(Debug, Default)]
pub struct Tcp;

impl<In: Transport> Connector<In> for Tcp {
    type Out = Either<In, TcpTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(tunnel) = chained {
            return Ok(Some(Either::A(tunnel))); // a proxy's
        }
        let timeout = left(details);
        let deadline = deadline(timeout)?;
        let addresses: Vec<_> = details.addrs.iter().copied().collect();
        let connected = connect::race(&addresses, deadline).map_err(|error| {
            if error.kind() == io::ErrorKind::TimedOut {
                ureq::Error::Timeout(timeout.reason)
            } else {
                ureq::Error::Io(error)
            }
        })?;
        ADDRESS_NOTE.with(|note| *note.borrow_mut() = connected.note);
        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(TcpTransport {
            stream: connected.stream,
            buffers,
            read_timeout: None,
            write_timeout: None,
        })))
    }
}

/// A TCP connection under ureq.
#[derive(Debug)]
pub struct TcpTransport {
    stream: TcpStream,
    buffers: LazyBuffers,
    /// The timeouts last set on the socket, so that each read does not cost a system call.
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl Transport for TcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        let limit = limit(timeout)?;
        if self.write_timeout != limit {
            self.stream.set_write_timeout(limit)?;
            self.write_timeout = limit;
        }
        let output = &self.buffers.output()[..amount];
        (&self.stream)
            .write_all(output)
            .map_err(|error| timed_out(error, timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        let limit = limit(timeout)?;
        if self.read_timeout != limit {
            self.stream.set_read_timeout(limit)?;
            self.read_timeout = limit;
        }
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match (&self.stream).read(input) {
                Ok(amount) => break amount,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(timed_out(error, timeout)),
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    /// Whether a pooled connection can be used again: open, and nothing unasked waiting on it.
    fn is_open(&mut self) -> bool {
        if self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let mut byte = [0];
        let idle = matches!(self.stream.peek(&mut byte),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock);
        idle && self.stream.set_nonblocking(false).is_ok()
    }
}

/// TLS with rustls for https URLs, noting each handshake's certificate expiry in the pass's
/// `ExpiryCache` under the URL's host and port.
#[derive(Debug)]
pub struct Tls {
    config: Arc<ClientConfig>,
    expiries: Arc<ExpiryCache>,
}

impl Tls {
    pub fn new(config: Arc<ClientConfig>, expiries: Arc<ExpiryCache>) -> Tls {
        Tls { config, expiries }
    }
}

impl<In: Transport> Connector<In> for Tls {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let uri = details.uri;
        let host = uri
            .host()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(443);
        let name = ServerName::try_from(host.to_string())
            .map_err(|_| ureq::Error::Tls("invalid host name for TLS"))?;
        let mut connection = ClientConnection::new(Arc::clone(&self.config), name)?;
        let mut socket = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        socket.set_timeout(left(details));

        trust::forget_leaf();
        let handshake = connection.complete_io(&mut socket);
        if let Some(expiry) = trust::take_leaf() {
            self.expiries.note(host, port, expiry);
        }
        handshake?;

        let buffers = LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        );
        Ok(Some(Either::B(TlsTransport {
            buffers,
            stream: StreamOwned::new(connection, socket),
        })))
    }
}

/// A TLS connection under ureq.
pub struct TlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl std::fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsTransport").finish_non_exhaustive()
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

/// The time the call has left now: `details.timeout` was measured at `details.now`, before
/// the earlier links of the chain (the proxy, TCP) spent some of it.
fn left(details: &ConnectionDetails) -> NextTimeout {
    let mut timeout = details.timeout;
    if let (UreqDuration::Exact(after), UreqInstant::Exact(then), UreqInstant::Exact(now)) =
        (timeout.after, details.now, (details.current_time)())
    {
        timeout.after =
            UreqDuration::Exact(after.saturating_sub(now.saturating_duration_since(then)));
    }
    timeout
}

/// The socket timeout for `timeout`: None for none; an error when it has already passed.
fn limit(timeout: NextTimeout) -> Result<Option<Duration>, ureq::Error> {
    match timeout.after {
        UreqDuration::NotHappening => Ok(None),
        UreqDuration::Exact(after) if after.is_zero() => Err(ureq::Error::Timeout(timeout.reason)),
        UreqDuration::Exact(after) => Ok(Some(after)),
    }
}

fn deadline(timeout: NextTimeout) -> Result<Instant, ureq::Error> {
    // No limit: a day stands for "never" (a check always has one; this is for safety).
    let after = limit(timeout)?.unwrap_or(Duration::from_secs(86_400));
    Ok(Instant::now() + after)
}

/// A socket timeout is ureq's timeout, so that the message says "timed out".
fn timed_out(error: io::Error, timeout: NextTimeout) -> ureq::Error {
    match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ureq::Error::Timeout(timeout.reason),
        _ => ureq::Error::Io(error),
    }
}

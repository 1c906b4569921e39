//! The connections `serve` holds: at most a fixed number at once (the rest
//! wait to be accepted), each served by hyper's HTTP/1 within a deadline for
//! every request head, a cap on its size, and a deadline for a client that
//! stops reading. Closes them all on Ctrl-C. Where they may come from is
//! `--bind`'s business, not this module's.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Sleep;

/// The most connections held at once. A browser opens six to a host; a
/// thousand tabs would be a hundred times what anyone writing a journal has.
const MOST_CONNECTIONS: usize = 2048;

/// Open files the server needs besides its connections: the terminal, the
/// watcher, the sources a rebuild reads.
const FILES_KEPT: usize = 256;

/// How long a client has to send a request head, counted from when the
/// server starts waiting for one: a browser on the same computer sends it in
/// one write, within milliseconds. It is also how long a kept-alive
/// connection may sit idle between requests, as hyper counts both alike.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// The most bytes of a request head (request line and headers) read before
/// answering 431, and so the most a connection's read buffer holds. Above
/// the longest URI hyper takes (64 KiB), so that a longer one is read whole
/// and answered 414, not 431.
const MOST_HEAD_BYTES: usize = 128 * 1024;

/// How long a response may wait for a client that reads none of it. A
/// browser reads what a page asks for at once; a paused video asks again
/// with a range.
const WRITE_STALL: Duration = Duration::from_secs(10);

/// How long a closing connection keeps reading what the client still sends,
/// and how much of it, so that an answer like 431 sent before the client
/// finished writing is read, not reset away with the unread bytes.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 1 << 20;

/// How many connections the system may complete before the server accepts
/// them. The usual 128 overflows when a page's requests and a burst of
/// connections arrive together, and a connection that overflows it waits a
/// second for its retry.
const LISTEN_QUEUE: u32 = 1024;

/// How long connections in the middle of a response get to finish on Ctrl-C.
/// Live-reload streams never finish, so nothing waits longer.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// A listener on `address` with a queue of `LISTEN_QUEUE`.
pub(super) fn listen(address: SocketAddr) -> io::Result<TcpListener> {
    let socket = if address.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    // As std and tokio do: a restarted server gets its port back at once.
    #[cfg(not(windows))]
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(LISTEN_QUEUE)
}

/// Serves `app` on the connections `listener` accepts until `stop` resolves.
pub(super) async fn serve(listener: TcpListener, app: Router, stop: impl Future<Output = ()>) {
    let most = connection_cap();
    if most < MOST_CONNECTIONS {
        eprintln!("Holding at most {most} connections at once: this system allows few open files.");
    }
    let permits = Arc::new(Semaphore::new(most));
    let (stopping, stopped) = watch::channel(false);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_header_size(MOST_HEAD_BYTES)
        // Read buffers grow by doubling: capped here, a head that nearly
        // reaches the limit takes 128 KiB, not 256.
        .max_buf_size(MOST_HEAD_BYTES);
    let http = Arc::new(http);
    let mut stop = std::pin::pin!(stop);
    loop {
        // A permit first: past the cap, connections wait in the listen queue
        // and are accepted as others close, rather than refused.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of files for a moment, or a client gone before it
                    // was accepted: neither stops the server.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        tokio::spawn(connection(stream, app.clone(), http.clone(), stopped.clone(), permit));
    }
    let _ = stopping.send(true);
    let all = u32::try_from(most).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, permits.acquire_many(all)).await;
}

/// One connection, until the client closes it, breaks a limit, or the
/// server stops. Its permit is given back when it ends.
async fn connection(
    stream: TcpStream,
    app: Router,
    http: Arc<http1::Builder>,
    mut stopped: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    // Small responses go out at once rather than after a delayed ACK.
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(Guarded::new(stream));
    let connection = http.serve_connection(io, TowerToHyperService::new(app));
    let mut connection = std::pin::pin!(connection);
    // A connection's errors are its client's: gone, too slow, or too large.
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = stopped.wait_for(|stopped| *stopped) => connection.as_mut().graceful_shutdown(),
    }
    let _ = connection.await;
}

/// How many connections to hold at once: `MOST_CONNECTIONS`, or fewer when
/// the process may not open enough files for them and the files their
/// responses read.
fn connection_cap() -> usize {
    let allowed = open_files_allowed(2 * MOST_CONNECTIONS + FILES_KEPT);
    (allowed.saturating_sub(FILES_KEPT) / 2).clamp(16, MOST_CONNECTIONS)
}

/// How many files the process may open, after raising its soft limit toward
/// `wanted` as far as the hard limit lets it: many systems start programs
/// at 1,024 (macOS at 256) and leave them to ask for more.
#[cfg(unix)]
fn open_files_allowed(wanted: usize) -> usize {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit only writes the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return wanted;
    }
    let current = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
    if current >= wanted {
        return current;
    }
    let wanted = libc::rlim_t::try_from(wanted).unwrap_or(limit.rlim_max).min(limit.rlim_max);
    let raised = libc::rlimit { rlim_cur: wanted, ..limit };
    // SAFETY: setrlimit only reads the struct it is given; the hard limit stays as it was.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
        usize::try_from(wanted).unwrap_or(usize::MAX)
    } else {
        current
    }
}

#[cfg(not(unix))]
fn open_files_allowed(wanted: usize) -> usize {
    wanted
}

/// A client's TCP stream with two deadlines hyper does not keep: a write
/// the client has not made room for within `WRITE_STALL` fails, and closing
/// reads (and drops) what the client is still sending for a moment first.
struct Guarded {
    stream: TcpStream,
    /// Running while a write waits for the client to read.
    stalled: Option<Pin<Box<Sleep>>>,
    closing: Option<Lingering>,
}

struct Lingering {
    until: Pin<Box<Sleep>>,
    read: usize,
}

impl Guarded {
    fn new(stream: TcpStream) -> Guarded {
        Guarded { stream, stalled: None, closing: None }
    }

    /// What a write that returned `polled` comes to: pending while the
    /// client may still read, an error once it has not for `WRITE_STALL`.
    fn written<T>(&mut self, cx: &mut Context<'_>, polled: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.stalled = None;
            return polled;
        }
        let timer = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_STALL)));
        ready!(timer.as_mut().poll(cx));
        // Nothing unsent is worth keeping for a client that reads nothing:
        // reset rather than leave the system holding it after the close.
        let _ = self.stream.set_zero_linger();
        Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading")))
    }
}

impl AsyncRead for Guarded {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.written(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.written(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_flush(cx);
        this.written(cx, polled)
    }

    /// Ends the writing side, then reads until the client closes its own,
    /// for at most `LINGER` and `LINGER_BYTES`: closing a socket with unread
    /// bytes resets the connection, and a reset can lose the answer before
    /// the client reads it.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.closing.is_none() {
            ready!(Pin::new(&mut this.stream).poll_shutdown(cx))?;
            this.closing = Some(Lingering { until: Box::pin(tokio::time::sleep(LINGER)), read: 0 });
        }
        let Some(closing) = this.closing.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let mut scratch = [0; 4096];
        while closing.read < LINGER_BYTES {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.stream).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => closing.read += buf.filled().len(),
                Poll::Ready(_) => break,
                Poll::Pending => {
                    ready!(closing.until.as_mut().poll(cx));
                    break;
                }
            }
        }
        Poll::Ready(Ok(()))
    }
}

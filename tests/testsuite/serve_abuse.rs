//! `milepost serve` under abuse, all on loopback: a thousand connections at
//! once (and the memory they cost), fifty clients sending their headers a
//! byte a second, request lines and headers too long, a client that stops
//! reading, and what `--bind` says. Each test ends within seconds of the
//! server's own deadlines.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use crate::fixture::Fixture;
use crate::serve::Server;

/// The server's deadline for a request head, and for a client that reads
/// nothing of a response (`HEAD_TIMEOUT`, `WRITE_STALL` in the server).
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
const WRITE_STALL: Duration = Duration::from_secs(10);

/// Raises this process's soft limit on open files to its hard limit (many
/// CI machines start tests at 1,024) and returns it; the server started
/// afterwards inherits it.
fn raise_open_files() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit and setrlimit only touch the struct they are given.
        unsafe {
            assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
            let raised = libc::rlimit { rlim_cur: limit.rlim_max, ..limit };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
        usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
    }
    #[cfg(not(unix))]
    usize::MAX
}

/// The process's resident memory in KiB, where /proc tells it.
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(&server.address).expect("connect to the server");
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One response read from `stream`: its status and body, by its Content-Length.
fn read_reply(stream: &mut TcpStream) -> std::io::Result<(u16, Vec<u8>)> {
    let mut raw = Vec::new();
    let mut chunk = [0; 16 * 1024];
    loop {
        if let Some(end) = find(&raw, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_lowercase();
            let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if raw.len() >= end + 4 + len {
                return Ok((status, raw[end + 4..end + 4 + len].to_vec()));
            }
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        raw.extend_from_slice(&chunk[..n]);
    }
}

/// Sends `request` as a client would that does not wait to be told no (a
/// write cut short by the server's answer is not an error here) and returns
/// the status answered.
fn status_of(server: &Server, request: &[u8]) -> u16 {
    let mut stream = connect(server);
    let _ = stream.write_all(request);
    read_reply(&mut stream).map(|(status, _)| status).unwrap_or(0)
}

#[test]
fn a_thousand_connections_at_once_are_each_served() {
    let allowed = raise_open_files();
    // This process holds one end of each connection and the server the other,
    // with files of its own: both live under the same limit.
    let wanted = 1000;
    let held = if allowed >= 2 * wanted + 512 {
        wanted
    } else {
        let fewer = (allowed.saturating_sub(512) / 2).min(wanted);
        eprintln!("holding {fewer} connections, not {wanted}: the hard limit on open files is {allowed}");
        fewer
    };
    let site = Fixture::copy("journal");
    let server = Server::start(&site);
    let pid = server.child.id();
    // One request first, so the memory before counts what serving needs anyway.
    assert_eq!(server.get("/diary/").status, 200);
    let before = resident_kib(pid);

    let peak = Arc::new(AtomicU64::new(0));
    let (stop, stopped) = mpsc::channel::<()>();
    let sampler = {
        let peak = peak.clone();
        std::thread::spawn(move || {
            while stopped.try_recv().is_err() {
                if let Some(kib) = resident_kib(pid) {
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };

    let started = Instant::now();
    let mut streams: Vec<TcpStream> = (0..held).map(|_| connect(&server)).collect();
    let opened = started.elapsed();
    for stream in &mut streams {
        write!(stream, "GET /diary/lisbon/tram/ HTTP/1.1\r\nHost: {}\r\n\r\n", server.address).unwrap();
    }
    for (i, stream) in streams.iter_mut().enumerate() {
        let (status, body) = read_reply(stream).unwrap_or_else(|e| panic!("connection {i}: {e}"));
        assert_eq!(status, 200, "connection {i}");
        assert!(String::from_utf8_lossy(&body).contains("Fixture Journal"), "connection {i}");
    }
    let answered = started.elapsed();
    // Every connection is still open, kept alive: one more request on each of a few.
    for stream in streams.iter_mut().step_by(100) {
        write!(stream, "GET /diary/ HTTP/1.1\r\nHost: {}\r\n\r\n", server.address).unwrap();
        assert_eq!(read_reply(stream).unwrap().0, 200);
    }
    let _ = stop.send(());
    sampler.join().unwrap();
    let peak = peak.load(Ordering::Relaxed);
    eprintln!(
        "{held} connections: opened in {} ms, all answered in {} ms; resident memory {} KiB before, {peak} KiB at most",
        opened.as_millis(),
        answered.as_millis(),
        before.map_or("?".to_string(), |kib| kib.to_string()),
    );
    if let Some(before) = before {
        // About 11 KiB a connection measured (docs/RELIABILITY.md): four
        // times that is room for other allocators and machines, and still
        // far below what one unbounded buffer per connection would take.
        let grown = peak.saturating_sub(before);
        assert!(grown < 48 * 1024, "{held} connections took {grown} KiB");
    }
    drop(streams);
}

#[test]
fn slow_clients_are_cut_off_while_others_are_served() {
    const SLOW: usize = 50;
    let site = Fixture::copy("journal");
    let server = Server::start(&site);
    // A browser's live-reload stream, open from before: no deadline may close it.
    let mut events = connect(&server);
    write!(events, "GET /__milepost/events HTTP/1.1\r\nHost: {}\r\n\r\n", server.address).unwrap();
    let mut seen = Vec::new();
    read_until(&mut events, &mut seen, "event: hello", Duration::from_secs(10));

    // Each sends a request a byte a second, one that would take a minute.
    let request = format!(
        "GET /diary/ HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\n\r\n",
        server.address,
        "slow".repeat(15)
    );
    let cut = Arc::new(AtomicUsize::new(0));
    let trickle = {
        let mut slow: Vec<(TcpStream, Instant)> =
            (0..SLOW).map(|_| (connect(&server), Instant::now())).collect();
        let cut = cut.clone();
        std::thread::spawn(move || {
            let mut cut_after: Vec<Option<Duration>> = vec![None; SLOW];
            let deadline = Instant::now() + HEAD_TIMEOUT + Duration::from_secs(5);
            for byte in request.bytes() {
                if cut_after.iter().all(Option::is_some) || Instant::now() > deadline {
                    break;
                }
                for (i, (stream, since)) in slow.iter_mut().enumerate() {
                    if cut_after[i].is_none() && closed_by_server(stream) {
                        cut_after[i] = Some(since.elapsed());
                        cut.fetch_add(1, Ordering::Relaxed);
                    }
                    if cut_after[i].is_none() {
                        let _ = stream.write_all(&[byte]);
                    }
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            cut_after
        })
    };

    // While they trickle, ordinary requests are answered at once.
    std::thread::sleep(Duration::from_secs(3));
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    for path in
        ["/diary/", "/diary/lisbon/fado/", "/diary/style.css", "/diary/lisbon/tram/tram-64.jpg"].repeat(5)
    {
        let asked = Instant::now();
        assert_eq!(server.get(path).status, 200, "{path}");
        slowest = slowest.max(asked.elapsed());
    }
    let all = started.elapsed();
    assert_eq!(cut.load(Ordering::Relaxed), 0, "slow clients were cut off before their time");
    assert!(slowest < Duration::from_secs(2), "a request took {slowest:?} beside {SLOW} slow clients");

    let cut_after = trickle.join().unwrap();
    eprintln!(
        "20 requests beside {SLOW} slow clients: {} ms in all, the slowest {} ms; slow clients cut off after {:?}",
        all.as_millis(),
        slowest.as_millis(),
        cut_after.iter().flatten().max()
    );
    for (i, after) in cut_after.iter().enumerate() {
        let after = after.unwrap_or_else(|| panic!("slow client {i} was never cut off"));
        assert!(after >= HEAD_TIMEOUT - Duration::from_secs(1), "slow client {i} cut off after {after:?}");
        assert!(after <= HEAD_TIMEOUT + Duration::from_secs(3), "slow client {i} cut off after {after:?}");
    }

    // The live-reload stream outlived the deadline and still tells of a save.
    let text = site.read("content/lisbon/fado.md").replace("two guitars", "a singer in black");
    site.write("content/lisbon/fado.md", text);
    read_until(&mut events, &mut seen, "event: reload", Duration::from_secs(20));
}

/// Whether the server has closed `stream`, without waiting to find out.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0; 1];
    let closed = match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != ErrorKind::WouldBlock,
    };
    stream.set_nonblocking(false).unwrap();
    closed
}

/// Reads `stream` into `seen` until it holds `text`, for at most `within`.
#[track_caller]
fn read_until(stream: &mut TcpStream, seen: &mut Vec<u8>, text: &str, within: Duration) {
    let deadline = Instant::now() + within;
    let mut chunk = [0; 4096];
    while find(seen, text.as_bytes()).is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no {text:?} within {within:?}: {}", String::from_utf8_lossy(seen));
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => panic!("the stream closed before {text:?}: {}", String::from_utf8_lossy(seen)),
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("reading the stream: {e}"),
        }
    }
}

#[test]
fn a_request_line_too_long_is_answered_414_and_headers_too_large_431() {
    let site = Fixture::copy("journal");
    let server = Server::start(&site);
    let host = &server.address;
    let get = |target: &str, headers: &str| {
        status_of(&server, format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n").as_bytes())
    };
    // A 100 KiB request line, and one just past the 8 KiB served.
    assert_eq!(get(&format!("/{}", "a".repeat(100 * 1024)), ""), 414);
    assert_eq!(get(&format!("/diary/?{}", "q".repeat(8 * 1024)), ""), 414);
    // 100 KiB of headers: one cookie, or fifty headers of 2 KiB.
    assert_eq!(get("/diary/", &format!("Cookie: a={}\r\n", "c".repeat(100 * 1024))), 431);
    let fifty: String = (0..50).map(|i| format!("X-Filler-{i}: {}\r\n", "f".repeat(2048))).collect();
    assert_eq!(get("/diary/", &fifty), 431);
    // A megabyte of headers: the server stops reading at 128 KiB, and its
    // answer still reaches a client that was writing all the while.
    assert_eq!(get("/diary/", &format!("X-Flood: {}\r\n", "x".repeat(1 << 20))), 431);
    // 30 KiB of cookies, as localhost gathers them from other local servers: served.
    let cookies: String = (0..30).map(|i| format!("Cookie: c{i}={}\r\n", "v".repeat(1000))).collect();
    assert_eq!(get("/diary/", &cookies), 200);
    // The server is none the worse.
    assert_eq!(server.get("/diary/").status, 200);
}

#[test]
fn a_client_that_stops_reading_is_cut_off() {
    let site = Fixture::copy("journal");
    site.write("static/big.bin", vec![7u8; 4 << 20]);
    let server = Server::start(&site);
    // Sixteen pipelined requests for 4 MiB each, and nothing read.
    let mut stream = connect(&server);
    let asked = 16;
    for _ in 0..asked {
        write!(stream, "GET /big.bin HTTP/1.1\r\nHost: {}\r\n\r\n", server.address).unwrap();
    }
    std::thread::sleep(WRITE_STALL + Duration::from_secs(2));
    // Others are served meanwhile, and this one is closed: what the buffers
    // held comes, then the end, well short of all that was asked for.
    assert_eq!(server.get("/diary/").status, 200);
    let mut received = 0;
    let mut chunk = vec![0; 1 << 16];
    let reading = Instant::now();
    let ended = loop {
        match stream.read(&mut chunk) {
            Ok(0) => break "closed".to_string(),
            Err(e) => break e.to_string(),
            Ok(n) => received += n,
        }
        assert!(reading.elapsed() < Duration::from_secs(10), "still sending after {received} bytes");
    };
    eprintln!("a client reading nothing got {received} bytes, then: {ended}");
    assert!(received < asked * (4 << 20), "all {received} bytes were sent");
}

#[test]
fn it_says_it_serves_only_this_computer_by_default() {
    let site = Fixture::copy("journal");
    let server = Server::start(&site);
    assert!(server.address.starts_with("127.0.0.1:"), "{}", server.said);
    assert!(server.said.ends_with("(as it will be published; only on this computer)"), "{}", server.said);
}

#[test]
fn binding_beyond_loopback_warns_that_other_machines_can_read_the_site() {
    let site = Fixture::copy("journal");
    // A documentation address (TEST-NET-1), never this computer's: the
    // warning comes before the server fails to bind it, and nothing is exposed.
    for (drafts, what) in [(false, "the site"), (true, "the site, drafts included,")] {
        let mut args = vec!["serve", "--port", "0", "--bind", "192.0.2.1"];
        if drafts {
            args.push("--drafts");
        }
        let warning = first_warning(&site, &args);
        assert_eq!(
            warning,
            format!(
                "warning: serving on 192.0.2.1: {what} can be read from other machines while it runs. \
                 Leave out --bind to keep it to this computer."
            )
        );
    }
}

/// The first line of `milepost <args>` on standard error that is a warning.
fn first_warning(site: &Fixture, args: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_milepost"))
        .args(args)
        .arg("--site")
        .arg(site.root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start milepost serve");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.starts_with("warning:") {
                let _ = tx.send(line);
            }
        }
    });
    let warning = rx.recv_timeout(Duration::from_secs(60));
    let _ = child.kill();
    let _ = child.wait();
    warning.expect("a warning")
}

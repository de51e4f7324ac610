//! Running external commands (custom probes, change hooks): no shell, input on stdin, a hard
//! timeout, capped output, and never a stall from a command that misbehaves. When the command
//! ends, or times out, or webhost is told to stop, what it started is killed with it.

use std::io::{self, Read, Write};
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// What running the command gave.
pub struct Run {
    /// None when it was killed (at the timeout, or because webhost was told to stop).
    pub exit: Option<ExitStatus>,
    /// None when stdout was not closed in time, or the command was killed.
    pub stdout: Option<Vec<u8>>,
    pub stderr: Vec<u8>,
    /// Killed because webhost received SIGINT or SIGTERM.
    pub interrupted: bool,
}

/// Extra time, after the command ended and its leftovers were killed, for its output pipes to
/// drain.
const DRAIN_GRACE: Duration = Duration::from_millis(200);

/// Runs `program` with `args` and `env`, without a shell, writing `input` to its stdin and
/// keeping at most `cap` bytes of each output; killed at `timeout`. `what` names it in errors.
pub fn run(
    what: &str,
    program: &str,
    args: &[String],
    env: &[(String, String)],
    input: &[u8],
    timeout: Duration,
    cap: u64,
) -> Result<Run, String> {
    let deadline = Instant::now() + timeout;
    let mut command = Command::new(program);
    command
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // A process group of its own, so that at the timeout what it started dies with it.
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command
        .spawn()
        .map_err(|error| format!("could not run {what} {program}: {error}"))?;

    // Writing and reading happen on their own threads so that a command that ignores its stdin,
    // or fills a pipe before reading, cannot stall the pass.
    if let Some(mut stdin) = child.stdin.take() {
        let input = input.to_vec();
        thread::spawn(move || {
            // It may exit without reading its input; that is its business.
            let _ = stdin.write_all(&input);
        });
    }
    let (sender, receiver) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        let sender = sender.clone();
        thread::spawn(move || sender.send((true, read_capped(stdout, cap))));
    }
    if let Some(stderr) = child.stderr.take() {
        thread::spawn(move || sender.send((false, read_capped(stderr, cap))));
    }

    let mut pause = Duration::from_millis(2);
    let mut interrupted = false;
    let exit = loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                // What it left running (a `sleep &`, a daemon) holds its output pipes open
                // and would outlive the pass: it goes now, and the output is what it wrote.
                kill_group(&child);
                break Some(status);
            }
            Ok(None) => {}
            Err(error) => {
                kill(&mut child);
                return Err(format!("could not watch {what} {program}: {error}"));
            }
        }
        if crate::signals::received().is_some() {
            interrupted = true;
            kill(&mut child);
            break None;
        }
        let now = Instant::now();
        if now >= deadline {
            kill(&mut child);
            break None;
        }
        thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(50));
    };

    // The group is dead, so the pipes close: a little time to read what is left, no more.
    let drain_until = Instant::now() + DRAIN_GRACE;
    let mut stdout = None;
    let mut stderr = Vec::new();
    for _ in 0..2 {
        let left = drain_until.saturating_duration_since(Instant::now());
        match receiver.recv_timeout(left) {
            Ok((true, bytes)) => stdout = Some(bytes),
            Ok((false, bytes)) => stderr = bytes,
            Err(_) => break,
        }
    }
    if exit.is_none() {
        stdout = None;
    }
    Ok(Run {
        exit,
        stdout,
        stderr,
        interrupted,
    })
}

/// Kills the command and everything it started (a script's `curl`, a `sleep`): left alive, they
/// would outlive the pass, one more with every cron run, and hold its output pipes open.
fn kill(child: &mut Child) {
    kill_group(child);
    let _ = child.kill();
    let _ = child.wait();
}

/// Kills the command's process group. Its pid names the group even once it exited: `try_wait`
/// reaps it, but the group lives on while a member does, and a new process cannot take the id
/// of a group that still exists.
fn kill_group(child: &Child) {
    #[cfg(unix)]
    let _ = rustix::process::kill_process_group(
        rustix::process::Pid::from_child(child),
        rustix::process::Signal::KILL,
    );
}

/// Up to `cap` bytes of a pipe; the rest is read and dropped so the writer never blocks.
fn read_capped(reader: impl Read, cap: u64) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut reader = reader;
    let _ = (&mut reader).take(cap).read_to_end(&mut kept);
    let _ = io::copy(&mut reader, &mut io::sink());
    kept
}

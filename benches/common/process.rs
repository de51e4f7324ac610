//! What the benches share about the processes they time: where the release binary is, and one
//! child's wall time, CPU and peak RSS from `wait4(2)`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where the release binary is: cargo builds it for benches and says where.
pub fn webhost_binary() -> PathBuf {
    match option_env!("CARGO_BIN_EXE_webhost") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/webhost"),
    }
}

/// One process's run: wall time from spawn to exit, and what `wait4` says it used.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub wall: Duration,
    pub cpu: Duration,
    pub max_rss_kib: u64,
    pub exit: i32,
}

/// Runs `command` to its end, measuring it (and the children it waited for) alone. While it
/// runs, its pid is in `running` (when given), for a bench that must stop it on a signal.
pub fn measured(command: &mut Command, running: Option<&AtomicI32>) -> Result<Usage, String> {
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| e.to_string())?;
    if let Some(r) = running {
        r.store(pid, Ordering::Relaxed);
    }
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data, for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child; both pointers are to live, writable locals.
    // The Child handle is never waited on afterwards (dropping it does not wait).
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if let Some(r) = running {
        r.store(0, Ordering::Relaxed);
    }
    if reaped != pid {
        return Err(format!("wait4: {}", std::io::Error::last_os_error()));
    }
    let seconds = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    let exit = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok(Usage {
        wall,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        // Linux reports kibibytes.
        max_rss_kib: usage.ru_maxrss as u64,
        exit,
    })
}

pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

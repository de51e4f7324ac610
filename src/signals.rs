//! SIGINT and SIGTERM during a pass: the pass stops starting checks, the commands it runs
//! (custom probes, hooks) are killed with what they started, what finished is stored, and
//! webhost exits 130 or 143. A second signal ends the process at once.

use std::io;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::flag;

/// The last termination signal received (0: none).
static RECEIVED: AtomicUsize = AtomicUsize::new(0);
/// Set by the first signal, so that a second one ends the process.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Whether the handlers are installed (a process may run several passes: `webhost demo`).
static CAUGHT: Mutex<bool> = Mutex::new(false);

/// Catches SIGINT and SIGTERM for the rest of the process; calling it again changes nothing.
pub fn catch_termination() -> io::Result<()> {
    let mut caught = CAUGHT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if *caught {
        // A second set of handlers would see the first set's flag and end the process on
        // the first signal.
        return Ok(());
    }
    for signal in [SIGINT, SIGTERM] {
        // Registered first, so it sees the flag as the previous signal left it.
        flag::register_conditional_shutdown(signal, 128 + signal, &STOPPING)?;
        flag::register(signal, &STOPPING)?;
        flag::register_usize(signal, &RECEIVED, signal as usize)?;
    }
    *caught = true;
    Ok(())
}

/// The termination signal received, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        n => i32::try_from(n).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Set in the child process the test starts.
    const CHILD: &str = "WEBHOST_TEST_SIGNALS_CHILD";

    #[test]
    fn catching_twice_still_lets_the_first_signal_stop_gently() {
        if std::env::var_os(CHILD).is_some() {
            catch_termination().expect("handlers");
            catch_termination().expect("handlers again");
            // raise() delivers to this thread before it returns.
            assert_eq!(unsafe { libc::raise(libc::SIGINT) }, 0);
            assert_eq!(received(), Some(SIGINT));
            return;
        }
        // In a child of its own: a signal must not reach the other tests of this process.
        let status = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "signals::tests::catching_twice_still_lets_the_first_signal_stop_gently",
                "--quiet",
            ])
            .env(CHILD, "1")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run the child");
        assert!(status.success(), "the child ended with {status}");
    }
}

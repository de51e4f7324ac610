//! SIGINT and SIGTERM during a pass: the pass stops starting checks, the commands it runs
//! (custom probes, hooks) are killed with what they started, what finished is stored, and
//! webhost exits 130 or 143. A second signal ends the process at once.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::flag;

/// The last termination signal received (0: none).
static RECEIVED: AtomicUsize = AtomicUsize::new(0);
/// Set by the first signal, so that a second one ends the process.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Catches SIGINT and SIGTERM for the rest of the process.
pub fn catch_termination() -> io::Result<()> {
    for signal in [SIGINT, SIGTERM] {
        // Registered first, so it sees the flag as the previous signal left it.
        flag::register_conditional_shutdown(signal, 128 + signal, &STOPPING)?;
        flag::register(signal, &STOPPING)?;
        flag::register_usize(signal, &RECEIVED, signal as usize)?;
    }
    Ok(())
}

/// The termination signal received, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        n => i32::try_from(n).ok(),
    }
}

//! Running the `--on-change` command once per alert: no shell, the event as JSON on stdin and
//! as `WEBHOST_*` variables, killed at its timeout. A hook never fails or stalls a pass.

use std::time::Duration;

use crate::alert::Event;
use crate::external;

/// Hooks run at once, so a few slow ones cannot hold up the rest for long.
const PARALLEL: usize = 8;

/// How one hook run went.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub reference: String,
    /// None when it succeeded; else why not (exit code, timeout, first stderr line).
    pub failure: Option<String>,
}

/// Runs `command` for every event, at most `PARALLEL` at a time.
pub fn run_all(command: &[String], events: &[Event], timeout: Duration) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(events.len());
    for chunk in events.chunks(PARALLEL) {
        let done: Vec<Outcome> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|e| scope.spawn(move || run_one(command, e, timeout)))
                .collect();
            handles
                .into_iter()
                .zip(chunk)
                .map(|(h, e)| {
                    h.join().unwrap_or_else(|_| Outcome {
                        reference: e.reference.clone(),
                        failure: Some("internal error running the hook".into()),
                    })
                })
                .collect()
        });
        outcomes.extend(done);
    }
    outcomes
}

fn run_one(command: &[String], e: &Event, timeout: Duration) -> Outcome {
    let failure = match command.split_first() {
        None => Some("no command given".to_string()),
        Some((program, args)) => {
            let input = serde_json::to_vec(e).unwrap_or_default();
            let env = environment(e);
            match external::run("hook", program, args, &env, &input, timeout, 64 * 1024) {
                Err(why) => Some(why),
                Ok(run) => match run.exit {
                    None => Some(format!("killed after {} s", timeout.as_secs_f64())),
                    Some(status) if status.success() => None,
                    Some(status) => {
                        let stderr = String::from_utf8_lossy(&run.stderr);
                        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                        Some(
                            format!("{status}: {}", first.trim())
                                .trim_end_matches(": ")
                                .to_string(),
                        )
                    }
                },
            }
        }
    };
    Outcome {
        reference: e.reference.clone(),
        failure,
    }
}

/// The event's facts as `WEBHOST_*` variables, for hooks written in shell.
fn environment(e: &Event) -> Vec<(String, String)> {
    let mut env = vec![
        ("WEBHOST_REF", e.reference.clone()),
        ("WEBHOST_KIND", e.kind.to_string()),
        ("WEBHOST_FROM", e.from.to_string()),
        ("WEBHOST_TO", e.to.to_string()),
        ("WEBHOST_MESSAGE", e.message.clone()),
        ("WEBHOST_AT", e.at.clone()),
        (
            "WEBHOST_REMINDER",
            if e.reminder { "1" } else { "0" }.to_string(),
        ),
    ];
    if let Some(url) = &e.url {
        env.push(("WEBHOST_URL", url.clone()));
    }
    env.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

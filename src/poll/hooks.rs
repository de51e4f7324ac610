//! Running the `--on-change` command once per alert: no shell, the event as JSON on stdin and
//! as `WEBHOST_*` variables, killed at its timeout. A hook never fails or stalls a pass.

use std::time::Duration;

use crate::domain::alert::Event;
use crate::domain::pass::Delivery;
use crate::domain::units::rfc3339;
use crate::exec;

/// Hooks run at once, so a few slow ones cannot hold up the rest for long.
const PARALLEL: usize = 8;

/// Runs `command` for every event, at most `PARALLEL` at a time.
pub fn run_all(command: &[String], events: &[Event], timeout: Duration) -> Vec<Delivery> {
    let mut outcomes = Vec::with_capacity(events.len());
    for chunk in events.chunks(PARALLEL) {
        let done: Vec<Delivery> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|e| scope.spawn(move || run_one(command, e, timeout)))
                .collect();
            handles
                .into_iter()
                .zip(chunk)
                .map(|(h, e)| {
                    h.join().unwrap_or_else(|_| Delivery {
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

fn run_one(command: &[String], e: &Event, timeout: Duration) -> Delivery {
    let failure = match command.split_first() {
        None => Some("no command given".to_string()),
        Some((program, args)) => {
            let input = serde_json::to_vec(e).unwrap_or_default();
            let env = environment(e);
            match exec::run("hook", program, args, &env, &input, timeout, 64 * 1024) {
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
    Delivery {
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
        ("WEBHOST_AT", rfc3339(e.at)),
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

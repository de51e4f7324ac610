//! Delivering alerts after a pass: every alert waiting in the store (this pass's, and those
//! earlier deliveries could not hand over) goes to its hook, run without a shell with the event
//! as JSON on stdin and as `WEBHOST_*` variables, killed at its timeout. More alerts than the
//! batch size for one hook go to it at once, as one JSON array. A hook that could not start or
//! failed leaves its alert for the next delivery, up to `alert::MAX_ATTEMPTS` tries. A hook
//! never fails or stalls a pass: its results are stored, and its lock released, before.

use std::time::Duration;

use anyhow::Result;

use crate::domain::alert::{self, Event, HookRun, MAX_ATTEMPTS, Pending};
use crate::domain::pass::Delivery;
use crate::domain::units::{human_duration, rfc3339, shorten};
use crate::exec;
use crate::store::Store;

/// Hooks run at once, so a few slow ones cannot hold up the rest for long.
const PARALLEL: usize = 8;

/// The longest value put in a `WEBHOST_*` variable: the whole text is in the JSON on stdin, and
/// the environment of a process is bounded (a long one makes it fail to start at all).
const MAX_VARIABLE: usize = 4096;

/// How the alerts are delivered.
#[derive(Debug, Clone)]
pub struct Delivering {
    /// One run's limit.
    pub timeout: Duration,
    /// More alerts than this for one hook go in one run.
    pub batch: usize,
    /// Who delivers (in the store, while it holds the alerts), and when.
    pub owner: String,
    pub now: i64,
}

/// How one run went.
#[derive(Debug, Clone, PartialEq)]
enum Ran {
    Done,
    Failed(String),
    /// Stopped by SIGINT/SIGTERM: no fault of the hook's, so no attempt counted.
    Interrupted,
}

/// Delivers every alert waiting in the store; one entry per alert.
pub fn deliver(store: &mut Store, how: &Delivering) -> Result<Vec<Delivery>> {
    let pending = store.claim_alerts(&how.owner, how.now)?;
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let runs = alert::hook_runs(&pending, how.batch);
    let mut deliveries = Vec::with_capacity(pending.len());
    for chunk in runs.chunks(PARALLEL) {
        let outcomes: Vec<Ran> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|run| scope.spawn(move || run_hook(run, how.timeout)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Ran::Failed("internal error running the hook".into()))
                })
                .collect()
        });
        for (run, ran) in chunk.iter().zip(outcomes) {
            for p in &run.alerts {
                deliveries.push(record(store, p, &ran)?);
            }
        }
    }
    Ok(deliveries)
}

/// Stores what became of one alert, and says it.
fn record(store: &mut Store, p: &Pending, ran: &Ran) -> Result<Delivery> {
    let attempt = p.attempts + 1;
    let mut delivery = Delivery {
        reference: p.event.reference.clone(),
        failure: None,
        attempt,
        gave_up: false,
        retried: p.attempts > 0,
    };
    match ran {
        Ran::Done => store.alert_delivered(p.id)?,
        Ran::Failed(why) => {
            delivery.gave_up = attempt >= MAX_ATTEMPTS;
            store.alert_failed(p.id, why, delivery.gave_up)?;
            delivery.failure = Some(why.clone());
        }
        Ran::Interrupted => {
            store.alert_released(p.id)?;
            delivery.failure = Some("stopped: webhost was interrupted".into());
            delivery.attempt = p.attempts;
        }
    }
    Ok(delivery)
}

fn run_hook(run: &HookRun, timeout: Duration) -> Ran {
    let Some((program, args)) = run.command.split_first() else {
        return Ran::Failed("no command given".into());
    };
    let (input, env) = if run.batched {
        let events: Vec<&Event> = run.alerts.iter().map(|p| &p.event).collect();
        let env = vec![("WEBHOST_BATCH".to_string(), events.len().to_string())];
        (serde_json::to_vec(&events), env)
    } else {
        let event = run.alerts.first().map(|p| &p.event);
        (
            serde_json::to_vec(&event),
            event.map(environment).unwrap_or_default(),
        )
    };
    let input = match input {
        Ok(bytes) => bytes,
        Err(e) => return Ran::Failed(format!("cannot encode the event: {e}")),
    };
    match exec::run("hook", program, args, &env, &input, timeout, 64 * 1024) {
        Err(why) => Ran::Failed(why),
        Ok(out) if out.interrupted => Ran::Interrupted,
        Ok(out) => match out.exit {
            None => Ran::Failed(format!("killed after {}", human_duration(timeout))),
            Some(status) if status.success() => Ran::Done,
            Some(status) => {
                let stderr = String::from_utf8_lossy(&out.stderr);
                let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                Ran::Failed(
                    format!("{status}: {}", shorten(first.trim(), 200))
                        .trim_end_matches(": ")
                        .to_string(),
                )
            }
        },
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
    if let Some(n) = e.instances_down {
        env.push(("WEBHOST_INSTANCES_DOWN", n.to_string()));
    }
    env.into_iter()
        .map(|(k, v)| (k.to_string(), variable(&v)))
        .collect()
}

/// A value a process can start with: no NUL (which no environment can hold: the hook would
/// not start at all), and bounded.
fn variable(value: &str) -> String {
    shorten(&value.replace('\0', "\u{2400}"), MAX_VARIABLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_hold_no_nul_and_stay_bounded() {
        assert_eq!(variable("a\0b"), "a\u{2400}b");
        let long = "x".repeat(1 << 20);
        assert_eq!(variable(&long).chars().count(), MAX_VARIABLE);
    }
}

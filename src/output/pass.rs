//! The summary of a polling pass, and the dry-run listing.

use super::{Col, cell};
use anyhow::Result;
use serde::Serialize;

use super::{Output, terminal_safe};
use crate::domain::model::{RecordType, Status};
use std::collections::VecDeque;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use crate::domain::alert::MAX_ATTEMPTS;
use crate::domain::model::Record;
use crate::domain::pass::{Delivery, PassReport, Progress};
use crate::domain::secret::redact;
use crate::domain::units::plural;

/// One polled record in `--json` (docs/schema/update.schema.json); `--dry-run` prints the
/// same, for the record as it stands.
#[derive(Debug, Serialize)]
struct ResultView<'a> {
    #[serde(rename = "type")]
    record_type: RecordType,
    #[serde(rename = "ref")]
    reference: &'a str,
    status: Status,
    previous: Status,
    changed: bool,
    message: &'a str,
    response_ms: Option<u64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    created: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    flagged_missing: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    returned: &'a [String],
    /// Names the host listed that could not become records, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    refused: Vec<RefusedView<'a>>,
    /// Alerts handed to the change hook for this record.
    alerts: usize,
    /// Why the hook failed for this record, when it did.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hook_errors: Vec<&'a str>,
    /// `--dry-run`: not polled; the status, message and response time are the stored ones.
    dry_run: bool,
}

#[derive(Debug, Serialize)]
struct RefusedView<'a> {
    name: &'a str,
    why: &'a str,
}

impl Output {
    pub fn pass(&self, report: &PassReport, hooks: &[Delivery]) -> Result<()> {
        let failed: Vec<&Delivery> = hooks.iter().filter(|o| o.failure.is_some()).collect();
        // Hook failures are warnings for a person or cron's mail, whatever the output mode.
        for o in &failed {
            let then = if o.gave_up {
                format!("attempt {} of {MAX_ATTEMPTS}: given up", o.attempt)
            } else {
                format!(
                    "attempt {} of {MAX_ATTEMPTS}: the next pass tries again",
                    o.attempt
                )
            };
            eprintln!(
                "webhost: change hook failed for {}: {} ({then})",
                o.reference,
                terminal_safe(o.failure.as_deref().unwrap_or(""))
            );
        }
        if let Some(signal) = report.interrupted {
            eprintln!(
                "webhost: interrupted by signal {signal}: no new check started; what finished is \
                 stored, and alerts wait for the next pass"
            );
        }
        if self.json {
            let views: Vec<ResultView> = report
                .results
                .iter()
                .map(|s| ResultView {
                    record_type: s.record_type,
                    reference: &s.reference,
                    status: s.status,
                    previous: s.previous,
                    changed: s.status != s.previous,
                    message: &s.message,
                    response_ms: s.response_ms,
                    created: &s.created,
                    flagged_missing: &s.flagged_missing,
                    returned: &s.returned,
                    refused: s
                        .refused
                        .iter()
                        .map(|(name, why)| RefusedView { name, why })
                        .collect(),
                    alerts: s.events.len(),
                    hook_errors: failed
                        .iter()
                        .filter(|o| o.reference == s.reference)
                        .filter_map(|o| o.failure.as_deref())
                        .collect(),
                    dry_run: false,
                })
                .collect();
            return self.json(&views);
        }
        if self.quiet {
            return Ok(());
        }
        let rt = report.record_type;
        if !report.results.is_empty() {
            let mut t = self.table(&[
                Col::whole("REF"),
                Col::whole("STATUS"),
                Col::whole("CHANGE").optional(2),
                Col::whole("RESPONSE").optional(1),
                Col::wrap("MESSAGE"),
            ]);
            for s in &report.results {
                let change = if s.status == s.previous {
                    String::new()
                } else {
                    format!("was {}", s.previous)
                };
                t.add_row(vec![
                    cell(&s.reference),
                    self.status_cell(s.status),
                    cell(change),
                    cell(
                        s.response_ms
                            .map_or_else(|| "-".into(), |ms| format!("{ms} ms")),
                    ),
                    cell(&s.message),
                ]);
            }
            self.print_table(&t)?;
        }
        for s in &report.results {
            for (what, list) in [
                ("new instances", &s.created),
                ("now missing", &s.flagged_missing),
                ("back again", &s.returned),
            ] {
                if !list.is_empty() {
                    self.note(format!("{}: {what}: {}", s.reference, list.join(", ")));
                }
            }
            for (name, why) in &s.refused {
                self.note(format!(
                    "{}: listed but not added: {name}: {why}",
                    s.reference
                ));
            }
        }
        let sum = &report.summary;
        let mut parts = vec![format!("{} online", sum.online)];
        for (n, word) in [
            (sum.offline, "offline"),
            (sum.error, "error"),
            (sum.missing, "missing"),
            (sum.unreachable, "unreachable"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {word}"));
            }
        }
        let mut line = format!(
            "{} polled: {} in {:.1} s",
            plural(sum.polled, rt.as_str()),
            parts.join(", "),
            report.elapsed.as_secs_f64()
        );
        if !hooks.is_empty() {
            let sent = (hooks.len() - failed.len()) as u64;
            line.push_str(&format!("; {} sent", plural(sent, "alert")));
            let retried = hooks.iter().filter(|d| d.retried).count();
            if retried > 0 {
                line.push_str(&format!(" ({retried} of them retried)"));
            }
            if !failed.is_empty() {
                line.push_str(&format!(
                    ", {} failed",
                    plural(failed.len() as u64, "hook run")
                ));
            }
        }
        if report.interrupted.is_some() {
            line.push_str("; interrupted");
        }
        self.raw(format!("{line}\n").as_bytes())
    }

    /// `--fail-on-down` under `--quiet`: one line per record found down, for cron's mail (the
    /// table or JSON already said it otherwise).
    pub fn down_records(&self, report: &PassReport) -> Result<()> {
        if !self.quiet {
            return Ok(());
        }
        let text: String = report
            .results
            .iter()
            .filter(|s| s.status.is_down())
            .map(|s| {
                let line = format!(
                    "{} {} {}: {}",
                    s.record_type, s.reference, s.status, s.message
                );
                format!("{}\n", terminal_safe(&line))
            })
            .collect();
        self.raw(text.as_bytes())
    }

    /// A progress line on stderr while a pass runs, only on a terminal and never with
    /// `--quiet` or `--json`.
    pub fn progress_bar(&self) -> ProgressBar {
        ProgressBar {
            enabled: !self.quiet && !self.json && std::io::stderr().is_terminal(),
            last: None,
            arrivals: VecDeque::new(),
        }
    }

    /// `--dry-run`: the records a pass would poll.
    pub fn dry_run(&self, rt: RecordType, records: &[Record]) -> Result<()> {
        if self.json {
            let views: Vec<ResultView> = records
                .iter()
                .map(|r| ResultView {
                    record_type: r.record_type,
                    reference: r.reference(),
                    status: r.state.status(),
                    previous: r.state.status(),
                    changed: false,
                    message: r.state.message.as_deref().unwrap_or(""),
                    response_ms: r.state.response_ms,
                    created: &[],
                    flagged_missing: &[],
                    returned: &[],
                    refused: Vec::new(),
                    alerts: 0,
                    hook_errors: Vec::new(),
                    dry_run: true,
                })
                .collect();
            return self.json(&views);
        }
        let mut t = self.table(&[
            Col::whole("REF"),
            Col::whole("API").optional(1),
            Col::cut("URL"),
        ]);
        for r in records {
            t.add_row(vec![
                cell(r.reference()),
                cell(r.settings.kind),
                cell(match (&r.settings.url, &r.host_ref) {
                    (Some(url), _) => redact(url),
                    (None, Some(_)) => "(via its host)".to_string(),
                    (None, None) => "-".to_string(),
                }),
            ]);
        }
        if !records.is_empty() {
            self.print_table(&t)?;
        }
        self.note(format!(
            "would poll {}",
            plural(records.len() as u64, rt.as_str())
        ));
        Ok(())
    }

    /// Refs given with `--ref` whose monitoring is off.
    pub fn unknown_refs(&self, rt: RecordType, refs: &[String]) {
        let these = match refs.len() {
            0 => return,
            1 => format!("this {rt}"),
            _ => format!("these {rt}s"),
        };
        self.note(format!(
            "not polled (monitoring is off for {these}): {}",
            refs.join(", ")
        ));
    }
}

/// Redraws one line in place, at most ten times a second.
pub struct ProgressBar {
    enabled: bool,
    last: Option<Instant>,
    /// (elapsed, done) each time results were stored, over the last `LATELY` and one before.
    arrivals: VecDeque<(Duration, usize)>,
}

impl ProgressBar {
    pub fn show(&mut self, p: &Progress) {
        if !self.enabled {
            return;
        }
        if self.arrivals.back().map_or(0, |a| a.1) < p.done {
            self.arrivals.push_back((p.elapsed, p.done));
        }
        // The newest arrival at or before the window's start is all `time_left` needs of it.
        while self
            .arrivals
            .get(1)
            .is_some_and(|a| a.0 + LATELY <= p.elapsed)
        {
            self.arrivals.pop_front();
        }
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(Instant::now());
        let eta = time_left(self.arrivals.make_contiguous(), p.elapsed, p.total)
            .map(|left| format!(", {}", left_text(left)));
        eprint!(
            "\r\x1b[2K{}/{} checked: {} online, {} failed{}",
            p.done,
            p.total,
            p.summary.online,
            p.summary.down(),
            eta.unwrap_or_default()
        );
    }

    pub fn clear(&mut self) {
        if self.enabled && self.last.is_some() {
            eprint!("\r\x1b[2K");
        }
    }
}

/// No estimate before a pass has run this long: its first results are its fastest.
const SETTLED: Duration = Duration::from_secs(2);
/// The pace of a pass is measured over the last second and over the last five.
const RECENTLY: Duration = Duration::from_secs(1);
const LATELY: Duration = Duration::from_secs(5);

/// How long the rest of a pass should take, from `arrivals` ((elapsed, done) each time the
/// stored count grew, oldest first) at `now`; None when the pace says nothing true.
///
/// Results do not come evenly: quick answers and refusals come first, and checks that time
/// out come last, together. So there is no estimate in the first `SETTLED`; the pace is the
/// slower of the last second's and the last five seconds', so an early burst does not count
/// for the stragglers; and once results stop coming for longer than three of the recent gaps,
/// the checks still running are slower than those that ended, and nothing tells how much:
/// None rather than a number. The estimate is rounded up.
fn time_left(arrivals: &[(Duration, usize)], now: Duration, total: usize) -> Option<Duration> {
    let done = arrivals.last().map_or(0, |a| a.1);
    let left = total.saturating_sub(done);
    if left == 0 || now < SETTLED {
        return None;
    }
    let pace = |window: Duration| {
        let span = window.min(now);
        let since = now - span;
        let before = arrivals
            .iter()
            .rev()
            .find(|a| a.0 <= since)
            .map_or(0, |a| a.1);
        (done - before) as f64 / span.as_secs_f64()
    };
    let (recently, lately) = (pace(RECENTLY), pace(LATELY));
    if lately <= 0.0 {
        return None;
    }
    let pace = if recently > 0.0 {
        recently.min(lately)
    } else {
        // Nothing for a second: usual for a slow pass, not after a burst.
        let silence = now.saturating_sub(arrivals.last()?.0);
        if silence.as_secs_f64() > 3.0 / lately {
            return None;
        }
        lately
    };
    Some(Duration::from_secs((left as f64 / pace).ceil() as u64))
}

/// `about 23 s left`, `about 4 min left` (rounded up).
fn left_text(left: Duration) -> String {
    let secs = left.as_secs().max(1);
    if secs < 90 {
        format!("about {secs} s left")
    } else {
        format!("about {} min left", secs.div_ceil(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    /// The estimate the progress line used to give: elapsed / done × what is left.
    fn old_estimate(now: Duration, done: usize, total: usize) -> f64 {
        now.as_secs_f64() / done as f64 * (total - done) as f64
    }

    #[test]
    fn fast_results_first_and_slow_ones_last_give_no_estimate() {
        // 100 records, 84 quick answers in the first half second, then 16 checks that time
        // out at 10 s: the old line said "about 1 s left" for 9 s.
        let arrivals = [(at(250), 60), (at(500), 84)];
        for ms in (750..10_000).step_by(250) {
            assert_eq!(time_left(&arrivals, at(ms), 100), None, "at {ms} ms");
        }
        assert!(old_estimate(at(3000), 84, 100) < 1.0, "it used to lie");
    }

    #[test]
    fn a_straggler_after_a_burst_does_not_make_the_rest_look_quick() {
        // The burst, then one slow check: 15 are still out, at about one a second lately.
        let arrivals = [(at(500), 84), (at(2500), 85)];
        let left = time_left(&arrivals, at(2600), 100).expect("an estimate");
        assert!(left >= Duration::from_secs(15), "{left:?}");
        assert!(old_estimate(at(2600), 85, 100) < 1.0, "it used to lie");
    }

    #[test]
    fn a_steady_pace_gives_the_plain_estimate() {
        // 25 results every 250 ms: 100 a second, 500 of 1,000 done at 5 s.
        let arrivals: Vec<(Duration, usize)> =
            (1..=20).map(|i| (at(i * 250), i as usize * 25)).collect();
        assert_eq!(
            time_left(&arrivals, at(5000), 1000),
            Some(Duration::from_secs(5))
        );
    }

    #[test]
    fn the_end_of_a_steady_pass_then_stragglers() {
        // 100 a second up to 990 of 1,000 at 9.9 s; then the last ten hang.
        let arrivals: Vec<(Duration, usize)> =
            (1..=99).map(|i| (at(i * 100), i as usize * 10)).collect();
        assert_eq!(
            time_left(&arrivals, at(10_400), 1000),
            Some(Duration::from_secs(1))
        );
        assert_eq!(time_left(&arrivals, at(11_000), 1000), None);
        assert_eq!(time_left(&arrivals, at(15_000), 1000), None);
    }

    #[test]
    fn a_slow_pass_keeps_its_estimate_between_results() {
        // One result every 2 s: a second without one is its pace, not a stall.
        let arrivals = [(at(2000), 1), (at(4000), 2), (at(6000), 3), (at(8000), 4)];
        let left = time_left(&arrivals, at(9000), 20).expect("an estimate");
        assert_eq!(left, Duration::from_secs(40));
        assert!(
            time_left(&arrivals, at(16_000), 20).is_none(),
            "8 s without one is a stall"
        );
    }

    #[test]
    fn no_estimate_at_the_start_nor_at_the_end() {
        assert_eq!(time_left(&[], at(5000), 10), None);
        assert_eq!(time_left(&[(at(100), 5)], at(1900), 10), None);
        assert_eq!(time_left(&[(at(3000), 10)], at(3000), 10), None);
    }

    #[test]
    fn time_left_is_rounded_up() {
        assert_eq!(left_text(Duration::from_secs(0)), "about 1 s left");
        assert_eq!(left_text(Duration::from_secs(23)), "about 23 s left");
        assert_eq!(left_text(Duration::from_secs(91)), "about 2 min left");
        assert_eq!(left_text(Duration::from_secs(600)), "about 10 min left");
    }
}

//! The summary of a polling pass, and the dry-run listing.

use super::{Col, cell};
use anyhow::Result;
use serde::Serialize;

use super::{Output, terminal_safe};
use crate::domain::model::{RecordType, Status};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use crate::domain::alert::MAX_ATTEMPTS;
use crate::domain::model::Record;
use crate::domain::pass::{Delivery, PassReport, Progress};
use crate::domain::secret::redact;
use crate::domain::units::plural;

/// One polled record in `--json`.
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
        }
    }

    /// `--dry-run`: the records a pass would poll.
    pub fn dry_run(&self, rt: RecordType, records: &[Record]) -> Result<()> {
        if self.json {
            let refs: Vec<&str> = records.iter().map(Record::reference).collect();
            return self.json(&refs);
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
}

impl ProgressBar {
    pub fn show(&mut self, p: &Progress) {
        if !self.enabled
            || self
                .last
                .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(Instant::now());
        let eta = (p.done > 0 && p.done < p.total).then(|| {
            let per = p.elapsed.as_secs_f64() / p.done as f64;
            format!(", about {:.0} s left", per * (p.total - p.done) as f64)
        });
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

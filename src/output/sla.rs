//! `webhost sla`: each record's month as a table, JSON (docs/schema/sla.json), CSV, or the
//! customer's statement page (`templates/sla.html`, in English or French, self-contained like
//! the status page). The table, JSON and CSV are the operator's: English, machine figures.

use anyhow::{Context as _, Result};
use askama::Template;
use serde::Serialize;

use super::i18n::Lang;
use super::{Col, Output, cell, time};
use crate::domain::model::{Record, RecordType};
use crate::domain::sla::{Cause, Figures};
use crate::domain::uptime::shown_percent;
use crate::transfer;

/// One record's month.
pub struct RecordSla<'a> {
    pub record: &'a Record,
    pub figures: Figures,
}

/// Everything a statement says.
pub struct Statement<'a> {
    /// Whose statement it is, when it is one host's (`--host`): its label and ref.
    pub customer: Option<String>,
    /// `2026-11`.
    pub month: &'a str,
    pub from: i64,
    pub to: i64,
    /// What was counted ends here: `to`, or now in a month not over.
    pub until: i64,
    pub target: f64,
    pub now: i64,
    pub records: Vec<RecordSla<'a>>,
}

/// `sla --json` (docs/schema/sla.json).
#[derive(Debug, Serialize)]
struct StatementJson<'a> {
    month: &'a str,
    from: String,
    to: String,
    /// `to`, or now when the month is not over.
    counted_until: String,
    /// Months are UTC (see `domain::sla`).
    time_zone: &'static str,
    target_percent: f64,
    records: Vec<RecordJson<'a>>,
}

#[derive(Debug, Serialize)]
struct RecordJson<'a> {
    #[serde(rename = "type")]
    record_type: RecordType,
    #[serde(rename = "ref")]
    reference: &'a str,
    label: Option<&'a str>,
    host: Option<&'a str>,
    /// Two decimals, rounded down as everywhere; null when the record was not watched.
    availability_percent: Option<f64>,
    target_met: Option<bool>,
    observed_seconds: i64,
    up_seconds: i64,
    downtime_seconds: i64,
    /// Rounded up to the minute.
    downtime_minutes: i64,
    maintenance_seconds: i64,
    poller_offline_seconds: i64,
    incident_count: usize,
    longest_incident_seconds: i64,
    /// Some days came from daily roll-ups: each counts as one incident at most.
    approximate: bool,
    rolled_up_days: Vec<String>,
    incidents: Vec<IncidentJson>,
}

#[derive(Debug, Serialize)]
struct IncidentJson {
    start: String,
    end: String,
    down_seconds: i64,
    cause: Cause,
    approximate: bool,
}

fn minutes_up(secs: i64) -> i64 {
    (secs.max(0) + 59) / 60
}

fn utc_day(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(
        |_| secs.to_string(),
        |t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .strftime("%Y-%m-%d")
                .to_string()
        },
    )
}

fn record_json<'a>(r: &RecordSla<'a>, target: f64) -> RecordJson<'a> {
    let f = &r.figures;
    RecordJson {
        record_type: r.record.record_type,
        reference: r.record.reference(),
        label: r.record.settings.label.as_deref(),
        host: r.record.host_ref.as_deref(),
        availability_percent: f.availability().map(shown_percent),
        target_met: f.met(target),
        observed_seconds: f.observed_seconds,
        up_seconds: f.up_seconds,
        downtime_seconds: f.downtime_seconds(),
        downtime_minutes: minutes_up(f.downtime_seconds()),
        maintenance_seconds: f.maintenance_seconds,
        poller_offline_seconds: f.poller_offline_seconds,
        incident_count: f.incidents.len(),
        longest_incident_seconds: f.longest_incident_seconds(),
        approximate: f.approximate(),
        rolled_up_days: f.rolled_up_days.iter().map(|d| utc_day(*d)).collect(),
        incidents: f
            .incidents
            .iter()
            .map(|i| IncidentJson {
                start: time::rfc3339(i.start),
                end: time::rfc3339(i.end),
                down_seconds: i.down_seconds,
                cause: i.cause,
                approximate: i.approximate,
            })
            .collect(),
    }
}

/// The CSV columns of `sla --csv`.
pub const CSV_COLUMNS: [&str; 13] = [
    "type",
    "ref",
    "label",
    "month",
    "availability_percent",
    "target_percent",
    "target_met",
    "downtime_minutes",
    "incidents",
    "longest_incident_minutes",
    "maintenance_minutes",
    "poller_offline_minutes",
    "approximate",
];

/// `sla --csv`: one row per record, figures as plain numbers (a dot for decimals).
pub fn csv(s: &Statement) -> Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    for r in &s.records {
        let f = &r.figures;
        let j = record_json(r, s.target);
        w.write_record([
            r.record.record_type.as_str().to_string(),
            transfer::neutralised(r.record.reference().to_string()),
            transfer::neutralised(r.record.settings.label.clone().unwrap_or_default()),
            s.month.to_string(),
            j.availability_percent
                .map_or_else(String::new, |p| format!("{p:.2}")),
            format!("{}", s.target),
            j.target_met.map_or_else(String::new, |m| m.to_string()),
            j.downtime_minutes.to_string(),
            f.incidents.len().to_string(),
            minutes_up(f.longest_incident_seconds()).to_string(),
            minutes_up(f.maintenance_seconds).to_string(),
            minutes_up(f.poller_offline_seconds).to_string(),
            f.approximate().to_string(),
        ])?;
    }
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write CSV: {}", e.error()))
}

impl Output {
    /// `webhost sla`, as a table or JSON.
    pub fn sla(&self, s: &Statement) -> Result<()> {
        if self.json {
            return self.json(&StatementJson {
                month: s.month,
                from: time::rfc3339(s.from),
                to: time::rfc3339(s.to),
                counted_until: time::rfc3339(s.until),
                time_zone: "UTC",
                target_percent: s.target,
                records: s.records.iter().map(|r| record_json(r, s.target)).collect(),
            });
        }
        let en = Lang::En;
        let mut t = self.table(&[
            Col::whole("TYPE").optional(2),
            Col::whole("REF"),
            Col::whole("AVAILABILITY"),
            Col::whole("DOWNTIME"),
            Col::whole("INCIDENTS"),
            Col::whole("LONGEST").optional(1),
            Col::whole("TARGET"),
            Col::wrap("NOTE").optional(3),
        ]);
        let mut approximate = false;
        for r in &s.records {
            let f = &r.figures;
            let mut note = Vec::new();
            if f.maintenance_seconds > 0 {
                note.push(format!(
                    "maintenance {} left out",
                    en.minutes(f.maintenance_seconds)
                ));
            }
            if f.poller_offline_seconds > 0 {
                note.push(format!(
                    "poller offline {} left out",
                    en.minutes(f.poller_offline_seconds)
                ));
            }
            if !f.rolled_up_days.is_empty() {
                note.push(format!("{} days from roll-ups", f.rolled_up_days.len()));
                approximate |= f.approximate();
            }
            let incidents = match f.approximate() {
                true => format!("~{}", f.incidents.len()),
                false => f.incidents.len().to_string(),
            };
            t.add_row(vec![
                cell(r.record.record_type),
                cell(r.record.reference()),
                cell(
                    f.availability()
                        .map_or_else(|| "-".into(), |p| en.percent(p)),
                ),
                cell(en.minutes(f.downtime_seconds())),
                cell(incidents),
                cell(en.minutes(f.longest_incident_seconds())),
                cell(match f.met(s.target) {
                    Some(true) => "met",
                    Some(false) => "MISSED",
                    None => "no data",
                }),
                cell(note.join("; ")),
            ]);
        }
        self.note(format!(
            "{} (UTC), target {}",
            en.month(month_start(s.from)),
            en.target(s.target)
        ));
        self.print_table(&t)?;
        if approximate {
            self.note(
                "~: some days' raw checks were pruned; their daily roll-up gives their \
                 downtime exactly but counts each such day with downtime as one incident",
            );
        }
        Ok(())
    }
}

fn month_start(from: i64) -> jiff::civil::Date {
    jiff::Timestamp::from_second(from).map_or(jiff::civil::date(1970, 1, 1), |t| {
        t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
    })
}

fn utc(secs: i64) -> jiff::civil::DateTime {
    jiff::Timestamp::from_second(secs).map_or(jiff::civil::date(1970, 1, 1).at(0, 0, 0, 0), |t| {
        t.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime()
    })
}

/// The statement page, every field ready to print (askama escapes them all).
#[derive(Template)]
#[template(path = "sla.html", whitespace = "minimize")]
pub struct Page {
    pub lang: Lang,
    pub html_lang: &'static str,
    pub customer: Option<String>,
    pub month: String,
    pub period: String,
    pub target: String,
    pub generated: String,
    pub generated_utc: String,
    pub rows: Vec<RowView>,
    pub rolled_up: Vec<String>,
}

impl Page {
    /// The text of `key` in the page's language (templates call `t("key")`).
    fn t(&self, key: &'static str) -> &'static str {
        self.lang.t(key)
    }
}

pub struct RowView {
    pub anchor: String,
    pub reference: String,
    pub label: Option<String>,
    pub kind: &'static str,
    pub availability: String,
    pub downtime: String,
    pub incident_count: String,
    pub longest: String,
    /// `met`, `missed` or `none`: the CSS class.
    pub result: &'static str,
    pub result_text: &'static str,
    pub maintenance: Option<String>,
    pub poller_offline: Option<String>,
    pub incidents: Vec<IncidentView>,
}

pub struct IncidentView {
    pub start: String,
    pub end: String,
    pub duration: String,
    pub cause: &'static str,
    pub note: Option<&'static str>,
}

/// The statement page in `lang`.
pub fn page(s: &Statement, lang: Lang) -> Page {
    let rows = s
        .records
        .iter()
        .map(|r| {
            let f = &r.figures;
            let (result, result_text) = match f.met(s.target) {
                Some(true) => ("met", lang.t("sla.met")),
                Some(false) => ("missed", lang.t("sla.missed")),
                None => ("none", lang.t("sla.no_data")),
            };
            let count = f.incidents.len() as i64;
            RowView {
                anchor: format!("r-{}", r.record.reference()),
                reference: r.record.reference().to_string(),
                label: r.record.settings.label.clone(),
                kind: match r.record.record_type {
                    RecordType::Host => lang.t("type.host"),
                    RecordType::Instance => lang.t("type.instance"),
                },
                availability: f
                    .availability()
                    .map_or_else(|| "–".into(), |p| lang.percent(p)),
                downtime: lang.minutes(f.downtime_seconds()),
                incident_count: match f.approximate() {
                    true => format!("≈ {}", lang.integer(count)),
                    false => lang.integer(count),
                },
                longest: lang.minutes(f.longest_incident_seconds()),
                result,
                result_text,
                maintenance: (f.maintenance_seconds > 0)
                    .then(|| lang.minutes(f.maintenance_seconds)),
                poller_offline: (f.poller_offline_seconds > 0)
                    .then(|| lang.minutes(f.poller_offline_seconds)),
                incidents: f
                    .incidents
                    .iter()
                    .map(|i| IncidentView {
                        start: lang.date_time(utc(i.start)),
                        end: lang.date_time(utc(i.end)),
                        duration: lang.minutes(i.down_seconds),
                        cause: match i.cause {
                            Cause::Record => lang.t("sla.cause.record"),
                            Cause::Host => lang.t("sla.cause.host"),
                        },
                        note: i.approximate.then(|| lang.t("sla.whole_day")),
                    })
                    .collect(),
            }
        })
        .collect();
    let mut rolled: Vec<i64> = s
        .records
        .iter()
        .flat_map(|r| r.figures.rolled_up_days.iter().copied())
        .collect();
    rolled.sort_unstable();
    rolled.dedup();
    let last_day = utc(s.to - 1).date();
    Page {
        lang,
        html_lang: lang.as_str(),
        customer: s.customer.clone(),
        month: lang.month(month_start(s.from)),
        period: format!(
            "{} – {}",
            lang.date(month_start(s.from)),
            lang.date(last_day)
        ),
        target: lang.target(s.target),
        generated: lang.date_time(utc(s.now)),
        generated_utc: time::rfc3339(s.now),
        rows,
        rolled_up: rolled.iter().map(|d| lang.date(utc(*d).date())).collect(),
    }
}

pub fn render(page: &Page) -> Result<String> {
    page.render().context("cannot render the SLA statement")
}

/// What `sla --html` says it wrote.
#[derive(Debug, Serialize)]
pub struct Written {
    pub path: String,
    pub bytes: usize,
    pub records: usize,
    pub lang: &'static str,
}

impl Output {
    pub fn sla_written(&self, w: &Written) -> Result<()> {
        if self.json {
            return self.json(w);
        }
        self.note(format!(
            "wrote {} ({} records, {})",
            w.path, w.records, w.lang
        ));
        Ok(())
    }
}

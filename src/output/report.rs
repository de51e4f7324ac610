//! `webhost report --html`: the fleet as one self-contained HTML page (inline CSS and SVG, no
//! external resource), rendered by askama from `templates/report.html`.
//!
//! `build` turns what the store holds into a [`Page`] of ready-to-print text; askama escapes
//! every field when it renders it, except the SVG from [`super::svg`], which escapes its own
//! text. `--public` is applied here, in one place: [`Page::public`] views carry no URL, folder,
//! or message (messages may quote what a server said, paths included), and no view ever holds
//! a token; versions, modules and disks only as [`Shown`] says. A page of some records (one
//! customer's) is built from those records only: nothing of the others reaches a view.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use anyhow::{Context as _, Result};
use askama::Template;
use serde::Serialize;

use super::Output;
use super::i18n::Lang;
use super::inventory::{count_versions, group_modules};
use super::svg::{self, Level, SlotState, StripSlot};
use super::time;
use crate::domain::fleet::FleetStatus;
use crate::domain::health::Health;
use crate::domain::inventory::{InstalledModule, InstanceVersion, InventoryChange};
use crate::domain::model::Threshold;
use crate::domain::model::{Record, RecordKey, RecordType, Status};
use crate::domain::secret::redact;
use crate::domain::units::{human_bytes, human_duration};
use crate::domain::uptime::{self, RecordHistory, Slot, Window};

/// At most this many inventory changes are listed; `webhost changes` has them all.
const MAX_CHANGES: usize = 500;
/// Version groups with more instances than this fold their list of refs away.
const OPEN_REFS: usize = 12;

/// Which parts a page shows beyond statuses: all of them on the internal page; on a public
/// page, only those asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    /// Each instance's Dolibarr version, the versions list and Dolibarr upgrades.
    pub versions: bool,
    /// The module inventory and module changes.
    pub modules: bool,
    pub disks: bool,
}

impl Shown {
    pub const ALL: Shown = Shown {
        versions: true,
        modules: true,
        disks: true,
    };
}

/// Everything the page shows, as text.
#[derive(Template)]
#[template(path = "report.html", whitespace = "minimize")]
pub struct Page {
    pub public: bool,
    /// `Fleet status`, or `Status` on a page of some records.
    pub title: &'static str,
    pub shown: Shown,
    /// What the public page leaves out, for its footer: `URLs, folders, server messages`.
    pub left_out: String,
    pub generated: String,
    pub generated_utc: String,
    /// `7 days`, `24 hours`.
    pub window: String,
    /// How long one bar of the uptime strip covers.
    pub slot: String,
    pub window_from: String,
    pub zone: String,
    pub counts: Vec<CountView>,
    pub passes: Vec<PassView>,
    pub stale: Vec<String>,
    pub attention: Vec<AttentionView>,
    pub groups: Vec<GroupView>,
    pub changes: Vec<ChangeView>,
    pub changes_left_out: usize,
    /// Instances per Dolibarr version, newest first.
    pub dolibarr: Vec<ModuleVersionView>,
    /// Modules with versions of their own: module → versions → instances.
    pub modules: Vec<ModuleView>,
    /// Core modules, whose version is the instance's Dolibarr version: how many have each.
    pub core_modules: Vec<ModuleView>,
    /// Known vulnerabilities, worst first (never on a public page).
    pub vulnerabilities: Vec<Vulnerability>,
    /// Disks reaching their next level soonest (with the disks shown).
    pub filling: Vec<FillView>,
    pub defs: &'static str,
    pub lang: Lang,
    pub html_lang: &'static str,
}

impl Page {
    /// The text of `key` in the page's language (templates call `t("key")`).
    fn t(&self, key: &'static str) -> &'static str {
        self.lang.t(key)
    }

    /// An inventory change in the page's language.
    fn change_word(&self, change: &str) -> &'static str {
        self.lang.change(change)
    }

    /// A status or health word in the page's language (the CSS classes stay English).
    fn w(&self, word: &str) -> &'static str {
        self.lang.word(word)
    }
}

/// Records of one type by status and health.
pub struct CountView {
    pub label: &'static str,
    pub total: usize,
    /// (count, status, css class)
    pub statuses: Vec<(usize, &'static str)>,
    pub health: Vec<(usize, &'static str)>,
}

pub struct PassView {
    pub kind: String,
    pub age: String,
    pub when: String,
    pub duration: String,
    pub stale: bool,
}

/// A record whose health is not ok, for the summary.
pub struct AttentionView {
    pub anchor: String,
    pub reference: String,
    pub kind: &'static str,
    pub health: &'static str,
    pub reasons: String,
}

/// A host with its instances, or the instances without a host.
pub struct GroupView {
    pub anchor: String,
    pub title: String,
    pub label: Option<String>,
    pub summary: String,
    pub rows: Vec<RowView>,
}

/// One record's line.
pub struct RowView {
    pub anchor: String,
    pub is_host: bool,
    pub reference: String,
    pub label: Option<String>,
    pub api: &'static str,
    pub enabled: bool,
    pub checked: String,
    /// Internal report only.
    pub url: Option<String>,
    pub folder: Option<String>,
    pub message: Option<String>,
    pub status: &'static str,
    pub health: &'static str,
    pub reasons: String,
    pub uptime: String,
    pub response: String,
    pub sparkline: String,
    pub strip: String,
    pub strip_note: String,
    /// In a maintenance window now: until when (and why), in words.
    pub maintenance: Option<String>,
    pub disk: Option<DiskView>,
    pub cert: Option<CertView>,
    pub dolibarr: Option<String>,
}

pub struct DiskView {
    pub text: String,
    pub bar: String,
    pub level: &'static str,
}

pub struct CertView {
    pub text: String,
    pub level: &'static str,
    pub title: String,
}

pub struct ChangeView {
    pub when: String,
    pub instance: String,
    pub anchor: String,
    pub subject: String,
    pub change: String,
    pub old: String,
    pub new: String,
}

pub struct ModuleView {
    pub name: String,
    /// Shipped with Dolibarr (reported as core, or at version "dolibarr", on some instance).
    pub core: bool,
    pub instances: usize,
    pub active: usize,
    pub versions: Vec<ModuleVersionView>,
}

pub struct ModuleVersionView {
    pub version: String,
    pub instances: usize,
    pub active: usize,
    pub refs: String,
    pub folded: bool,
}

/// A disk that will reach a level soon.
pub struct FillView {
    pub anchor: String,
    pub reference: String,
    /// `warning`, `critical` or `full` (the badge's class), and as the page's language says it.
    pub level: &'static str,
    pub level_text: &'static str,
    pub on: String,
    pub growth: String,
}

/// One advisory that affects instances on the page (`webhost audit`'s finding, by advisory).
#[derive(Debug, Clone, PartialEq)]
pub struct Vulnerability {
    pub id: String,
    /// `critical`, `high`, `medium`, `low`, or `unknown`.
    pub severity: String,
    pub summary: String,
    /// `18.0.5`, or empty when no fixed version is known.
    pub fixed_in: String,
    /// The affected instances' refs, comma-separated.
    pub refs: String,
}

/// What the page is built from.
pub struct ReportData<'a> {
    pub hosts: &'a [Record],
    pub instances: &'a [Record],
    pub history: &'a HashMap<RecordKey, RecordHistory>,
    pub fleet: &'a FleetStatus,
    pub changes: &'a [InventoryChange],
    pub modules: &'a [InstalledModule],
    pub window: Window,
    pub now: i64,
    pub public: bool,
    pub shown: Shown,
    /// The records are a selection (`--only`, `--host`), not the fleet.
    pub selected: bool,
    /// Known vulnerabilities of the page's instances (the command leaves it empty for
    /// `--public`).
    pub vulnerabilities: Vec<Vulnerability>,
    /// The page's language (the command gives English unless `--public`).
    pub lang: Lang,
    /// Each record's maintenance windows in the page's window (`maintenance::intervals_of`);
    /// a record without any is not in it.
    pub maintenance: &'a HashMap<RecordKey, Vec<(i64, i64)>>,
}

/// Local time in the system's zone, `strftime`-formatted.
struct Clock {
    tz: jiff::tz::TimeZone,
}

impl Clock {
    fn new() -> Clock {
        Clock {
            tz: jiff::tz::TimeZone::system(),
        }
    }

    fn format(&self, secs: i64, fmt: &str) -> String {
        match jiff::Timestamp::from_second(secs) {
            Ok(t) => t
                .to_zoned_datetime(self.tz.clone())
                .strftime(fmt)
                .to_string(),
            Err(_) => secs.to_string(),
        }
    }

    /// The local date and time, for a page in another language than English.
    fn civil(&self, secs: i64) -> jiff::civil::DateTime {
        jiff::Timestamp::from_second(secs)
            .map_or(jiff::civil::date(1970, 1, 1).at(0, 0, 0, 0), |t| {
                t.to_zoned_datetime(self.tz.clone()).datetime()
            })
    }

    fn zone(&self, secs: i64) -> String {
        self.format(secs, "%Z")
    }
}

/// What `report` says it wrote (`--json`), or a line on stderr.
#[derive(Debug, Serialize)]
pub struct Written {
    pub path: String,
    pub bytes: usize,
    pub hosts: usize,
    pub instances: usize,
    pub public: bool,
    /// `duration_ms`, as every other duration in JSON.
    #[serde(rename = "duration_ms")]
    pub milliseconds: u64,
}

impl Output {
    pub fn report_written(&self, w: &Written) -> Result<()> {
        if self.json {
            return self.json(w);
        }
        self.note(format!(
            "wrote {} ({}, {} hosts, {} instances{}) in {} ms",
            w.path,
            human_bytes(w.bytes as u64),
            w.hosts,
            w.instances,
            if w.public { ", public view" } else { "" },
            w.milliseconds
        ));
        Ok(())
    }
}

/// Renders the page.
pub fn render(page: &Page) -> Result<String> {
    page.render().context("cannot render the report")
}

/// Turns the store's data into the page.
pub fn build(d: &ReportData) -> Page {
    let clock = Clock::new();
    let l = d.lang;
    let slot_labels: Vec<String> = (0..=d.window.slots)
        .map(|i| match l {
            Lang::En => clock.format(d.window.slot_start(i), "%a %d %b %H:%M"),
            Lang::Fr => l.date_time(clock.civil(d.window.slot_start(i))),
        })
        .collect();
    let rows = |records: &[Record]| -> Vec<RowView> {
        records
            .iter()
            .map(|r| row(r, d, &clock, &slot_labels))
            .collect()
    };
    // Instances under their host, in the store's order; the rest in a group of their own.
    let mut by_host: HashMap<&str, Vec<RowView>> = HashMap::new();
    let mut hostless = Vec::new();
    let host_refs: Vec<&str> = d.hosts.iter().map(Record::reference).collect();
    for (r, v) in d.instances.iter().zip(rows(d.instances)) {
        match r.host_ref.as_deref().filter(|h| host_refs.contains(h)) {
            Some(h) => by_host.entry(h).or_default().push(v),
            None => hostless.push(v),
        }
    }
    let mut groups: Vec<GroupView> = Vec::new();
    for (host, host_row) in d.hosts.iter().zip(rows(d.hosts)) {
        let instances = by_host.remove(host.reference()).unwrap_or_default();
        let summary = group_summary(&instances, l);
        let mut group_rows = vec![host_row];
        group_rows.extend(instances);
        groups.push(GroupView {
            anchor: format!("g-{}", host.reference()),
            title: host.reference().to_string(),
            label: host.settings.label.clone(),
            summary,
            rows: group_rows,
        });
    }
    if !hostless.is_empty() {
        groups.push(GroupView {
            anchor: "g-no-host".into(),
            // On a page of some records, their host may be left out: not "without" one.
            title: if d.selected {
                l.t("report.instances")
            } else {
                l.t("report.instances_without_host")
            }
            .into(),
            label: None,
            summary: group_summary(&hostless, l),
            rows: hostless,
        });
    }
    let attention = d
        .hosts
        .iter()
        .chain(d.instances)
        .filter(|r| r.settings.enabled)
        .filter_map(|r| {
            let a = r.health(d.now);
            matches!(a.health, Health::Warning | Health::Critical).then(|| AttentionView {
                anchor: anchor(r),
                reference: r.reference().to_string(),
                kind: match r.record_type {
                    RecordType::Host => l.t("type.host"),
                    RecordType::Instance => l.t("type.instance"),
                },
                health: a.health.as_str(),
                reasons: reasons(&a.reasons, l),
            })
        })
        .collect();
    // The inventory of the page's instances only: another customer's refs are in its lists.
    let on_page: HashSet<&str> = d.instances.iter().map(Record::reference).collect();
    let installed: Cow<[InstalledModule]> = match (d.shown.modules, d.selected) {
        (false, _) => Cow::Owned(Vec::new()),
        (true, false) => Cow::Borrowed(d.modules),
        (true, true) => d
            .modules
            .iter()
            .filter(|m| on_page.contains(m.instance.as_str()))
            .cloned()
            .collect(),
    };
    let (core, external) = module_views(&installed);
    let changes: Vec<&InventoryChange> = d
        .changes
        .iter()
        .filter(|c| on_page.contains(c.instance.as_str()))
        .filter(|c| {
            if c.subject == "dolibarr" {
                d.shown.versions
            } else {
                d.shown.modules
            }
        })
        .collect();
    let f = d.fleet;
    let mut left_out = vec![l.t("report.left_out")];
    for (shown, what) in [
        (d.shown.versions, l.t("report.left.versions")),
        (d.shown.modules, l.t("report.left.modules")),
        (d.shown.disks, l.t("report.left.disks")),
    ] {
        if !shown {
            left_out.push(what);
        }
    }
    Page {
        public: d.public,
        title: l.t(if d.selected {
            "report.title_some"
        } else {
            "report.title"
        }),
        shown: d.shown,
        left_out: left_out.join(", "),
        generated: match l {
            Lang::En => clock.format(d.now, "%Y-%m-%d %H:%M %Z"),
            Lang::Fr => format!("{} {}", l.date_time(clock.civil(d.now)), clock.zone(d.now)),
        },
        generated_utc: time::rfc3339(d.now),
        window: l.span(d.window.to - d.window.from),
        slot: l.span((d.window.to - d.window.from) / d.window.slots.max(1) as i64),
        window_from: match l {
            Lang::En => clock.format(d.window.from, "%Y-%m-%d %H:%M"),
            Lang::Fr => l.date_time(clock.civil(d.window.from)),
        },
        zone: clock.zone(d.now),
        counts: f
            .counts
            .iter()
            // A customer's page of instances has no "Hosts 0".
            .filter(|c| !d.selected || c.total > 0)
            .map(|c| CountView {
                label: match c.record_type {
                    RecordType::Host => l.t("report.hosts"),
                    RecordType::Instance => l.t("report.instances"),
                },
                total: c.total,
                statuses: in_order(
                    &c.by_status,
                    &[
                        "online",
                        "offline",
                        "error",
                        "missing",
                        "unreachable",
                        "unknown",
                    ],
                ),
                health: in_order(&c.by_health, &["ok", "warning", "critical", "unknown"]),
            })
            .collect(),
        passes: f
            .passes
            .iter()
            .map(|p| PassView {
                kind: p.kind.clone(),
                age: p
                    .started_at
                    .map_or_else(|| l.t("report.never_run").into(), |t| l.age(t, d.now)),
                when: p
                    .started_at
                    .map_or_else(String::new, |t| clock.format(t, "%Y-%m-%d %H:%M")),
                duration: p.duration_ms.map_or_else(String::new, |ms| {
                    human_duration(std::time::Duration::from_millis(ms.max(0) as u64))
                }),
                stale: p.stale,
            })
            .collect(),
        stale: f
            .passes
            .iter()
            .filter(|p| p.stale)
            .map(|p| {
                let when = p.started_at.map_or_else(
                    || l.t("report.stale.never").into(),
                    |t| format!("{} {}", l.t("report.stale.last_ran"), l.age(t, d.now)),
                );
                format!(
                    "{} {when}{} {}{}",
                    p.kind,
                    l.t("report.stale.longer_than"),
                    l.span(f.stale_after_seconds),
                    l.t("report.stale.cron")
                )
            })
            .chain(f.pollers.iter().filter(|p| p.stale).map(|p| {
                format!(
                    "{} {} {}",
                    l.t("report.poller"),
                    p.name,
                    l.t("report.poller.stopped")
                        .replace("{ago}", &l.span(d.now - p.last_pass_at))
                )
            }))
            .collect(),
        attention,
        groups,
        changes: changes
            .iter()
            .take(MAX_CHANGES)
            .map(|c| ChangeView {
                when: clock.format(c.at, "%Y-%m-%d %H:%M"),
                instance: c.instance.clone(),
                anchor: anchor_of(RecordType::Instance, &c.instance),
                subject: c.subject.clone(),
                change: c.change.clone(),
                old: c.old.clone().unwrap_or_default(),
                new: c.new.clone().unwrap_or_default(),
            })
            .collect(),
        changes_left_out: changes.len().saturating_sub(MAX_CHANGES),
        dolibarr: if d.shown.versions {
            dolibarr_versions(d.instances)
        } else {
            Vec::new()
        },
        modules: external,
        core_modules: core,
        // Which customer runs what is not for the public page, whatever the caller gave.
        vulnerabilities: if d.public {
            Vec::new()
        } else {
            d.vulnerabilities.clone()
        },
        filling: if d.shown.disks {
            d.fleet
                .filling
                .iter()
                .map(|f| FillView {
                    anchor: anchor_of(f.record_type, &f.reference),
                    reference: f.reference.clone(),
                    level: f.level.as_str(),
                    level_text: match f.level {
                        crate::domain::forecast::Level::Full => l.t("report.filling.full"),
                        other => l.word(other.as_str()),
                    },
                    on: jiff::Timestamp::from_second(f.at).map_or_else(
                        |_| f.at.to_string(),
                        |t| l.date(t.to_zoned_datetime(clock.tz.clone()).date()),
                    ),
                    growth: format!(
                        "{}{}",
                        super::disks::growth_text(f.growth_bytes_per_day as f64),
                        l.t("report.filling.per_day")
                    ),
                })
                .collect()
        } else {
            Vec::new()
        },
        defs: svg::DEFS,
        lang: l,
        html_lang: l.as_str(),
    }
}

/// Health reasons as the page shows them. The domain words them in English (`domain::health`);
/// the status, disk and certificate ones are put in the page's language here, by their form;
/// the others (a slow answer, risky settings) stay English.
fn reasons(reasons: &[String], l: Lang) -> String {
    let shown: Vec<Cow<str>> = reasons
        .iter()
        .map(|r| match l {
            Lang::En => Cow::Borrowed(r.as_str()),
            _ => reason(r, l).map_or(Cow::Borrowed(r.as_str()), Cow::Owned),
        })
        .collect();
    shown.join("; ")
}

/// One reason in `l`, when it has one of the forms `domain::health` gives.
fn reason(r: &str, l: Lang) -> Option<String> {
    // `91%` → `91 %`, `1.5 GiB` → `1,5 GiB`.
    let figure = |v: &str| match v.strip_suffix('%') {
        Some(p) => format!("{}{}", l.decimal_text(p), l.t("report.reason.percent")),
        None => l.decimal_text(v),
    };
    if let Some(status) = r.strip_prefix("status ") {
        return Some(format!(
            "{} {}",
            l.t("report.reason.status"),
            l.word(status)
        ));
    }
    if r == "TLS certificate expired" {
        return Some(l.t("report.reason.cert_expired").into());
    }
    if let Some(days) = r
        .strip_prefix("TLS certificate expires in ")
        .and_then(|d| d.strip_suffix(" days"))
        .and_then(|d| d.parse::<i64>().ok())
    {
        return Some(format!(
            "{} {}",
            l.t("report.reason.cert_expires"),
            l.days(days)
        ));
    }
    let (used, threshold) = r
        .strip_prefix("disk ")?
        .strip_suffix(')')?
        .split_once(" used (threshold ")?;
    Some(format!(
        "{} {}{} {})",
        l.t("report.reason.disk"),
        figure(used),
        l.t("report.reason.threshold"),
        figure(threshold)
    ))
}

/// Counts in a reading order (good news first) rather than alphabetical.
fn in_order(
    counts: &std::collections::BTreeMap<&'static str, usize>,
    order: &[&'static str],
) -> Vec<(usize, &'static str)> {
    let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
    let mut v: Vec<(usize, &'static str)> = counts.iter().map(|(k, n)| (*n, *k)).collect();
    v.sort_by_key(|(_, k)| rank(k));
    v
}

fn anchor(r: &Record) -> String {
    anchor_of(r.record_type, r.reference())
}

/// `h-srv1`, `i-shop`: a record's row on the page.
fn anchor_of(rt: RecordType, reference: &str) -> String {
    match rt {
        RecordType::Host => format!("h-{reference}"),
        RecordType::Instance => format!("i-{reference}"),
    }
}

/// `3 instances: 2 online, 1 offline`.
fn group_summary(rows: &[RowView], l: Lang) -> String {
    if rows.is_empty() {
        return l.t("report.no_instances").into();
    }
    let mut by: Vec<(&str, usize)> = Vec::new();
    for r in rows {
        match by.iter_mut().find(|(s, _)| *s == r.status) {
            Some(e) => e.1 += 1,
            None => by.push((r.status, 1)),
        }
    }
    by.sort_by_key(|(s, _)| status_rank(s));
    let parts: Vec<String> = by
        .iter()
        .map(|(s, n)| format!("{n} {}", l.word(s)))
        .collect();
    format!(
        "{} {}{}{}",
        rows.len(),
        l.t(if rows.len() == 1 {
            "report.instance1"
        } else {
            "report.instances_n"
        }),
        l.t("punct.colon"),
        parts.join(", ")
    )
}

/// Good news first.
fn status_rank(s: &str) -> usize {
    [
        "online",
        "offline",
        "error",
        "missing",
        "unreachable",
        "unknown",
    ]
    .iter()
    .position(|x| *x == s)
    .unwrap_or(9)
}

fn row(r: &Record, d: &ReportData, clock: &Clock, labels: &[String]) -> RowView {
    let st = &r.state;
    let assessment = r.health(d.now);
    let key = RecordKey {
        record_type: r.record_type,
        id: r.id,
    };
    let history = d.history.get(&key);
    let (uptime, sparkline, strip, strip_note) = match history {
        Some(h) => {
            let mut slots = joined(strip_slots(&h.slots, labels, d.lang), &h.slots);
            if let Some(windows) = d.maintenance.get(&key) {
                mark_maintenance(&mut slots, windows, &d.window);
            }
            // The line goes on over points with no sampled response where the strip says the
            // record was watched and answering.
            let answered: Vec<bool> = slots
                .chunks(2)
                .map(|pair| {
                    pair.iter()
                        .any(|s| matches!(s.state, SlotState::Up | SlotState::Error))
                })
                .collect();
            (
                h.uptime.map_or_else(|| "–".into(), |p| d.lang.percent(p)),
                svg::sparkline(&halved(&h.response_ms), &answered),
                svg::uptime_strip(&slots),
                strip_note(&slots, d.lang),
            )
        }
        None => ("–".into(), String::new(), String::new(), String::new()),
    };
    let private = |v: Option<String>| if d.public { None } else { v };
    RowView {
        anchor: anchor(r),
        is_host: r.record_type == RecordType::Host,
        reference: r.reference().to_string(),
        label: r.settings.label.clone(),
        api: r.settings.kind.as_str(),
        enabled: r.settings.enabled,
        checked: st.last_check_at.map_or_else(
            || d.lang.t("report.never_checked").into(),
            |t| format!("{} {}", d.lang.t("report.checked"), d.lang.age(t, d.now)),
        ),
        url: private(r.settings.url.as_deref().map(redact)),
        folder: private(
            r.settings
                .remote_name
                .clone()
                .filter(|n| n != r.reference()),
        ),
        message: private(st.message.clone().filter(|_| st.status() != Status::Online)),
        status: st.status().as_str(),
        health: assessment.health.as_str(),
        reasons: reasons(&assessment.reasons, d.lang),
        uptime,
        response: st
            .response_ms
            .map_or_else(String::new, |ms| format!("{ms} ms")),
        sparkline,
        strip,
        strip_note,
        maintenance: r.maintenance.as_ref().map(|m| {
            let until = clock.format(m.until, "%Y-%m-%d %H:%M %Z");
            let until = format!("{} {until}", d.lang.t("report.maintenance.until"));
            match m.reason.as_deref().filter(|_| !d.public) {
                Some(why) => format!("{until}: {why}"),
                None => until,
            }
        }),
        disk: disk(r, d.lang).filter(|_| d.shown.disks),
        cert: cert(r, d.now, clock, d.public, d.lang),
        dolibarr: st.dolibarr_version.clone().filter(|_| d.shown.versions),
    }
}

/// Means of consecutive pairs: 45 points draw a 120-pixel sparkline as well as 90, in half the
/// bytes, which a page of a thousand records feels.
fn halved(points: &[Option<f64>]) -> Vec<Option<f64>> {
    points
        .chunks(2)
        .map(|pair| {
            let known: Vec<f64> = pair.iter().flatten().copied().collect();
            (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
        })
        .collect()
}

/// `99.95 %`, rounded as everywhere (`uptime::shown_percent`).
pub fn percent_text(p: f64) -> String {
    format!("{:.2} %", uptime::shown_percent(p))
}

/// `7 days`, `24 hours`, `30 minutes`.
pub fn duration_text(secs: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match secs {
        s if s >= 2 * 86_400 && s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s >= 3600 && s % 3600 == 0 => plural(s / 3600, "hour"),
        s if s >= 60 && s % 60 == 0 => plural(s / 60, "minute"),
        s => plural(s, "second"),
    }
}

fn slot_state(s: &Slot) -> SlotState {
    match s.worst {
        None => SlotState::NoData,
        Some(Status::Online) => SlotState::Up,
        Some(Status::Offline | Status::Missing | Status::Unreachable) => SlotState::Down,
        Some(Status::Error | Status::Unknown) => SlotState::Error,
    }
}

fn strip_slots<'a>(slots: &[Slot], labels: &'a [String], l: Lang) -> Vec<StripSlot<'a>> {
    slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let state = slot_state(s);
            let mut note = String::new();
            if let Some((checks, down)) = s.counts.filter(|c| c.1 > 0) {
                let _ = write!(
                    note,
                    "{down} {} {checks} {}",
                    l.t("report.slot.of"),
                    l.t("report.slot.checks_down")
                );
                if let Some(w) = s.worst.filter(|w| *w != Status::Offline) {
                    let _ = write!(
                        note,
                        " ({}{}{})",
                        l.t("report.slot.worst"),
                        l.t("punct.colon"),
                        l.word(w.as_str())
                    );
                }
            } else if state == SlotState::Error {
                note.push_str(l.t("report.slot.api_unusable"));
            }
            if s.rolled_up {
                if !note.is_empty() {
                    note.push_str(", ");
                }
                note.push_str(l.t("report.slot.rolled_up"));
            }
            StripSlot {
                state,
                from: labels.get(i).map_or("", String::as_str),
                to: labels.get(i + 1).map_or("", String::as_str),
                note,
                maintenance: false,
            }
        })
        .collect()
}

/// Marks the slots that overlap a maintenance window (`windows`: `[start, end)`, in order).
fn mark_maintenance(slots: &mut [StripSlot], windows: &[(i64, i64)], w: &Window) {
    let n = slots.len().max(1) as i64;
    let span = (w.to - w.from).max(1);
    for (i, s) in slots.iter_mut().enumerate() {
        let i = i as i64;
        let (from, to) = (w.from + span * i / n, w.from + span * (i + 1) / n);
        if windows.iter().any(|(ws, we)| *ws < to && *we > from) {
            s.maintenance = true;
        }
    }
}

/// The strip with the spacing of checks sparser than its slots filled in: an empty slot between
/// two checks less than about twice the usual interval apart (`uptime::is_gap`) shows what the
/// check before it found, as uptime counts it until the next check; so do empty slots at the
/// end, up to the same distance. Longer stretches stay "no data".
fn joined<'a>(mut slots: Vec<StripSlot<'a>>, raw: &[Slot]) -> Vec<StripSlot<'a>> {
    let present: Vec<bool> = slots.iter().map(|s| s.state != SlotState::NoData).collect();
    let counts: Vec<Option<u32>> = raw.iter().map(|s| s.counts.map(|c| c.0)).collect();
    let usual = uptime::usual_step(&present, &counts);
    let at: Vec<usize> = (0..slots.len()).filter(|i| present[*i]).collect();
    let ends = at.iter().copied().zip(
        at.iter()
            .skip(1)
            .copied()
            .chain(std::iter::once(slots.len())),
    );
    for (from, to) in ends {
        if to - from > 1 && !uptime::is_gap(to - from, usual) {
            let state = slots[from].state;
            for s in &mut slots[from + 1..to] {
                s.state = state;
            }
        }
    }
    slots
}

/// The strip in words, for people who cannot tell its colours apart: `all up`, `2 down, 1 error`.
fn strip_note(slots: &[StripSlot], l: Lang) -> String {
    let n = |s: SlotState| slots.iter().filter(|x| x.state == s).count();
    let (down, error, none) = (
        n(SlotState::Down),
        n(SlotState::Error),
        n(SlotState::NoData),
    );
    if none == slots.len() {
        return l.t("report.strip.no_data").into();
    }
    let mut parts = Vec::new();
    if down > 0 {
        parts.push(format!("{down} {}", l.t("report.strip.down")));
    }
    if error > 0 {
        parts.push(format!("{error} {}", l.t("report.strip.error")));
    }
    if parts.is_empty() {
        parts.push(l.t("report.strip.all_up").into());
    }
    if none > 0 {
        parts.push(format!("{none} {}", l.t("report.strip.none")));
    }
    let maintenance = slots.iter().filter(|x| x.maintenance).count();
    if maintenance > 0 {
        parts.push(format!("{maintenance} {}", l.t("report.strip.maintenance")));
    }
    parts.join(", ")
}

/// The disk's text and a bar against its thresholds: of the partition when its total is known,
/// else of the larger of the critical byte threshold and the usage.
fn disk(r: &Record, l: Lang) -> Option<DiskView> {
    let used = r.state.disk_used?;
    let total = r.state.disk_total.filter(|t| *t > 0);
    let t = r.settings.thresholds();
    let level = if t.disk_crit.crossed(used, total) == Some(true) {
        Level::Critical
    } else if t.disk_warn.crossed(used, total) == Some(true) {
        Level::Warning
    } else {
        Level::Ok
    };
    let bytes_of = |th: Threshold| match (th, total) {
        (Threshold::Bytes(b), _) => Some(b),
        (Threshold::Percent(p), Some(total)) => Some((total as f64 * p / 100.0) as u64),
        (Threshold::Percent(_), None) => None,
    };
    let (warn, crit) = (bytes_of(t.disk_warn), bytes_of(t.disk_crit));
    let scale = total.or_else(|| crit.or(warn).map(|c| c.max(used)));
    let mut text = human_bytes(used);
    if let Some(total) = total {
        let _ = write!(
            text,
            " {} {} ({})",
            l.t("report.disk.of"),
            human_bytes(total),
            l.whole_percent(used as f64 * 100.0 / total as f64)
        );
    }
    if r.state.disk_partial {
        text.push(' ');
        text.push_str(l.t("report.disk.or_more"));
    }
    let bar = scale.filter(|s| *s > 0).map_or_else(String::new, |s| {
        let share = |v: u64| v as f64 / s as f64;
        svg::disk_bar(share(used), warn.map(share), crit.map(share), level)
    });
    Some(DiskView {
        text,
        bar,
        level: match level {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Critical => "critical",
        },
    })
}

fn cert(r: &Record, now: i64, clock: &Clock, public: bool, l: Lang) -> Option<CertView> {
    let t = r.settings.thresholds();
    match (r.state.cert_expires_at, &r.state.cert_error) {
        (Some(expires), _) => {
            let days = (expires - now).div_euclid(86_400);
            let level = if expires <= now || days < t.cert_crit_days {
                "critical"
            } else if days < t.cert_warn_days {
                "warning"
            } else {
                "ok"
            };
            Some(CertView {
                text: if expires <= now {
                    l.t("report.cert.expired").into()
                } else {
                    l.days(days)
                },
                level,
                title: match l {
                    Lang::En => format!("expires {}", clock.format(expires, "%Y-%m-%d %H:%M %Z")),
                    Lang::Fr => format!(
                        "{} {} {}",
                        l.t("report.cert.expires"),
                        l.date_time(clock.civil(expires)),
                        clock.zone(expires)
                    ),
                },
            })
        }
        (None, Some(e)) => Some(CertView {
            text: l.t("report.cert.unreadable").into(),
            level: "warning",
            // The error may quote what the server sent.
            title: if public { String::new() } else { e.clone() },
        }),
        (None, None) => None,
    }
}

fn dolibarr_versions(instances: &[Record]) -> Vec<ModuleVersionView> {
    let rows: Vec<InstanceVersion> = instances
        .iter()
        .filter(|r| r.state.dolibarr_version.is_some())
        .map(|r| InstanceVersion {
            instance: r.reference().to_string(),
            dolibarr_version: r.state.dolibarr_version.clone(),
        })
        .collect();
    count_versions(&rows)
        .into_iter()
        .map(|v| ModuleVersionView {
            version: v.version.unwrap_or("unknown").to_string(),
            instances: v.instances,
            active: v.instances,
            refs: v.refs.join(", "),
            folded: v.refs.len() > OPEN_REFS,
        })
        .collect()
}

/// Core modules (shipped with Dolibarr, at its version) and those with versions of their own.
/// A module any instance reports as core is core on all: a legacy check.php sends names only.
fn module_views(rows: &[InstalledModule]) -> (Vec<ModuleView>, Vec<ModuleView>) {
    let is_core = |m: &InstalledModule| {
        m.follows_dolibarr()
            || m.source
                .as_deref()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("core"))
    };
    let core_names: HashSet<&str> = rows
        .iter()
        .filter(|m| is_core(m))
        .map(|m| m.name.as_str())
        .collect();
    // Grouped by name, so a group is all core or not at all.
    modules(rows, &core_names).into_iter().partition(|m| m.core)
}

fn modules(rows: &[InstalledModule], core_names: &HashSet<&str>) -> Vec<ModuleView> {
    group_modules(rows)
        .into_iter()
        .map(|g| ModuleView {
            name: g.module.to_string(),
            core: core_names.contains(g.module),
            instances: g.instances,
            active: g.active,
            versions: g
                .versions
                .iter()
                .map(|v| ModuleVersionView {
                    version: match (v.version, v.effective_version) {
                        (Some(raw), Some(eff)) if raw != eff => format!("{raw} ({eff})"),
                        (Some(raw), _) => raw.to_string(),
                        (None, _) => "unknown".into(),
                    },
                    instances: v.instances,
                    active: v.active,
                    refs: v.refs.join(", "),
                    folded: v.refs.len() > OPEN_REFS,
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_never_round_up_to_100() {
        assert_eq!(percent_text(100.0), "100.00 %");
        assert_eq!(percent_text(91.666_7), "91.66 %");
        assert_eq!(percent_text(99.999), "99.99 %");
        assert_eq!(percent_text(75.0), "75.00 %");
        assert_eq!(percent_text(0.0), "0.00 %");
    }

    #[test]
    fn sparkline_points_are_averaged_in_pairs() {
        assert_eq!(
            halved(&[Some(1.0), Some(3.0), None, Some(4.0), None, None, Some(5.0)]),
            [Some(2.0), Some(4.0), None, Some(5.0)]
        );
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(duration_text(7 * 86_400), "7 days");
        assert_eq!(duration_text(86_400), "24 hours");
        assert_eq!(duration_text(1800), "30 minutes");
        assert_eq!(duration_text(90), "90 seconds");
    }

    #[test]
    fn sparse_checks_join_and_stops_stay_gaps() {
        use SlotState::{Down, NoData, Up};
        let slot = |state| StripSlot {
            state,
            from: "",
            to: "",
            note: String::new(),
            maintenance: false,
        };
        // A check every other slot, down once, a stop of five slots, one slot left at the end.
        let states = [
            Up, NoData, Down, NoData, Up, NoData, NoData, NoData, NoData, NoData, Up, NoData, Up,
            NoData,
        ];
        let raw: Vec<Slot> = states
            .iter()
            .map(|s| Slot {
                counts: (*s != NoData).then_some((1, u32::from(*s == Down))),
                ..Slot::default()
            })
            .collect();
        let out: Vec<SlotState> = joined(states.iter().map(|s| slot(*s)).collect(), &raw)
            .iter()
            .map(|s| s.state)
            .collect();
        assert_eq!(
            out,
            [
                Up, Up, Down, Down, Up, NoData, NoData, NoData, NoData, NoData, Up, Up, Up, Up
            ]
        );
    }

    #[test]
    fn strip_notes_read_without_colour() {
        let slot = |state| StripSlot {
            state,
            from: "",
            to: "",
            note: String::new(),
            maintenance: false,
        };
        let up = [slot(SlotState::Up), slot(SlotState::Up)];
        assert_eq!(strip_note(&up, Lang::En), "all up");
        let mixed = [
            slot(SlotState::Down),
            slot(SlotState::Error),
            slot(SlotState::NoData),
        ];
        assert_eq!(strip_note(&mixed, Lang::En), "1 down, 1 error, 1 no data");
        assert_eq!(strip_note(&[slot(SlotState::NoData)], Lang::En), "no data");
    }

    #[test]
    fn health_reasons_in_french_by_their_form() {
        let fr = |r: &[&str]| {
            reasons(
                &r.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                Lang::Fr,
            )
        };
        assert_eq!(fr(&["status offline"]), "état hors ligne");
        assert_eq!(
            fr(&[
                "disk 91% used (threshold 90%)",
                "TLS certificate expires in 3 days"
            ]),
            "disque occupé à 91\u{a0}% (seuil 90\u{a0}%); le certificat TLS expire dans 3 jours"
        );
        assert_eq!(
            fr(&["disk 1.5 GiB used (threshold 1.0 GiB)"]),
            "disque occupé à 1,5 GiB (seuil 1,0 GiB)"
        );
        assert_eq!(fr(&["TLS certificate expired"]), "certificat TLS expiré");
        // A form it does not know stays as it is; English is never touched.
        assert_eq!(fr(&["install.lock missing"]), "install.lock missing");
        let en = vec!["disk 91% used (threshold 90%)".to_string()];
        assert_eq!(reasons(&en, Lang::En), en[0]);
        // The forms are the ones the domain gives: were its wording to change, this fails.
        let assessed = crate::domain::health::assess(
            &crate::domain::health::Facts {
                status: Status::Offline,
                disk_used: Some(95),
                disk_total: Some(100),
                cert_expires_at: Some(86_400 * 3 + 10),
                security: None,
            },
            &crate::domain::model::Thresholds::default(),
            0,
        );
        assert_eq!(assessed.reasons.len(), 3, "{:?}", assessed.reasons);
        for r in &assessed.reasons {
            assert!(reason(r, Lang::Fr).is_some(), "no French for {r:?}");
        }
    }
}

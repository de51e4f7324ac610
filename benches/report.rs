//! Benchmark (not a test): `webhost report --html` on 1,000 instances (and 20 hosts) with 30
//! days of 5-minute history, against targets of 1 s and 2 MB.
//!
//! ```sh
//! cargo bench --bench report                                  # 1,000 instances × 30 days
//! cargo bench --bench report -- --instances 100 --days 7      # smaller and quicker
//! cargo bench --bench report -- --incidents 100               # every record's status changes
//! cargo bench --bench report -- --sample --keep DIR           # a small, varied fleet to look at
//! ```
//!
//! Options: `--hosts N` (20), `--instances N` (1000), `--days D` (30), `--interval DURATION`
//! (5m), `--incidents P` (percent of records whose status changes in the window, 10), `--runs R`
//! (5 timed runs after one warm-up), `--keep DIR` (leave the database and the pages there).
//! `--sample` makes the fleet `scripts/screenshot` shows instead: 3 hosts, 14 instances, 7 days
//! every 15 minutes, with a bit of everything (outages, errors, a full disk, an expiring
//! certificate, a missing instance, one never checked, upgrades).
//!
//! The database is made by the real store (`Store::open` runs the migrations, records go in
//! through `Store::insert`); checks, state changes, passes, modules and inventory changes are
//! then written the way passes write them, pass after pass, in one transaction with the
//! `checks` indexes dropped and rebuilt after. The report is timed through the release binary
//! cargo builds for benches: wall time, and CPU time from `wait4`, which a busy machine inflates
//! less.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};
use webhost::domain::model::{ApiKind, RecordType, Settings, Status};
use webhost::store::Store;

const TARGET_MS: f64 = 1000.0;
const TARGET_BYTES: u64 = 2_000_000;

const USAGE: &str = "usage: cargo bench --bench report -- [--hosts N] [--instances N] [--days D] \
[--interval 5m] [--incidents PERCENT] [--runs R] [--keep DIR] [--sample]";

#[derive(Debug)]
struct Options {
    hosts: u32,
    instances: u32,
    days: u32,
    interval: i64,
    incidents: u32,
    runs: usize,
    keep: Option<PathBuf>,
    sample: bool,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        hosts: 20,
        instances: 1000,
        days: 30,
        interval: 300,
        incidents: 10,
        runs: 5,
        keep: None,
        sample: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let number = |v: String| v.parse::<u32>().map_err(|e| format!("{v}: {e}"));
        match a.as_str() {
            "--hosts" => o.hosts = number(value("--hosts")?)?,
            "--instances" => o.instances = number(value("--instances")?)?,
            "--days" => o.days = number(value("--days")?)?.max(1),
            "--incidents" => o.incidents = number(value("--incidents")?)?.min(100),
            "--runs" => o.runs = number(value("--runs")?)?.max(1) as usize,
            "--interval" => {
                o.interval = webhost::domain::units::parse_duration(&value("--interval")?)?
                    .as_secs()
                    .max(1) as i64
            }
            "--keep" => o.keep = Some(PathBuf::from(value("--keep")?)),
            "--sample" => o.sample = true,
            // cargo bench passes this to every bench target.
            "--bench" => {}
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    if o.sample {
        o.hosts = 3;
        o.instances = 14;
        o.days = 7;
        o.interval = 900;
    }
    Ok(o)
}

/// A small deterministic generator (xorshift), so every run builds the same fleet.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One record to make, and what its checks find over time.
struct Plan {
    record_type: RecordType,
    reference: String,
    label: Option<String>,
    kind: ApiKind,
    url: Option<String>,
    host: Option<usize>,
    /// (from, to, status): outside them the record is online.
    incidents: Vec<(i64, i64, Status)>,
    /// Checks start here (a record added during the window), or never.
    first_check: Option<i64>,
    base_ms: i64,
    disk: Option<(i64, Option<i64>)>,
    cert_days: Option<i64>,
    dolibarr: Option<&'static str>,
    /// (at, new version) of a Dolibarr upgrade.
    upgrade: Option<(i64, &'static str)>,
    disk_warn: Option<&'static str>,
}

impl Plan {
    fn status_at(&self, t: i64) -> Status {
        self.incidents
            .iter()
            .find(|(a, b, _)| *a <= t && t < *b)
            .map_or(Status::Online, |i| i.2)
    }

    fn dolibarr_at(&self, t: i64) -> Option<&'static str> {
        match self.upgrade {
            Some((at, v)) if t >= at => Some(v),
            _ => self.dolibarr,
        }
    }
}

fn fleet(o: &Options, from: i64, now: i64) -> Vec<Plan> {
    let mut rng = Rng(0x5eed_f1ee7);
    let span = now - from;
    let mut plans = Vec::new();
    let host = |i: u32, label: String| Plan {
        record_type: RecordType::Host,
        reference: format!("srv{:02}", i + 1),
        label: Some(label),
        kind: ApiKind::ServerManagerV1,
        url: Some(format!(
            "https://srv{:02}.example-hosting.fr/manager/index.php",
            i + 1
        )),
        host: None,
        incidents: Vec::new(),
        first_check: Some(from - 86_400),
        base_ms: 120,
        disk: Some((0, Some(500 << 30))),
        cert_days: Some(60 + i as i64 * 7),
        dolibarr: None,
        upgrade: None,
        disk_warn: None,
    };
    for i in 0..o.hosts {
        let mut h = host(i, format!("Server {} (Paris)", i + 1));
        h.disk = Some((((300 + rng.below(120)) << 30) as i64, Some(500 << 30)));
        plans.push(h);
    }
    for n in 0..o.instances {
        // One in 25 is a plain site without a host; the rest are Dolibarr on a host.
        let hostless = o.hosts == 0 || n % 25 == 24;
        let reference = format!("client-{:04}", n + 1);
        let mut p = Plan {
            record_type: RecordType::Instance,
            url: hostless.then(|| format!("https://{reference}.example.com/")),
            reference,
            label: None,
            kind: if hostless {
                ApiKind::Ping
            } else {
                ApiKind::ServerManagerV1
            },
            host: (!hostless).then(|| (n % o.hosts.max(1)) as usize),
            incidents: Vec::new(),
            first_check: Some(from - 86_400),
            base_ms: 60 + rng.below(300) as i64,
            disk: (!hostless).then(|| ((1 + rng.below(12)) as i64 * (1 << 30), None)),
            cert_days: hostless.then(|| 20 + rng.below(70) as i64),
            dolibarr: (!hostless).then_some(["19.0.3", "18.0.6", "20.0.1"][n as usize % 3]),
            upgrade: None,
            disk_warn: None,
        };
        if rng.below(100) < u64::from(o.incidents) {
            for _ in 0..1 + rng.below(3) {
                let start = from + rng.below(span as u64) as i64;
                let len = o.interval * (1 + rng.below(24) as i64);
                let status = if rng.below(10) < 7 {
                    Status::Offline
                } else {
                    Status::Error
                };
                p.incidents.push((start, start + len, status));
            }
        }
        if p.dolibarr == Some("19.0.3") && rng.below(3) == 0 {
            p.upgrade = Some((from + rng.below(span as u64) as i64, "19.0.4"));
        }
        plans.push(p);
    }
    plans
}

/// The fleet `scripts/screenshot` shows: a handful of records, each telling something.
fn sample(from: i64, now: i64) -> Vec<Plan> {
    let day = 86_400;
    let hours = |h: i64| h * 3600;
    let mut plans = Vec::new();
    let host = |n: &str, label: &str, used_gib: i64, total_gib: i64, cert: i64| Plan {
        record_type: RecordType::Host,
        reference: n.into(),
        label: Some(label.into()),
        kind: ApiKind::ServerManagerV1,
        url: Some(format!("https://{n}.example-hosting.fr/manager/index.php")),
        host: None,
        incidents: Vec::new(),
        first_check: Some(from - day),
        base_ms: 140,
        disk: Some((used_gib << 30, Some(total_gib << 30))),
        cert_days: Some(cert),
        dolibarr: None,
        upgrade: None,
        disk_warn: None,
    };
    plans.push(host("srv1", "Main server", 381, 491, 64));
    plans.push(host("srv2", "Second server", 452, 491, 33));
    let mut srv3 = host("srv3", "Old server", 35, 49, 5);
    srv3.incidents
        .push((now - 2 * day - hours(3), now - 2 * day, Status::Offline));
    plans.push(srv3);
    let inst = |n: &str, host: usize, ms: i64, gib: i64, v: &'static str| Plan {
        record_type: RecordType::Instance,
        reference: n.into(),
        label: None,
        kind: ApiKind::ServerManagerV1,
        url: None,
        host: Some(host),
        incidents: Vec::new(),
        first_check: Some(from - day),
        base_ms: ms,
        disk: Some((gib << 30, None)),
        cert_days: None,
        dolibarr: Some(v),
        upgrade: None,
        disk_warn: None,
    };
    let mut garage = inst("garage-lefebvre", 0, 180, 5, "19.0.3");
    garage.upgrade = Some((now - 3 * day + hours(5), "19.0.4"));
    garage.label = Some("Garage Lefebvre".into());
    plans.push(garage);
    let mut martin = inst("boulangerie-martin", 0, 240, 2, "18.0.6");
    martin
        .incidents
        .push((now - day - hours(2), now - day, Status::Offline));
    martin
        .incidents
        .push((now - 4 * day, now - 4 * day + 1800, Status::Offline));
    plans.push(martin);
    let mut durand = inst("cabinet-durand", 0, 320, 9, "19.0.4");
    durand.disk_warn = Some("8G");
    plans.push(durand);
    let mut old = inst("old-demo", 0, 290, 1, "16.0.5");
    old.incidents
        .push((now - 2 * day, now + day, Status::Missing));
    plans.push(old);
    plans.push(inst("pharmacie-roux", 1, 150, 3, "20.0.1"));
    let mut bernard = inst("menuiserie-bernard", 1, 410, 4, "19.0.3");
    bernard
        .incidents
        .push((now - hours(5), now + day, Status::Error));
    plans.push(bernard);
    plans.push(inst("atelier-moreau", 1, 95, 1, "20.0.1"));
    let mut petit = inst("cabinet-petit", 1, 200, 6, "19.0.3");
    petit.upgrade = Some((now - day - hours(4), "19.0.4"));
    plans.push(petit);
    let mut legacy = inst("transports-leroy", 2, 620, 7, "14.0.6");
    legacy
        .incidents
        .push((now - 2 * day - hours(3), now - 2 * day, Status::Offline));
    plans.push(legacy);
    let site = |n: &str, url: &str, ms: i64, cert: i64| Plan {
        record_type: RecordType::Instance,
        reference: n.into(),
        label: None,
        kind: ApiKind::Ping,
        url: Some(url.into()),
        host: None,
        incidents: Vec::new(),
        first_check: Some(from - day),
        base_ms: ms,
        disk: None,
        cert_days: Some(cert),
        dolibarr: None,
        upgrade: None,
        disk_warn: None,
    };
    plans.push(site("shop", "https://shop.example.com/", 85, 54));
    let mut blog = site("blog", "https://blog.example.com/", 130, 17);
    blog.incidents
        .push((now - hours(1), now + day, Status::Offline));
    plans.push(blog);
    let mut newer = site("new-site", "https://new.example.com/", 110, 88);
    newer.first_check = Some(now - 2 * day - hours(7));
    plans.push(newer);
    let mut never = site("staging", "https://staging.example.com/", 0, 0);
    never.first_check = None;
    never.cert_days = None;
    plans.push(never);
    plans
}

const CORE: [&str; 15] = [
    "modSociete",
    "modFacture",
    "modCommande",
    "modPropale",
    "modProduct",
    "modStock",
    "modBanque",
    "modComptabilite",
    "modProjet",
    "modAgenda",
    "modUser",
    "modExport",
    "modImport",
    "modFicheinter",
    "modExpedition",
];
const EXTERNAL: [(&str, [&str; 3]); 5] = [
    ("modSubtotal", ["3.21.0", "3.24.1", "3.24.1"]),
    ("modWebObserver", ["1.1.0", "1.2.0", "1.2.0"]),
    ("modMulticompany", ["18.0.0", "19.0.0", "19.0.0"]),
    ("modDocEdit", ["2.4.0", "2.4.0", "2.5.1"]),
    ("modQuickList", ["1.0.3", "1.0.3", "1.0.3"]),
];

/// Fills the database at `path`: records through the store, their history by SQL.
fn fill(path: &Path, plans: &[Plan], o: &Options, from: i64, now: i64) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let mut ids = Vec::with_capacity(plans.len());
    {
        let mut store = Store::open(path, webhost::store::Access::Create { mode: 0o600 })
            .map_err(|e| format!("{e:#}"))?;
        let mut host_ids = Vec::new();
        for p in plans {
            let rec = Settings {
                label: p.label.clone(),
                url: p.url.clone(),
                host_id: p.host.and_then(|h| host_ids.get(h).copied()),
                disk_warn: p.disk_warn.and_then(|t| t.parse().ok()),
                ..Settings::new(p.reference.clone(), p.kind)
            };
            let id = store
                .insert(p.record_type, &rec, from - 2 * 86_400)
                .map_err(|e| format!("{e:#}"))?;
            if p.record_type == RecordType::Host {
                host_ids.push(id);
            }
            ids.push(id);
        }
    }
    let mut conn = Connection::open(path).map_err(|e| err(&e))?;
    conn.execute_batch("PRAGMA synchronous = OFF;")
        .map_err(|e| err(&e))?;
    let indexes: Vec<String> = conn
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'checks' AND sql IS NOT NULL")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| err(&e))?;
    let tx = conn.transaction().map_err(|e| err(&e))?;
    for name in ["checks_host", "checks_instance", "checks_at"] {
        tx.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))
            .map_err(|e| err(&e))?;
    }
    {
        let mut check = tx
            .prepare(
                "INSERT INTO checks (host_id, instance_id, at, status, response_ms, http_status,
                    disk_used, disk_total, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(|e| err(&e))?;
        let mut change = tx
            .prepare(
                "INSERT INTO state_changes (host_id, instance_id, at, from_status, to_status, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(|e| err(&e))?;
        let mut pass = tx
            .prepare(
                "INSERT INTO passes (kind, started_at, duration_ms, polled, online, offline, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(|e| err(&e))?;
        let mut inventory = tx
            .prepare(
                "INSERT INTO inventory_changes (instance_id, at, subject, change, old_value, new_value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(|e| err(&e))?;
        let mut rng = Rng(0xc0ffee);
        let mut last: Vec<Option<Status>> = vec![None; plans.len()];
        let mut since: Vec<i64> = vec![0; plans.len()];
        let start = (from - 86_400).div_euclid(o.interval) * o.interval;
        let mut t = start;
        // The last pass ran a minute ago.
        let end = now - 60;
        while t <= end {
            let mut counts = [(0i64, 0i64, 0i64); 2];
            for (k, p) in plans.iter().enumerate() {
                if p.first_check.is_none_or(|f| t < f) {
                    continue;
                }
                let status = p.status_at(t);
                let (col_host, col_instance) = match p.record_type {
                    RecordType::Host => (Some(ids[k]), None),
                    RecordType::Instance => (None, Some(ids[k])),
                };
                let c = &mut counts[usize::from(p.record_type == RecordType::Instance)];
                c.0 += 1;
                match status {
                    Status::Online => c.1 += 1,
                    Status::Error => c.2 += 1,
                    _ => {}
                }
                let ms = (status == Status::Online)
                    .then(|| p.base_ms + rng.below(p.base_ms as u64 / 2 + 1) as i64);
                let message = match status {
                    Status::Online => p
                        .dolibarr_at(t)
                        .map(|v| format!("Dolibarr {v}, 20 modules (17 active)")),
                    Status::Offline => Some("HTTP 503 Service Unavailable".to_string()),
                    Status::Error => Some(
                        "the token is wrong, or this machine's clock is more than 3 minutes off the server's"
                            .to_string(),
                    ),
                    _ => Some("no longer listed by its host".to_string()),
                };
                check
                    .execute(params![
                        col_host,
                        col_instance,
                        t,
                        status.as_str(),
                        ms,
                        ms.map(|_| 200),
                        p.disk.map(|d| d.0),
                        p.disk.and_then(|d| d.1),
                        message
                    ])
                    .map_err(|e| err(&e))?;
                if last[k] != Some(status) {
                    let from_status = last[k].unwrap_or(Status::Unknown);
                    change
                        .execute(params![
                            col_host,
                            col_instance,
                            t,
                            from_status.as_str(),
                            status.as_str(),
                            message
                        ])
                        .map_err(|e| err(&e))?;
                    last[k] = Some(status);
                    since[k] = t;
                }
                if let Some((at, new)) = p.upgrade
                    && at > t - o.interval
                    && at <= t
                {
                    inventory
                        .execute(params![ids[k], t, "dolibarr", "upgraded", p.dolibarr, new])
                        .map_err(|e| err(&e))?;
                    inventory
                        .execute(params![
                            ids[k],
                            t,
                            "modSubtotal",
                            "upgraded",
                            "3.21.0",
                            "3.24.1"
                        ])
                        .map_err(|e| err(&e))?;
                }
            }
            for (kind, c) in ["update-hosts", "update-instances"].iter().zip(counts) {
                if c.0 > 0 {
                    let ms = 800 + rng.below(4000) as i64;
                    pass.execute(params![kind, t, ms, c.0, c.1, c.0 - c.1 - c.2, c.2])
                        .map_err(|e| err(&e))?;
                }
            }
            t += o.interval;
        }
        let last_t = (end - start).div_euclid(o.interval) * o.interval + start;
        for (k, p) in plans.iter().enumerate() {
            let table = match p.record_type {
                RecordType::Host => "hosts",
                RecordType::Instance => "instances",
            };
            let Some(status) = last[k] else {
                continue;
            };
            let ms = (status == Status::Online).then_some(p.base_ms);
            tx.execute(
                &format!(
                    "UPDATE {table} SET status = ?2, status_since = ?3, last_check_at = ?4,
                        last_success_at = ?5, response_ms = ?6, http_status = ?7, message = ?8,
                        disk_used = ?9, disk_total = ?10, cert_expires_at = ?11 WHERE id = ?1"
                ),
                params![
                    ids[k],
                    status.as_str(),
                    since[k],
                    last_t,
                    (status == Status::Online).then_some(last_t),
                    ms,
                    ms.map(|_| 200),
                    match status {
                        Status::Online => None,
                        Status::Offline => Some("HTTP 503 Service Unavailable"),
                        Status::Error => Some(
                            "the token is wrong, or this machine's clock is more than 3 minutes off the server's"
                        ),
                        _ => Some("no longer listed by host srv1"),
                    },
                    p.disk.map(|d| d.0),
                    p.disk.and_then(|d| d.1),
                    p.cert_days.map(|d| now + d * 86_400 - 3600),
                ],
            )
            .map_err(|e| err(&e))?;
            if let Some(v) = p.dolibarr_at(now) {
                tx.execute(
                    "UPDATE instances SET dolibarr_version = ?2, missing = ?3 WHERE id = ?1",
                    params![ids[k], v, status == Status::Missing],
                )
                .map_err(|e| err(&e))?;
                let mut module = tx
                    .prepare_cached(
                        "INSERT INTO modules (instance_id, name, version, active, source)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )
                    .map_err(|e| err(&e))?;
                for (j, name) in CORE.iter().enumerate() {
                    module
                        .execute(params![ids[k], name, "dolibarr", j % 5 != 4, "core"])
                        .map_err(|e| err(&e))?;
                }
                for (j, (name, versions)) in EXTERNAL.iter().enumerate() {
                    let mut v = versions[(k + j) % 3];
                    if *name == "modSubtotal" && p.upgrade.is_some() {
                        v = "3.24.1";
                    }
                    module
                        .execute(params![ids[k], name, v, j != 4, "external"])
                        .map_err(|e| err(&e))?;
                }
            }
        }
    }
    for sql in &indexes {
        tx.execute_batch(sql).map_err(|e| err(&e))?;
    }
    tx.commit().map_err(|e| err(&e))?;
    conn.execute_batch("ANALYZE").map_err(|e| err(&e))?;
    Ok(())
}

/// Where the release binary is: cargo builds it for benches and says where.
fn webhost_binary() -> PathBuf {
    match option_env!("CARGO_BIN_EXE_webhost") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/webhost"),
    }
}

/// One run: wall time from spawn to exit, and the CPU time `wait4` says it used.
struct Usage {
    wall: Duration,
    cpu: Duration,
    exit: i32,
}

fn measured(command: &mut Command) -> Result<Usage, String> {
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| e.to_string())?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data, for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child; both pointers are to live, writable locals.
    // The Child handle is never waited on afterwards (dropping it does not wait).
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if reaped != pid {
        return Err(format!("wait4: {}", std::io::Error::last_os_error()));
    }
    let seconds = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Ok(Usage {
        wall,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        exit: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Times `report` with `args` `runs` times after a warm-up; prints and returns the median wall.
fn time_report(db: &Path, out: &Path, args: &[&str], runs: usize) -> Result<f64, String> {
    let bin = webhost_binary();
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    for run in 0..=runs {
        let usage = measured(
            Command::new(&bin)
                .arg("--db")
                .arg(db)
                .arg("-q")
                .arg("report")
                .arg("--html")
                .arg(out)
                .args(args),
        )?;
        if usage.exit != 0 {
            return Err(format!("webhost report {args:?} exited {}", usage.exit));
        }
        // The first run warms the page cache.
        if run > 0 {
            walls.push(ms(usage.wall));
            cpus.push(ms(usage.cpu));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (wall, cpu) = (median(&mut walls), median(&mut cpus));
    let bytes = std::fs::metadata(out).map_err(|e| e.to_string())?.len();
    let verdict = if wall < TARGET_MS && bytes < TARGET_BYTES {
        "ok"
    } else {
        "OVER TARGET"
    };
    println!(
        "report {:<22} wall {wall:>6.0} ms (min {:>5.0})  cpu {cpu:>6.0} ms  file {:>7.0} KiB  {verdict}",
        args.join(" "),
        walls.iter().copied().fold(f64::INFINITY, f64::min),
        bytes as f64 / 1024.0
    );
    Ok(wall)
}

fn run() -> Result<(), String> {
    let o = options()?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let from = now - i64::from(o.days) * 86_400;
    let plans = if o.sample {
        sample(from, now)
    } else {
        fleet(&o, from, now)
    };
    let temp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = match &o.keep {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
            d.clone()
        }
        None => temp.path().to_path_buf(),
    };
    let db = dir.join("webhost.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let started = Instant::now();
    fill(&db, &plans, &o, from, now)?;
    let checks: i64 = Connection::open(&db)
        .and_then(|c| c.query_row("SELECT count(*) FROM checks", [], |r| r.get(0)))
        .map_err(|e| e.to_string())?;
    let size = std::fs::metadata(&db).map_or(0, |m| m.len());
    println!(
        "{} hosts, {} instances, {} days every {} s ({}% with incidents): {checks} checks, \
         database {:.0} MiB, filled in {:.1} s",
        o.hosts,
        o.instances,
        o.days,
        o.interval,
        o.incidents,
        size as f64 / (1 << 20) as f64,
        started.elapsed().as_secs_f64()
    );
    let since = format!("{}d", o.days);
    let out = dir.join("report.html");
    time_report(&db, &out, &["--since", &since], o.runs)?;
    time_report(
        &db,
        &dir.join("public.html"),
        &["--since", &since, "--public"],
        o.runs,
    )?;
    if o.days > 7 {
        time_report(&db, &dir.join("week.html"), &["--since", "7d"], o.runs)?;
    }
    if o.keep.is_some() {
        println!("kept {}", dir.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench report: {e}");
            ExitCode::FAILURE
        }
    }
}

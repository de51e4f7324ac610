//! The command line, as clap definitions only. Help, man page and completions all come from
//! here; the defaults are the ones `domain::config::defaults` holds.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::domain::advisory::Severity;
use crate::domain::check::{Range, parse_millis_range};
use crate::domain::config::{ConfigKey, defaults};
use crate::domain::health::Health;
use crate::domain::model::Threshold;
use crate::domain::model::{ApiKind, Status};
use crate::domain::units::{parse_duration, parse_mode, parse_size};
use crate::domain::validate::HOST_KINDS;
use crate::domain::version::Version;
use crate::exit;
use crate::output::ColorChoice;
use crate::output::i18n::Lang;
use crate::transfer::Format;

/// Monitor a fleet of web hosts and their Dolibarr (or any HTTP) instances.
///
/// Records live in a local SQLite database. Run `update-hosts` and `update-instances` from
/// cron; read the results as tables, or as JSON with `--json`.
#[derive(Debug, Parser)]
#[command(name = "webhost", version, about, long_about, after_long_help = exit::help_text())]
pub struct Cli {
    /// SQLite database file, or a PostgreSQL server shared by several pollers
    /// (postgres://USER@HOST/DB; the password from ~/.pgpass or PGPASSFILE)
    /// [default: $XDG_DATA_HOME/webhost/webhost.db]
    #[arg(long, global = true, env = "WEBHOST_DB", value_name = "PATH|URL")]
    pub db: Option<PathBuf>,

    /// This machine's name among several pollers of one database: every check it stores
    /// says so [default: the host name]
    #[arg(long, global = true, env = "WEBHOST_POLLER", value_name = "NAME", value_parser = parse_poller)]
    pub poller: Option<String>,

    /// Mode of a database this run creates (0640: its group may read it); the tokens, in a
    /// file of their own beside it, are always 0600
    #[arg(long, global = true, env = "WEBHOST_DB_MODE", value_name = "MODE", default_value = defaults::DB_MODE, value_parser = parse_mode)]
    pub db_mode: u32,

    /// Print machine-readable JSON instead of tables
    #[arg(long, global = true)]
    pub json: bool,

    /// Print nothing but errors (and requested data)
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say more about what is being done, on stderr
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// When to use colours (NO_COLOR in the environment means never for `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage hosts (servers)
    #[command(subcommand)]
    Host(HostCommand),
    /// Manage instances (web applications, usually Dolibarr)
    #[command(subcommand)]
    Instance(InstanceCommand),
    /// Poll every enabled host once (one cron line)
    #[command(after_help = examples_help("update-hosts"))]
    UpdateHosts(UpdateArgs),
    /// Poll every enabled instance once (one cron line)
    #[command(after_help = examples_help("update-instances"))]
    UpdateInstances(UpdateArgs),
    /// Which modules the Dolibarr instances have, at which versions, active or not
    ///
    /// Reads what the last `update-instances` passes stored; it contacts no server. By default,
    /// one row per module and version with how many instances have it and on how many it is
    /// active; `--flat` gives one row per instance and module instead.
    Modules(ModulesArgs),
    /// How many instances run each Dolibarr version, newest first
    ///
    /// Reads what the last `update-instances` passes stored; it contacts no server. Instances
    /// whose version is not known yet (never checked, or not Dolibarr) come last.
    Versions,
    /// The fleet at a glance: counts, what is down, disks, certificates, stale passes
    #[command(after_help = examples_help("status"))]
    Status(StatusArgs),
    /// Disks that will fill: growth per day and when each reaches its thresholds, soonest first
    ///
    /// Reads the disk readings the passes stored over the last 30 days; it contacts no server.
    /// The growth is a robust fit (the median of the slopes between readings) that leaves out
    /// one-off jumps, such as a backup written or deleted; the dates start from the last
    /// reading. Dates for a percentage threshold, and for the disk being full, need the
    /// partition's size; an instance that knows only its usage gets its growth, and the date
    /// it reaches a threshold set in bytes. A forecast needs 3 readings over a day at least.
    Disks,
    /// The checks and status changes of one record
    History(HistoryArgs),
    /// Inventory changes across the fleet: Dolibarr upgrades, modules added, removed, upgraded
    Changes(SinceArgs),
    /// Delete old raw checks, keeping daily roll-ups, status changes and inventory changes
    Prune(PruneArgs),
    /// Print every record's settings (not their state) as JSON or CSV, to back up or copy a fleet
    ///
    /// Hosts come first, then instances. Tokens, and the passwords and keys inside URLs (written
    /// `***`), are left out unless --with-tokens is given; a file with tokens is a secret, keep
    /// it private. `webhost import` reads the file back. In CSV, a cell a spreadsheet would run
    /// as a formula (starting with = + - @ TAB CR), or one starting with ', gets a leading '
    /// that import removes.
    Export(ExportArgs),
    /// Create or update records from a file written by `export` (JSON or CSV), all or nothing
    ///
    /// Records are matched by type and ref: a new ref is created, a known one gets the file's
    /// settings (a field left out or empty gets its default), and records the file does not
    /// name are left alone. A row without a token keeps the stored token, so importing an
    /// export made without --with-tokens never wipes tokens (`edit --clear-token` removes one);
    /// a URL whose secrets that export masked keeps the stored URL.
    ///
    /// Every row is checked first, against the database and the rest of the file (an
    /// instance's host may be in either); if any row is wrong, each problem is printed with its
    /// line, nothing is written, and the exit code is 2. Otherwise every change is written in
    /// one transaction, and the records created, updated and unchanged are listed.
    #[command(after_help = examples_help("import"))]
    Import(ImportArgs),
    /// Copy a SQLite database into an empty PostgreSQL one: records, settings, history, tokens
    ///
    /// Every table is copied with its ids, in one transaction on the server: if anything
    /// fails, nothing is written there. A destination that already holds anything is refused.
    /// The source is brought up to this webhost's schema first (as any writer does) and read
    /// with its tokens, so its owner runs this; it is left otherwise as it was. Stop the
    /// pollers' cron lines meanwhile (what they store after the copy began stays in the file),
    /// then point their --db or WEBHOST_DB at the server. The password comes from PGPASSWORD,
    /// PGPASSFILE or ~/.pgpass, never from the URL. --db is not used.
    #[command(after_help = examples_help("migrate"))]
    Migrate(MigrateArgs),
    /// Nagios/Icinga plugin: one record's health as OK, WARNING, CRITICAL or UNKNOWN
    ///
    /// Prints the standard plugin line (`WEBHOST OK - shop online, HTTP 200 OK in 84 ms | perfdata`)
    /// and exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, not with webhost's usual codes. It reads
    /// the state the last pass stored: offline, error and missing are CRITICAL, disk and
    /// certificate thresholds give WARNING or CRITICAL, and a check older than --max-age (or
    /// none), a disabled record or an unknown REF is UNKNOWN. --live checks the record now
    /// instead, and stores nothing. -w and -c hold the response time to Nagios ranges; a check
    /// that got no answer (refused, timed out) has no response time: `'response'=U`.
    #[command(after_help = examples_help("check"))]
    Check(CheckArgs),
    /// Every enabled record's state and the last passes, in the Prometheus text format
    ///
    /// Reads the database only. Point node_exporter's textfile collector at --output FILE
    /// (written atomically, after each pass), or serve stdout any way you like. Values that
    /// are not known (never checked, no disk figures, the response time of a check that got no
    /// answer) are left out rather than shown as 0.
    Metrics(MetricsArgs),
    /// Write the fleet's status page: one self-contained HTML file
    ///
    /// Reads the database only. The page has the fleet summary, every host with its
    /// instances (status, uptime, response times, a 90-bar uptime strip, disk, certificate,
    /// Dolibarr version), what changed and the module inventory. It needs no server and loads
    /// nothing from elsewhere: run it from cron after each pass and publish the file.
    ///
    /// --only and --host make the page of some records (one customer's): nothing of the
    /// others is on it, not even in the counts or the inventory. --public leaves out what a
    /// customer need not see; --with-versions, --with-modules and --with-disks put back parts.
    #[command(after_help = examples_help("report"))]
    Report(ReportArgs),
    /// Each record's availability over a month, against a target: an SLA statement
    ///
    /// Reads the database only. Per record: availability over the month, time-weighted as
    /// uptime is (a check holds until the next one, for 2 hours at most), outside maintenance
    /// and outside passes where the poller itself was offline; downtime, incidents, the longest
    /// one, and whether the target was met. Months are UTC. Days whose raw checks were pruned
    /// count from their daily roll-up (incident counts are then approximate: each such day with
    /// downtime counts as one). --csv for a spreadsheet; --html FILE writes the customer's
    /// statement page, in French or English (--lang).
    #[command(after_help = examples_help("sla"))]
    Sla(SlaArgs),
    /// Settings stored in the database (the change hook and its thresholds)
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Maintenance windows: planned work during which a record raises no alert
    ///
    /// During a window the records are still checked and stored, but no alert is sent (nor a
    /// "recovered" one after it, unless the status differs from before the window), `status`
    /// and `list` show `maintenance` beside what was seen, `check` is OK ("in maintenance
    /// until ...", see its --maintenance), the status page marks the window on the uptime
    /// strip, and SLA figures leave it out. A host's window covers its instances.
    #[command(subcommand)]
    Maintenance(MaintenanceCommand),
    /// Print shell completions for bash, zsh or fish
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff), or write every page into a folder
    ///
    /// With no option, prints webhost(1). With --dir, writes it and a page for each subcommand
    /// at every level (webhost-host-add.1 for `webhost host add`, ...) into DIR instead.
    Man(ManArgs),
    /// A first look: a made-up fleet on 127.0.0.1, polled for a working day; its status and page
    ///
    /// Starts a small fleet inside this process (a server-manager server, Dolibarr instances
    /// with WebObserver, a website; some of them failing), fills a database in a new folder
    /// under $TMPDIR (/tmp) with 90 rounds of update-hosts and update-instances, 5 minutes
    /// apart by its clock (an upgrade, an outage and a disk filling up among them), then
    /// prints `status` and writes the status page in that folder. Needs no network beyond
    /// 127.0.0.1, and no root.
    ///
    /// --db, WEBHOST_DB and the data folder are ignored: nothing outside the temp folder is
    /// touched, and the folder is removed at the end unless --keep is given. --quiet prints
    /// only the closing lines; --json prints one object (the folder, the database, the page
    /// and the records by status).
    Demo(DemoArgs),
    /// Receive one push from an instance's WebObserver, as a CGI program
    ///
    /// For a web server that runs CGI (Apache mod_cgi, lighttpd mod_cgi, nginx + fcgiwrap):
    /// reads REQUEST_METHOD, QUERY_STRING, CONTENT_LENGTH and the body on stdin, answers with a
    /// `Status:` header and one line (`OK`, or why it was refused), and logs one line on stderr.
    /// The push is checked (signature with the instance's token, ±180 s, no replay) and stored
    /// like a polled check, with `source: push`. Point WEBOBSERVER_WEBHOST_URL at it.
    #[command(after_help = examples_help("receive"))]
    Receive(ReceiveArgs),
    /// Receive WebObserver's pushes in a small HTTP server (behind a TLS reverse proxy)
    ///
    /// The same receiver as `webhost receive`, for sites without CGI: a fixed number of
    /// threads, bounded request heads and bodies, slow clients dropped after --client-timeout.
    /// Runs until SIGINT or SIGTERM. Prints `listening on ADDR` on stderr once bound.
    #[command(after_help = examples_help("serve"))]
    Serve(ServeArgs),
    /// Known vulnerabilities, offline: import advisories in osv.dev's format, list them
    ///
    /// Download the advisories on a machine with internet (osv.dev's Packagist zip holds
    /// dolibarr/dolibarr's), bring the file over and import it: webhost needs no network for
    /// this. `webhost audit` then says which instances are affected.
    #[command(subcommand)]
    Advisories(AdvisoriesCommand),
    /// Which instances run a version with a known vulnerability (from imported advisories)
    ///
    /// Reads the database only: each enabled Dolibarr instance's version (and its modules'),
    /// as the last passes stored it, against the imported advisories and the overrides. Lists
    /// instance, version, advisory, severity and the version that fixes it, by advisory or by
    /// instance; then the instances whose version cannot be told (unknown, `experimental`,
    /// `development`), which no advisory can clear. Exits 0 whatever it finds: it is a report.
    Audit(AuditArgs),
}

#[derive(Debug, Subcommand)]
pub enum AdvisoriesCommand {
    /// Import OSV advisories: JSON files, folders of them, or osv.dev's per-ecosystem zip
    ///
    /// Only advisories about dolibarr/dolibarr, or naming a Dolibarr module's class
    /// (`"module": "modFoo"` in database_specific), are kept; withdrawn ones are not. Importing
    /// the same file, folder or zip again replaces what it gave before. --overrides FILE stores
    /// a local overrides file (TOML, or JSON when it ends in .json) that adds or corrects
    /// advisories and ignores some for an instance; it replaces the one stored before.
    Import(AdvisoriesImportArgs),
    /// The stored advisories, overrides applied: id, severity, what fixes it, summary
    List,
}

#[derive(Debug, Args)]
pub struct AdvisoriesImportArgs {
    /// OSV JSON files, folders of them, or zips of them
    #[arg(value_name = "FILE", required_unless_present = "overrides")]
    pub files: Vec<PathBuf>,
    /// The overrides file to store (TOML, or JSON when named *.json)
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditBy {
    /// Each advisory with the instances it affects
    Advisory,
    /// Each instance with the advisories that affect it
    Instance,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Group the rows by advisory or by instance (JSON: the order of `findings`)
    #[arg(long, value_enum, default_value = "advisory")]
    pub by: AuditBy,
    /// Only advisories of this severity or worse (those of unknown severity are left out)
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub severity: Option<Severity>,
    /// Only the instances of this host (repeatable)
    #[arg(long, value_name = "REF")]
    pub host: Vec<String>,
}

impl ValueEnum for Severity {
    fn value_variants<'a>() -> &'a [Self] {
        &Severity::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

#[derive(Debug, Args)]
pub struct ReceiveArgs {
    /// Largest push accepted (413 beyond)
    #[arg(long, default_value = defaults::MAX_ANSWER_SIZE, value_name = "SIZE", value_parser = parse_size)]
    pub max_body: u64,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (keep it on loopback behind the reverse proxy)
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR")]
    pub listen: String,
    /// Threads that take requests (each with its own database connection)
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,
    /// Largest push accepted (413 beyond)
    #[arg(long, default_value = defaults::MAX_ANSWER_SIZE, value_name = "SIZE", value_parser = parse_size)]
    pub max_body: u64,
    /// A client that sends nothing for this long is dropped
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = parse_duration)]
    pub client_timeout: std::time::Duration,
    /// Limit for one run of the change hook after a push changed a status
    #[arg(long, default_value = defaults::HOOK_TIMEOUT, value_name = "DURATION", value_parser = parse_duration)]
    pub hook_timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write every page into this folder (created if need be), e.g. ~/.local/share/man/man1
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the temp folder (database and status page) and print how to explore it
    #[arg(long)]
    pub keep: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// A pass older than this means cron has stopped: 30m, 2h
    #[arg(long, default_value = defaults::STALE, value_name = "DURATION", value_parser = parse_duration)]
    pub stale: std::time::Duration,
    /// How many certificates to list, soonest to expire first
    #[arg(long, default_value_t = defaults::CERTS, value_name = "N")]
    pub certs: usize,
    /// How many disks to list that will reach a threshold or fill, soonest first (0: none)
    #[arg(long, default_value_t = defaults::FORECASTS, value_name = "N")]
    pub forecasts: usize,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The host or instance
    #[arg(value_name = "REF", required_unless_present = "fleet")]
    pub reference: Option<String>,
    /// Judge the whole fleet instead of one record: CRITICAL when an enabled record is
    /// offline or in error, WARNING when a poller stopped (no pass for an hour) or a pass is
    /// stale, else OK
    #[arg(long, conflicts_with_all = ["reference", "live", "host", "instance", "forecast", "audit"])]
    pub fleet: bool,
    /// REF names a host (when a host and an instance share the name)
    #[arg(long, conflicts_with = "instance")]
    pub host: bool,
    /// REF names an instance (when a host and an instance share the name)
    #[arg(long)]
    pub instance: bool,
    /// UNKNOWN when the last stored check is older than this (cron has stopped): 15m, 1h
    #[arg(long, default_value = defaults::MAX_AGE, value_name = "DURATION", value_parser = parse_duration)]
    pub max_age: std::time::Duration,
    /// Check the record now instead of reading the stored state (the result is not stored)
    #[arg(long)]
    pub live: bool,
    /// With --live: limit for the check, from DNS to the last byte
    #[arg(long, default_value = defaults::TIMEOUT, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// WARNING when the response time is outside RANGE (inside, after @): a Nagios range in
    /// milliseconds unless a bound says s or ms, e.g. 1000 (over 1000 ms), 1.5s, 200: (under
    /// 200 ms), 200:2s, @200:500. Also the warn field of the `response` perfdata
    #[arg(short, long, value_name = "RANGE", value_parser = parse_millis_range)]
    pub warning: Option<Range>,
    /// CRITICAL when the response time is outside RANGE (as for --warning). Also the crit
    /// field of the `response` perfdata
    #[arg(short, long, value_name = "RANGE", value_parser = parse_millis_range)]
    pub critical: Option<Range>,
    /// WARNING when the disk forecast (as `webhost disks` gives it) reaches a threshold, or
    /// full, within this time: 14d
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub forecast: Option<std::time::Duration>,
    /// Also judge an instance's known vulnerabilities (see `webhost audit`): an affecting
    /// advisory of critical severity makes it CRITICAL, one of high severity WARNING
    #[arg(long)]
    pub audit: bool,
    /// In a maintenance window: `ok` (OK, "in maintenance until ..."), `warn` (WARNING, the
    /// same words) or `ignore` (judged as if there were no window)
    #[arg(long, value_enum, default_value_t = InMaintenance::Ok, value_name = "HOW")]
    pub maintenance: InMaintenance,
}

/// What `check` says of a record in a maintenance window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InMaintenance {
    /// OK: "in maintenance until ..."
    Ok,
    /// WARNING: "in maintenance until ..."
    Warn,
    /// Judged as if there were no window
    Ignore,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Write to this file instead of stdout, atomically (a temp file beside it, then a rename),
    /// mode 0644
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Write the page to this file, atomically (a temp file beside it, then a rename), mode 0644
    #[arg(long, value_name = "FILE", required = true)]
    pub html: PathBuf,
    /// The window for uptime, response times, the uptime strip and changes: 24h, 7d, 30d
    #[arg(long, default_value = defaults::SINCE, value_name = "DURATION", value_parser = parse_duration)]
    pub since: std::time::Duration,
    /// For customers: leave out URLs, folders, messages that quote server output, versions,
    /// the module inventory and disks (tokens are never in a report)
    #[arg(long)]
    pub public: bool,
    /// Only these hosts or instances (one customer's page); an unknown ref is an error
    #[arg(long, value_name = "REF", num_args = 1..)]
    pub only: Vec<String>,
    /// Only this host and its instances (repeatable)
    #[arg(long, value_name = "REF")]
    pub host: Vec<String>,
    /// With --public: show Dolibarr versions (each instance's, and their changes)
    #[arg(long, requires = "public")]
    pub with_versions: bool,
    /// With --public: show the module inventory and its changes
    #[arg(long, requires = "public")]
    pub with_modules: bool,
    /// With --public: show disk usage
    #[arg(long, requires = "public")]
    pub with_disks: bool,
    /// A pass older than this is flagged as stale (cron has stopped): 30m, 2h
    #[arg(long, default_value = defaults::STALE, value_name = "DURATION", value_parser = parse_duration)]
    pub stale: std::time::Duration,
    /// With --public: the page's language [default: from LC_ALL, LC_MESSAGES or LANG; else en]
    #[arg(long, value_enum, value_name = "LANG", requires = "public")]
    pub lang: Option<Lang>,
}

#[derive(Debug, Args)]
pub struct SlaArgs {
    /// The month, in UTC: 2026-11
    #[arg(long, value_name = "YYYY-MM", required = true)]
    pub month: String,
    /// Only these hosts or instances; an unknown ref is an error
    #[arg(long = "ref", value_name = "REF", num_args = 1..)]
    pub refs: Vec<String>,
    /// Only this host and its instances (repeatable): one customer's statement
    #[arg(long, value_name = "REF")]
    pub host: Vec<String>,
    /// The availability to reach, in percent
    #[arg(long, default_value_t = 99.9, value_name = "PERCENT")]
    pub target: f64,
    /// Print CSV (one row per record) instead of a table
    #[arg(long, conflicts_with = "html")]
    pub csv: bool,
    /// Write the customer's statement page to this file instead, atomically, mode 0644
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// The page's language [default: from LC_ALL, LC_MESSAGES or LANG; else en]
    #[arg(long, value_enum, value_name = "LANG", requires = "html")]
    pub lang: Option<Lang>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The host or instance
    #[arg(value_name = "REF")]
    pub reference: String,
    /// How far back: 30m, 24h, 7d
    #[arg(long, default_value = defaults::SINCE, value_name = "DURATION", value_parser = parse_duration)]
    pub since: std::time::Duration,
    /// At most this many checks (newest first)
    #[arg(long, default_value_t = defaults::HISTORY_LIMIT, value_name = "N")]
    pub limit: usize,
    /// REF names a host (when a host and an instance share the name)
    #[arg(long, conflicts_with = "instance")]
    pub host: bool,
    /// REF names an instance (when a host and an instance share the name)
    #[arg(long)]
    pub instance: bool,
}

#[derive(Debug, Args)]
pub struct SinceArgs {
    /// How far back: 30m, 24h, 7d
    #[arg(long, default_value = defaults::SINCE, value_name = "DURATION", value_parser = parse_duration)]
    pub since: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Delete raw checks older than this (rounded down to a UTC midnight): 90d
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub older_than: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Include the API tokens and the secrets inside URLs (they are left out otherwise)
    #[arg(long)]
    pub with_tokens: bool,
    /// Output format (CSV: a header row, empty cells for none, probe as a JSON array)
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// File written by `webhost export` (JSON or CSV), or a fleet file written by hand (TOML,
    /// see examples/fleet.toml); told by its extension, else its content; `-` reads stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Show what would be created, updated, disabled and removed (and which fields change),
    /// without writing
    #[arg(long)]
    pub dry_run: bool,
    /// The file is the whole fleet: stored records it does not name are disabled (instances
    /// a host's discovery created are left to it). A second run of the same file changes
    /// nothing
    #[arg(long)]
    pub sync: bool,
    /// With --sync: remove the records the file does not name, with their history, instead
    /// of disabling them
    #[arg(long, requires = "sync")]
    pub prune: bool,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The SQLite database to copy: sqlite:PATH, or a plain path
    #[arg(long, value_name = "sqlite:PATH")]
    pub from: String,
    /// The empty PostgreSQL database to fill: postgres://USER@HOST/DB
    #[arg(long, value_name = "URL")]
    pub to: String,
}

/// Options of a polling pass.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// How many records are checked at once
    #[arg(short, long, default_value_t = defaults::JOBS, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: u16,
    /// How many of those requests may go to one server-manager host at once (its instances
    /// all go through its script)
    #[arg(long, default_value_t = defaults::PER_HOST_JOBS, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub per_host_jobs: u16,
    /// Limit for one check, from DNS to the last byte: 10s, 500ms, 2m
    #[arg(long, default_value = defaults::TIMEOUT, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Largest answer accepted, in bytes after decompression (suffixes K, M, G)
    #[arg(long, default_value = defaults::MAX_ANSWER_SIZE, value_name = "SIZE", value_parser = parse_size)]
    pub max_answer_size: u64,
    /// Poll only this record (repeatable); disabled records are never polled
    #[arg(long = "ref", value_name = "REF")]
    pub refs: Vec<String>,
    /// List what would be polled, without polling
    #[arg(long)]
    pub dry_run: bool,
    /// Exit 3 when a polled record is offline, error, missing or unreachable (so cron mails someone)
    #[arg(long)]
    pub fail_on_down: bool,
    /// After the pass, delete raw checks older than this many days (as `prune` does)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_days: Option<u32>,
    /// Alert only after N consecutive failed checks [default: 1, or `config set failure-threshold`]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub failure_threshold: Option<u32>,
    /// Report a recovery only after N consecutive good checks [default: 1]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub success_threshold: Option<u32>,
    /// Re-send the alert while a record stays down: 6h, 1d
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub remind_every: Option<std::time::Duration>,
    /// Limit for one run of the change hook (it is killed then, with what it started)
    #[arg(long, default_value = defaults::HOOK_TIMEOUT, value_name = "DURATION", value_parser = parse_duration)]
    pub hook_timeout: std::time::Duration,
    /// Run this command (no shell) once per status change, with the event as JSON on stdin
    /// and in WEBHOST_* variables [default: `config set on-change`]. Put it last.
    #[arg(long, num_args = 1.., allow_hyphen_values = true, value_name = "CMD")]
    pub on_change: Option<Vec<String>>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Store a setting: on-change CMD [ARGS...], failure-threshold N, success-threshold N,
    /// remind-every DURATION, hook-batch N, connectivity-check HOST:PORT..., ca-file PEM
    ///
    /// on-change is checked as it will be run: a path must be an executable file, a bare name
    /// one found on PATH (cron's PATH is short: a full path is safer).
    #[command(after_help = examples_help("config set"))]
    Set {
        #[arg(value_enum)]
        key: ConfigKey,
        /// The value (for on-change: the command and its arguments)
        #[arg(required = true, num_args = 1.., allow_hyphen_values = true, value_name = "VALUE")]
        value: Vec<String>,
    },
    /// Print one setting
    Get {
        #[arg(value_enum)]
        key: ConfigKey,
    },
    /// Remove a setting
    Unset {
        #[arg(value_enum)]
        key: ConfigKey,
    },
    /// Print every setting
    List,
}

/// Filters and layout of `modules`. Filters combine: every one given must match.
#[derive(Debug, Args)]
pub struct ModulesArgs {
    /// Only this module: its class name or the name without "mod", any case (modSubtotal, subtotal)
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Only modules that are switched on
    #[arg(long)]
    pub active: bool,
    /// Only modules older than this version, compared number by number (3.21.0 < 3.24.1, 1.2 < 1.10)
    ///
    /// Core modules (version "dolibarr") are compared using their instance's Dolibarr version.
    /// Modules whose version is "experimental", "development" or unknown never match.
    #[arg(long, value_name = "VERSION")]
    pub version_below: Option<Version>,
    /// Only modules of this instance (repeatable)
    #[arg(long = "instance", value_name = "REF")]
    pub instances: Vec<String>,
    /// One row per instance and module (instance, module, version, active, source)
    #[arg(long)]
    pub flat: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Subcommand)]
pub enum HostCommand {
    /// Add a host
    #[command(after_help = examples_help("host add"))]
    Add(HostAdd),
    /// List hosts
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Show every field of one host: settings, state, disk, certificate
    Show(ShowArgs),
    /// Change a host's settings
    Edit(HostEdit),
    /// Delete a host and its history (and, with --cascade, its instances)
    #[command(visible_alias = "rm")]
    Remove(HostRemove),
    /// Turn monitoring on for a host
    Enable(RefArg),
    /// Turn monitoring off for a host (it keeps its history)
    Disable(RefArg),
}

#[derive(Debug, Subcommand)]
pub enum InstanceCommand {
    /// Add an instance
    #[command(after_help = examples_help("instance add"))]
    Add(InstanceAdd),
    /// List instances
    #[command(visible_alias = "ls")]
    List(InstanceList),
    /// Show every field of one instance, with its modules
    Show(ShowArgs),
    /// Change an instance's settings
    Edit(InstanceEdit),
    /// Delete an instance and its history
    ///
    /// An instance its host's server lists (one discovery created, or one on a
    /// server-manager-v1 host) leaves its name behind, so that update-hosts does not create it
    /// again while the server lists it; --forget leaves nothing, and clears what an earlier
    /// remove left. To stop checking an instance but keep it, `disable` it instead.
    #[command(visible_alias = "rm", after_help = examples_help("instance remove"))]
    Remove(InstanceRemove),
    /// Turn monitoring on for an instance
    Enable(RefArg),
    /// Turn monitoring off for an instance (it keeps its history)
    Disable(RefArg),
}

#[derive(Debug, Subcommand)]
pub enum MaintenanceCommand {
    /// Add a window: one-off (--from, --until or --for) or recurring (--every, --for)
    ///
    /// Times are local (TZ), as `2027-03-28 02:00`, or RFC 3339 with an offset, or `now`; they
    /// are stored in UTC. A recurring window keeps the time zone it was added in: "sun 02:00"
    /// is 02:00 on the wall clock in summer and in winter (a start in the hour skipped in
    /// spring is 03:00; in the hour repeated in autumn, the first 02:00).
    #[command(after_help = examples_help("maintenance add"))]
    Add(MaintenanceAdd),
    /// The windows: what each covers, when, and whether it is in force now
    List,
    /// Remove a window by its id (as `list` shows it)
    #[command(visible_alias = "rm")]
    Remove {
        #[arg(value_name = "ID")]
        id: i64,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["refs", "host", "all"])))]
#[command(group(clap::ArgGroup::new("when").required(true).args(["from", "until", "duration", "every"]).multiple(true)))]
pub struct MaintenanceAdd {
    /// These hosts or instances (a host's window covers its instances)
    #[arg(long = "ref", value_name = "REF", num_args = 1..)]
    pub refs: Vec<String>,
    /// This host and every instance on it
    #[arg(long, value_name = "REF")]
    pub host: Option<String>,
    /// Every record
    #[arg(long)]
    pub all: bool,
    /// Start, local time: `2027-03-28 02:00` [default: now]
    #[arg(long, value_name = "TIME", conflicts_with = "every")]
    pub from: Option<String>,
    /// End, local time (or give --for)
    #[arg(long, value_name = "TIME", conflicts_with_all = ["duration", "every"])]
    pub until: Option<String>,
    /// How long it lasts: 2h, 30m
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<std::time::Duration>,
    /// Recurring: `DAY HH:MM` local, DAY one of mon tue wed thu fri sat sun, or daily
    /// ("sun 02:00", "daily 23:30"); needs --for
    #[arg(long, value_name = "WHEN", requires = "duration")]
    pub every: Option<String>,
    /// Why: shown by `list` and `check`
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

/// Where the API token comes from. At most one; `--token-stdin` keeps it out of `ps` and history.
#[derive(Debug, Default, Args)]
#[group(multiple = false)]
pub struct TokenArgs {
    /// Read the API token from standard input (first line)
    #[arg(long)]
    pub token_stdin: bool,
    /// Read the API token from a file (first line)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The API token itself (visible to other users in `ps`; prefer --token-stdin)
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct HostAdd {
    /// Unique name of the host: letters, digits, '.', '_', '-'
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Monitoring API the host speaks
    #[arg(long, value_enum)]
    pub api: HostApi,
    /// URL of the monitoring script (http or https)
    #[arg(long)]
    pub url: String,
    #[command(flatten)]
    pub token: TokenArgs,
    /// Free text shown beside the ref
    #[arg(long)]
    pub label: Option<String>,
    /// For --api custom: the probe program and its arguments (run without a shell; put last)
    #[arg(long, num_args = 1.., allow_hyphen_values = true, value_name = "CMD")]
    pub probe: Option<Vec<String>>,
    /// Add it with monitoring off
    #[arg(long)]
    pub disabled: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    #[command(flatten)]
    pub assert: AssertArgs,
}

#[derive(Debug, Args)]
pub struct InstanceAdd {
    /// Unique name of the instance: letters, digits, '.', '_', '-'
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Monitoring API the instance speaks
    #[arg(long, value_enum)]
    pub api: ApiKind,
    /// URL to check (not for server-manager-v1, which uses its host's URL)
    #[arg(long)]
    pub url: Option<String>,
    #[command(flatten)]
    pub token: TokenArgs,
    /// Host the instance lives on (required for server-manager-v1)
    #[arg(long, value_name = "HOSTREF")]
    pub host: Option<String>,
    /// The instance's folder name on its server [default: the ref]
    #[arg(long, value_name = "NAME")]
    pub remote_name: Option<String>,
    /// Fed by WebObserver's pushes (server-observer-v1): passes check only that one came
    /// within --push-grace
    #[arg(long, overrides_with = "no_push")]
    pub push: bool,
    /// Fetched by passes again (pushes are still taken)
    #[arg(long, overrides_with = "push")]
    pub no_push: bool,
    /// With --push: offline after this long without a push [default: 5m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub push_grace: Option<std::time::Duration>,
    /// Free text shown beside the ref
    #[arg(long)]
    pub label: Option<String>,
    /// For --api custom: the probe program and its arguments (run without a shell; put last)
    #[arg(long, num_args = 1.., allow_hyphen_values = true, value_name = "CMD")]
    pub probe: Option<Vec<String>>,
    /// Add it with monitoring off
    #[arg(long)]
    pub disabled: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    #[command(flatten)]
    pub assert: AssertArgs,
}

/// Whether a record accepts an invalid TLS certificate: the same options on add and edit.
/// `--insecure-tls` alone is `--insecure-tls true`, which edit has always taken.
#[derive(Debug, Default, Args)]
pub struct TlsArgs {
    /// Accept an invalid TLS certificate (self-signed, expired, for another name) for this
    /// record only
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", overrides_with = "no_insecure_tls")]
    pub insecure_tls: Option<bool>,
    /// Refuse an invalid TLS certificate (the default), as --insecure-tls false does
    #[arg(long, overrides_with = "insecure_tls")]
    pub no_insecure_tls: bool,
    /// Trust the CA certificates of this PEM file too, besides the machine's (an internal CA);
    /// read now to check it, and at each pass
    #[arg(long, value_name = "PEM", overrides_with = "no_ca_file")]
    pub ca_file: Option<PathBuf>,
    /// Trust only the machine's CA certificates (and the ca-file setting): forget --ca-file
    #[arg(long, overrides_with = "ca_file")]
    pub no_ca_file: bool,
}

impl TlsArgs {
    /// What was asked: None when neither option was given.
    pub fn choice(&self) -> Option<bool> {
        match self.no_insecure_tls {
            true => Some(false),
            false => self.insecure_tls,
        }
    }

    /// The CA file asked for: None when neither option was given, Some(None) to forget it.
    pub fn ca_file_choice(&self) -> Option<Option<PathBuf>> {
        match self.no_ca_file {
            true => Some(None),
            false => self.ca_file.clone().map(Some),
        }
    }
}

/// A record's own health thresholds, on add and edit alike; `default` means the default's.
#[derive(Debug, Default, Args)]
pub struct ThresholdArgs {
    /// Disk warning threshold: a share of the partition (85%) or an amount used (5G), at most
    /// --disk-crit; `default` is 80%
    #[arg(long, value_name = "LIMIT", value_parser = parse_limit::<Threshold>)]
    pub disk_warn: Option<Limit<Threshold>>,
    /// Disk critical threshold, like --disk-warn; `default` is 90%
    #[arg(long, value_name = "LIMIT", value_parser = parse_limit::<Threshold>)]
    pub disk_crit: Option<Limit<Threshold>>,
    /// Warn when the TLS certificate expires within this many days, at least
    /// --cert-crit-days; `default` is 21
    #[arg(long, value_name = "DAYS", value_parser = parse_limit::<i64>)]
    pub cert_warn_days: Option<Limit<i64>>,
    /// Critical when the TLS certificate expires within this many days; `default` is 7
    #[arg(long, value_name = "DAYS", value_parser = parse_limit::<i64>)]
    pub cert_crit_days: Option<Limit<i64>>,
}

/// Settings both record types can change.
#[derive(Debug, Args)]
pub struct CommonEdit {
    /// New ref
    #[arg(long, value_name = "REF")]
    pub rename: Option<String>,
    /// New monitoring URL
    #[arg(long)]
    pub url: Option<String>,
    #[command(flatten)]
    pub token: TokenArgs,
    /// Remove the stored token
    #[arg(long, conflicts_with_all = ["token_stdin", "token_file", "token"])]
    pub clear_token: bool,
    /// New label (empty text removes it)
    #[arg(long)]
    pub label: Option<String>,
    /// New custom probe command and arguments (put last)
    #[arg(long, num_args = 1.., allow_hyphen_values = true, value_name = "CMD")]
    pub probe: Option<Vec<String>>,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    #[command(flatten)]
    pub assert: AssertArgs,
}

/// What a record's check asserts beyond "it answered", on add and edit alike.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Assertions")]
pub struct AssertArgs {
    /// Online only on these HTTP statuses, e.g. 200,301 (`any`: any 2xx or 3xx, the default)
    #[arg(long, value_name = "CODES", value_parser = parse_statuses)]
    pub expect_status: Option<Statuses>,
    /// The page must match this regular expression (e.g. a word of the real page)
    #[arg(long, value_name = "REGEX", conflicts_with = "no_expect_body")]
    pub expect_body: Option<String>,
    /// Forget --expect-body
    #[arg(long)]
    pub no_expect_body: bool,
    /// The page must not match this regular expression (a maintenance page, a PHP fatal error)
    #[arg(long, value_name = "REGEX", conflicts_with = "no_reject_body")]
    pub reject_body: Option<String>,
    /// Forget --reject-body
    #[arg(long)]
    pub no_reject_body: bool,
    /// Slower answers make the health warning (the record stays online); `default`: no limit
    #[arg(long, value_name = "DURATION", value_parser = parse_limit_duration)]
    pub max_response: Option<Limit<u64>>,
    /// ping: the request method (GET, HEAD, OPTIONS, DELETE) [default: GET]
    #[arg(long, value_name = "METHOD", value_parser = parse_method)]
    pub method: Option<String>,
    /// ping: an extra request header, 'Name: value' (repeatable; replaces the stored ones)
    #[arg(long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// ping: forget the extra headers
    #[arg(long, conflicts_with = "headers")]
    pub no_headers: bool,
}

impl AssertArgs {
    pub fn patch(&self) -> crate::domain::assertion::Patch {
        let toggle = |value: &Option<String>, forget: bool| match (value, forget) {
            (_, true) => Some(None),
            (Some(v), false) => Some(Some(v.clone())),
            (None, false) => None,
        };
        crate::domain::assertion::Patch {
            expect_status: self.expect_status.clone().map(|s| s.0),
            expect_body: toggle(&self.expect_body, self.no_expect_body),
            reject_body: toggle(&self.reject_body, self.no_reject_body),
            max_response_ms: self.max_response.map(Limit::into_option),
            method: self.method.clone().map(Some),
            headers: match (self.no_headers, self.headers.is_empty()) {
                (true, _) => Some(Vec::new()),
                (false, false) => Some(self.headers.clone()),
                (false, true) => None,
            },
        }
    }
}

/// `--expect-status`'s list, one value on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statuses(pub Vec<u16>);

fn parse_statuses(text: &str) -> Result<Statuses, String> {
    if text == "any" {
        return Ok(Statuses(Vec::new()));
    }
    text.split(',')
        .map(|c| {
            c.trim()
                .parse::<u16>()
                .ok()
                .filter(|c| (100..=599).contains(c))
                .ok_or_else(|| format!("'{c}' is not an HTTP status (100 to 599), e.g. 200,301"))
        })
        .collect::<Result<_, _>>()
        .map(Statuses)
}

fn parse_limit_duration(text: &str) -> Result<Limit<u64>, String> {
    match text {
        "default" => Ok(Limit::Default),
        _ => parse_duration(text)
            .map(|d| Limit::Set(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))),
    }
}

fn parse_method(text: &str) -> Result<String, String> {
    let upper = text.to_ascii_uppercase();
    match crate::domain::assertion::METHODS.contains(&upper.as_str()) {
        true => Ok(upper),
        false => Err(format!(
            "one of {} (a ping sends no body)",
            crate::domain::assertion::METHODS.join(", ")
        )),
    }
}

/// A per-record override, or `default` to drop the override.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit<T> {
    Default,
    Set(T),
}

impl<T> Limit<T> {
    pub fn into_option(self) -> Option<T> {
        match self {
            Limit::Default => None,
            Limit::Set(v) => Some(v),
        }
    }
}

fn parse_limit<T: std::str::FromStr>(s: &str) -> Result<Limit<T>, String>
where
    T::Err: std::fmt::Display,
{
    if s.eq_ignore_ascii_case("default") {
        return Ok(Limit::Default);
    }
    s.parse::<T>().map(Limit::Set).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct HostEdit {
    /// The host to change
    #[arg(value_name = "REF")]
    pub reference: String,
    /// New monitoring API kind
    #[arg(long, value_enum)]
    pub api: Option<HostApi>,
    #[command(flatten)]
    pub common: CommonEdit,
}

#[derive(Debug, Args)]
pub struct InstanceEdit {
    /// The instance to change
    #[arg(value_name = "REF")]
    pub reference: String,
    /// New monitoring API kind
    #[arg(long, value_enum)]
    pub api: Option<ApiKind>,
    #[command(flatten)]
    pub common: CommonEdit,
    /// Move it to this host
    #[arg(long, value_name = "HOSTREF", conflicts_with = "no_host")]
    pub host: Option<String>,
    /// Detach it from its host
    #[arg(long)]
    pub no_host: bool,
    /// New folder name on its server
    #[arg(long, value_name = "NAME")]
    pub remote_name: Option<String>,
    /// Fed by WebObserver's pushes (server-observer-v1): passes check only that one came
    /// within --push-grace
    #[arg(long, overrides_with = "no_push")]
    pub push: bool,
    /// Fetched by passes again (pushes are still taken)
    #[arg(long, overrides_with = "push")]
    pub no_push: bool,
    /// With --push: offline after this long without a push [default: 5m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub push_grace: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct InstanceList {
    /// Only the instances on this host
    #[arg(long, value_name = "HOSTREF")]
    pub host: Option<String>,
    #[command(flatten)]
    pub list: ListArgs,
}

/// The filters and columns both `list` commands take.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only records with this status
    #[arg(long, value_enum)]
    pub status: Option<Status>,
    /// Only records with monitoring on
    #[arg(long, conflicts_with = "disabled")]
    pub enabled: bool,
    /// Only records with monitoring off
    #[arg(long)]
    pub disabled: bool,
    /// Only records with this health
    #[arg(long, value_enum)]
    pub health: Option<Health>,
    /// Add uptime over 24 h, 7 d and 30 d (reads the history: slower on big fleets)
    #[arg(long)]
    pub uptime: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Its ref, as `list` shows it
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Show the API token too (it is hidden otherwise, in tables and in JSON)
    #[arg(long)]
    pub show_token: bool,
}

#[derive(Debug, Args)]
pub struct HostRemove {
    /// The host to delete
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Also delete the instances that belong to it
    #[arg(long)]
    pub cascade: bool,
}

#[derive(Debug, Args)]
pub struct InstanceRemove {
    /// The instance to delete (with --forget, also one removed before)
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Leave nothing behind, so that update-hosts adds it again while its server lists it
    #[arg(long)]
    pub forget: bool,
}

#[derive(Debug, Args)]
pub struct RefArg {
    /// Its ref, as `list` shows it
    #[arg(value_name = "REF")]
    pub reference: String,
}

// ---- Domain values as the command line names them ------------------------------------------

/// An API kind a host may speak (`validate::HOST_KINDS`): `host add --api` offers only those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostApi(pub ApiKind);

const HOST_APIS: [HostApi; 3] = [
    HostApi(HOST_KINDS[0]),
    HostApi(HOST_KINDS[1]),
    HostApi(HOST_KINDS[2]),
];

impl ValueEnum for HostApi {
    fn value_variants<'a>() -> &'a [Self] {
        &HOST_APIS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        self.0.to_possible_value()
    }
}

impl ValueEnum for ApiKind {
    fn value_variants<'a>() -> &'a [Self] {
        &ApiKind::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            ApiKind::Ping => {
                "A plain GET of any site: online status, HTTP status, response time (instances only)"
            }
            ApiKind::ServerObserverV1 => "Dolibarr's ServerObserver / WebObserver script",
            ApiKind::ServerManagerV1 => {
                "The server-manager script: a host lists its instances; an instance is asked through its host"
            }
            ApiKind::Custom => "Your own probe: an external command speaking JSON",
        };
        Some(PossibleValue::new(self.as_str()).help(help))
    }
}

impl ValueEnum for Status {
    fn value_variants<'a>() -> &'a [Self] {
        &Status::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Status::Unknown => "Never checked",
            Status::Online => "Answered with a usable document",
            Status::Offline => {
                "No usable answer: refused, DNS, timeout, TLS, 5xx (and for ping any non 2xx/3xx)"
            }
            Status::Error => {
                "Answered, but the monitoring API is unusable: auth rejected, not JSON, wrong shape"
            }
            Status::Missing => "A discovered instance its server no longer lists",
            Status::Unreachable => "An instance that failed while its host was offline or in error",
        };
        Some(PossibleValue::new(self.as_str()).help(help))
    }
}

impl ValueEnum for Health {
    fn value_variants<'a>() -> &'a [Self] {
        &Health::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

impl ValueEnum for ConfigKey {
    fn value_variants<'a>() -> &'a [Self] {
        &ConfigKey::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[Format::Json, Format::Csv, Format::Toml]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Format::Json => PossibleValue::new("json").help("A JSON array of objects"),
            Format::Csv => PossibleValue::new("csv").help("A header row, then one row per record"),
            Format::Toml => PossibleValue::new("toml")
                .help("A fleet file ([[host]] and [[instance]] tables) to edit and import --sync"),
        })
    }
}

impl ValueEnum for Lang {
    fn value_variants<'a>() -> &'a [Self] {
        &Lang::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

impl ValueEnum for ColorChoice {
    fn value_variants<'a>() -> &'a [Self] {
        &ColorChoice::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            ColorChoice::Auto => "auto",
            ColorChoice::Always => "always",
            ColorChoice::Never => "never",
        }))
    }
}

// ---- Examples ---------------------------------------------------------------------------------

/// One example: what it does, then the command line (continued with `\` and an indent).
type Example = (&'static str, &'static str);

/// The examples `--help` ends with and the man pages show, by command path. A test runs every
/// `webhost` command of them through this definition, so they stay real command lines.
pub const EXAMPLES: &[(&str, &[Example])] = &[
    (
        "host add",
        &[
            (
                "A server-manager server; the token from stdin, out of `ps` and history",
                "echo 's3cr3t-T0ken' | webhost host add srv1 --api server-manager-v1 \\\n    \
                 --url https://srv1.example-hosting.fr/manager/index.php \\\n    \
                 --token-stdin --label \"Main server\"",
            ),
            (
                "A ServerObserver server, its token in a file, warning at 85% of its disk",
                "webhost host add srv2 --api server-observer-v1 \\\n    \
                 --url https://srv2.example-hosting.fr/serverobserver/check.php \\\n    \
                 --token-file /etc/webhost/srv2.token --disk-warn 85% --disk-crit 95%",
            ),
            (
                "A server checked by your own probe (no shell; --probe goes last)",
                "webhost host add lab --api custom --url https://lab.example.com/ \\\n    \
                 --probe /usr/local/lib/webhost/probe-lab --quick",
            ),
        ],
    ),
    (
        "instance add",
        &[
            (
                "A Dolibarr instance on a server-manager host, asked through its host",
                "webhost instance add garage-lefebvre --api server-manager-v1 --host srv1",
            ),
            (
                "Any website: a plain GET (no token)",
                "webhost instance add shop --api ping --url https://shop.example.com/",
            ),
            (
                "A Dolibarr instance with its own WebObserver script",
                "webhost instance add martin --api server-observer-v1 \\\n    \
                 --url https://erp.martin.fr/custom/webobserver/public/get-data.php \\\n    \
                 --token-file /etc/webhost/martin.token",
            ),
            (
                "A self-signed certificate, critical 3 days before it expires",
                "webhost instance add intranet --api ping --url https://intranet.lan/ \\\n    \
                 --insecure-tls --cert-warn-days 14 --cert-crit-days 3",
            ),
        ],
    ),
    (
        "instance remove",
        &[
            (
                "Delete an instance and its history",
                "webhost instance remove shop",
            ),
            (
                "Let update-hosts add a removed instance again (its server lists it)",
                "webhost instance remove garage-lefebvre --forget",
            ),
            (
                "Stop checking an instance, but keep its record and history",
                "webhost instance disable garage-lefebvre",
            ),
        ],
    ),
    (
        "update-hosts",
        &[
            (
                "From cron: poll every host, discover new instances, print only errors",
                "webhost -q update-hosts",
            ),
            (
                "See which hosts would be polled",
                "webhost update-hosts --dry-run",
            ),
            (
                "Poll one host now, allowing it 30 seconds",
                "webhost update-hosts --ref srv1 --timeout 30s",
            ),
        ],
    ),
    (
        "update-instances",
        &[
            (
                "From cron: poll every instance and keep 90 days of raw checks",
                "webhost -q update-instances --keep-days 90",
            ),
            (
                "Exit 3 when a record is down (cron mails it); run a hook on each change",
                "webhost -q update-instances --fail-on-down \\\n    \
                 --on-change /usr/local/bin/notify-mail.sh",
            ),
            (
                "A big fleet: 64 checks at once, each given 5 seconds",
                "webhost update-instances --jobs 64 --timeout 5s",
            ),
            (
                "Poll two instances now",
                "webhost update-instances --ref shop --ref martin",
            ),
        ],
    ),
    (
        "status",
        &[
            ("The fleet at a glance", "webhost status"),
            (
                "Passes run hourly: stale after 2 hours; list 10 certificates",
                "webhost status --stale 2h --certs 10",
            ),
            ("The same as JSON, for a script", "webhost --json status"),
        ],
    ),
    (
        "maintenance add",
        &[
            (
                "Work on one host tonight: it and its instances raise no alert",
                "webhost maintenance add --host srv1 --from '2027-03-27 22:00' --for 3h",
            ),
            (
                "Every Sunday at 02:00 local time, for 2 hours, the whole fleet",
                "webhost maintenance add --all --every 'sun 02:00' --for 2h --reason backups",
            ),
        ],
    ),
    (
        "check",
        &[
            (
                "A Nagios service: UNKNOWN when the last check is over 15 minutes old",
                "webhost check shop --max-age 15m",
            ),
            (
                "Probe a host now instead (nothing is stored)",
                "webhost check srv1 --host --live --timeout 5s",
            ),
        ],
    ),
    (
        "report",
        &[
            (
                "The status page for the last 7 days",
                "webhost report --html /var/www/status/index.html",
            ),
            (
                "For customers: 30 days, without URLs, folders, messages, versions or disks",
                "webhost report --html /var/www/status/public.html --since 30d --public",
            ),
            (
                "One customer's page: their instance only, with its Dolibarr version",
                "webhost report --html garage.html --public --only garage --with-versions",
            ),
            (
                "One host and its instances",
                "webhost report --html srv1.html --public --host srv1",
            ),
            (
                "A customer's page in French",
                "webhost report --html garage.html --public --only garage --lang fr",
            ),
        ],
    ),
    (
        "sla",
        &[
            (
                "Every record's November against 99.9 %",
                "webhost sla --month 2026-11",
            ),
            (
                "One customer's statement page, in French",
                "webhost sla --month 2026-11 --host srv1 --html srv1-2026-11.html --lang fr",
            ),
            (
                "For a spreadsheet, against 99.5 %",
                "webhost sla --month 2026-11 --target 99.5 --csv > sla-2026-11.csv",
            ),
        ],
    ),
    (
        "receive",
        &[
            (
                "What a CGI wrapper runs (examples/webhost-receive.cgi)",
                "webhost --db /var/lib/webhost/webhost.db receive",
            ),
            (
                "By hand: REQUEST_METHOD, QUERY_STRING, CONTENT_LENGTH set",
                "webhost receive < push.json",
            ),
        ],
    ),
    (
        "serve",
        &[(
            "On loopback, behind nginx or Apache with TLS (webhost-serve.service)",
            "webhost serve --listen 127.0.0.1:8787",
        )],
    ),
    (
        "import",
        &[
            (
                "See what a file would create and update (and which fields change)",
                "webhost import --dry-run fleet.csv",
            ),
            ("Apply it, all or nothing", "webhost import fleet.csv"),
            (
                "The fleet as code: the file is the whole truth (examples/fleet.toml)",
                "webhost import --sync --dry-run fleet.toml",
            ),
            (
                "Copy a fleet, tokens included, from another machine",
                "ssh old-server webhost export --with-tokens | webhost import -",
            ),
        ],
    ),
    (
        "migrate",
        &[(
            "The fleet's SQLite file into a server the pollers will share",
            "webhost migrate --from sqlite:/var/lib/webhost/webhost.db \\\n    --to postgres://webhost@db.example/webhost",
        )],
    ),
    (
        "config set",
        &[
            (
                "Run a command on each status change, the event as JSON on its stdin",
                "webhost config set on-change /usr/local/bin/notify-mail.sh",
            ),
            (
                "Alert after 2 failed passes in a row; remind every 6 hours",
                "webhost config set failure-threshold 2\nwebhost config set remind-every 6h",
            ),
            (
                "Hosts this machine always reaches: its own outage is not the fleet's",
                "webhost config set connectivity-check 9.9.9.9:53 gateway.example:443",
            ),
        ],
    ),
];

/// The examples of the command at `path`.
fn examples_of(path: &str) -> &'static [Example] {
    EXAMPLES
        .iter()
        .find(|(p, _)| *p == path)
        .map_or(&[][..], |(_, examples)| examples)
}

/// The `Examples:` text `--help` ends with, cargo's way: each one's purpose as a comment over
/// its command, indented.
fn examples_help(path: &str) -> String {
    let mut text = String::from("Examples:");
    for (what, line) in examples_of(path) {
        text.push_str(&format!("\n  # {what}\n  {}\n", line.replace('\n', "\n  ")));
    }
    text.trim_end().to_string()
}

// ---- What the definition generates -----------------------------------------------------------

/// The completion script for `shell`, as committed in `completions/`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut cmd = Cli::command();
    let gen_shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(gen_shell, &mut cmd, "webhost", &mut buf);
    buf
}

/// The man page in roff, as committed in `man/webhost.1`.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let root = man_root();
    root_page(&root)
}

/// Every man page, `webhost.1` first, then one for each subcommand at every level, named as
/// git's and cargo's are: `webhost-host-add.1` for `webhost host add`. `man/` holds them all.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let root = man_root();
    let mut pages = vec![(page_file(&root), root_page(&root)?)];
    for cmd in visible_subcommands(&root) {
        add_subcommand_pages(&root, &mut Vec::new(), cmd, &mut pages)?;
    }
    Ok(pages)
}

/// The page of `cmd`, then those of its subcommands, depth first in the definition's order.
/// `parents` are the groups above it, the root left out.
fn add_subcommand_pages<'a>(
    root: &'a clap::Command,
    parents: &mut Vec<&'a clap::Command>,
    cmd: &'a clap::Command,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> std::io::Result<()> {
    pages.push((page_file(cmd), subcommand_page(root, parents, cmd)?));
    parents.push(cmd);
    for sub in visible_subcommands(cmd) {
        add_subcommand_pages(root, parents, sub, pages)?;
    }
    parents.pop();
    Ok(())
}

/// Writes every page of `man_pages` into `dir` (created if need be), each atomically, mode 0644.
pub fn write_man_pages(dir: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context as _;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, page) in man_pages()? {
        crate::output::atomic::write(&dir.join(name), &page)?;
    }
    Ok(())
}

/// The definition as the pages describe it, built so that every subcommand knows its full
/// name (`webhost host add`) and page name (`webhost-host-add`). Without clap's `help`
/// subcommands: they would be listed as pages that do not exist.
fn man_root() -> clap::Command {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    root
}

fn visible_subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|c| !c.is_hide_set())
}

/// `webhost-host-add`, as clap names a built subcommand for display.
fn page_name(cmd: &clap::Command) -> &str {
    cmd.get_display_name().unwrap_or_else(|| cmd.get_name())
}

fn page_file(cmd: &clap::Command) -> String {
    format!("{}.1", page_name(cmd))
}

/// The footer's source: the program and its version, the same on every page.
fn page_source(root: &clap::Command) -> String {
    format!(
        "{} {}",
        root.get_name(),
        root.get_version().unwrap_or_default()
    )
}

/// webhost(1): clap_mangen's sections, then the exit codes, environment, files and examples
/// (instead of the exit codes as `--help` wraps them, which roff would fill into one
/// paragraph), then the version.
fn root_page(root: &clap::Command) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(root.clone());
    let mut page = Page::default();
    page.add(|w| man.render_title(w))?;
    page.add(|w| man.render_name_section(w))?;
    page.add(|w| man.render_synopsis_section(w))?;
    page.add(|w| man.render_description_section(w))?;
    page.add(|w| man.render_options_section(w))?;
    page.add(|w| man.render_subcommands_section(w))?;
    page.roff(&exit_status_section())?;
    page.roff(&environment_section())?;
    page.roff(&files_section())?;
    page.roff(&examples_section())?;
    page.add(|w| man.render_version_section(w))?;
    Ok(page.bytes)
}

/// The page of `cmd`, below the groups `parents` (the root left out).
fn subcommand_page(
    root: &clap::Command,
    parents: &[&clap::Command],
    cmd: &clap::Command,
) -> std::io::Result<Vec<u8>> {
    // The global options are webhost(1)'s: one sentence names them instead of every page
    // repeating their descriptions.
    let own = cmd
        .clone()
        .mut_args(|a| if a.is_global_set() { a.hide(true) } else { a });
    let man = clap_mangen::Man::new(own).source(page_source(root));
    let mut page = Page::default();
    page.add(|w| man.render_title(w))?;
    page.add(|w| man.render_name_section(w))?;
    page.add(|w| man.render_synopsis_section(w))?;
    page.add(|w| man.render_description_section(w))?;
    page.add(|w| man.render_options_section(w))?;
    page.roff(&global_options_note(root))?;
    if visible_subcommands(cmd).next().is_some() {
        page.add(|w| man.render_subcommands_section(w))?;
    }
    let path: Vec<&str> = parents
        .iter()
        .map(|p| p.get_name())
        .chain([cmd.get_name()])
        .collect();
    let examples = examples_of(&path.join(" "));
    if !examples.is_empty() {
        page.roff(&subcommand_examples_section(examples))?;
    } else if cmd.get_after_long_help().is_some() || cmd.get_after_help().is_some() {
        page.add(|w| man.render_extra_section(w))?;
    }
    page.roff(&see_also_section(root, parents, cmd))?;
    Ok(page.bytes)
}

/// A page put together from sections. Every piece clap_mangen or roff renders starts with
/// the same preamble (it defines the apostrophe), which a page needs once.
#[derive(Default)]
struct Page {
    bytes: Vec<u8>,
}

impl Page {
    fn add(
        &mut self,
        render: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut piece = Vec::new();
        render(&mut piece)?;
        let preamble = clap_mangen::roff::Roff::new().render();
        let body = match self.bytes.is_empty() {
            true => &piece[..],
            false => piece.strip_prefix(preamble.as_bytes()).unwrap_or(&piece),
        };
        self.bytes.extend_from_slice(body);
        Ok(())
    }

    fn roff(&mut self, roff: &clap_mangen::roff::Roff) -> std::io::Result<()> {
        self.add(|w| roff.to_writer(w))
    }
}

/// `text` in roman, its `code` spans in bold, as the exit table writes option names.
fn with_code(text: &str) -> Vec<clap_mangen::roff::Inline> {
    use clap_mangen::roff::{bold, roman};
    text.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| if i % 2 == 1 { bold(part) } else { roman(part) })
        .collect()
}

/// One `.TP` item: `term` over `text`, their `code` spans in bold.
fn item(roff: &mut clap_mangen::roff::Roff, term: &str, text: &str) {
    roff.control("TP", []);
    roff.text(with_code(term));
    roff.text(with_code(text));
}

/// EXIT STATUS from `exit::TABLE` and `exit::PLUGIN`, the table `--help` ends with.
fn exit_status_section() -> clap_mangen::roff::Roff {
    let mut roff = clap_mangen::roff::Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (exit, meaning) in exit::TABLE {
        item(&mut roff, &format!("`{}`", exit.code()), meaning);
    }
    roff.control("PP", []);
    roff.text(with_code(exit::PLUGIN));
    roff
}

fn environment_section() -> clap_mangen::roff::Roff {
    let mut roff = clap_mangen::roff::Roff::new();
    roff.control("SH", ["ENVIRONMENT"]);
    // Paths broken at a hyphen, or stretched apart to fill lines, are hard to read; FILES
    // turns hyphenation and filling both margins back on at its end.
    roff.control("nh", []);
    roff.control("ad", ["l"]);
    for (name, text) in [
        (
            "`WEBHOST_DB`",
            "The database file, as `--db` names it; `--db` wins.",
        ),
        (
            "`WEBHOST_DB_MODE`",
            "The mode, in octal, of a database webhost creates: 0600 unless this says \
             otherwise, e.g. 0640 to let the file's group read it.",
        ),
        (
            "`XDG_DATA_HOME`, `HOME`",
            "Where the database is when neither `--db` nor `WEBHOST_DB` names one: \
             $XDG_DATA_HOME/webhost/webhost.db, else $HOME/.local/share/webhost/webhost.db.",
        ),
        (
            "`NO_COLOR`",
            "Set and not empty: `--color auto` (the default) prints no colours.",
        ),
        (
            "`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`",
            "The HTTP requests of checks go through the proxy named by the first of \
             `ALL_PROXY`, `HTTPS_PROXY` and `HTTP_PROXY` that is set (or their lower-case \
             forms), for http and https URLs alike and as a CONNECT tunnel, except to the \
             hosts `NO_PROXY` lists (comma-separated; `*` for all, `.example.com` for its \
             subdomains). The TLS handshake that reads a certificate's expiry and the \
             connectivity check always connect directly.",
        ),
        (
            &format!("`{}`", crate::clock::ENV),
            "For tests and demos: a Unix time (seconds) that webhost takes as now, for the \
             checks, changes and passes it records and the windows and ages it reads. Request \
             signatures keep the system clock.",
        ),
    ] {
        item(&mut roff, name, text);
    }
    roff
}

fn files_section() -> clap_mangen::roff::Roff {
    use crate::domain::model::RecordType;
    let db = std::path::Path::new("DB");
    let locks: Vec<String> = RecordType::ALL
        .iter()
        .map(|rt| format!("`{}`", crate::poll::lock_path(db, rt.pass_name()).display()))
        .collect();
    let mut roff = clap_mangen::roff::Roff::new();
    roff.control("SH", ["FILES"]);
    item(
        &mut roff,
        "`$XDG_DATA_HOME/webhost/webhost.db` (`~/.local/share/webhost/webhost.db`)",
        "The database (DB below), unless `--db` or `WEBHOST_DB` names another: every record, \
         its checks and state, and the settings of `webhost config`. Created with mode 0600 \
         (see `WEBHOST_DB_MODE`).",
    );
    item(
        &mut roff,
        "`DB-wal`, `DB-shm`",
        "SQLite's write-ahead log and its index, beside the database, with its mode. They hold \
         its latest changes: back it up with `sqlite3 DB \".backup COPY\"` rather than by \
         copying the file. webhost keeps them, so that a user who may read the database (and \
         them) but not write its folder can read it.",
    );
    item(
        &mut roff,
        &locks.join(", "),
        "Locked by a pass, so that two passes of the same kind never run at once on one \
         database (the second exits 75). Empty; the lock ends with the process, even a killed \
         one.",
    );
    item(
        &mut roff,
        "`DB.secrets.db` (`webhost.secrets.db` for `webhost.db`)",
        "Beside the database: the API tokens, always mode 0600, read only by the commands \
         that need them (passes, adding and editing records, `show --show-token`, `export \
         --with-tokens`, `check --live`). Back it up with the database.",
    );
    roff.control("hy", []);
    roff.control("ad", ["b"]);
    roff
}

/// A few of the README's commands.
fn examples_section() -> clap_mangen::roff::Roff {
    let mut roff = clap_mangen::roff::Roff::new();
    roff.control("SH", ["EXAMPLES"]);
    for (what, lines) in [
        (
            "A server running the server-manager script; the token is read from stdin, never \
             from the command line:",
            &[
                "echo 's3cr3t-T0ken' | webhost host add srv1 --api server-manager-v1 \\",
                "    --url https://srv1.example-hosting.fr/manager/index.php \\",
                "    --token-stdin --label \"Main server\"",
            ][..],
        ),
        (
            "A Dolibarr instance on that server, checked through its host's script, and any \
             website, checked with a plain GET:",
            &[
                "webhost instance add garage-lefebvre --api server-manager-v1 --host srv1",
                "webhost instance add shop --api ping --url https://shop.example.com/",
            ][..],
        ),
        (
            "The crontab lines that poll the fleet every five minutes and keep 90 days of raw \
             checks:",
            &[
                "*/5 * * * *  webhost -q update-hosts",
                "*/5 * * * *  webhost -q update-instances --keep-days 90",
            ][..],
        ),
        (
            "The fleet at a glance: counts, what is down, disks, certificates, stale passes:",
            &["webhost status"][..],
        ),
        (
            "A Nagios or Icinga service: UNKNOWN when the last check is older than 15 minutes:",
            &["webhost check shop --max-age 15m"][..],
        ),
        (
            "The status page, for the last 7 days, and the one for customers:",
            &[
                "webhost report --html /var/www/status/index.html",
                "webhost report --html status.html --since 30d --public",
            ][..],
        ),
    ] {
        example(&mut roff, what, lines);
    }
    roff
}

/// EXAMPLES of a subcommand's page: those its `--help` ends with.
fn subcommand_examples_section(examples: &[Example]) -> clap_mangen::roff::Roff {
    let mut roff = clap_mangen::roff::Roff::new();
    roff.control("SH", ["EXAMPLES"]);
    for (what, line) in examples {
        let lines: Vec<&str> = line.lines().collect();
        example(&mut roff, &format!("{what}:"), &lines);
    }
    roff
}

/// One example: what it does, then its lines as they are, indented.
fn example(roff: &mut clap_mangen::roff::Roff, what: &str, lines: &[&str]) {
    use clap_mangen::roff::roman;
    roff.control("PP", []);
    roff.text(with_code(what));
    roff.control("PP", []);
    roff.control("RS", ["4"]);
    roff.control("nf", []);
    for line in lines {
        roff.text([roman(*line)]);
    }
    roff.control("fi", []);
    roff.control("RE", []);
}

/// A subcommand page's note on the options it takes from webhost(1).
fn global_options_note(root: &clap::Command) -> clap_mangen::roff::Roff {
    let names: Vec<String> = root
        .get_arguments()
        .filter(|a| a.is_global_set() && !a.is_hide_set())
        .filter_map(|a| a.get_long())
        .map(|long| format!("`--{long}`"))
        .collect();
    let mut roff = clap_mangen::roff::Roff::new();
    roff.control("PP", []);
    roff.text(with_code(&format!(
        "The global options of `webhost`(1) are taken too: {}.",
        names.join(", ")
    )));
    roff
}

/// Top-level commands a reader of one page is likely to want next, beyond its parent and
/// siblings. A test holds every name to an existing page.
const RELATED: &[(&str, &[&str])] = &[
    ("host", &["instance", "update-hosts"]),
    ("instance", &["host", "update-instances"]),
    ("update-hosts", &["update-instances", "config", "status"]),
    (
        "update-instances",
        &["update-hosts", "config", "prune", "status"],
    ),
    ("modules", &["versions", "changes"]),
    ("versions", &["modules", "changes"]),
    ("status", &["history", "check", "metrics", "report"]),
    ("history", &["status", "changes"]),
    ("changes", &["modules", "versions", "history"]),
    ("prune", &["update-instances", "history"]),
    ("export", &["import"]),
    ("import", &["export"]),
    ("migrate", &["export", "import"]),
    ("check", &["status", "metrics", "maintenance"]),
    ("maintenance", &["check", "status", "report"]),
    ("metrics", &["status", "check", "report"]),
    ("report", &["status", "metrics", "sla"]),
    ("sla", &["report", "history", "prune"]),
    ("receive", &["serve", "update-instances"]),
    ("serve", &["receive", "update-instances"]),
    ("config", &["update-hosts", "update-instances"]),
    ("completions", &["man"]),
    ("man", &["completions"]),
];

/// SEE ALSO: webhost(1), then the parent group and its other subcommands and the same
/// subcommand in the other groups (`host add` for `instance add`), or the related commands.
fn see_also_section<'a>(
    root: &'a clap::Command,
    parents: &[&'a clap::Command],
    cmd: &clap::Command,
) -> clap_mangen::roff::Roff {
    use clap_mangen::roff::{bold, roman};
    let mut pages: Vec<&str> = vec![page_name(root)];
    let mut push = |c: &'a clap::Command| {
        let page = page_name(c);
        if page != page_name(cmd) && !pages.contains(&page) {
            pages.push(page);
        }
    };
    match parents.last() {
        Some(&parent) => {
            push(parent);
            visible_subcommands(parent).for_each(&mut push);
            visible_subcommands(root)
                .filter(|group| group.get_name() != parent.get_name())
                .filter_map(|group| group.find_subcommand(cmd.get_name()))
                .for_each(&mut push);
        }
        None => {
            let related = RELATED.iter().find(|(name, _)| *name == cmd.get_name());
            related
                .into_iter()
                .flat_map(|(_, names)| names.iter())
                .filter_map(|name| root.find_subcommand(name))
                .for_each(&mut push);
        }
    }
    let mut inlines = Vec::new();
    for page in pages {
        if !inlines.is_empty() {
            inlines.push(roman(", "));
        }
        inlines.push(bold(page));
        inlines.push(roman("(1)"));
    }
    let mut roff = clap_mangen::roff::Roff::new();
    roff.control("SH", ["SEE ALSO"]);
    // A page name broken at a hyphen reads as two names; the last section needs no reset.
    roff.control("nh", []);
    roff.control("ad", ["l"]);
    roff.text(inlines);
    roff
}

/// The subcommand the words of `argv` (after the program name) ask for, by the definition:
/// the first word that is not an option or the value of a global option. A usage error has no
/// parsed command line to say it, and `check` must still answer as a Nagios plugin.
pub fn subcommand_named(argv: &[OsString]) -> Option<String> {
    let cmd = Cli::command();
    let takes_value = |long: &str| {
        cmd.get_arguments()
            .find(|a| a.get_long() == Some(long))
            .is_some_and(|a| a.get_action().takes_values())
    };
    let mut words = argv.iter().skip(1).filter_map(|w| w.to_str());
    while let Some(word) = words.next() {
        if let Some(long) = word.strip_prefix("--") {
            if !long.contains('=') && takes_value(long) {
                words.next();
            }
            continue;
        }
        if word.starts_with('-') {
            continue;
        }
        return cmd
            .get_subcommands()
            .find(|c| c.get_name() == word || c.get_all_aliases().any(|a| a == word))
            .map(|c| c.get_name().to_string());
    }
    None
}

fn parse_poller(text: &str) -> Result<String, String> {
    crate::domain::poller::parse_name(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    fn page<'a>(pages: &'a [(String, Vec<u8>)], name: &str) -> &'a str {
        let (_, bytes) = pages
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no page {name}"));
        std::str::from_utf8(bytes).expect("a page is UTF-8")
    }

    #[test]
    fn every_subcommand_has_a_page_named_by_its_path() {
        fn paths(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
            for sub in cmd.get_subcommands() {
                let name = format!("{prefix}-{}", sub.get_name());
                out.push(format!("{name}.1"));
                paths(sub, &name, out);
            }
        }
        let mut expected = vec!["webhost.1".to_string()];
        paths(&Cli::command(), "webhost", &mut expected);
        let pages = man_pages().expect("pages render");
        let mut names: Vec<String> = pages.iter().map(|(n, _)| n.clone()).collect();
        assert_eq!(names.first().map(String::as_str), Some("webhost.1"));
        names.sort();
        expected.sort();
        assert_eq!(names, expected);

        let add = page(&pages, "webhost-host-add.1");
        assert!(add.contains(".TH webhost-host-add 1 "), "{add}");
        assert!(
            add.contains("\nwebhost\\-host\\-add \\- Add a host\n"),
            "{add}"
        );
        assert!(
            add.contains(".SH SYNOPSIS\n\\fBwebhost host add\\fR "),
            "{add}"
        );
        let source = format!("\"webhost {}\"", env!("CARGO_PKG_VERSION"));
        assert!(add.contains(&source), "{add}");
        assert_eq!(
            page(&pages, "webhost.1").as_bytes(),
            man_page().expect("page renders")
        );
    }

    /// Every `NAME(1)` a page points to (its subcommands, SEE ALSO) is a page there is.
    #[test]
    fn pages_refer_only_to_pages_that_exist() {
        let pages = man_pages().expect("pages render");
        let names: Vec<&str> = pages
            .iter()
            .filter_map(|(n, _)| n.strip_suffix(".1"))
            .collect();
        for (name, bytes) in &pages {
            let text = String::from_utf8_lossy(bytes)
                .replace("\\fB", "")
                .replace("\\fR", "")
                .replace("\\-", "-");
            let mut refs = 0;
            for (at, _) in text.match_indices("(1)") {
                let word = text[..at]
                    .rsplit(|c: char| c.is_whitespace() || c == ',')
                    .next()
                    .unwrap_or_default();
                if word.starts_with("webhost") {
                    refs += 1;
                    assert!(names.contains(&word), "{name} refers to {word}(1)");
                }
            }
            assert!(refs > 0, "{name} refers to no other page");
        }
    }

    #[test]
    fn related_commands_are_commands() {
        let cmd = Cli::command();
        for (name, related) in RELATED {
            for n in std::iter::once(name).chain(related.iter()) {
                assert!(cmd.find_subcommand(n).is_some(), "RELATED names {n}");
            }
        }
    }

    /// EXIT STATUS is the exit table, one item per code, instead of the text `--help` wraps.
    #[test]
    fn the_root_page_lists_every_exit_code() {
        let pages = man_pages().expect("pages render");
        let root = page(&pages, "webhost.1");
        let status = root
            .split(".SH \"EXIT STATUS\"\n")
            .nth(1)
            .and_then(|s| s.split("\n.SH ").next())
            .expect("an EXIT STATUS section");
        for (exit, _) in exit::TABLE {
            assert!(
                status.contains(&format!(".TP\n\\fB{}\\fR\n", exit.code())),
                "{status}"
            );
        }
        assert!(status.contains("\\fBwebhost check\\fR exits like a Nagios plugin"));
        for section in ["ENVIRONMENT", "FILES", "EXAMPLES"] {
            assert!(root.contains(&format!("\n.SH {section}\n")), "no {section}");
        }
        assert!(!root.contains(".SH EXTRA"));
    }

    #[test]
    fn the_subcommand_of_a_bad_command_line_is_found() {
        let argv = |words: &[&str]| -> Vec<OsString> { words.iter().map(OsString::from).collect() };
        assert_eq!(
            subcommand_named(&argv(&["webhost", "--db", "check", "check", "--bogus"])).as_deref(),
            Some("check")
        );
        assert_eq!(
            subcommand_named(&argv(&["webhost", "--json", "-q", "status", "--x"])).as_deref(),
            Some("status")
        );
        assert_eq!(subcommand_named(&argv(&["webhost", "--db=x"])), None);
    }

    /// The words of the `webhost` commands in an example's shell line: quotes removed,
    /// redirections dropped, pipelines and lists split.
    fn webhost_commands(line: &str) -> Vec<Vec<String>> {
        let mut commands = Vec::new();
        let mut words: Vec<String> = Vec::new();
        let mut word: Option<String> = None;
        let mut quote = None;
        let joined = line.replace("\\\n", " ");
        let mut end_command = |words: &mut Vec<String>| {
            if words.first().map(String::as_str) == Some("webhost") {
                commands.push(std::mem::take(words));
            }
            words.clear();
        };
        for c in joined.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.get_or_insert_default().push(c),
                (None, '\'' | '"') => {
                    quote = Some(c);
                    word.get_or_insert_default();
                }
                (None, ' ' | '\n' | '|' | '&' | ';') => {
                    words.extend(word.take());
                    if c != ' ' {
                        end_command(&mut words);
                    }
                }
                (None, c) => word.get_or_insert_default().push(c),
            }
        }
        assert_eq!(quote, None, "an unclosed quote in {line:?}");
        words.extend(word.take());
        end_command(&mut words);
        for command in &mut commands {
            while let Some(at) = command.iter().position(|w| w == ">" || w == "<") {
                command.drain(at..(at + 2).min(command.len()));
            }
        }
        commands
    }

    #[test]
    fn every_example_is_a_command_line_webhost_takes() {
        let cmd = Cli::command();
        for (path, examples) in EXAMPLES {
            assert!(!examples.is_empty(), "{path}: no examples");
            for (what, line) in *examples {
                let commands = webhost_commands(line);
                assert!(!commands.is_empty(), "{path}: {what}: no webhost command");
                for words in commands {
                    let parsed = cmd.clone().try_get_matches_from(&words);
                    assert!(
                        parsed.is_ok(),
                        "{path}: {words:?}: {}",
                        parsed.map_err(|e| e.to_string()).err().unwrap_or_default()
                    );
                }
            }
        }
    }

    /// `--help` wraps at the terminal's width: within 80 columns, no example breaks.
    #[test]
    fn examples_fit_eighty_columns() {
        for (path, _) in EXAMPLES {
            for line in examples_help(path).lines() {
                assert!(line.chars().count() <= 80, "{path}: {line:?}");
            }
        }
    }

    #[test]
    fn the_main_commands_end_their_help_with_examples() {
        let mut cmd = Cli::command();
        cmd.build();
        for path in [
            "host add",
            "instance add",
            "instance remove",
            "update-hosts",
            "update-instances",
            "status",
            "check",
            "report",
            "import",
            "config set",
        ] {
            let sub = path
                .split(' ')
                .try_fold(&cmd, |c, name| c.find_subcommand(name))
                .unwrap_or_else(|| panic!("no command {path}"));
            let after = sub.get_after_help().map(ToString::to_string);
            assert_eq!(after, Some(examples_help(path)), "{path}");
            assert!(examples_help(path).starts_with("Examples:\n  # "), "{path}");
        }
        // And nothing names a command that is not there.
        for (path, _) in EXAMPLES {
            let found = path
                .split(' ')
                .try_fold(&cmd, |c, name| c.find_subcommand(name));
            assert!(found.is_some(), "EXAMPLES names {path}");
        }
    }

    #[test]
    fn example_lines_are_split_as_a_shell_would() {
        assert_eq!(
            webhost_commands("echo 'a b' | webhost x --l \"Main server\" > out && webhost y"),
            [
                vec!["webhost", "x", "--l", "Main server"],
                vec!["webhost", "y"]
            ]
        );
        assert_eq!(
            webhost_commands("ssh h webhost export | webhost import -\nwebhost z \\\n    --q"),
            [vec!["webhost", "import", "-"], vec!["webhost", "z", "--q"]]
        );
    }

    #[test]
    fn a_subcommand_page_shows_its_examples() {
        let pages = man_pages().expect("pages render");
        let add = page(&pages, "webhost-host-add.1");
        assert!(add.contains("\n.SH EXAMPLES\n"), "{add}");
        assert!(add.contains("webhost host add srv2"), "{add}");
        assert!(!add.contains(".SH EXTRA"), "{add}");
        let show = page(&pages, "webhost-host-show.1");
        assert!(!show.contains(".SH EXAMPLES"), "{show}");
    }
}

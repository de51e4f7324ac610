//! The parsed command line, resolved once into what the commands take: the database path
//! (`--db`, else `WEBHOST_DB`, else the XDG data folder), the output mode, the clock, and
//! each subcommand's arguments as plain values. Option defaults are those of
//! `domain::config::defaults`; a pass's alert options fall back to stored settings in the
//! command, by `domain::config::hooks`.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::cli::{
    AdvisoriesCommand, AuditBy, Cli, Command, CommonEdit, ConfigCommand, HostCommand,
    InstanceCommand, Limit, ListArgs, MaintenanceCommand, ThresholdArgs, TokenArgs, UpdateArgs,
    completions as completion_script, man_page, write_man_pages,
};
use crate::clock::Clock;
use crate::commands::{self, Context, Outcome, TokenSource, Which};
use crate::domain::config::{AlertOptions, defaults};
use crate::domain::error::invalid;
use crate::domain::model::{ApiKind, Edit, RecordType, Settings};
use crate::domain::query::{Filter, ModuleFilter};
use crate::domain::units::parse_size;
use crate::exit::Exit;
use crate::output::Output;
use crate::output::i18n::Lang;
use crate::poll::ProbeSettings;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Exit> {
    dispatch(cli).map(Exit::from)
}

fn dispatch(cli: Cli) -> Result<Outcome> {
    let out = Output::new(cli.json, cli.quiet, cli.verbose, cli.color);
    if let Command::Demo(a) = &cli.command {
        // The demo makes its own database in a temp folder: --db, WEBHOST_DB and the data
        // folder are not even looked up.
        let clock = Clock::from_env().map_err(invalid)?;
        return commands::demo::run(out, clock, &commands::demo::Request { keep: a.keep });
    }
    if let Command::Migrate(a) = &cli.command {
        // Both databases are named by its own options: --db is not looked up.
        let request = commands::migrate::Request {
            from: &a.from,
            to: &a.to,
        };
        return commands::migrate::run(&out, &request);
    }
    let db = match cli.db {
        Some(p) => p,
        None => default_db()?,
    };
    let clock = Clock::from_env().map_err(invalid)?;
    let ctx = Context {
        db,
        db_mode: cli.db_mode,
        poller: cli.poller.clone().unwrap_or_else(default_poller),
        out,
        clock,
    };
    match cli.command {
        Command::Host(cmd) => host(&ctx, cmd),
        Command::Instance(cmd) => instance(&ctx, cmd),
        Command::UpdateHosts(a) => commands::update::run(&ctx, RecordType::Host, &pass(a)),
        Command::UpdateInstances(a) => commands::update::run(&ctx, RecordType::Instance, &pass(a)),
        Command::Modules(a) => {
            let filter = ModuleFilter {
                name: a.name,
                active_only: a.active,
                instances: a.instances,
            };
            commands::modules::run(&ctx, &filter, a.version_below.as_ref(), a.flat)
        }
        Command::Versions => commands::versions::run(&ctx),
        Command::Status(a) => commands::status::run(&ctx, a.stale, a.certs, a.forecasts),
        Command::Disks => commands::disks::run(&ctx),
        Command::History(a) => {
            let which = which(a.reference, a.host, a.instance);
            commands::history::run(&ctx, &which, a.since, a.limit)
        }
        Command::Changes(a) => commands::changes::run(&ctx, a.since),
        Command::Prune(a) => commands::prune::run(&ctx, a.older_than),
        Command::Export(a) => commands::export::run(&ctx, a.with_tokens, a.format),
        Command::Import(a) => commands::import::run(
            &ctx,
            &a.file,
            &commands::import::How {
                dry_run: a.dry_run,
                sync: a.sync,
                prune: a.prune,
            },
        ),
        Command::Check(a) => {
            let live = match a.live {
                true => Some(ProbeSettings {
                    timeout: a.timeout,
                    max_body: parse_size(defaults::MAX_ANSWER_SIZE).map_err(invalid)?,
                    lookups: 1,
                    ca_file: None,
                }),
                false => None,
            };
            let Some(reference) = a.reference.filter(|_| !a.fleet) else {
                return commands::check::fleet(&ctx, a.max_age);
            };
            let which = which(reference, a.host, a.instance);
            let limits = crate::domain::check::ResponseLimits {
                warning: a.warning,
                critical: a.critical,
            };
            let maintenance = match a.maintenance {
                crate::cli::InMaintenance::Ok => commands::check::InMaintenance::Ok,
                crate::cli::InMaintenance::Warn => commands::check::InMaintenance::Warn,
                crate::cli::InMaintenance::Ignore => commands::check::InMaintenance::Ignore,
            };
            commands::check::run(
                &ctx,
                &which,
                a.max_age,
                &limits,
                live,
                a.forecast,
                a.audit,
                maintenance,
            )
        }
        Command::Metrics(a) => commands::metrics::run(&ctx, a.output.as_deref()),
        Command::Report(a) => commands::report::run(
            &ctx,
            &commands::report::Request {
                html: &a.html,
                since: a.since,
                public: a.public,
                stale: a.stale,
                only: &a.only,
                hosts: &a.host,
                shown: crate::output::report::Shown {
                    versions: !a.public || a.with_versions,
                    modules: !a.public || a.with_modules,
                    disks: !a.public || a.with_disks,
                },
                // The operator's page stays English.
                lang: match a.public {
                    true => a.lang.unwrap_or_else(locale_lang),
                    false => Lang::En,
                },
            },
        ),
        Command::Sla(a) => commands::sla::run(
            &ctx,
            &commands::sla::Request {
                month: &a.month,
                target: a.target,
                only: &a.refs,
                hosts: &a.host,
                csv: a.csv,
                html: a.html.as_deref(),
                lang: a.lang.unwrap_or_else(locale_lang),
            },
        ),
        Command::Config(c) => commands::config::run(&ctx, &config(c)),
        Command::Maintenance(MaintenanceCommand::Add(a)) => commands::maintenance::add(
            &ctx,
            &commands::maintenance::Add {
                refs: &a.refs,
                host: a.host.as_deref(),
                all: a.all,
                from: a.from.as_deref(),
                until: a.until.as_deref(),
                duration: a.duration,
                every: a.every.as_deref(),
                reason: a.reason.as_deref(),
            },
        ),
        Command::Maintenance(MaintenanceCommand::List) => commands::maintenance::list(&ctx),
        Command::Maintenance(MaintenanceCommand::Remove { id }) => {
            commands::maintenance::remove(&ctx, id)
        }
        Command::Completions { shell } => {
            commands::completions::run(&ctx, &completion_script(shell))
        }
        Command::Man(a) => match a.dir {
            None => commands::man::run(&ctx, &man_page()?),
            Some(dir) => write_man_pages(&dir).map(|()| Outcome::Done),
        },
        // Handled before a database is looked up (see run); never dispatched.
        Command::Demo(_) => anyhow::bail!("webhost demo runs without a database"),
        Command::Migrate(_) => anyhow::bail!("webhost migrate names its own databases"),
        Command::Advisories(AdvisoriesCommand::Import(a)) => {
            commands::advisories::import(&ctx, &a.files, a.overrides.as_deref())
        }
        Command::Advisories(AdvisoriesCommand::List) => commands::advisories::list(&ctx),
        Command::Audit(a) => commands::audit::run(
            &ctx,
            &commands::audit::Request {
                by_instance: a.by == AuditBy::Instance,
                severity: a.severity,
                hosts: a.host,
            },
        ),
        Command::Receive(a) => commands::receive::run(&ctx, a.max_body),
        Command::Serve(a) => commands::serve::run(
            &ctx,
            &commands::serve::Request {
                listen: a.listen,
                threads: usize::from(a.threads),
                max_body: a.max_body,
                client_timeout: a.client_timeout,
                hook_timeout: a.hook_timeout,
            },
        ),
    }
}

/// The machine's host name, as a poller name (what is not allowed in one becomes `-`).
fn default_poller() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let name: String = name
        .trim()
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() {
        "localhost".to_owned()
    } else {
        name
    }
}

/// `$XDG_DATA_HOME/webhost/webhost.db`, else `~/.local/share/webhost/webhost.db`.
fn default_db() -> Result<PathBuf> {
    let nonempty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let data = nonempty("XDG_DATA_HOME")
        .or_else(|| nonempty("HOME").map(|h| h.join(".local/share")))
        .context(
            "cannot find a place for the database: set --db, WEBHOST_DB, XDG_DATA_HOME or HOME",
        )?;
    Ok(data.join("webhost").join("webhost.db"))
}

/// The customers' pages' language when `--lang` is not given: the locale's.
fn locale_lang() -> Lang {
    let var = |k: &str| std::env::var(k).ok();
    Lang::from_locale(
        var("LC_ALL").as_deref(),
        var("LC_MESSAGES").as_deref(),
        var("LANG").as_deref(),
    )
}

fn which(reference: String, host: bool, instance: bool) -> Which {
    let record_type = match (host, instance) {
        (true, _) => Some(RecordType::Host),
        (_, true) => Some(RecordType::Instance),
        _ => None,
    };
    Which {
        reference,
        record_type,
    }
}

fn pass(a: UpdateArgs) -> commands::update::Request {
    commands::update::Request {
        jobs: usize::from(a.jobs),
        per_host: usize::from(a.per_host_jobs),
        probe: ProbeSettings {
            timeout: a.timeout,
            max_body: a.max_answer_size,
            lookups: usize::from(a.jobs),
            ca_file: None,
        },
        refs: a.refs,
        dry_run: a.dry_run,
        fail_on_down: a.fail_on_down,
        keep_days: a.keep_days,
        alerts: AlertOptions {
            on_change: a.on_change,
            failure_threshold: a.failure_threshold,
            success_threshold: a.success_threshold,
            remind_every: a.remind_every,
        },
        hook_timeout: a.hook_timeout,
    }
}

fn token_source(t: TokenArgs) -> Option<TokenSource> {
    if t.token_stdin {
        Some(TokenSource::Stdin)
    } else if let Some(path) = t.token_file {
        Some(TokenSource::File(path))
    } else {
        t.token.map(TokenSource::Given)
    }
}

fn filter(a: &ListArgs, host: Option<String>) -> Filter {
    let enabled = match (a.enabled, a.disabled) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    Filter {
        host,
        status: a.status,
        enabled,
        refs: Vec::new(),
        push: None,
    }
}

/// The edits both record types share, and where a new token comes from.
fn edit(kind: Option<ApiKind>, e: CommonEdit) -> Result<(Edit, Option<TokenSource>)> {
    let t = e.thresholds;
    let ca_file = match e.tls.ca_file_choice() {
        Some(Some(p)) => Some(Some(ca_path(p)?)),
        Some(None) => Some(None),
        None => None,
    };
    let edit = Edit {
        rename: e.rename,
        kind,
        url: e.url,
        token: e.clear_token.then_some(None),
        label: e.label,
        probe: e.probe,
        insecure_tls: e.tls.choice(),
        ca_file,
        push: None,
        push_grace: None,
        assertions: e.assert.patch(),
        disk_warn: t.disk_warn.map(Limit::into_option),
        disk_crit: t.disk_crit.map(Limit::into_option),
        cert_warn_days: t.cert_warn_days.map(Limit::into_option),
        cert_crit_days: t.cert_crit_days.map(Limit::into_option),
        remote_name: None,
    };
    Ok((edit, token_source(e.token)))
}

fn grace_seconds(grace: std::time::Duration) -> i64 {
    i64::try_from(grace.as_secs()).unwrap_or(i64::MAX)
}

/// A CA file as stored: absolute, so that a pass from cron (another working folder) finds it.
fn ca_path(p: PathBuf) -> Result<String> {
    let abs = std::path::absolute(&p)
        .with_context(|| format!("cannot resolve the CA file path {}", p.display()))?;
    abs.into_os_string().into_string().map_err(|p| {
        invalid(format!(
            "the CA file path {} is not UTF-8; move it to a path that is",
            PathBuf::from(p).display()
        ))
    })
}

/// A new record's `settings` with its own thresholds; `default` is the same as none.
fn with_thresholds(settings: Settings, t: ThresholdArgs) -> Settings {
    Settings {
        disk_warn: t.disk_warn.and_then(Limit::into_option),
        disk_crit: t.disk_crit.and_then(Limit::into_option),
        cert_warn_days: t.cert_warn_days.and_then(Limit::into_option),
        cert_crit_days: t.cert_crit_days.and_then(Limit::into_option),
        ..settings
    }
}

fn host(ctx: &Context, cmd: HostCommand) -> Result<Outcome> {
    let rt = RecordType::Host;
    match cmd {
        HostCommand::Add(a) => {
            let settings = Settings {
                label: a.label,
                url: Some(a.url),
                probe: a.probe.unwrap_or_default(),
                enabled: !a.disabled,
                insecure_tls: a.tls.choice().unwrap_or(false),
                ca_file: a.tls.ca_file.map(ca_path).transpose()?,
                ..Settings::new(a.reference, a.api.0)
            };
            let mut settings = with_thresholds(settings, a.thresholds);
            a.assert.patch().apply(&mut settings.assertions);
            commands::add::run(ctx, rt, settings, token_source(a.token).as_ref(), None)
        }
        HostCommand::List(a) => commands::list::run(ctx, rt, &filter(&a, None), a.health, a.uptime),
        HostCommand::Show(a) => commands::show::run(ctx, rt, &a.reference, a.show_token),
        HostCommand::Edit(a) => {
            let (edit, token) = edit(a.api.map(|k| k.0), a.common)?;
            commands::edit::run(ctx, rt, &a.reference, edit, token.as_ref(), None)
        }
        HostCommand::Remove(a) => {
            let how = commands::remove::Removal {
                cascade: a.cascade,
                forget: false,
            };
            commands::remove::run(ctx, rt, &a.reference, how)
        }
        HostCommand::Enable(a) => commands::enable::run(ctx, rt, &a.reference, true),
        HostCommand::Disable(a) => commands::enable::run(ctx, rt, &a.reference, false),
    }
}

fn instance(ctx: &Context, cmd: InstanceCommand) -> Result<Outcome> {
    let rt = RecordType::Instance;
    match cmd {
        InstanceCommand::Add(a) => {
            let settings = Settings {
                label: a.label,
                url: a.url,
                probe: a.probe.unwrap_or_default(),
                enabled: !a.disabled,
                insecure_tls: a.tls.choice().unwrap_or(false),
                ca_file: a.tls.ca_file.map(ca_path).transpose()?,
                remote_name: a.remote_name,
                push: a.push,
                push_grace: a.push_grace.map(grace_seconds),
                ..Settings::new(a.reference, a.api)
            };
            let mut settings = with_thresholds(settings, a.thresholds);
            a.assert.patch().apply(&mut settings.assertions);
            let token = token_source(a.token);
            commands::add::run(ctx, rt, settings, token.as_ref(), a.host.as_deref())
        }
        InstanceCommand::List(a) => {
            let l = a.list;
            commands::list::run(ctx, rt, &filter(&l, a.host), l.health, l.uptime)
        }
        InstanceCommand::Show(a) => commands::show::run(ctx, rt, &a.reference, a.show_token),
        InstanceCommand::Edit(a) => {
            let (mut edit, token) = edit(a.api, a.common)?;
            edit.remote_name = a.remote_name;
            edit.push = match (a.push, a.no_push) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            };
            edit.push_grace = a.push_grace.map(|g| Some(grace_seconds(g)));
            let host = match (a.no_host, a.host.as_deref()) {
                (true, _) => Some(None),
                (false, Some(h)) => Some(Some(h)),
                (false, None) => None,
            };
            commands::edit::run(ctx, rt, &a.reference, edit, token.as_ref(), host)
        }
        InstanceCommand::Remove(a) => {
            let how = commands::remove::Removal {
                cascade: false,
                forget: a.forget,
            };
            commands::remove::run(ctx, rt, &a.reference, how)
        }
        InstanceCommand::Enable(a) => commands::enable::run(ctx, rt, &a.reference, true),
        InstanceCommand::Disable(a) => commands::enable::run(ctx, rt, &a.reference, false),
    }
}

fn config(c: ConfigCommand) -> commands::config::Action {
    use commands::config::Action;
    match c {
        ConfigCommand::Set { key, value } => Action::Set(key, value),
        ConfigCommand::Get { key } => Action::Get(key),
        ConfigCommand::Unset { key } => Action::Unset(key),
        ConfigCommand::List => Action::List,
    }
}

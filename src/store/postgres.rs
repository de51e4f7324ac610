//! Opening the PostgreSQL store: the URL as libpq users write it (`postgres://user@host/db`,
//! `sslmode`, `sslrootcert`), its password from where libpq takes it (`PGPASSWORD`,
//! `PGPASSFILE`, `~/.pgpass`) and never from the URL, TLS by rustls verifying the server, and
//! the schema brought up to date by the first writer under an advisory lock.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use postgres::config::Host;

use super::db::{Conn, OptionalExt, Pg, params};
use super::pg_migrations::PG_MIGRATIONS;
use super::{Access, Store};

/// `postgres://…` and `postgresql://…` name a server; anything else is a SQLite file.
pub(super) fn url_of(path: &Path) -> Option<&str> {
    let s = path.to_str()?;
    (s.starts_with("postgres://") || s.starts_with("postgresql://")).then_some(s)
}

/// Any number: only webhost's migrations take this advisory lock.
const MIGRATION_LOCK: i64 = 0x0077_6562_686f_7374;

/// How TLS is used, as libpq's `sslmode` says; webhost verifies the server's certificate
/// whenever TLS is used (libpq's `require` would not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tls {
    Disable,
    Prefer,
    Require,
}

struct Target {
    config: postgres::Config,
    tls: Tls,
    root_cert: Option<PathBuf>,
}

/// Splits what the client library takes from what webhost handles itself (`sslmode`'s
/// verify-ca/verify-full and `sslrootcert`).
fn parse(url: &str) -> Result<Target> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut tls = Tls::Prefer;
    let mut root_cert = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                tls = match value {
                    "disable" => Tls::Disable,
                    "allow" | "prefer" => Tls::Prefer,
                    "require" | "verify-ca" | "verify-full" => Tls::Require,
                    other => bail!(
                        "sslmode={other} is not one of disable, prefer, require, verify-ca, \
                         verify-full"
                    ),
                }
            }
            "sslrootcert" => root_cert = Some(PathBuf::from(value)),
            "password" => bail!(no_password_here()),
            _ => kept.push(pair),
        }
    }
    let rebuilt = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config: postgres::Config = rebuilt
        .parse()
        .map_err(|e| anyhow!("{} is not a PostgreSQL URL: {e}", shown(url)))?;
    if config.get_password().is_some() {
        bail!(no_password_here());
    }
    config.ssl_mode(match tls {
        Tls::Disable => postgres::config::SslMode::Disable,
        Tls::Prefer => postgres::config::SslMode::Prefer,
        Tls::Require => postgres::config::SslMode::Require,
    });
    Ok(Target {
        config,
        tls,
        root_cert,
    })
}

/// The URL parses, as `open` would read it.
pub(super) fn check_url(url: &str) -> Result<()> {
    parse(url).map(|_| ())
}

fn no_password_here() -> String {
    "the database URL holds a password: webhost reads it from PGPASSWORD, PGPASSFILE or \
     ~/.pgpass instead, so that it is never on a command line"
        .to_owned()
}

/// The URL as it may be shown: without a password (parse refuses those), so as given, but
/// without anything after a `:` in the user part should a broken URL still hold one.
pub(crate) fn shown(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((user, host)) => {
                let user = user.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// What libpq would take when the URL leaves it out: PGHOST (else the local socket), PGPORT,
/// PGUSER (else the login name), PGDATABASE (else the user name), the password.
fn fill_defaults(config: &mut postgres::Config) -> Result<()> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        match env("PGHOST") {
            Some(h) if h.starts_with('/') => {
                config.host_path(h);
            }
            Some(h) => {
                config.host(&h);
            }
            None => {
                config.host_path("/var/run/postgresql");
            }
        }
    }
    if config.get_ports().is_empty()
        && let Some(port) = env("PGPORT")
    {
        config.port(
            port.parse()
                .map_err(|_| anyhow!("PGPORT={port} is not a port"))?,
        );
    }
    if config.get_user().is_none() {
        let user = env("PGUSER").or_else(login_name).ok_or_else(|| {
            anyhow!("the database URL names no user, PGUSER is not set, and this user has no name")
        })?;
        config.user(&user);
    }
    if config.get_dbname().is_none() {
        let db =
            env("PGDATABASE").unwrap_or_else(|| config.get_user().unwrap_or_default().to_owned());
        config.dbname(&db);
    }
    if let Some(password) = env("PGPASSWORD") {
        config.password(password);
    } else if let Some(password) = pgpass_password(config)? {
        config.password(password);
    }
    config.application_name("webhost");
    config.connect_timeout(Duration::from_secs(10));
    Ok(())
}

/// The name of the user webhost runs as, as libpq takes it for the database user.
fn login_name() -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes the entry into `pwd` and its strings into `buf`, both ours and
    // large enough (it fails with ERANGE otherwise); `found` is null or points at `pwd`.
    let rc = unsafe {
        libc::getpwuid_r(
            libc::geteuid(),
            &raw mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &raw mut found,
        )
    };
    if rc != 0 || found.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: pw_name points into `buf`, NUL-terminated by getpwuid_r.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    name.to_str().ok().map(str::to_owned)
}

/// The password `~/.pgpass` (or PGPASSFILE) holds for this server, database and user, as
/// libpq reads it: the first matching line, `*` matching anything, a file others may read
/// ignored.
fn pgpass_password(config: &postgres::Config) -> Result<Option<String>> {
    let path = match std::env::var_os("PGPASSFILE") {
        Some(p) => PathBuf::from(p),
        None => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(".pgpass"),
            None => return Ok(None),
        },
    };
    let Ok(meta) = fs::metadata(&path) else {
        return Ok(None);
    };
    if meta.permissions().mode() & 0o077 != 0 {
        eprintln!(
            "webhost: warning: {} is readable by others: ignored (chmod 0600 it)",
            path.display()
        );
        return Ok(None);
    }
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        // libpq matches a socket connection as "localhost".
        _ => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().unwrap_or_default();
    let user = config.get_user().unwrap_or_default();
    Ok(pgpass_lookup(&text, &[&host, &port, db, user]))
}

fn pgpass_lookup(text: &str, want: &[&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = pgpass_fields(line);
        if fields.len() != 5 {
            continue;
        }
        if fields[..4]
            .iter()
            .zip(want)
            .all(|(f, w)| f == "*" || f == w)
        {
            return Some(fields[4].clone());
        }
    }
    None
}

/// A `.pgpass` line's five fields: `:` separates, `\` escapes `:` and `\`.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next()
                    && let Some(f) = fields.last_mut()
                {
                    f.push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

fn tls_connector(root_cert: Option<&Path>) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    match root_cert {
        Some(path) => {
            use rustls::pki_types::CertificateDer;
            use rustls::pki_types::pem::PemObject;
            let certs = CertificateDer::pem_file_iter(path)
                .with_context(|| format!("cannot read sslrootcert {}", path.display()))?;
            for cert in certs {
                let cert = cert.with_context(|| format!("sslrootcert {}", path.display()))?;
                roots
                    .add(cert)
                    .with_context(|| format!("sslrootcert {}", path.display()))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                // One unreadable system certificate does not stop the others.
                let _ = roots.add(cert);
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS setup")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

fn connect(url: &str) -> Result<postgres::Client> {
    let Target {
        mut config,
        tls,
        root_cert,
    } = parse(url)?;
    fill_defaults(&mut config)?;
    let why = |e: postgres::Error| {
        let detail = match e.as_db_error() {
            Some(db) => db.message().to_owned(),
            None => {
                let mut s = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(inner) = source {
                    s = format!("{s}: {inner}");
                    source = inner.source();
                }
                s
            }
        };
        anyhow!("cannot connect to PostgreSQL at {}: {detail}", shown(url))
    };
    if tls == Tls::Disable {
        config.connect(postgres::NoTls).map_err(why)
    } else {
        config
            .connect(tls_connector(root_cert.as_deref())?)
            .map_err(why)
    }
}

/// Opens the store on the server `url` names, for `access`.
pub(super) fn open(url: &str, access: Access) -> Result<Store> {
    let client = connect(url)?;
    let conn = Conn::Postgres(Box::new(Pg::new(client)));
    let context = || format!("database {}", shown(url));
    match access {
        Access::Read | Access::ReadTokens => check_version(&conn).with_context(context)?,
        Access::Write | Access::Create { .. } => migrate(&conn).with_context(context)?,
    }
    Ok(Store {
        conn,
        path: PathBuf::from(shown(url)),
        secrets: access != Access::Read,
        poller: None,
    })
}

fn current_version(conn: &Conn) -> Result<Option<i64>> {
    let exists: bool = conn.query_row(
        "SELECT to_regclass('webhost_schema') IS NOT NULL",
        params![],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(None);
    }
    Ok(conn
        .query_row("SELECT max(version) FROM webhost_schema", params![], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .optional()?
        .flatten())
}

fn check_version(conn: &Conn) -> Result<()> {
    let known = PG_MIGRATIONS.len() as i64;
    match current_version(conn)? {
        None => bail!(
            "it holds no webhost schema yet: a first pass (or `webhost add`) as the pollers' \
             role creates it"
        ),
        Some(v) if v > known => {
            bail!("schema version {v} is newer than this webhost knows ({known}): upgrade webhost")
        }
        Some(v) if v < known => bail!(
            "it was written by an older webhost (schema {v}, this one knows {known}): the next \
             pass brings it up to date"
        ),
        Some(_) => Ok(()),
    }
}

/// Applies what the database lacks in one transaction; concurrent pollers wait on the lock
/// and find it done.
fn migrate(conn: &Conn) -> Result<()> {
    let known = PG_MIGRATIONS.len() as i64;
    if current_version(conn)? == Some(known) {
        return Ok(());
    }
    let tx = conn.transaction(true)?;
    tx.query_row(
        "SELECT pg_advisory_xact_lock(?1)::text",
        params![MIGRATION_LOCK],
        |_| Ok(()),
    )?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS webhost_schema (version BIGINT NOT NULL)")?;
    let current = current_version(&tx)?.unwrap_or(0);
    if current > known {
        bail!(
            "schema version {current} is newer than this webhost knows ({known}): upgrade webhost"
        );
    }
    for (i, sql) in PG_MIGRATIONS
        .iter()
        .enumerate()
        .skip(current.max(0) as usize)
    {
        tx.execute_batch(sql)
            .with_context(|| format!("migration {} failed", i + 1))?;
    }
    tx.execute("DELETE FROM webhost_schema", params![])?;
    tx.execute(
        "INSERT INTO webhost_schema (version) VALUES (?1)",
        params![known],
    )?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{ApiKind, RecordType, Settings};
    use crate::domain::query::Filter;
    use crate::store::Claim;

    /// A database of its own on the server WEBHOST_TEST_PG names, dropped afterwards; None (the
    /// test passes) where no server is given.
    struct Scratch {
        server: String,
        name: String,
    }

    impl Scratch {
        fn new(tag: &str) -> Option<Scratch> {
            let server = std::env::var("WEBHOST_TEST_PG").ok()?;
            let name = format!("webhost_unit_{tag}_{}", std::process::id());
            let mut admin = postgres::Client::connect(&server, postgres::NoTls).expect("server");
            // Two statements: several in one string run as one transaction, which these refuse.
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
                .expect("drop");
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create");
            Some(Scratch { server, name })
        }

        fn url(&self) -> PathBuf {
            let (base, query) = self.server.split_once('?').unwrap_or((&self.server, ""));
            let authority = base.rsplit_once('/').map_or(base, |(a, _)| a);
            PathBuf::from(format!("{authority}/{}?{query}", self.name))
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            if let Ok(mut admin) = postgres::Client::connect(&self.server, postgres::NoTls) {
                let _ = admin.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }

    #[test]
    fn values_read_back_as_sqlite_gives_them() {
        let Some(db) = Scratch::new("values") else {
            return;
        };
        let store = Store::open(&db.url(), Access::Create { mode: 0o600 }).expect("open");
        let row = store
            .conn
            .query_row(
                "SELECT ?1 + 1, ?2 || 'b', count(*), sum(x), CAST(?3 AS BIGINT) IS NULL, 1.5 * 2
                 FROM (SELECT CAST(1 AS BIGINT) AS x UNION ALL SELECT 2) t",
                params![41, "a", None::<i64>],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, bool>(4)?,
                        r.get::<_, f64>(5)?,
                    ))
                },
            )
            .expect("query");
        assert_eq!(row, (42, "ab".to_owned(), 2, 3, true, 3.0));
        // A NUL, which PostgreSQL's text cannot hold, is kept as U+FFFD.
        let text: String = store
            .conn
            .query_row("SELECT ?1", params!["a\0b"], |r| r.get(0))
            .expect("nul");
        assert_eq!(text, "a\u{fffd}b");
    }

    #[test]
    fn a_claim_skips_the_rows_another_poller_is_claiming_and_leaves_them_to_it() {
        let Some(db) = Scratch::new("claims") else {
            return;
        };
        let mut a = Store::open(&db.url(), Access::Create { mode: 0o600 }).expect("a");
        let b = Store::open(&db.url(), Access::Write).expect("b");
        for i in 0..10 {
            a.insert(
                RecordType::Instance,
                &Settings::new(format!("site{i}"), ApiKind::Ping),
                0,
            )
            .expect("insert");
        }
        let filter = Filter::pass(&[]);
        let claim = |poller: &str| Claim {
            poller: poller.into(),
            now: 1000,
            until: 1240,
        };
        // a is claiming the first three (its transaction holds their rows) when b claims: b
        // takes the seven others at once instead of waiting.
        let held = a.conn.transaction(true).expect("begin");
        held.execute(
            "SELECT id FROM instances WHERE id <= 3 FOR UPDATE",
            params![],
        )
        .expect("lock");
        let got_b: Vec<i64> = b
            .claim_page(RecordType::Instance, &filter, &claim("b"), 0, 100)
            .expect("claim b")
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(got_b, (4..=10).collect::<Vec<_>>());
        drop(held);
        let got_a: Vec<i64> = a
            .claim_page(RecordType::Instance, &filter, &claim("a"), 0, 100)
            .expect("claim a")
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(got_a, [1, 2, 3], "b's leases hold");
        // Once the leases are over, either may take any.
        let later = Claim {
            poller: "a".into(),
            now: 1240,
            until: 1480,
        };
        let all = a
            .claim_page(RecordType::Instance, &filter, &later, 0, 100)
            .expect("claim later");
        assert_eq!(all.len(), 10);
    }

    #[test]
    fn a_batch_s_held_writes_are_sent_before_anything_reads_them() {
        use crate::domain::model::{Reading, RecordKey, Status};
        use crate::store::CheckWrite;
        let Some(db) = Scratch::new("held") else {
            return;
        };
        let mut store = Store::open(&db.url(), Access::Create { mode: 0o600 }).expect("open");
        let mut keys = Vec::new();
        for i in 0..2 {
            let id = store
                .insert(
                    RecordType::Instance,
                    &Settings::new(format!("site{i}"), ApiKind::Ping),
                    0,
                )
                .expect("insert");
            keys.push(RecordKey {
                record_type: RecordType::Instance,
                id,
            });
        }
        let mut down = Reading::new(Status::Offline, "connection refused");
        down.disk_used = Some(1000);
        // Each record checked twice in one batch, as a pass with a record listed twice would:
        // the second look must see the first check, held or not.
        let failures = store
            .batch(|b| {
                b.prefetch(&keys)?;
                let mut seen = Vec::new();
                for at in [100, 200] {
                    for &key in &keys {
                        let before = b.before(key)?;
                        seen.push(before.state.consecutive_failures);
                        let previous = before.state.status();
                        let mut state = before.state;
                        state.record(&down, at);
                        b.store_check(&CheckWrite {
                            key,
                            at,
                            reading: &down,
                            state: &state,
                            changed_from: (previous != down.status).then_some(previous),
                            modules_digest: None,
                        })?;
                    }
                }
                Ok(seen)
            })
            .expect("batch");
        assert_eq!(failures, [0, 0, 1, 1]);
        for &key in &keys {
            assert_eq!(
                store.checks_of(key).expect("checks"),
                [(100, Status::Offline), (200, Status::Offline)]
            );
        }
        let after = store.batch(|b| b.before(keys[1])).expect("read").state;
        assert_eq!(
            (after.status(), after.consecutive_failures, after.disk_used),
            (Status::Offline, 2, Some(1000))
        );
    }

    #[test]
    fn a_password_in_the_url_is_refused() {
        let e = parse("postgres://poller:hunter2@db/webhost")
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.contains("PGPASSFILE") && !e.contains("hunter2")),
            "{e:?}"
        );
        assert!(parse("postgres://poller@db/webhost?password=x").is_err());
        assert_eq!(
            shown("postgres://poller:hunter2@db/webhost"),
            "postgres://poller@db/webhost"
        );
    }

    #[test]
    fn sslmode_and_rootcert_are_webhost_s() {
        let t = parse("postgres://poller@db/webhost?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=3")
            .expect("parses");
        assert_eq!(t.tls, Tls::Require);
        assert_eq!(t.root_cert.as_deref(), Some(Path::new("/etc/ca.pem")));
        assert!(parse("postgres://db/x?sslmode=sometimes").is_err());
    }

    #[test]
    fn pgpass_lines_match_as_libpq_reads_them() {
        let text = "# comment\ndb:5432:other:poller:no\n*:*:webhost:poller:pa\\:ss\n";
        assert_eq!(
            pgpass_lookup(text, &["db", "5432", "webhost", "poller"]).as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_lookup(text, &["db", "5432", "webhost", "reader"]),
            None
        );
    }
}

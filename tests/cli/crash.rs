//! Crash safety: passes over 2,000 records killed with SIGKILL at random moments. After each
//! kill the database is intact, every record exists, and each record's state is either what
//! it was or a complete new one: its check row, version and modules all present.
//! CI runs 10 rounds; `scripts/crash-loop` runs 100 (WEBHOST_CRASH_ROUNDS).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::server::{Reply, Server, fixture};
use crate::support::Env;

const RECORDS: i64 = 2_000;

/// A small xorshift: random kill moments without a crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn killed_passes_never_leave_half_written_records() {
    let rounds: u32 = std::env::var("WEBHOST_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let doc = fixture("webobserver-instance.json");
    let server = Server::start(None, move |_| Reply::ok(doc.clone()));
    let env = Env::sqlite();
    env.create_empty_db(); // creates the schema
    {
        let mut conn = env.sql();
        let tx = conn.transaction().expect("tx");
        for i in 0..RECORDS {
            tx.execute(
                "INSERT INTO instances (ref, api_kind, url, created_at) VALUES (?1, 'server-observer-v1', ?2, 0)",
                rusqlite::params![format!("i{i}"), server.url(&format!("/i/{i}"))],
            )
            .expect("insert");
        }
        tx.commit().expect("commit");
    }
    // One whole pass first: how long a pass takes here bounds the random kill moment.
    let started = Instant::now();
    env.run(&["-q", "update-instances", "--jobs", "64"]).ok();
    let full = started.elapsed().max(Duration::from_millis(50));
    check_consistency(&env);
    // The pass reads its records a page at a time: each of them was checked, and once.
    let (checked, checks): (i64, i64) = env
        .sql()
        .query_row(
            "SELECT (SELECT count(*) FROM instances WHERE last_check_at IS NOT NULL),
                    (SELECT count(*) FROM checks)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("counts");
    assert_eq!((checked, checks), (RECORDS, RECORDS));

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut rng = Rng(seed);
    let mut killed_mid_pass = 0;
    for round in 0..rounds {
        let mut child = Command::new(env!("CARGO_BIN_EXE_webhost"))
            .arg("--db")
            .arg(&env.db)
            .args(["-q", "update-instances", "--jobs", "64"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start a pass");
        // The random moment is the point of the test, not a synchronisation.
        // Within the first 80 % of a pass's length, so most kills land mid-pass.
        let at = Duration::from_micros(rng.next() % (full.as_micros() as u64 * 4 / 5 + 1));
        std::thread::sleep(at);
        let finished = child.try_wait().expect("poll child").is_some();
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        if !finished {
            killed_mid_pass += 1;
        }
        check_consistency(&env);
        eprintln!("round {round}: killed after {at:?}");
    }
    eprintln!("{rounds} rounds, {killed_mid_pass} killed mid-pass, all consistent (seed {seed})");
}

fn check_consistency(env: &Env) {
    let conn = env.sql();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(ok, "ok");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM instances", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, RECORDS, "records lost");
    // A record updated by a pass has the check row of that update, and, being online, the
    // version and all ten modules of the document; a record never reached has none of them.
    let broken: i64 = conn
        .query_row(
            "SELECT count(*) FROM instances i WHERE
               (i.last_check_at IS NULL AND (
                    i.status != 'unknown'
                 OR EXISTS (SELECT 1 FROM checks c WHERE c.instance_id = i.id)
                 OR EXISTS (SELECT 1 FROM modules m WHERE m.instance_id = i.id)))
            OR (i.last_check_at IS NOT NULL AND (
                    NOT EXISTS (SELECT 1 FROM checks c WHERE c.instance_id = i.id
                                AND c.at = i.last_check_at AND c.status = i.status)
                 OR (i.status = 'online' AND (
                        i.dolibarr_version IS NOT '18.0.4'
                     OR (SELECT count(*) FROM modules m WHERE m.instance_id = i.id) != 10))))",
            [],
            |r| r.get(0),
        )
        .expect("consistency query");
    assert_eq!(broken, 0, "half-written records");
    // Every check row belongs to a state the record went through: none is newer than its record.
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM checks c JOIN instances i ON i.id = c.instance_id
             WHERE c.at > i.last_check_at",
            [],
            |r| r.get(0),
        )
        .expect("orphans query");
    assert_eq!(orphans, 0);
}

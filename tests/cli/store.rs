//! The database file: permissions, migrations, and files that are not what they should be.

use std::os::unix::fs::PermissionsExt;

use crate::support::Env;
use webhost::store::MIGRATIONS;

fn user_version(env: &Env) -> i64 {
    env.sql()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version")
}

#[test]
fn database_is_private_and_its_folder_created() {
    let env = Env::sqlite();
    assert!(!env.db.parent().expect("parent").exists());
    // Adding a record creates them; a reading command does not (tests/cli/hostile_files.rs).
    env.add_instance("shop", "ping", &["--url", "http://shop.example/"]);
    let mode = std::fs::metadata(&env.db)
        .expect("db exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "database mode {mode:o}");
}

#[test]
fn reopening_runs_no_migration_twice() {
    let env = Env::sqlite();
    env.add_instance("a", "ping", &["--url", "http://a.example/"]);
    assert_eq!(user_version(&env), MIGRATIONS.len() as i64);
    // A migration applied twice would fail ("table hosts already exists") or lose the record.
    env.add_instance("b", "ping", &["--url", "http://b.example/"]);
    let list = env.run(&["--json", "instance", "list"]).ok().json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(user_version(&env), MIGRATIONS.len() as i64);
}

#[test]
fn an_older_schema_is_upgraded_keeping_its_records() {
    let env = Env::sqlite();
    std::fs::create_dir_all(env.db.parent().expect("parent")).expect("mkdir");
    {
        let conn = env.sql();
        conn.execute_batch(MIGRATIONS[0]).expect("v1 schema");
        conn.execute(
            "INSERT INTO hosts (ref, api_kind, url, created_at) VALUES ('old', 'server-observer-v1', 'http://old.example/', 1700000000)",
            [],
        )
        .expect("insert");
        conn.pragma_update(None, "user_version", 1)
            .expect("set version");
    }
    // A reader may not change the database: it says who will.
    env.run(&["host", "list"])
        .fails(1, "written by an older webhost (schema 1");
    assert_eq!(user_version(&env), 1);
    // The next pass (a writer) brings it up to date.
    env.run(&["update-hosts", "--dry-run"]).ok();
    let hosts = env.run(&["--json", "host", "list"]).ok().json();
    assert_eq!(hosts[0]["ref"], "old");
    assert_eq!(hosts[0]["created_at"], "2023-11-14T22:13:20Z");
    assert_eq!(user_version(&env), MIGRATIONS.len() as i64);
    let passes: i64 = env
        .sql()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'passes'",
            [],
            |r| r.get(0),
        )
        .expect("query");
    assert_eq!(passes, 1, "migration 2 did not run");
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let env = Env::sqlite();
    env.create_empty_db();
    env.sql()
        .pragma_update(None, "user_version", 999)
        .expect("set version");
    let before = env.db_bytes();
    env.run(&["host", "list"])
        .fails(1, "newer than this webhost knows");
    assert_eq!(env.db_bytes(), before);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_alone() {
    let env = Env::sqlite();
    std::fs::create_dir_all(env.db.parent().expect("parent")).expect("mkdir");
    let junk = b"this is a text file, not a database\n".repeat(200);
    std::fs::write(&env.db, &junk).expect("write");
    env.run(&["host", "list"])
        .fails(1, "not a webhost database");
    assert_eq!(env.db_bytes().as_deref(), Some(junk.as_slice()));
}

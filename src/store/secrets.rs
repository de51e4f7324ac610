//! The tokens, apart from the state: a database file of their own beside the main one, always
//! 0600, attached (as `secrets`) only by the commands that need tokens. So the main database may
//! be shared with a group (Nagios, the web server) while the tokens stay with its owner.

use std::path::{Path, PathBuf};

use super::db::{self, Conn, params};
use anyhow::{Context as _, Result, bail};

use super::sql::table;
use super::{Store, check_existing, create_private_file};
use crate::domain::model::RecordType;

/// The tokens' schema, applied like the main one (`PRAGMA secrets.user_version`).
const MIGRATIONS: &[&str] = &["
    CREATE TABLE secrets.tokens (
        record_type  TEXT NOT NULL,            -- 'host' or 'instance'
        record_id    INTEGER NOT NULL,
        token        TEXT NOT NULL,
        PRIMARY KEY (record_type, record_id)
    ) WITHOUT ROWID;
    "];

/// `webhost.db` → `webhost.secrets.db`; any other name gets `.secrets` appended.
pub fn secrets_path(db: &Path) -> PathBuf {
    let name = db.file_name().map(|n| n.to_string_lossy().into_owned());
    match name.as_deref().and_then(|n| n.strip_suffix(".db")) {
        Some(stem) => db.with_file_name(format!("{stem}.secrets.db")),
        None => {
            let mut path = db.as_os_str().to_owned();
            path.push(".secrets");
            PathBuf::from(path)
        }
    }
}

impl Store {
    /// Attaches the tokens' database: read-only for readers, else created (0600) when missing,
    /// brought up to date, and given the tokens an older main database still holds.
    pub(super) fn attach_secrets(&mut self, read_only: bool) -> Result<()> {
        let path = secrets_path(&self.path);
        if read_only {
            check_existing(&path).context("cannot read the tokens")?;
        } else {
            create_private_file(&path, 0o600)?;
        }
        let uri = format!(
            "file:{}?mode={}",
            uri_path(&path),
            if read_only { "ro" } else { "rw" }
        );
        self.conn
            .execute("ATTACH DATABASE ?1 AS secrets", params![uri])
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot {} the tokens in {}: {e}",
                    if read_only { "read" } else { "open" },
                    path.display()
                )
            })?;
        self.secrets = true;
        if !read_only {
            self.migrate_secrets()?;
            self.move_tokens_out()?;
        }
        Ok(())
    }

    fn migrate_secrets(&mut self) -> Result<()> {
        let known = MIGRATIONS.len() as i64;
        let current: i64 = self
            .conn
            .query_row("PRAGMA secrets.user_version", params![], |r| r.get(0))?;
        if current > known {
            bail!("the tokens' file is newer than this webhost knows: upgrade webhost");
        }
        if current == known {
            return Ok(());
        }
        let tx = self.conn.transaction(true)?;
        let current: i64 = tx.query_row("PRAGMA secrets.user_version", params![], |r| r.get(0))?;
        for sql in MIGRATIONS.iter().skip(current.max(0) as usize) {
            tx.execute_batch(sql)?;
        }
        tx.execute_batch(&format!("PRAGMA secrets.user_version = {known}"))?;
        tx.commit()?;
        Ok(())
    }

    /// A database from before the tokens' file holds its tokens in the records' rows: they are
    /// copied to the tokens' file first (committed), then cleared from the rows, so that a
    /// crash in between leaves them in both places (the next writer finishes), never in none.
    fn move_tokens_out(&mut self) -> Result<()> {
        for rt in RecordType::ALL {
            let t = table(rt);
            let waiting: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM main.{t} WHERE token IS NOT NULL"),
                params![],
                |r| r.get(0),
            )?;
            if waiting == 0 {
                continue;
            }
            let tx = self.conn.transaction(true)?;
            tx.execute(
                &format!(
                    "INSERT OR REPLACE INTO secrets.tokens (record_type, record_id, token)
                     SELECT ?1, id, token FROM main.{t} WHERE token IS NOT NULL"
                ),
                params![rt.as_str()],
            )?;
            tx.commit().context("cannot move the tokens out")?;
            let tx = self.conn.transaction(true)?;
            tx.execute(
                &format!("UPDATE main.{t} SET has_token = 1, token = NULL WHERE token IS NOT NULL"),
                params![],
            )?;
            tx.commit().context("cannot move the tokens out")?;
        }
        Ok(())
    }
}

/// Sets or clears a record's token, on any connection or transaction with the tokens attached;
/// the record's own row says whether it has one.
pub(super) fn write_token(
    conn: &Conn,
    rt: RecordType,
    id: i64,
    token: Option<&str>,
) -> db::Result<()> {
    match token {
        Some(token) => conn.execute(
            "INSERT INTO secrets.tokens (record_type, record_id, token) VALUES (?1, ?2, ?3)
             ON CONFLICT (record_type, record_id) DO UPDATE SET token = excluded.token",
            params![rt.as_str(), id, token],
        )?,
        None => conn.execute(
            "DELETE FROM secrets.tokens WHERE record_type = ?1 AND record_id = ?2",
            params![rt.as_str(), id],
        )?,
    };
    conn.execute(
        &format!("UPDATE {} SET has_token = ?2 WHERE id = ?1", table(rt)),
        params![id, token.is_some()],
    )?;
    Ok(())
}

/// A path as the path part of a `file:` URI: `%`, `?` and `#` escaped.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tokens_live_beside_the_database() {
        assert_eq!(
            secrets_path(Path::new("/var/lib/webhost/webhost.db")),
            Path::new("/var/lib/webhost/webhost.secrets.db")
        );
        assert_eq!(secrets_path(Path::new("fleet")), Path::new("fleet.secrets"));
        assert_eq!(uri_path(Path::new("/a b/c?d#e%f")), "/a b/c%3fd%23e%25f");
    }
}

//! Settings stored once in the database (`webhost config`).

use super::db::{OptionalExt, params};
use anyhow::Result;

use super::Store;
use crate::domain::config::ConfigKey;

impl Store {
    pub fn config_get(&self, key: ConfigKey) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM config WHERE key = ?1",
                [key.as_str()],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn config_set(&mut self, key: ConfigKey, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO config (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key.as_str(), value],
        )?;
        Ok(())
    }

    /// False when the key was not set.
    pub fn config_unset(&mut self, key: ConfigKey) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM config WHERE key = ?1", [key.as_str()])?
            > 0)
    }

    pub fn config_list(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM config ORDER BY key")?;
        let rows = stmt.query_map(params![], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<super::db::Result<_>>()?)
    }
}

//! `webhost migrate --from sqlite:PATH --to postgres://…`: a SQLite store copied into an
//! empty PostgreSQL one (`Store::copy_to`).

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::Outcome;
use crate::domain::error::invalid;
use crate::output::Output;
use crate::store::{self, Access, Store};

/// The two databases, as typed.
pub struct Request<'a> {
    pub from: &'a str,
    pub to: &'a str,
}

pub fn run(out: &Output, req: &Request) -> Result<Outcome> {
    let from = source(req.from)?;
    // A bad URL is the user's to fix (exit 2); the message never quotes it, so never a
    // password in it either.
    store::check_server_url(req.to).map_err(|e| invalid(format!("--to: {e}")))?;
    // Said here, not as --db's "set --db or WEBHOST_DB".
    if std::fs::symlink_metadata(&from).is_err() {
        anyhow::bail!("--from: no webhost database at {}", from.display());
    }
    // A writer's open: it brings an older file up to this webhost's schema, tokens included.
    let source = Store::open(&from, Access::Write)?;
    let mut dest = Store::open(Path::new(req.to), Access::Write)?;
    out.detail(format!(
        "copying {} into {}",
        source.path().display(),
        dest.path().display()
    ));
    let copied = source.copy_to(&mut dest)?;
    out.migrated(source.path(), dest.path(), &copied)?;
    Ok(Outcome::Done)
}

/// `sqlite:PATH` or a plain path; a server is not a source.
fn source(from: &str) -> Result<PathBuf> {
    let path = from.strip_prefix("sqlite:").unwrap_or(from);
    if path.is_empty() {
        return Err(invalid(
            "--from needs the SQLite database's path: sqlite:PATH",
        ));
    }
    if store::is_server(Path::new(path)) {
        return Err(invalid(
            "--from must be a SQLite database (sqlite:PATH): webhost migrate copies into \
             PostgreSQL, not out of it",
        ));
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_is_a_file_with_or_without_its_scheme() {
        assert_eq!(
            source("sqlite:/a/b.db").ok(),
            Some(PathBuf::from("/a/b.db"))
        );
        assert_eq!(source("b.db").ok(), Some(PathBuf::from("b.db")));
        assert!(source("sqlite:").is_err());
        assert!(source("postgres://u@h/db").is_err());
    }
}

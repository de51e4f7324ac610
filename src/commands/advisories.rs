//! `webhost advisories import` and `list`: OSV advisories read from files, folders and zips
//! (never from the network), and the local overrides file.

use std::fs;
use std::io::Read as _;
use std::path::Path;

use anyhow::{Context as _, Result};

use super::{Context, Outcome};
use crate::domain::advisory::{self, Advisory, Overrides};
use crate::domain::error::invalid;
use crate::output::audit::{Imported, OverridesImported};

/// A file or zip entry larger than this is not an advisory (osv.dev's are a few KiB): read no
/// more of it, so a damaged or hostile zip cannot fill the memory.
const MAX_RECORD: u64 = 4 << 20;

/// What one source gave: its advisories, how many JSON texts were read, and those skipped.
struct Read {
    advisories: Vec<Advisory>,
    files: usize,
    skipped: usize,
}

pub fn import(
    ctx: &Context,
    files: &[std::path::PathBuf],
    overrides: Option<&Path>,
) -> Result<Outcome> {
    // Everything is read before the database is touched: a bad file changes nothing.
    let mut sources = Vec::new();
    for path in files {
        let source = fs::canonicalize(path)
            .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
        let read = read_source(ctx, &source)?;
        sources.push((source.display().to_string(), read));
    }
    let overrides = overrides
        .map(|path| -> Result<(String, Overrides)> {
            let source = fs::canonicalize(path)
                .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
            Ok((source.display().to_string(), read_overrides(&source)?))
        })
        .transpose()?;
    let mut store = ctx.write_store()?;
    let now = ctx.now();
    let mut imported = Vec::new();
    for (source, read) in &sources {
        let replaced = store.replace_advisories(source, &read.advisories, now)?;
        imported.push(Imported {
            source: source.clone(),
            files: read.files,
            skipped: read.skipped,
            advisories: replaced.now,
            replaced: replaced.before,
        });
    }
    let overrides_done = match &overrides {
        Some((source, o)) => {
            store.set_advisory_overrides(source, o, now)?;
            Some(OverridesImported {
                source: source.clone(),
                advisories: o.advisories.len(),
                ignores: o.ignores.len(),
            })
        }
        None => None,
    };
    ctx.out
        .advisories_imported(&imported, overrides_done.as_ref())?;
    Ok(Outcome::Done)
}

/// A folder (every `.json` and `.zip` under it), a zip, or one JSON file.
fn read_source(ctx: &Context, path: &Path) -> Result<Read> {
    let mut read = Read {
        advisories: Vec::new(),
        files: 0,
        skipped: 0,
    };
    if path.is_dir() {
        let mut stack = vec![path.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let mut entries = fs::read_dir(&dir)
                .with_context(|| format!("cannot read {}", dir.display()))?
                .collect::<std::io::Result<Vec<_>>>()
                .with_context(|| format!("cannot read {}", dir.display()))?;
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if has_extension(&p, "zip") {
                    read_zip(ctx, &p, &mut read)?;
                } else if has_extension(&p, "json") {
                    let text = read_file(&p)?;
                    take(ctx, &p.display().to_string(), &text, &mut read, true);
                }
            }
        }
    } else if has_extension(path, "zip") || starts_like_zip(path) {
        read_zip(ctx, path, &mut read)?;
    } else {
        let text = read_file(path)?;
        // A file named on its own must be an advisory: a typo is an error, not a skip.
        let what = path.display().to_string();
        read.files += 1;
        match advisory::parse_osv(&text) {
            Ok(Some(a)) => read.advisories.push(a),
            Ok(None) => read.skipped += 1,
            Err(e) => return Err(invalid(format!("{what} is not an OSV advisory: {e}"))),
        }
    }
    Ok(read)
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

fn starts_like_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| &magic == b"PK\x03\x04")
}

fn read_file(path: &Path) -> Result<String> {
    let mut text = String::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_RECORD).read_to_string(&mut text))
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    Ok(text)
}

/// Keeps the advisory in `text` if it is about Dolibarr; one that is not OSV is skipped with a
/// note (feeds hold other files too).
fn take(ctx: &Context, what: &str, text: &str, read: &mut Read, note: bool) {
    read.files += 1;
    // Most of a Packagist zip is other packages: a plain search skips them unparsed.
    let lower = text.to_ascii_lowercase();
    if !lower.contains("dolibarr") && !lower.contains("\"module\"") {
        read.skipped += 1;
        return;
    }
    match advisory::parse_osv(text) {
        Ok(Some(a)) => read.advisories.push(a),
        Ok(None) => read.skipped += 1,
        Err(e) => {
            read.skipped += 1;
            if note {
                ctx.out
                    .note(format!("webhost: skipped {what}: not an OSV advisory: {e}"));
            }
        }
    }
}

fn read_zip(ctx: &Context, path: &Path, read: &mut Read) -> Result<()> {
    let file = fs::File::open(path)
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| invalid(format!("{} is not a readable zip: {e}", path.display())))?;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| invalid(format!("{}: entry {i}: {e}", path.display())))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if !entry.is_file() || !name.to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        let what = format!("{}:{name}", path.display());
        let mut text = String::new();
        if let Err(e) = (&mut entry).take(MAX_RECORD).read_to_string(&mut text) {
            read.files += 1;
            read.skipped += 1;
            ctx.out.note(format!("webhost: skipped {what}: {e}"));
            continue;
        }
        take(ctx, &what, &text, read, true);
    }
    Ok(())
}

/// The overrides file: JSON when it ends in `.json`, TOML otherwise; every problem in it at
/// once.
fn read_overrides(path: &Path) -> Result<Overrides> {
    let text = read_file(path)?;
    let what = path.display();
    let parsed: Overrides = if has_extension(path, "json") {
        serde_json::from_str(&text).map_err(|e| invalid(format!("{what}: {e}")))?
    } else {
        toml::from_str(&text).map_err(|e| invalid(format!("{what}: {}", e.message())))?
    };
    let problems = parsed.problems();
    if !problems.is_empty() {
        return Err(invalid(format!("{what}: {}", problems.join("; "))));
    }
    Ok(parsed)
}

/// The advisories in force: the feeds', with the overrides applied.
pub fn in_force(store: &crate::store::Store) -> Result<Vec<(Option<String>, Advisory)>> {
    let stored = store.advisories()?;
    let overrides = store.advisory_overrides()?;
    let sources: std::collections::HashMap<String, String> = stored
        .iter()
        .map(|s| (s.advisory.id.clone(), s.source.clone()))
        .collect();
    let feed: Vec<Advisory> = stored.into_iter().map(|s| s.advisory).collect();
    let all = match &overrides {
        Some((_, o)) => advisory::apply_overrides(feed, o),
        None => feed,
    };
    Ok(all
        .into_iter()
        .map(|a| (sources.get(&a.id).cloned(), a))
        .collect())
}

pub fn list(ctx: &Context) -> Result<Outcome> {
    let store = ctx.read_store()?;
    let all = in_force(&store)?;
    let overrides = store.advisory_overrides()?;
    ctx.out
        .advisories_list(&all, overrides.as_ref().map(|(s, _)| s.as_str()))?;
    Ok(Outcome::Done)
}

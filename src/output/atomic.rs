//! Writing a file other programs read (a metrics file, a status page) so that they never see
//! half of it, in a folder other users may be able to write (a textfile-collector folder, a web
//! root): nothing planted there can redirect the write.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

/// The written file's mode: collectors and web servers read it as other users.
const MODE: u32 = 0o644;

/// How many fresh names to try before giving up: a clash of 128 random bits means someone is
/// creating files at our names, not bad luck.
const ATTEMPTS: usize = 4;

/// Replaces `path` with `bytes` so that a reader sees the old file or the new one, never a part:
/// a temp file in the same folder (a rename across file systems is not atomic), flushed to disk,
/// then renamed over it. The file is mode 0644 whatever the umask.
///
/// The temp file has a random name and is created exclusively without following a symlink, so
/// a link planted beside `path` cannot make webhost write or chmod another file; it is removed
/// on every failure. A symlink at `path` itself is replaced, not followed.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = create_temp(dir, name).with_context(|| format!("cannot write {}", path.display()))?;
    let written = (|| -> io::Result<()> {
        let mut f = &tmp.file;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp.path, path)
    })();
    match written {
        Ok(()) => tmp.keep(),
        // Dropping `tmp` removes it.
        Err(e) => return Err(e).with_context(|| format!("cannot write {}", path.display())),
    }
    // The rename itself is durable only once the folder is synced; failing that is not fatal.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A temp file this process created, removed when dropped unless kept.
struct Temp {
    path: PathBuf,
    file: File,
    keep: bool,
}

impl Temp {
    /// The file was renamed into place: there is nothing left to remove.
    fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Creates a new temp file in `dir` for `name`, mode 0644, under a fresh name each attempt.
fn create_temp(dir: &Path, name: &OsStr) -> io::Result<Temp> {
    let mut last = None;
    for _ in 0..ATTEMPTS {
        match create_new(dir.join(temp_name(name)?)) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            created => return created,
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temp name could be created")))
}

/// Creates `path`, mode 0644. O_EXCL makes the open fail on any existing entry, a symlink
/// included (and O_NOFOLLOW says so again); so a name someone else took is never written, and
/// never removed either.
fn create_new(path: PathBuf) -> io::Result<Temp> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .mode(MODE)
        .open(&path)?;
    let temp = Temp {
        path,
        file,
        keep: false,
    };
    // The umask may have taken bits from the mode given to open; fchmod, on the descriptor,
    // puts them back without a path anyone could swap.
    temp.file
        .set_permissions(fs::Permissions::from_mode(MODE))?;
    Ok(temp)
}

/// `.NAME.RANDOM.tmp`: dot-prefixed and not ending in `.prom`, so node_exporter's textfile
/// collector skips it; 128 random bits, so nobody can plant anything at it beforehand. NAME is
/// cut to keep the whole under the 255-byte limit of a file name.
fn temp_name(name: &OsStr) -> io::Result<OsString> {
    let mut random = [0u8; 16];
    let mut filled = 0;
    while filled < random.len() {
        filled +=
            rustix::rand::getrandom(&mut random[filled..], rustix::rand::GetRandomFlags::empty())?;
    }
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let stem = &name.as_bytes()[..name.len().min(200)];
    let mut out = Vec::with_capacity(stem.len() + hex.len() + 6);
    out.push(b'.');
    out.extend_from_slice(stem);
    out.push(b'.');
    out.extend_from_slice(hex.as_bytes());
    out.extend_from_slice(b".tmp");
    Ok(OsString::from_vec(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &Path) -> Vec<OsString> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .expect("list")
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_replace_the_file_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("webhost.prom");
        write(&path, b"one\n").expect("first write");
        write(&path, b"two\n").expect("second write");
        assert_eq!(fs::read(&path).expect("read"), b"two\n");
        let mode = fs::metadata(&path).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
        assert_eq!(names_in(dir.path()), ["webhost.prom"], "no temp file left");
    }

    #[test]
    fn temp_names_are_hidden_from_the_collector_and_never_repeat() {
        let a = temp_name(OsStr::new("webhost.prom")).expect("name");
        let b = temp_name(OsStr::new("webhost.prom")).expect("name");
        assert_ne!(a, b);
        for n in [&a, &b] {
            let n = n.to_string_lossy();
            assert!(n.starts_with(".webhost.prom."), "{n}");
            assert!(n.ends_with(".tmp") && !n.ends_with(".prom"), "{n}");
        }
        let long = OsString::from("x".repeat(255));
        assert!(temp_name(&long).expect("name").len() <= 255);
    }

    #[test]
    fn an_entry_at_the_temp_name_is_neither_followed_nor_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let victim = dir.path().join("victim");
        fs::write(&victim, b"precious").expect("write");
        let planted = dir.path().join(".webhost.prom.planted.tmp");
        let dangling = dir.path().join(".webhost.prom.dangling.tmp");
        std::os::unix::fs::symlink(&victim, &planted).expect("link");
        std::os::unix::fs::symlink(dir.path().join("created"), &dangling).expect("link");
        for link in [&planted, &dangling] {
            let err = create_new(link.clone())
                .err()
                .expect("an existing name is refused");
            assert_eq!(err.kind(), io::ErrorKind::AlreadyExists, "{err}");
            assert!(fs::symlink_metadata(link).expect("kept").is_symlink());
        }
        assert_eq!(fs::read(&victim).expect("read"), b"precious");
        assert!(
            !dir.path().join("created").exists(),
            "the dangling link was followed"
        );
    }

    #[test]
    fn a_failed_write_leaves_no_temp_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("page.html");
        fs::create_dir(&target).expect("mkdir");
        fs::write(target.join("inside"), b"kept").expect("write");
        let err = write(&target, b"<html>").expect_err("a folder cannot be replaced by a file");
        assert!(format!("{err:#}").contains("cannot write"), "{err:#}");
        assert_eq!(names_in(dir.path()), ["page.html"], "no temp file left");
        assert_eq!(fs::read(target.join("inside")).expect("read"), b"kept");
    }
}

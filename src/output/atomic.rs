//! Writing a file other programs read (a metrics file, a status page) so that they never see
//! half of it.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::{Context as _, Result};

/// Replaces `path` with `bytes` so that a reader sees the old file or the new one, never a part:
/// a temp file in the same folder (a rename across file systems is not atomic), flushed to disk,
/// then renamed over it. The file is mode 0644 whatever the umask: collectors run as other users.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    // Dot-prefixed and not ending in .prom, so the textfile collector skips it.
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| -> std::io::Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)?;
        f.set_permissions(fs::Permissions::from_mode(0o644))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    // The rename itself is durable only once the folder is synced; failing that is not fatal.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_the_file_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("webhost.prom");
        write(&path, b"one\n").expect("first write");
        write(&path, b"two\n").expect("second write");
        assert_eq!(fs::read(&path).expect("read"), b"two\n");
        let mode = fs::metadata(&path).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("list")
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        assert_eq!(names, ["webhost.prom"], "no temp file left");
    }
}

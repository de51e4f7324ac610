//! `webhost config set|get|unset|list`.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::config::ConfigKey;
use crate::domain::error::{invalid, not_found};
use crate::output::Done;

/// What `config` was asked to do.
#[derive(Debug, Clone)]
pub enum Action {
    Set(ConfigKey, Vec<String>),
    Get(ConfigKey),
    Unset(ConfigKey),
    List,
}

pub fn run(ctx: &Context, action: &Action) -> Result<Outcome> {
    match action {
        Action::Set(key, value) => {
            let text = key.encode(value)?;
            if let (ConfigKey::OnChange, Some(program)) = (key, value.first()) {
                runnable(program)?;
            }
            if let (ConfigKey::CaFile, Some(path)) = (key, value.first()) {
                crate::poll::check_ca_file(Path::new(path)).map_err(invalid)?;
            }
            ctx.create_store()?.config_set(*key, &text)?;
            ctx.out.done(
                &Done::setting("set", key.as_str()),
                format!("{} set", key.as_str()),
            )?;
        }
        Action::Get(key) => {
            let store = ctx.read_store()?;
            match store.config_get(*key)? {
                Some(v) => ctx.out.config(&[(key.as_str().to_string(), v)])?,
                None => return Err(not_found(format!("{} is not set", key.as_str()))),
            }
        }
        Action::Unset(key) => {
            let was_set = ctx.write_store()?.config_unset(*key)?;
            let note = match was_set {
                true => format!("{} unset", key.as_str()),
                false => format!("{} was not set", key.as_str()),
            };
            let done = Done {
                was_set: Some(was_set),
                ..Done::setting("unset", key.as_str())
            };
            ctx.out.done(&done, note)?;
        }
        Action::List => ctx.out.config(&ctx.read_store()?.config_list()?)?,
    }
    Ok(Outcome::Done)
}

/// Where `program` is, found as the hook will be run (execvp): a name with a `/` is a path,
/// which must be an executable file; a bare name must be one in a folder of PATH. A hook
/// that cannot start would only fail at the next status change, in a cron mail.
fn runnable(program: &str) -> Result<PathBuf> {
    let executable =
        |p: &Path| p.is_file() && rustix::fs::access(p, rustix::fs::Access::EXEC_OK).is_ok();
    if program.is_empty() {
        return Err(invalid("on-change needs a command, not empty text"));
    }
    if program.contains('/') {
        let path = Path::new(program);
        let why = match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => "does not exist",
            Err(_) => "cannot be read",
            Ok(m) if !m.is_file() => "is not a file",
            Ok(_) if !executable(path) => "is not executable (chmod +x it)",
            Ok(_) => return Ok(path.to_path_buf()),
        };
        return Err(invalid(format!("on-change: {program} {why}")));
    }
    // execvp's search: PATH's folders in order, an empty one being the current folder, and
    // glibc's default when PATH is not set.
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/bin:/usr/bin".into());
    std::env::split_paths(&path)
        .map(|dir| match dir.as_os_str().is_empty() {
            true => PathBuf::from(".").join(program),
            false => dir.join(program),
        })
        .find(|candidate| executable(candidate))
        .ok_or_else(|| {
            invalid(format!(
                "on-change: no command '{program}' in any folder of PATH: give its path, e.g. \
                 /usr/local/bin/{program} (cron's PATH is shorter than a shell's)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_hook_is_found_as_execvp_would_find_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let script = dir.path().join("notify");
        std::fs::write(&script, "#!/bin/sh\n").expect("write");
        let text = |p: &Path| p.to_str().expect("UTF-8").to_string();
        let why = |p: &str| runnable(p).expect_err(p).to_string();

        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(why(&text(&script)).ends_with("is not executable (chmod +x it)"));
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(runnable(&text(&script)).ok(), Some(script.clone()));

        assert!(why(&text(&dir.path().join("nope"))).ends_with("does not exist"));
        assert!(why(&text(dir.path())).ends_with("is not a file"));
        assert!(why("").contains("not empty"));
        // A bare name is looked for on PATH (sh is on every PATH a test runs with).
        assert!(runnable("sh").is_ok());
        assert!(why("webhost-no-such-hook").contains("no command 'webhost-no-such-hook'"));
    }
}

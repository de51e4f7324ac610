use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use webhost::cli::{Cli, subcommand_named};
use webhost::domain::secret;
use webhost::exit::Exit;
use webhost::output::{ColorChoice, Output, terminal_safe};

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    match Cli::try_parse_from(&argv) {
        Ok(cli) => match webhost::settings::run(cli) {
            Ok(exit) => exit.into(),
            Err(err) => {
                // An error may quote what was typed: a URL with a password, control characters.
                let line = secret::scrub(&one_line(&err), &[]);
                eprintln!("webhost: {}", terminal_safe(&line));
                Exit::for_error(&err).into()
            }
        },
        Err(err) => usage_error(&err, &argv).into(),
    }
}

/// The error and its causes on one line, the way cron mails read best.
fn one_line(err: &anyhow::Error) -> String {
    err.chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

/// Prints clap's message and exits 2; `--help` and `--version` exit 0. `check` exits 3: as a
/// Nagios plugin, its own usage error is UNKNOWN, not CRITICAL (2), and is said on stdout too.
fn usage_error(err: &clap::Error, argv: &[OsString]) -> Exit {
    let _ = err.print();
    if !err.use_stderr() {
        return Exit::Success;
    }
    if subcommand_named(argv).as_deref() == Some("check") {
        // Nagios shows a plugin's stdout only: without this line it says "(No output on stdout)".
        let out = Output::new(false, false, 0, ColorChoice::Never);
        let _ = out.check_usage_error(&err.to_string());
        Exit::Plugin(3)
    } else {
        Exit::Usage
    }
}

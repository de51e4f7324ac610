use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use webhost::cli::Cli;
use webhost::error::exit_for;
use webhost::exit_code::Exit;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    match webhost::commands::run(cli) {
        Ok(exit) => exit.into(),
        Err(err) => {
            eprintln!("webhost: {}", one_line(&err));
            exit_for(&err).into()
        }
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
/// Nagios plugin, its own usage error is UNKNOWN, not CRITICAL (2).
fn usage_error(err: &clap::Error) -> ExitCode {
    let _ = err.print();
    if !err.use_stderr() {
        return ExitCode::SUCCESS;
    }
    let subcommand = Cli::command()
        .ignore_errors(true)
        .try_get_matches()
        .ok()
        .and_then(|m| m.subcommand_name().map(str::to_owned));
    if subcommand.as_deref() == Some("check") {
        Exit::Plugin(3).into()
    } else {
        Exit::Usage.into()
    }
}

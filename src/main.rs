use std::process::ExitCode;

use clap::Parser;

use webhost::cli::Cli;
use webhost::error::exit_for;

fn main() -> ExitCode {
    let cli = Cli::parse();
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

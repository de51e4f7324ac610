//! `webhost completions SHELL`.

use anyhow::Result;
use clap::CommandFactory;

use super::Context;
use crate::cli::{Cli, Shell};
use crate::exit_code::Exit;

pub fn run(ctx: &Context, shell: Shell) -> Result<Exit> {
    ctx.out.raw(&generate(shell))?;
    Ok(Exit::Success)
}

/// The completion script for `shell`, as committed in `completions/`.
pub fn generate(shell: Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut cmd = Cli::command();
    let gen_shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(gen_shell, &mut cmd, "webhost", &mut buf);
    buf
}

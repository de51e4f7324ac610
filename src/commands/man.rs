//! `webhost man`.

use anyhow::Result;
use clap::CommandFactory;

use super::Context;
use crate::cli::Cli;
use crate::exit_code::Exit;

pub fn run(ctx: &Context) -> Result<Exit> {
    ctx.out.raw(&generate()?)?;
    Ok(Exit::Success)
}

/// The man page in roff, as committed in `man/webhost.1`.
pub fn generate() -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    Ok(buf)
}

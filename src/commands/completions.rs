//! `webhost completions SHELL`: prints the script the command line's definition generated.

use anyhow::Result;

use super::Context;
use crate::exit::Exit;

pub fn run(ctx: &Context, script: &[u8]) -> Result<Exit> {
    ctx.out.raw(script)?;
    Ok(Exit::Success)
}

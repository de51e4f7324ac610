//! `webhost man`: prints the man page the command line's definition generated.

use anyhow::Result;

use super::Context;
use crate::exit::Exit;

pub fn run(ctx: &Context, page: &[u8]) -> Result<Exit> {
    ctx.out.raw(page)?;
    Ok(Exit::Success)
}

//! `webhost man`: prints the man page the command line's definition generated.

use anyhow::Result;

use super::{Context, Outcome};

pub fn run(ctx: &Context, page: &[u8]) -> Result<Outcome> {
    ctx.out.raw(page)?;
    Ok(Outcome::Done)
}

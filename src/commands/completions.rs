//! `webhost completions SHELL`: prints the script the command line's definition generated.

use anyhow::Result;

use super::{Context, Outcome};

pub fn run(ctx: &Context, script: &[u8]) -> Result<Outcome> {
    ctx.out.raw(script)?;
    Ok(Outcome::Done)
}

//! `webhost export`.

use anyhow::Result;

use super::Context;
use crate::cli::ExportArgs;
use crate::exit_code::Exit;
use crate::model::RecordType;
use crate::store::Filter;
use crate::transfer::Row;

pub fn run(ctx: &Context, args: &ExportArgs) -> Result<Exit> {
    let store = ctx.open_store()?;
    let mut rows = Vec::new();
    let mut tokens = 0;
    for rt in [RecordType::Host, RecordType::Instance] {
        for r in store.list(rt, &Filter::default())? {
            tokens += usize::from(r.settings.token.is_some());
            rows.push(Row::from_record(&r, args.with_tokens));
        }
    }
    ctx.out.export(&rows, args.format)?;
    if tokens > 0 && !args.with_tokens {
        ctx.out.note(format!(
            "tokens left out ({tokens} record(s) have one): pass --with-tokens to include them; \
             importing this file keeps the tokens already stored"
        ));
    }
    Ok(Exit::Success)
}

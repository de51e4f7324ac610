//! `webhost export`.

use anyhow::Result;

use super::{Context, Outcome};
use crate::domain::model::RecordType;
use crate::domain::query::Filter;
use crate::domain::units::plural;
use crate::transfer::{Format, Row};

pub fn run(ctx: &Context, with_tokens: bool, format: Format) -> Result<Outcome> {
    let store = if with_tokens {
        ctx.read_store_with_tokens()?
    } else {
        ctx.read_store()?
    };
    let mut rows = Vec::new();
    let mut tokens = 0;
    for rt in RecordType::ALL {
        for r in store.list(rt, &Filter::default())? {
            tokens += usize::from(r.has_token);
            rows.push(Row::from_record(&r, with_tokens));
        }
    }
    ctx.out.export(&rows, format)?;
    if tokens > 0 && !with_tokens {
        ctx.out.note(format!(
            "tokens left out ({} {} one): pass --with-tokens to include them; \
             importing this file keeps the tokens already stored",
            plural(tokens as u64, "record"),
            if tokens == 1 { "has" } else { "have" }
        ));
    }
    Ok(Outcome::Done)
}

//! Checks on what users type, each failing with one line that says what is wrong and how to fix it.

use anyhow::Result;

use super::error::invalid;
use super::model::{ApiKind, RecordType, Settings};
use super::secret::redact;

/// The longest ref.
pub const MAX_REF: usize = 128;

/// Whether `c` may appear in a ref.
pub fn ref_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Refs are names people type and scripts pass around: keep them shell- and URL-safe. Only
/// dots (`.`, `..`) would read as folders wherever a ref becomes a path or a URL segment.
pub fn reference(rt: RecordType, r: &str) -> Result<()> {
    if r.is_empty()
        || r.len() > MAX_REF
        || !r.chars().all(ref_char)
        || r.starts_with('-')
        || r.chars().all(|c| c == '.')
    {
        return Err(invalid(format!(
            "invalid {rt} ref '{}': use 1 to {MAX_REF} letters, digits, '.', '_' or '-' (not \
             starting with '-', not only dots)",
            super::units::shorten(r, MAX_REF + 1)
        )));
    }
    Ok(())
}

/// A monitoring URL must be absolute http(s) with a host. The message quotes it redacted: a
/// URL may carry a password.
pub fn url(u: &str) -> Result<()> {
    let bad = |why: &str| {
        invalid(format!(
            "invalid URL '{}': {why} (expected e.g. https://erp.example.com/custom/webobserver/public/get-data.php)",
            redact(u)
        ))
    };
    let uri: http::Uri = u.parse().map_err(|_| bad("it does not parse"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => return Err(bad(&format!("scheme '{other}' is not http or https"))),
        None => return Err(bad("it has no http:// or https://")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    Ok(())
}

/// The rules that tie a record's fields together. `host_kind` is the kind of the instance's host.
pub fn settings(rt: RecordType, s: &Settings, host_kind: Option<ApiKind>) -> Result<()> {
    reference(rt, &s.reference)?;
    if let Some(u) = &s.url {
        url(u)?;
    }
    if s.token.as_deref().is_some_and(str::is_empty) {
        return Err(invalid("the token is empty: give a token, or leave it out"));
    }
    match (rt, s.kind) {
        (RecordType::Host, ApiKind::Ping) => {
            return Err(invalid(
                "a host cannot use --api ping: use server-observer-v1, server-manager-v1 or custom (ping is for instances)",
            ));
        }
        (_, ApiKind::Custom) if s.probe.is_empty() => {
            return Err(invalid(
                "--api custom needs --probe CMD [ARGS...]: the command that checks this record",
            ));
        }
        (RecordType::Instance, ApiKind::ServerManagerV1) => {
            match host_kind {
                None => {
                    return Err(invalid(
                        "a server-manager-v1 instance needs --host HOSTREF: it is checked through its host's URL and token",
                    ));
                }
                Some(ApiKind::ServerManagerV1) => {}
                Some(k) => {
                    return Err(invalid(format!(
                        "a server-manager-v1 instance needs a server-manager-v1 host, and its host is {k}"
                    )));
                }
            }
            if s.url.is_some() || s.token.is_some() {
                return Err(invalid(
                    "a server-manager-v1 instance uses its host's URL and token: leave out --url and --token",
                ));
            }
        }
        _ => {}
    }
    if s.kind != ApiKind::Custom && !s.probe.is_empty() {
        return Err(invalid("--probe is only for --api custom"));
    }
    let needs_url = !(rt == RecordType::Instance && s.kind == ApiKind::ServerManagerV1)
        && s.kind != ApiKind::Custom;
    if needs_url && s.url.is_none() {
        return Err(invalid(format!("--api {} needs --url URL", s.kind)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs() {
        assert!(reference(RecordType::Host, "web-01.prod_a").is_ok());
        assert!(reference(RecordType::Host, ".hidden").is_ok());
        assert!(reference(RecordType::Host, &"a".repeat(MAX_REF)).is_ok());
        let long = "a".repeat(MAX_REF + 1);
        for bad in ["", "a b", "a/b", "-x", "é", "a;rm", ".", "..", "...", &long] {
            assert!(
                reference(RecordType::Host, bad).is_err(),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn urls() {
        assert!(url("https://erp.example.com/get-data.php?x=1").is_ok());
        assert!(url("http://127.0.0.1:8080/").is_ok());
        for bad in ["ftp://x/", "example.com", "http://", "", "https:// bad"] {
            assert!(url(bad).is_err(), "{bad:?} accepted");
        }
        let why = url("https://u:pa ss@h.example/?token=t0k").expect_err("a blank");
        assert!(
            why.to_string()
                .contains("'https://u:***@h.example/?token=***'"),
            "{why}"
        );
    }
}

//! Keeping secrets out of what is printed, stored or handed on: tokens, request signatures and
//! passwords inside URLs.

/// Query parameters whose values are secrets.
const SECRET_PARAMS: [&str; 3] = ["hash", "token", "password"];

/// `url` fit to print: secret query values and any userinfo password replaced by `***`.
pub fn redact(url: &str) -> String {
    let (without_fragment, fragment) = match url.find('#') {
        Some(at) => (&url[..at], &url[at..]),
        None => (url, ""),
    };
    let (base, query) = match without_fragment.find('?') {
        Some(at) => (&without_fragment[..at], Some(&without_fragment[at + 1..])),
        None => (without_fragment, None),
    };
    let mut out = redact_userinfo(base);
    if let Some(query) = query {
        out.push('?');
        let parts: Vec<String> = query
            .split('&')
            .map(|part| {
                let key = part.split('=').next().unwrap_or("");
                if part.contains('=') && SECRET_PARAMS.iter().any(|s| key.eq_ignore_ascii_case(s)) {
                    format!("{key}=***")
                } else {
                    part.to_string()
                }
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out.push_str(fragment);
    out
}

/// `scheme://user:password@host/...` → `scheme://user:***@host/...`.
fn redact_userinfo(base: &str) -> String {
    let Some(scheme_end) = base.find("://") else {
        return base.to_string();
    };
    let authority_start = scheme_end + 3;
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |at| authority_start + at);
    let authority = &base[authority_start..authority_end];
    let Some(at) = authority.rfind('@') else {
        return base.to_string();
    };
    let userinfo = &authority[..at];
    let user = userinfo.split(':').next().unwrap_or("");
    if !userinfo.contains(':') {
        return base.to_string();
    }
    format!(
        "{}{user}:***{}",
        &base[..authority_start],
        &base[authority_start + at..]
    )
}

/// Free text (an error page, a probe's stderr) fit to print: any `hash=<value>` and any
/// occurrence of the given secrets, in any ASCII case (a PHP script may upper-case the hex of
/// a signature it quotes), replaced by `***`. Servers sometimes echo the request URI.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        // Very short secrets would shred ordinary words; they are not worth hiding that way.
        if secret.len() >= 4 && out.len() >= secret.len() {
            out = replace_ignore_case(&out, secret, "***");
        }
    }
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = find_ignore_case(rest, "hash=") {
        let value_start = at + "hash=".len();
        result.push_str(&rest[..value_start]);
        let value_len = rest[value_start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len() - value_start);
        if value_len > 0 {
            result.push_str("***");
        }
        rest = &rest[value_start + value_len..];
    }
    result.push_str(rest);
    result
}

/// `text` with every ASCII-case-insensitive occurrence of `needle` (not empty) replaced.
fn replace_ignore_case(text: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // A match starts and ends on char boundaries: only ASCII letters may differ from `needle`.
    while let Some(at) = find_ignore_case(rest, needle) {
        out.push_str(&rest[..at]);
        out.push_str(with);
        rest = &rest[at + needle.len()..];
    }
    out.push_str(rest);
    out
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // printf %s s3cr3t-T0ken1764000000 | md5sum
    const EXAMPLE_HASH: &str = "987497877e3b895762bcef097118fdf6";

    #[test]
    fn redact_hides_hash_and_password() {
        let url =
            format!("https://u:pw@h.example/get-data.php?hash={EXAMPLE_HASH}&time=1764000000");
        let redacted = redact(&url);
        assert_eq!(
            redacted,
            "https://u:***@h.example/get-data.php?hash=***&time=1764000000"
        );
        assert!(!redacted.contains(EXAMPLE_HASH));
        assert_eq!(redact("http://h/a?x=1&HASH=zz"), "http://h/a?x=1&HASH=***");
        assert_eq!(redact("http://h/a"), "http://h/a");
    }

    #[test]
    fn scrub_hides_hash_values_and_secrets() {
        let text =
            format!("Fatal error in /get-data.php?Hash={EXAMPLE_HASH}&time=1 for s3cr3t-T0ken");
        assert_eq!(
            scrub(&text, &["s3cr3t-T0ken"]),
            "Fatal error in /get-data.php?Hash=***&time=1 for ***"
        );
        assert_eq!(scrub("no secrets here", &["abc"]), "no secrets here");
        let upper = EXAMPLE_HASH.to_ascii_uppercase();
        assert_eq!(
            scrub(
                &format!("Invalid signature {upper} for time 1"),
                &[EXAMPLE_HASH]
            ),
            "Invalid signature *** for time 1"
        );
        assert_eq!(
            scrub("é tok-É tok-é", &["tok-é"]),
            "é tok-É ***",
            "only ASCII folds"
        );
    }
}

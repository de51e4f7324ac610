//! The observer scripts' request signature, and keeping it out of anything printed.
//!
//! Both scripts authenticate a request by `hash=md5(token + time)&time=<unix seconds>` in the
//! query string (see shared/protocols.md, "Authentication").

use md5::{Digest, Md5};

/// Lowercase hex MD5 of `token` immediately followed by the decimal `now_unix`.
pub fn signature(token: &str, now_unix: u64) -> String {
    let digest = Md5::digest(format!("{token}{now_unix}").as_bytes());
    let mut hex = String::with_capacity(32);
    for byte in digest.iter() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `url` with `hash` and `time` appended when a token is set; unchanged otherwise.
///
/// An empty token still signs: Easya's fork accepts an empty token, and then expects
/// `md5("" + time)`.
pub fn signed_url(url: &str, token: Option<&str>, now_unix: u64) -> String {
    match token {
        Some(token) => {
            let hash = signature(token, now_unix);
            with_query(url, &[("hash", &hash), ("time", &now_unix.to_string())])
        }
        None => url.to_string(),
    }
}

/// Appends `pairs` (percent-encoded) to the query of `url`, before any `#fragment`.
pub fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let (base, fragment) = match url.find('#') {
        Some(at) => (&url[..at], &url[at..]),
        None => (url, ""),
    };
    let mut out = String::with_capacity(base.len() + 64);
    out.push_str(base);
    for (key, value) in pairs {
        let separator = if out.contains('?') {
            if out.ends_with('?') || out.ends_with('&') {
                ""
            } else {
                "&"
            }
        } else {
            "?"
        };
        out.push_str(separator);
        out.push_str(&encode(key));
        out.push('=');
        out.push_str(&encode(value));
    }
    out.push_str(fragment);
    out
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(byte >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(byte & 0x0f)]));
        }
    }
    out
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

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
/// occurrence of the given secrets replaced by `***`. Servers sometimes echo the request URI.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        // Very short secrets would shred ordinary words; they are not worth hiding that way.
        if secret.len() >= 4 {
            out = out.replace(secret, "***");
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
    fn protocol_example_signature() {
        assert_eq!(signature("s3cr3t-T0ken", 1_764_000_000), EXAMPLE_HASH);
    }

    #[test]
    fn signed_url_appends_with_question_mark_or_ampersand() {
        assert_eq!(
            signed_url(
                "https://erp.example.fr/custom/webobserver/public/get-data.php",
                Some("s3cr3t-T0ken"),
                1_764_000_000
            ),
            format!(
                "https://erp.example.fr/custom/webobserver/public/get-data.php?hash={EXAMPLE_HASH}&time=1764000000"
            )
        );
        assert_eq!(
            signed_url(
                "https://srv.example.fr/manager.php?action=get-all-instance",
                Some("s3cr3t-T0ken"),
                1_764_000_000
            ),
            format!(
                "https://srv.example.fr/manager.php?action=get-all-instance&hash={EXAMPLE_HASH}&time=1764000000"
            )
        );
    }

    #[test]
    fn no_token_leaves_url_alone_and_empty_token_signs() {
        assert_eq!(signed_url("http://h/x.php", None, 5), "http://h/x.php");
        let signed = signed_url("http://h/x.php", Some(""), 1_764_000_000);
        assert_eq!(
            signed,
            format!(
                "http://h/x.php?hash={}&time=1764000000",
                signature("", 1_764_000_000)
            )
        );
    }

    #[test]
    fn query_goes_before_fragment_and_is_encoded() {
        assert_eq!(
            with_query(
                "http://h/s.php#top",
                &[
                    ("action", "get-info-instance"),
                    ("instance_name", "a b&c/é")
                ]
            ),
            "http://h/s.php?action=get-info-instance&instance_name=a%20b%26c%2F%C3%A9#top"
        );
        assert_eq!(
            with_query("http://h/s.php?", &[("a", "1")]),
            "http://h/s.php?a=1"
        );
    }

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
    }
}

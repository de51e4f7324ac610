//! Keeping secrets out of what is printed, stored or handed on: tokens, request signatures and
//! passwords inside URLs.

/// What makes a URL parameter secret. Its name is lower-cased and stripped of `_` and `-`
/// (`api_key`, `API-Key` and `apikey` are all `apikey`); it is secret when that equals one of
/// these words or ends with one (`access_token`, `client_secret`, `x-api-key`). Masking a
/// harmless `monkey=` costs a reader little; printing a key costs its owner a lot.
const SECRET_WORDS: [&str; 10] = [
    "token",
    "key",
    "password",
    "passwd",
    "pwd",
    "secret",
    "hash",
    "auth",
    "signature",
    "sig",
];

/// What stands for a secret that was left out.
pub const MASK: &str = "***";

/// `url` fit to print: any userinfo password (`https://user:***@host/`, or `https://***@host/`
/// when the userinfo is a lone token) and the values of secret query and fragment parameters
/// (see `SECRET_WORDS`) replaced by `***`. Works on text that does not parse as a URL too
/// (an error message quotes what was typed): a password holding a raw `/`, `?` or `#` is
/// still masked.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(at) => url.split_at(at + 3),
        None => ("", url),
    };
    let (authority, after) = if scheme.is_empty() {
        ("", rest)
    } else {
        rest.split_at(authority_len(rest))
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(scheme);
    out.push_str(&redact_userinfo(authority));
    let (before_fragment, fragment) = match after.find('#') {
        Some(at) => (&after[..at], Some(&after[at + 1..])),
        None => (after, None),
    };
    let (path, query) = match before_fragment.find('?') {
        Some(at) => (&before_fragment[..at], Some(&before_fragment[at + 1..])),
        None => (before_fragment, None),
    };
    out.push_str(path);
    if let Some(query) = query {
        out.push('?');
        out.push_str(&redact_params(query));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(&redact_params(fragment));
    }
    out
}

/// Whether `text` (a URL, a probe argument) holds a `***` where `scrub` puts one for a URL's
/// secret or a `hash=`: an export without tokens left its secrets out, so it is not the text
/// to store.
pub fn is_masked(text: &str) -> bool {
    let unmasked = text.replace(MASK, "x");
    scrub(text, &[]) == text && scrub(&unmasked, &[]) != unmasked
}

/// Where the authority of `rest` (what follows `scheme://`) ends: at its first `/`, `?` or `#`.
fn authority_end(rest: &str) -> usize {
    rest.find(['/', '?', '#']).unwrap_or(rest.len())
}

/// Where the authority of `rest` ends, userinfo included. A password with a raw `/`, `?` or
/// `#` would end it early: a `user:` followed by something that is not a port, then an `@`
/// later on, is taken for such a password, and the authority runs to the host after the `@`.
fn authority_len(rest: &str) -> usize {
    let end = authority_end(rest);
    let Some(colon) = rest[..end].find(':') else {
        return end;
    };
    let is_port = rest[colon + 1..end].bytes().all(|b| b.is_ascii_digit());
    let ipv6 = rest.starts_with('[');
    if rest[..end].contains('@') || is_port || ipv6 {
        return end;
    }
    match rest[end..].find('@') {
        Some(at) => {
            let host = end + at + 1;
            host + authority_end(&rest[host..])
        }
        None => end,
    }
}

/// `user:password@host` → `user:***@host`; `token@host` → `***@host`; others unchanged.
fn redact_userinfo(authority: &str) -> String {
    let Some(at) = authority.rfind('@') else {
        return authority.to_string();
    };
    let (userinfo, host) = authority.split_at(at);
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{user}:{MASK}{host}"),
        None if userinfo.is_empty() => authority.to_string(),
        None => format!("{MASK}{host}"),
    }
}

/// `a=1&token=x` → `a=1&token=***`.
fn redact_params(params: &str) -> String {
    params
        .split('&')
        .map(|part| match part.split_once('=') {
            Some((key, value)) if !value.is_empty() && is_secret_name(key) => {
                format!("{key}={MASK}")
            }
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether a parameter named `key` (maybe percent-encoded) holds a secret.
fn is_secret_name(key: &str) -> bool {
    let name: String = percent_decoded(key)
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_WORDS.iter().any(|word| name.ends_with(word))
}

/// `%5F` → `_`: enough for a parameter name; a bad escape is kept as written.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Free text (an error page, a probe's stderr) fit to print: any `hash=<value>`, any
/// occurrence of the given secrets, in any ASCII case (a PHP script may upper-case the hex of
/// a signature it quotes), and the secrets of any http(s) URL in it (as `redact` does)
/// replaced by `***`. Servers sometimes echo the request URI.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = redact_urls(text);
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

/// `text` with each http(s) URL in it redacted; a URL ends at a blank or a quote.
fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find_ignore_case(rest, "http") {
        let candidate = &rest[at..];
        let scheme = ["http://", "https://"].into_iter().find(|s| {
            candidate
                .get(..s.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(s))
        });
        let Some(scheme) = scheme else {
            out.push_str(&rest[..at + 4]);
            rest = &rest[at + 4..];
            continue;
        };
        let len = candidate[scheme.len()..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'))
            .map_or(candidate.len(), |end| scheme.len() + end);
        out.push_str(&rest[..at]);
        out.push_str(&redact(&candidate[..len]));
        rest = &candidate[len..];
    }
    out.push_str(rest);
    out
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
    fn redact_hides_every_kind_of_url_secret() {
        let cases = [
            (
                "https://user:PASSWORD@h.example/",
                "https://user:***@h.example/",
            ),
            ("https://ghp_T0KEN@h.example/x", "https://***@h.example/x"),
            ("https://h.example/?token=T", "https://h.example/?token=***"),
            (
                "https://h.example/?KEY=T&a=1",
                "https://h.example/?KEY=***&a=1",
            ),
            (
                "https://h.example/?api_key=T",
                "https://h.example/?api_key=***",
            ),
            (
                "https://h.example/?Api-Key=T",
                "https://h.example/?Api-Key=***",
            ),
            (
                "https://h.example/?apikey=T",
                "https://h.example/?apikey=***",
            ),
            (
                "https://h.example/?api%5Fkey=T",
                "https://h.example/?api%5Fkey=***",
            ),
            (
                "https://h.example/?passwd=T",
                "https://h.example/?passwd=***",
            ),
            (
                "https://h.example/?Pass_Word=T",
                "https://h.example/?Pass_Word=***",
            ),
            (
                "https://h.example/?secret=T",
                "https://h.example/?secret=***",
            ),
            (
                "https://h.example/?client_secret=T",
                "https://h.example/?client_secret=***",
            ),
            (
                "https://h.example/?access_token=T",
                "https://h.example/?access_token=***",
            ),
            ("https://h.example/?AUTH=T", "https://h.example/?AUTH=***"),
            (
                "https://h.example/#access_token=T&x=1",
                "https://h.example/#access_token=***&x=1",
            ),
            // A password typed with raw `/`, `#` or `?` in it: the URL does not parse.
            ("https://u:pa/ss@h.example/", "https://u:***@h.example/"),
            ("https://u:pa#ss@h.example/", "https://u:***@h.example/"),
            ("https://u:p@ss@h.example/", "https://u:***@h.example/"),
            // Nothing secret: left alone.
            (
                "https://h.example:8443/a/@me?x=1",
                "https://h.example:8443/a/@me?x=1",
            ),
            ("http://[::1]:8080/a/@me", "http://[::1]:8080/a/@me"),
            ("http://u:pw@[::1]:8080/", "http://u:***@[::1]:8080/"),
            ("https://h.example/?token=", "https://h.example/?token="),
            (
                "https://h.example/?tokens_left=3",
                "https://h.example/?tokens_left=3",
            ),
            ("https://h.example/a?flag", "https://h.example/a?flag"),
            ("not a url", "not a url"),
        ];
        for (url, redacted) in cases {
            assert_eq!(redact(url), redacted, "{url}");
            assert_eq!(redact(redacted), redacted, "a redacted URL stays as it is");
        }
    }

    #[test]
    fn masked_urls_are_told_from_urls_with_stars() {
        assert!(is_masked("https://u:***@h.example/"));
        assert!(is_masked("https://h.example/?token=***"));
        assert!(!is_masked("https://u:pw@h.example/"));
        assert!(!is_masked("https://h.example/***/x?a=***"));
        assert!(!is_masked("https://h.example/"));
        assert!(is_masked("--url=https://u:***@h.example/"));
        assert!(!is_masked("--stars=***"));
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
        assert_eq!(
            scrub(
                "GET HTTPS://u:pw@h/?api_key=abc failed; see 'http://h/?a=1&secret=x'",
                &[]
            ),
            "GET HTTPS://u:***@h/?api_key=*** failed; see 'http://h/?a=1&secret=***'"
        );
        assert_eq!(scrub("httpd said http", &[]), "httpd said http");
    }
}

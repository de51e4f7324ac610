//! The observer scripts' request signature.
//!
//! Both scripts authenticate a request by `hash=md5(token + time)&time=<unix seconds>` in the
//! query string (see shared/protocols.md, "Authentication").

use md5::{Digest, Md5};

/// Seconds since the Unix epoch by the system clock, which is what servers check a signature's
/// `time` against (never a clock fixed for tests).
pub fn now_unix() -> u64 {
    u64::try_from(crate::clock::system_now()).unwrap_or(0)
}

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

/// Signs the requests of one check and remembers every signature it sent: a server may quote a
/// signature back in any form (`Invalid signature 0f3e... for time ...`), and the check's
/// reading is scrubbed of exactly the values its requests carried (`secrets`). Each request is
/// signed for the moment it is made, so a long host check stays inside the servers' window.
#[derive(Debug)]
pub struct Signer<'a> {
    token: Option<&'a str>,
    sent: Vec<String>,
}

impl<'a> Signer<'a> {
    /// Signs with `token`; without one, requests go unsigned.
    pub fn new(token: Option<&'a str>) -> Signer<'a> {
        Signer {
            token,
            sent: Vec::new(),
        }
    }

    /// Whether the requests carry a signature.
    pub fn signs(&self) -> bool {
        self.token.is_some()
    }

    /// `url` signed for now by the system clock, as `signed_url` does.
    pub fn sign(&mut self, url: &str) -> String {
        self.sign_at(url, now_unix())
    }

    /// `url` signed for `now_unix`; the signature is remembered.
    pub fn sign_at(&mut self, url: &str, now_unix: u64) -> String {
        let Some(token) = self.token else {
            return url.to_string();
        };
        let hash = signature(token, now_unix);
        let signed = with_query(url, &[("hash", &hash), ("time", &now_unix.to_string())]);
        if !self.sent.contains(&hash) {
            self.sent.push(hash);
        }
        signed
    }

    /// What no reading of this check may hold: the token, and every signature sent.
    pub fn secrets(&self) -> Vec<&str> {
        self.token
            .into_iter()
            .chain(self.sent.iter().map(String::as_str))
            .collect()
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
    fn a_signer_remembers_exactly_the_signatures_it_sent() {
        let mut signer = Signer::new(Some("s3cr3t-T0ken"));
        assert!(signer.signs());
        let first = signer.sign_at("http://h/x.php", 1_764_000_000);
        assert_eq!(
            first,
            signed_url("http://h/x.php", Some("s3cr3t-T0ken"), 1_764_000_000)
        );
        signer.sign_at("http://h/x.php?action=a", 1_764_000_000);
        signer.sign_at("http://h/x.php", 1_764_000_002);
        assert_eq!(
            signer.secrets(),
            [
                "s3cr3t-T0ken",
                EXAMPLE_HASH,
                &signature("s3cr3t-T0ken", 1_764_000_002)
            ]
        );
        // Not the neighbours of a time used: only what was sent.
        let neighbour = signature("s3cr3t-T0ken", 1_764_000_001);
        assert!(!signer.secrets().contains(&neighbour.as_str()));

        let mut unsigned = Signer::new(None);
        assert!(!unsigned.signs());
        assert_eq!(unsigned.sign("http://h/x.php"), "http://h/x.php");
        assert!(unsigned.secrets().is_empty());
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
}

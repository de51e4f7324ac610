//! What a record's check asserts beyond "it answered": the HTTP statuses it accepts, text its
//! body must or must not hold, a response time above which it is degraded, and (ping) the
//! request's method and extra headers. Patterns use the `regex` crate: linear time and a size
//! limit, so a user's pattern cannot hang a pass.

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// Largest compiled pattern accepted.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;
/// Methods a ping may use: none of them sends a body.
pub const METHODS: [&str; 4] = ["GET", "HEAD", "OPTIONS", "DELETE"];

/// A record's assertions, stored as one JSON value. All empty: any 2xx/3xx is online.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Assertions {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expect_status: Vec<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reject_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_response_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// `Name: value`, as given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
}

impl Assertions {
    pub fn is_empty(&self) -> bool {
        *self == Assertions::default()
    }

    /// Whether the check must read the body to judge it.
    pub fn needs_body(&self) -> bool {
        self.expect_body.is_some() || self.reject_body.is_some()
    }

    /// Checks every pattern and header once, when the record is added or edited.
    pub fn validate(&self) -> Result<(), String> {
        for (option, pattern) in [
            ("--expect-body", &self.expect_body),
            ("--reject-body", &self.reject_body),
        ] {
            if let Some(p) = pattern {
                compile(p).map_err(|e| format!("{option} '{p}': {e}"))?;
            }
        }
        if let Some(code) = self
            .expect_status
            .iter()
            .find(|c| !(100..=599).contains(*c))
        {
            return Err(format!(
                "--expect-status {code}: an HTTP status is 100 to 599"
            ));
        }
        if let Some(m) = &self.method
            && !METHODS.contains(&m.as_str())
        {
            return Err(format!(
                "--method {m}: one of {} (a ping sends no body)",
                METHODS.join(", ")
            ));
        }
        for h in &self.headers {
            header(h)?;
        }
        Ok(())
    }

    /// The expected statuses, for messages: `200 or 301`.
    fn expected(&self) -> String {
        let codes: Vec<String> = self.expect_status.iter().map(u16::to_string).collect();
        match codes.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => "2xx or 3xx".into(),
        }
    }

    /// The status judged: None when accepted, else why not. Without `expect_status`, any
    /// 2xx or 3xx is accepted, as before.
    pub fn judge_status(&self, status: u16) -> Option<String> {
        let accepted = match self.expect_status.is_empty() {
            true => (200..400).contains(&status),
            false => self.expect_status.contains(&status),
        };
        (!accepted).then(|| format!("expected HTTP {}", self.expected()))
    }

    /// The body judged: None when it passes. An invalid pattern (stored before a change of
    /// rules) fails the check rather than passing it.
    pub fn judge_body(&self, body: &[u8]) -> Option<String> {
        let text = String::from_utf8_lossy(body);
        if let Some(p) = &self.expect_body {
            match compile(p) {
                Ok(re) if re.is_match(&text) => {}
                Ok(_) => return Some(format!("the page does not match --expect-body '{p}'")),
                Err(e) => return Some(format!("--expect-body '{p}' is not usable: {e}")),
            }
        }
        if let Some(p) = &self.reject_body {
            match compile(p) {
                Ok(re) => {
                    if let Some(m) = re.find(&text) {
                        let quoted: String = m.as_str().chars().take(60).collect();
                        return Some(format!(
                            "the page matches --reject-body '{p}' (\"{quoted}\")"
                        ));
                    }
                }
                Err(e) => return Some(format!("--reject-body '{p}' is not usable: {e}")),
            }
        }
        None
    }

    /// The headers as (name, value) pairs.
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        self.headers.iter().filter_map(|h| header(h).ok()).collect()
    }
}

/// The assertion options of one `add` or `edit`: each None leaves its part as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patch {
    /// Empty: any 2xx/3xx again.
    pub expect_status: Option<Vec<u16>>,
    pub expect_body: Option<Option<String>>,
    pub reject_body: Option<Option<String>>,
    pub max_response_ms: Option<Option<u64>>,
    pub method: Option<Option<String>>,
    pub headers: Option<Vec<String>>,
}

impl Patch {
    pub fn apply(&self, a: &mut Assertions) {
        if let Some(v) = &self.expect_status {
            a.expect_status.clone_from(v);
        }
        if let Some(v) = &self.expect_body {
            a.expect_body.clone_from(v);
        }
        if let Some(v) = &self.reject_body {
            a.reject_body.clone_from(v);
        }
        if let Some(v) = self.max_response_ms {
            a.max_response_ms = v;
        }
        if let Some(v) = &self.method {
            a.method.clone_from(v);
        }
        if let Some(v) = &self.headers {
            a.headers.clone_from(v);
        }
    }
}

fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            e.to_string()
                .lines()
                .last()
                .unwrap_or("invalid")
                .trim()
                .to_string()
        })
}

/// `Name: value` split; the name a token of letters, digits and `-`.
fn header(h: &str) -> Result<(String, String), String> {
    let (name, value) = h
        .split_once(':')
        .ok_or_else(|| format!("--header '{h}': write it as 'Name: value'"))?;
    let name = name.trim();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid || value.contains(['\r', '\n']) {
        return Err(format!("--header '{h}': not a valid header"));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut Assertions)) -> Assertions {
        let mut a = Assertions::default();
        f(&mut a);
        a
    }

    #[test]
    fn statuses_default_to_any_2xx_or_3xx() {
        let none = Assertions::default();
        assert_eq!(none.judge_status(200), None);
        assert_eq!(none.judge_status(302), None);
        assert_eq!(
            none.judge_status(503).as_deref(),
            Some("expected HTTP 2xx or 3xx")
        );
        let listed = with(|a| a.expect_status = vec![200, 301]);
        assert_eq!(listed.judge_status(301), None);
        assert_eq!(
            listed.judge_status(302).as_deref(),
            Some("expected HTTP 200 or 301")
        );
    }

    #[test]
    fn body_patterns_pass_and_fail_with_the_reason() {
        let a = with(|a| {
            a.expect_body = Some("Bienvenue".into());
            a.reject_body = Some("(?i)fatal error|maintenance".into());
        });
        assert_eq!(a.judge_body(b"<h1>Bienvenue</h1>"), None);
        assert_eq!(
            a.judge_body(b"<h1>Accueil</h1>").as_deref(),
            Some("the page does not match --expect-body 'Bienvenue'")
        );
        let why = a
            .judge_body(b"Bienvenue <b>Fatal error</b>: x")
            .expect("rejected");
        assert!(
            why.contains("matches --reject-body") && why.contains("Fatal error"),
            "{why}"
        );
    }

    #[test]
    fn bad_patterns_headers_and_methods_are_refused() {
        assert!(
            with(|a| a.expect_body = Some("(".into()))
                .validate()
                .is_err()
        );
        // Within linear time, but a huge program: the size limit refuses it.
        let huge = with(|a| a.expect_body = Some("\\w{1000}{1000}".into()));
        assert!(huge.validate().is_err());
        assert!(
            with(|a| a.headers = vec!["NoColon".into()])
                .validate()
                .is_err()
        );
        assert!(
            with(|a| a.headers = vec!["X-A: b\r\nEvil: 1".into()])
                .validate()
                .is_err()
        );
        assert!(with(|a| a.method = Some("POST".into())).validate().is_err());
        assert!(with(|a| a.expect_status = vec![99]).validate().is_err());
        let ok = with(|a| {
            a.headers = vec!["Host: shop.example".into()];
            a.method = Some("HEAD".into());
        });
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(
            ok.header_pairs(),
            [("Host".to_string(), "shop.example".to_string())]
        );
    }
}

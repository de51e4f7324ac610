//! Checks on what users type, each failing with one line that says what is wrong and how to fix it.

use anyhow::Result;

use super::error::invalid;
use super::model::{ApiKind, RecordType, Settings, Threshold};
use super::secret::redact;

/// The kinds a host may speak: every one but `ping`, which checks a site, not a server.
pub const HOST_KINDS: [ApiKind; 3] = [
    ApiKind::ServerObserverV1,
    ApiKind::ServerManagerV1,
    ApiKind::Custom,
];

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
    let ascii = super::url::to_ascii(u).map_err(|why| bad(&why))?;
    let uri: http::Uri = ascii.parse().map_err(|_| bad("it does not parse"))?;
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
        (RecordType::Host, kind) if !HOST_KINDS.contains(&kind) => {
            let kinds: Vec<&str> = HOST_KINDS.iter().map(|k| k.as_str()).collect();
            return Err(invalid(format!(
                "a host cannot use --api {kind}: use {} ({kind} is for instances)",
                kinds.join(", ")
            )));
        }
        (_, ApiKind::Ping) if s.token.is_some() => {
            // Stored, it would look used; a plain GET sends none.
            return Err(invalid(
                "--api ping sends no token: leave out --token, --token-stdin and --token-file \
                 (`edit --clear-token` removes a stored one)",
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
    if s.push && (rt != RecordType::Instance || s.kind != ApiKind::ServerObserverV1) {
        return Err(invalid(
            "--push is for server-observer-v1 instances: WebObserver is what pushes",
        ));
    }
    if s.push_grace.is_some() && !s.push {
        return Err(invalid(
            "--push-grace is for instances fed by pushes: add --push",
        ));
    }
    if s.push_grace.is_some_and(|g| g < 60) {
        return Err(invalid(
            "--push-grace must be at least 1m (WebObserver pushes once a minute at most)",
        ));
    }
    s.assertions.validate().map_err(invalid)?;
    let a = &s.assertions;
    if s.kind == ApiKind::Custom && !a.is_empty() {
        return Err(invalid(
            "--expect-*, --reject-body, --max-response, --method and --header are for the HTTP \
             checks webhost makes; a custom probe judges its own answers",
        ));
    }
    if s.kind != ApiKind::Ping && (a.method.is_some() || !a.headers.is_empty()) {
        return Err(invalid(
            "--method and --header are for --api ping (the observer scripts take a GET as they are)",
        ));
    }
    if s.ca_file.is_some() && s.kind == ApiKind::Custom {
        return Err(invalid(
            "--ca-file is for the HTTPS checks webhost makes; a custom probe makes its own connections",
        ));
    }
    if let Some(path) = s.ca_file.as_deref().filter(|p| !p.starts_with('/')) {
        return Err(invalid(format!(
            "the CA file must be an absolute path (passes run from cron, elsewhere), not '{path}'"
        )));
    }
    if s.ca_file.is_some() && s.insecure_tls {
        return Err(invalid(
            "--insecure-tls verifies no certificate, so --ca-file would never be used: give one or the other",
        ));
    }
    // A push record may sit behind NAT, where no poller reaches it.
    let needs_url = !(rt == RecordType::Instance && s.kind == ApiKind::ServerManagerV1)
        && s.kind != ApiKind::Custom
        && !s.push;
    if needs_url && s.url.is_none() {
        return Err(invalid(format!("--api {} needs --url URL", s.kind)));
    }
    thresholds(s)
}

/// A warning threshold must come before the critical one, or the warning can never show:
/// disk warn at most disk crit (when both are percentages, or both sizes: a share and an
/// amount cannot be compared), and certificate warn days at least crit days. The defaults
/// count: `--disk-warn 95%` alone is above the default 90%.
fn thresholds(s: &Settings) -> Result<()> {
    let t = s.thresholds();
    let named = |given: bool, option: &str, value: String| match given {
        true => format!("--{option} {value}"),
        false => format!("the default --{option} {value}"),
    };
    let disk_inverted = match (t.disk_warn, t.disk_crit) {
        (Threshold::Percent(w), Threshold::Percent(c)) => w > c,
        (Threshold::Bytes(w), Threshold::Bytes(c)) => w > c,
        _ => false,
    };
    if disk_inverted {
        return Err(invalid(format!(
            "{} is above {}: the warning would never show (warn must be at most crit)",
            named(
                s.disk_warn.is_some(),
                "disk-warn",
                threshold_text(t.disk_warn)
            ),
            named(
                s.disk_crit.is_some(),
                "disk-crit",
                threshold_text(t.disk_crit)
            ),
        )));
    }
    if t.cert_warn_days < t.cert_crit_days {
        return Err(invalid(format!(
            "{} is fewer days than {}: the warning would never show (a certificate warns \
             first, with more days left, so warn must be at least crit)",
            named(
                s.cert_warn_days.is_some(),
                "cert-warn-days",
                t.cert_warn_days.to_string()
            ),
            named(
                s.cert_crit_days.is_some(),
                "cert-crit-days",
                t.cert_crit_days.to_string()
            ),
        )));
    }
    Ok(())
}

/// A threshold the way the options take it: `85%`, `5G` (or bytes when not a whole unit).
fn threshold_text(t: Threshold) -> String {
    match t {
        Threshold::Percent(p) => format!("{p}%"),
        Threshold::Bytes(b) => match b {
            b if b.is_multiple_of(1 << 30) => format!("{}G", b >> 30),
            b if b.is_multiple_of(1 << 20) => format!("{}M", b >> 20),
            b if b.is_multiple_of(1 << 10) => format!("{}K", b >> 10),
            b => b.to_string(),
        },
    }
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

    fn ping(token: Option<&str>) -> Settings {
        Settings {
            url: Some("https://shop.example/".into()),
            token: token.map(str::to_string),
            ..Settings::new("shop", ApiKind::Ping)
        }
    }

    #[test]
    fn a_ping_takes_no_token() {
        assert!(settings(RecordType::Instance, &ping(None), None).is_ok());
        let why = settings(RecordType::Instance, &ping(Some("t0k")), None).expect_err("a token");
        assert!(why.to_string().contains("ping sends no token"), "{why}");
        let mut so = ping(Some("t0k"));
        so.kind = ApiKind::ServerObserverV1;
        assert!(settings(RecordType::Instance, &so, None).is_ok());
    }

    #[test]
    fn hosts_take_every_kind_but_ping() {
        for kind in ApiKind::ALL {
            let mut s = ping(None);
            s.kind = kind;
            s.probe = vec!["/bin/true".into()];
            if kind != ApiKind::Custom {
                s.probe.clear();
            }
            let ok = settings(RecordType::Host, &s, None).is_ok();
            assert_eq!(ok, HOST_KINDS.contains(&kind), "{kind}");
        }
    }

    fn with(edit: impl FnOnce(&mut Settings)) -> Result<()> {
        let mut s = ping(None);
        edit(&mut s);
        settings(RecordType::Instance, &s, None)
    }

    #[test]
    fn a_warning_must_come_before_the_critical_threshold() {
        use Threshold::{Bytes, Percent};
        let err = |r: Result<()>| r.map_err(|e| e.to_string()).expect_err("refused");
        let why = err(with(|s| {
            s.disk_warn = Some(Percent(95.0));
            s.disk_crit = Some(Percent(90.0));
        }));
        assert_eq!(
            why,
            "--disk-warn 95% is above --disk-crit 90%: the warning would never show (warn must \
             be at most crit)"
        );
        // The default critical threshold (90%) counts.
        let why = err(with(|s| s.disk_warn = Some(Percent(95.0))));
        assert!(why.contains("above the default --disk-crit 90%"), "{why}");
        let why = err(with(|s| {
            s.disk_warn = Some(Bytes(20 << 30));
            s.disk_crit = Some(Bytes(10 << 30));
        }));
        assert!(
            why.starts_with("--disk-warn 20G is above --disk-crit 10G"),
            "{why}"
        );
        // Certificates warn with more days left than they go critical.
        let why = err(with(|s| {
            s.cert_warn_days = Some(5);
            s.cert_crit_days = Some(10);
        }));
        assert!(
            why.starts_with("--cert-warn-days 5 is fewer days than --cert-crit-days 10"),
            "{why}"
        );
        let why = err(with(|s| s.cert_crit_days = Some(30)));
        assert!(why.contains("the default --cert-warn-days 21"), "{why}");

        for fine in [
            with(|s| {
                s.disk_warn = Some(Percent(85.0));
                s.disk_crit = Some(Percent(95.0));
            }),
            with(|s| {
                s.disk_warn = Some(Percent(90.0));
                s.disk_crit = Some(Percent(90.0));
            }),
            // A share and an amount cannot be compared: either may come first.
            with(|s| {
                s.disk_warn = Some(Bytes(1 << 30));
                s.disk_crit = Some(Percent(50.0));
            }),
            with(|s| s.disk_warn = Some(Bytes(500 << 30))),
            with(|s| {
                s.cert_warn_days = Some(30);
                s.cert_crit_days = Some(30);
            }),
            with(|s| s.cert_warn_days = Some(60)),
        ] {
            assert!(fine.is_ok(), "{fine:?}");
        }
    }
}

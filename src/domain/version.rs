//! Version numbers as Dolibarr and its modules write them (`18.0.4`, `3.24.1`, `2022.5.3`),
//! compared number by number. Pure functions, no I/O.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A numeric version: its dot-separated numbers. Missing trailing numbers count as 0, so
/// `1.2` equals `1.2.0`.
#[derive(Debug, Clone)]
pub struct Version(Vec<u64>);

impl Version {
    /// Reads the leading `N.N.N` of `text` (an optional `v` before it, anything after it
    /// such as `-beta` ignored). None when it does not start with a number: `dolibarr`,
    /// `experimental`, `development`, empty.
    pub fn parse(text: &str) -> Option<Version> {
        let t = text.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        let end = t
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(t.len());
        // "1." followed by a suffix is "1"; "1..2" and ".5" are not versions.
        let numeric = t[..end].trim_end_matches('.');
        if numeric.is_empty() {
            return None;
        }
        numeric
            .split('.')
            .map(|n| n.parse::<u64>().ok())
            .collect::<Option<Vec<_>>>()
            .map(Version)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.0.len().max(other.0.len());
        (0..len)
            .map(|i| {
                let a = self.0.get(i).copied().unwrap_or(0);
                let b = other.0.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

// By hand, to agree with `Ord`: `1.2 == 1.2.0`.
impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// For command-line arguments: a version the user typed must be fully numeric.
impl FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let all_numeric = !t.is_empty()
            && t.split('.')
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        all_numeric
            .then(|| Version::parse(t))
            .flatten()
            .ok_or_else(|| format!("'{s}' is not a version number (e.g. 3.22 or 18.0.4)"))
    }
}

/// Compares two version texts numerically; None when either is not a number.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}

/// True when `text` is a numeric version strictly below `limit`. Text that is not a number
/// (`experimental`, `development`, unknown) is never below anything.
pub fn is_below(text: Option<&str>, limit: &Version) -> bool {
    text.and_then(Version::parse).is_some_and(|v| v < *limit)
}

/// Newest first: numeric versions descending, then other text alphabetically, then unknown.
pub fn newest_first(a: Option<&str>, b: Option<&str>) -> Ordering {
    let key = |t: Option<&str>| (t.is_none(), t.and_then(Version::parse).is_none());
    key(a).cmp(&key(b)).then_with(|| {
        match (a.and_then(Version::parse), b.and_then(Version::parse)) {
            (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.cmp(&b)),
            _ => a.cmp(&b),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(t: &str) -> Version {
        Version::parse(t).unwrap_or_else(|| panic!("{t} should parse"))
    }

    #[test]
    fn compares_number_by_number() {
        assert!(v("3.21.0") < v("3.24.1"));
        assert!(v("1.2") < v("1.10"));
        assert!(v("9.0.0") < v("10.0.0"));
        assert!(v("18.0.4") > v("12.0.5"));
        assert!(v("2022.5.3") > v("20.0.0"));
        assert_eq!(v("1.2"), v("1.2.0"));
        assert!(v("3.21.0") < v("3.22"));
        assert!(v("3.22") >= v("3.22.0"));
    }

    #[test]
    fn reads_real_world_spellings() {
        assert_eq!(v("v1.4").to_string(), "1.4");
        assert_eq!(v(" 19.0.3 ").to_string(), "19.0.3");
        assert_eq!(v("3.24.1-beta").to_string(), "3.24.1");
        assert_eq!(v("2.0 rc1").to_string(), "2.0");
        assert_eq!(v("7").to_string(), "7");
        for text in [
            "dolibarr",
            "experimental",
            "development",
            "",
            "beta2",
            ".5",
            "1..2",
        ] {
            assert!(Version::parse(text).is_none(), "{text:?}");
        }
        // A number too large for u64 is not a version we can compare.
        assert!(Version::parse("99999999999999999999999").is_none());
    }

    #[test]
    fn arguments_must_be_plain_numbers() {
        assert_eq!("3.22".parse::<Version>(), Ok(v("3.22")));
        assert!("3.22-beta".parse::<Version>().is_err());
        assert!("latest".parse::<Version>().is_err());
        assert!("".parse::<Version>().is_err());
        assert!("1.".parse::<Version>().is_err());
    }

    #[test]
    fn below_never_matches_unknown_versions() {
        let limit = v("3.22");
        assert!(is_below(Some("3.21.0"), &limit));
        assert!(!is_below(Some("3.24.1"), &limit));
        assert!(!is_below(Some("3.22.0"), &limit));
        assert!(!is_below(Some("experimental"), &limit));
        assert!(!is_below(Some("development"), &limit));
        assert!(!is_below(Some("dolibarr"), &limit));
        assert!(!is_below(None, &limit));
    }

    #[test]
    fn sorts_newest_first_unknown_last() {
        let mut all = vec![
            None,
            Some("12.0.5"),
            Some("develop"),
            Some("19.0.3"),
            Some("9.0.1"),
            Some("18.0.4"),
        ];
        all.sort_by(|a, b| newest_first(*a, *b));
        assert_eq!(
            all,
            [
                Some("19.0.3"),
                Some("18.0.4"),
                Some("12.0.5"),
                Some("9.0.1"),
                Some("develop"),
                None
            ]
        );
    }
}

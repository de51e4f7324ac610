//! Quantities as people write and read them: durations, sizes, instants. One spelling each, so
//! a disk reads the same in a message, a table and a page.

use std::time::Duration;

/// `2026-11-25T08:43:00Z`: how JSON and hooks carry an instant (Unix seconds, UTC).
pub fn rfc3339(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Err(_) => secs.to_string(),
    }
}

/// For serde: an instant as `rfc3339` text.
pub fn serialize_rfc3339<S: serde::Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

/// For serde: an instant, when known, as `rfc3339` text; else null.
pub fn serialize_opt_rfc3339<S: serde::Serializer>(
    t: &Option<i64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize_rfc3339(t, s),
        None => s.serialize_none(),
    }
}

/// For serde: an instant back from `rfc3339` text.
pub fn deserialize_rfc3339<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .map_err(serde::de::Error::custom)
}

/// A short age such as `45s ago`, `12m ago`, `3h ago`, `2d ago` (`just now` for the future,
/// which a skewed clock gives).
pub fn age(secs: i64, now: i64) -> String {
    match now - secs {
        d if d < 0 => "just now".to_string(),
        d if d < 60 => format!("{d}s ago"),
        d if d < 3600 => format!("{}m ago", d / 60),
        d if d < 86_400 => format!("{}h ago", d / 3600),
        d => format!("{}d ago", d / 86_400),
    }
}

/// `15m`, `2h`, `1d`: a duration the way the options take it.
pub fn duration_arg(secs: u64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `3d 4h`, `12m`, `45s`: how long something lasted.
pub fn span(secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// The longest duration an option takes: more is a typo, and would overflow the instants
/// that callers compute as `now - duration`.
pub const MAX_DURATION: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Parses `500ms`, `10s`, `30m`, `24h`, `7d`, `2w`. A bare number is refused: `--since 7`
/// could mean seconds or days, and a wrong guess reads the wrong window silently.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim();
    if num.is_empty() {
        return Err(format!(
            "'{text}' is not a duration: a number and a unit (ms, s, m, h, d or w), e.g. 10s, \
             500ms, 2m, 7d"
        ));
    }
    if unit.is_empty() {
        return Err(format!(
            "'{text}' needs a unit: {num}s, {num}m, {num}h, {num}d"
        ));
    }
    let per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60 * 1000,
        "h" => 3600 * 1000,
        "d" => 86_400 * 1000,
        "w" => 7 * 86_400 * 1000,
        other => {
            return Err(format!(
                "unknown unit '{other}' in '{text}' (use ms, s, m, h, d or w)"
            ));
        }
    };
    let too_long = || {
        format!(
            "'{text}' is too long a duration: at most {}d (100 years)",
            MAX_DURATION.as_secs() / 86_400
        )
    };
    // Digits beyond u64 are an overflow too, not a malformed number.
    let n: u64 = num.parse().map_err(|_| too_long())?;
    let d = n
        .checked_mul(per_unit)
        .map(Duration::from_millis)
        .filter(|d| *d <= MAX_DURATION)
        .ok_or_else(too_long)?;
    if d.is_zero() {
        return Err(format!("'{text}': a duration must be more than zero"));
    }
    Ok(d)
}

/// A duration for people: `10 s`, `300 ms`, `1.5 s`.
pub fn human_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// Bytes for people, in powers of 1024: `512 B`, `8 MiB`, `49.09 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut unit = 1024u64;
    let mut index = 0;
    while index + 1 < UNITS.len() && bytes / unit >= 1024 {
        unit *= 1024;
        index += 1;
    }
    if bytes.is_multiple_of(unit) {
        format!("{} {}", bytes / unit, UNITS[index])
    } else {
        format!("{:.2} {}", bytes as f64 / unit as f64, UNITS[index])
    }
}

/// Parses a byte count with an optional binary suffix: `8M`, `512K`, `1G`, `1048576`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{text}' is not a size (e.g. 8M)"))?;
    let mult: u64 = match unit.trim().trim_end_matches("iB").trim_end_matches('B') {
        "" => 1,
        "K" | "k" => 1 << 10,
        "M" | "m" => 1 << 20,
        "G" | "g" => 1 << 30,
        other => return Err(format!("unknown size unit '{other}' (use K, M or G)")),
    };
    n.checked_mul(mult)
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("'{text}' is not a usable size"))
}

/// Parses a file mode in octal (`0640`, `640`): its owner must be able to read and write it,
/// and nobody else to write it.
pub fn parse_mode(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let mode = u32::from_str_radix(t.strip_prefix("0o").unwrap_or(t), 8)
        .ok()
        .filter(|m| *m <= 0o777)
        .ok_or_else(|| format!("'{text}' is not a file mode (octal, e.g. 0600 or 0640)"))?;
    if mode & 0o600 != 0o600 {
        return Err(format!(
            "mode {mode:04o} would not let webhost read and write its own database"
        ));
    }
    if mode & 0o002 != 0 {
        return Err(format!(
            "mode {mode:04o} would let anyone change the database"
        ));
    }
    Ok(mode)
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `1 host`, `2 hosts`, `0 instances`: a count with its noun, plural unless the count is one.
pub fn plural(n: u64, noun: &str) -> String {
    format!("{n} {}", noun_for(n, noun))
}

/// The noun as `plural` writes it after `n`: `host`, `hosts`. Every noun webhost counts
/// takes an `s`.
pub fn noun_for(n: u64, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}

/// `a host`, `an instance`: the noun with its article, chosen by its first letter (none of
/// the nouns webhost writes starts with a silent h or a sounded u).
pub fn with_article(noun: &str) -> String {
    let vowel = noun
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_764_000_000), "2025-11-24T16:00:00Z");
        assert_eq!(rfc3339(951_825_600), "2000-02-29T12:00:00Z");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration(" 24h "), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_secs(14 * 86_400)));
        assert_eq!(parse_duration("36500d"), Ok(MAX_DURATION));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5 days").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("").is_err());
        assert_eq!(duration_arg(900), "15m");
        assert_eq!(duration_arg(7200), "2h");
        assert_eq!(duration_arg(86_400), "1d");
        assert_eq!(duration_arg(90), "90s");
        assert_eq!(human_duration(Duration::from_secs(10)), "10 s");
        assert_eq!(human_duration(Duration::from_millis(300)), "300 ms");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5 s");
    }

    #[test]
    fn a_bare_number_is_refused_with_the_units_it_may_mean() {
        assert_eq!(
            parse_duration("7"),
            Err("'7' needs a unit: 7s, 7m, 7h, 7d".to_string())
        );
        assert!(parse_duration("0").is_err_and(|e| e.contains("needs a unit")));
    }

    #[test]
    fn an_unknown_unit_is_refused_with_every_real_one() {
        let why = parse_duration("3y").expect_err("no years");
        assert!(why.contains("use ms, s, m, h, d or w"), "{why}");
        let why = parse_duration("ms").expect_err("no number");
        assert!(why.contains("ms, s, m, h, d or w"), "{why}");
    }

    #[test]
    fn a_duration_past_a_hundred_years_is_refused_not_wrapped() {
        for huge in [
            "36501d",
            "999999999999999d",
            "18446744073709551615ms",
            "99999999999999999999999s",
            "30000000000000000w",
        ] {
            let why = parse_duration(huge).expect_err(huge);
            assert!(why.contains("too long"), "{huge}: {why}");
        }
        // What a caller computes as `now - since` stays far from overflowing.
        let now = 1_764_000_000_i64;
        let longest = parse_duration("5214w").expect("100 years in weeks");
        assert!(i64::try_from(longest.as_secs()).is_ok_and(|s| now.checked_sub(s).is_some()));
    }

    #[test]
    fn ages_and_spans() {
        assert_eq!(age(100, 130), "30s ago");
        assert_eq!(age(0, 7200), "2h ago");
        assert_eq!(age(0, 3 * 86_400 + 5), "3d ago");
        assert_eq!(age(10, 5), "just now");
        assert_eq!(span(45), "45s");
        assert_eq!(span(3 * 86_400 + 4 * 3600), "3d 4h");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8M"), Ok(8 << 20));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("0").is_err());
        assert!(parse_size("8X").is_err());
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1000), "1000 B");
        assert_eq!(human_bytes(1536), "1.50 KiB");
        assert_eq!(human_bytes(8 * 1024 * 1024), "8 MiB");
        assert_eq!(human_bytes(52_709_986_140), "49.09 GiB");
        assert_eq!(human_bytes(1_189_085_184), "1.11 GiB");
        assert_eq!(human_bytes(527_371_075_584), "491.15 GiB");
    }

    #[test]
    fn modes() {
        assert_eq!(parse_mode("0640"), Ok(0o640));
        assert_eq!(parse_mode("600"), Ok(0o600));
        assert!(parse_mode("0400").is_err(), "the owner must write");
        assert!(parse_mode("0666").is_err(), "world-writable");
        assert!(parse_mode("0999").is_err());
        assert!(parse_mode("rw-r-----").is_err());
    }

    #[test]
    fn counts_and_articles() {
        assert_eq!(plural(1, "host"), "1 host");
        assert_eq!(plural(2, "host"), "2 hosts");
        assert_eq!(plural(0, "instance"), "0 instances");
        assert_eq!(plural(1, "hook run"), "1 hook run");
        assert_eq!(noun_for(3, "record"), "records");
        assert_eq!(noun_for(1, "record"), "record");
        assert_eq!(with_article("instance"), "an instance");
        assert_eq!(with_article("host"), "a host");
    }

    #[test]
    fn words() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}

//! Small inline SVG pictures for the HTML report, drawn from data by pure functions.
//!
//! Each returns one `<svg>` element as text, with every piece of text in it escaped, so the
//! template can insert it as is. Sizes are in viewBox units; CSS gives the element its size.
//! The patterns they refer to (`#hatch`, `#gaps`) are defined once per page by [`DEFS`].

use std::fmt::Write as _;

/// Height of the uptime strip and the disk bar.
const BAR_HEIGHT: u32 = 20;
/// Width of one slot of the uptime strip, the last unit being the gap to the next.
const SLOT_WIDTH: usize = 3;
/// The band that marks a maintenance window along the top of the strip.
const MAINTENANCE_HEIGHT: u32 = 4;
const SPARK_HEIGHT: f64 = 24.0;

/// Patterns shared by every strip on the page: hatching (down, so it still reads without
/// colour) and the white gaps that cut a run of equal slots back into bars.
pub const DEFS: &str = concat!(
    r#"<svg class="defs" width="0" height="0" aria-hidden="true"><defs>"#,
    r#"<pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">"#,
    r#"<rect width="4" height="4" class="hatch-bg"/><rect width="1.5" height="4" class="hatch-fg"/></pattern>"#,
    r#"<pattern id="dots" width="3" height="3" patternUnits="userSpaceOnUse">"#,
    r#"<rect width="3" height="3" class="dots-bg"/><rect width="1" height="1" class="dots-fg"/></pattern>"#,
    r#"<pattern id="gaps" width="3" height="20" patternUnits="userSpaceOnUse">"#,
    r#"<rect x="2" width="1" height="20" class="gap"/></pattern>"#,
    "</defs></svg>"
);

/// What one slot of the uptime strip shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState {
    /// No check in the slot.
    NoData,
    Up,
    /// It answered, but the monitoring API was unusable (or never checked).
    Error,
    /// Offline or missing at least once.
    Down,
}

impl SlotState {
    pub fn as_str(self) -> &'static str {
        match self {
            SlotState::NoData => "no data",
            SlotState::Up => "up",
            SlotState::Error => "error",
            SlotState::Down => "down",
        }
    }

    fn class(self) -> &'static str {
        match self {
            SlotState::NoData => "n",
            SlotState::Up => "u",
            SlotState::Error => "e",
            SlotState::Down => "d",
        }
    }
}

/// One slot of the uptime strip: its state, its time span as text, and a detail such as
/// `3 of 96 checks down` (empty for none).
#[derive(Debug, Clone, PartialEq)]
pub struct StripSlot<'a> {
    pub state: SlotState,
    pub from: &'a str,
    pub to: &'a str,
    pub note: String,
    /// It overlaps a maintenance window: marked by a band along the top.
    pub maintenance: bool,
}

/// Escapes text for SVG/HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A response-time sparkline: one point per slot from 0 ms (bottom) to the highest value (top);
/// a slot without a value breaks the line, unless `answered` says it was watched and up there
/// (its checks fell outside the sampled stretch): then the line joins its neighbours. Empty text
/// when there is no value at all.
pub fn sparkline(points: &[Option<f64>], answered: &[bool]) -> String {
    let values: Vec<f64> = points
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if values.is_empty() {
        return String::new();
    }
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let width = points.len().saturating_sub(1).max(1);
    let y = |v: f64| -> f64 {
        if max <= 0.0 {
            return SPARK_HEIGHT - 1.0;
        }
        // One unit of margin so a flat line at the top or bottom keeps its full stroke; whole
        // units are pixels at the size shown, and keep a page of a thousand lines small.
        ((SPARK_HEIGHT - 1.0) - v.max(0.0) / max * (SPARK_HEIGHT - 2.0)).round()
    };
    let mut out = format!(
        r#"<svg class="spark" viewBox="0 0 {width} {SPARK_HEIGHT}" preserveAspectRatio="none" role="img" aria-label="response time {} to {} ms">"#,
        min.round(),
        max.round()
    );
    // Runs of consecutive values, each drawn as one polyline.
    let mut run: Vec<(usize, f64)> = Vec::new();
    let flush = |run: &mut Vec<(usize, f64)>, out: &mut String| {
        if run.is_empty() {
            return;
        }
        out.push_str(r#"<polyline points=""#);
        for (k, (x, v)) in run.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            let _ = write!(out, "{x},{}", y(*v));
        }
        if run.len() == 1 {
            // A lone point gets a short flat stroke so it shows at all.
            let (x, v) = run[0];
            let _ = write!(out, " {}.5,{}", x, y(v));
        }
        out.push_str(r#""/>"#);
        run.clear();
    };
    for (x, p) in points.iter().enumerate() {
        match p.filter(|v| v.is_finite()) {
            Some(v) => run.push((x, v)),
            None if answered.get(x).copied().unwrap_or(false) => {}
            None => flush(&mut run, &mut out),
        }
    }
    flush(&mut run, &mut out);
    out.push_str("</svg>");
    out
}

/// The uptime strip: one bar per slot, oldest on the left. Consecutive slots in the same state
/// with the same note are drawn as one rectangle (cut back into bars by the `#gaps` pattern)
/// whose tooltip spans them, which keeps a page of a thousand strips small.
pub fn uptime_strip(slots: &[StripSlot]) -> String {
    let width = slots.len() * SLOT_WIDTH;
    let count = |s: SlotState| slots.iter().filter(|x| x.state == s).count();
    let mut label = format!("{} slots:", slots.len());
    let mut first = true;
    for s in [
        SlotState::Up,
        SlotState::Error,
        SlotState::Down,
        SlotState::NoData,
    ] {
        let n = count(s);
        if n > 0 {
            let _ = write!(label, "{} {n} {}", if first { "" } else { "," }, s.as_str());
            first = false;
        }
    }
    let mut out = format!(
        r#"<svg class="strip" viewBox="0 0 {width} {BAR_HEIGHT}" preserveAspectRatio="none" role="img" aria-label="{}">"#,
        escape(&label)
    );
    let mut start = 0;
    while start < slots.len() {
        let s = &slots[start];
        let mut end = start + 1;
        while end < slots.len() && slots[end].state == s.state && slots[end].note == s.note {
            end += 1;
        }
        let last = &slots[end - 1];
        let mut title = format!("{} – {}: {}", s.from, last.to, s.state.as_str());
        if !s.note.is_empty() {
            let _ = write!(title, ", {}", s.note);
        }
        // No data is a low stub, so the strip reads without colour too.
        let (y, h) = match s.state {
            SlotState::NoData => (format!(r#" y="{}""#, BAR_HEIGHT - 4), 4),
            _ => (String::new(), BAR_HEIGHT),
        };
        let _ = write!(
            out,
            r#"<rect x="{}"{y} width="{}" height="{h}" class="{}"><title>{}</title></rect>"#,
            start * SLOT_WIDTH,
            (end - start) * SLOT_WIDTH,
            s.state.class(),
            escape(&title)
        );
        start = end;
    }
    if !slots.is_empty() {
        let _ = write!(
            out,
            r#"<rect width="{width}" height="{BAR_HEIGHT}" fill="url(#gaps)"/>"#
        );
    }
    // Maintenance windows over the bars, a band each run, so that what was seen stays legible.
    let mut start = 0;
    while start < slots.len() {
        if !slots[start].maintenance {
            start += 1;
            continue;
        }
        let mut end = start + 1;
        while end < slots.len() && slots[end].maintenance {
            end += 1;
        }
        let _ = write!(
            out,
            r#"<rect x="{}" width="{}" height="{MAINTENANCE_HEIGHT}" class="m"><title>{} – {}: maintenance</title></rect>"#,
            start * SLOT_WIDTH,
            (end - start) * SLOT_WIDTH,
            escape(slots[start].from),
            escape(slots[end - 1].to)
        );
        start = end;
    }
    out.push_str("</svg>");
    out
}

/// How full a disk is, as the bar's colour and pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warning,
    Critical,
}

impl Level {
    fn class(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Critical => "critical",
        }
    }
}

/// A disk bar: `used` of the bar's full width (all shares 0.0–1.0, clamped), with a tick at the
/// warning and the critical threshold when they fall on the bar.
pub fn disk_bar(used: f64, warn: Option<f64>, crit: Option<f64>, level: Level) -> String {
    const W: f64 = 100.0;
    let share = |v: f64| (v.clamp(0.0, 1.0) * W * 10.0).round() / 10.0;
    let mut label = format!("{:.0}% of the bar used", used.clamp(0.0, 1.0) * 100.0);
    let mut ticks = String::new();
    for (name, at) in [("warning", warn), ("critical", crit)] {
        if let Some(at) = at.filter(|a| a.is_finite() && (0.0..=1.0).contains(a)) {
            let x = share(at);
            let _ = write!(
                ticks,
                r#"<line x1="{x}" x2="{x}" y1="0" y2="{BAR_HEIGHT}" class="tick {name}"/>"#
            );
            let _ = write!(label, ", {name} at {:.0}%", at * 100.0);
        }
    }
    format!(
        r#"<svg class="disk" viewBox="0 0 {W} {BAR_HEIGHT}" preserveAspectRatio="none" role="img" aria-label="{label}"><rect width="{W}" height="{BAR_HEIGHT}" class="track"/><rect width="{}" height="{BAR_HEIGHT}" class="fill {}"/>{ticks}</svg>"#,
        share(used),
        level.class()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot<'a>(state: SlotState, from: &'a str, to: &'a str, note: &str) -> StripSlot<'a> {
        StripSlot {
            state,
            from,
            to,
            note: note.into(),
            maintenance: false,
        }
    }

    #[test]
    fn sparkline_scales_from_zero_to_the_highest_value() {
        let svg = sparkline(&[Some(0.0), Some(50.0), Some(100.0)], &[]);
        assert!(svg.starts_with("<svg class=\"spark\" viewBox=\"0 0 2 24\""));
        assert!(
            svg.contains(r#"<polyline points="0,23 1,12 2,1"/>"#),
            "{svg}"
        );
        assert!(svg.contains("response time 0 to 100 ms"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn sparkline_breaks_at_gaps_and_shows_lone_points() {
        let svg = sparkline(&[Some(10.0), Some(10.0), None, Some(10.0)], &[]);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(r#"points="0,1 1,1""#), "{svg}");
        assert!(svg.contains(r#"points="3,1 3.5,1""#), "{svg}");
        // A point watched and up but not sampled: the line goes on over it.
        let svg = sparkline(
            &[Some(10.0), None, Some(10.0), None, None, Some(10.0)],
            &[true, true, true, false, true, true],
        );
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert!(svg.contains(r#"points="0,1 2,1""#), "{svg}");
        assert_eq!(sparkline(&[None, None], &[true, true]), "");
        assert_eq!(sparkline(&[], &[]), "");
        // All zero: a flat line at the bottom, no division by zero.
        assert!(sparkline(&[Some(0.0), Some(0.0)], &[]).contains(r#"points="0,23 1,23""#));
    }

    #[test]
    fn strip_merges_runs_and_labels_them() {
        let slots = [
            slot(SlotState::NoData, "a", "b", ""),
            slot(SlotState::Up, "b", "c", ""),
            slot(SlotState::Up, "c", "d", ""),
            slot(SlotState::Down, "d", "e", "1 of 2 checks down"),
            slot(SlotState::Up, "e", "f", ""),
        ];
        let svg = uptime_strip(&slots);
        assert_eq!(
            svg.matches("<rect").count(),
            5,
            "4 runs and the gaps: {svg}"
        );
        assert!(svg.contains(
            r#"<rect x="3" width="6" height="20" class="u"><title>b – d: up</title></rect>"#
        ));
        assert!(svg.contains(
            r#"<rect x="0" y="16" width="3" height="4" class="n"><title>a – b: no data</title>"#
        ));
        assert!(svg.contains("<title>d – e: down, 1 of 2 checks down</title>"));
        assert!(svg.contains(r#"aria-label="5 slots: 3 up, 1 down, 1 no data""#));
        assert!(svg.contains("viewBox=\"0 0 15 20\""));
    }

    #[test]
    fn strip_escapes_its_text() {
        let svg = uptime_strip(&[slot(SlotState::Error, "<x>", "&", "\"q\"")]);
        assert!(
            svg.contains("&lt;x&gt; – &amp;: error, &quot;q&quot;"),
            "{svg}"
        );
        assert!(!svg.contains("<x>"));
    }

    #[test]
    fn disk_bar_places_fill_and_ticks() {
        let svg = disk_bar(0.78, Some(0.8), Some(0.9), Level::Ok);
        assert!(
            svg.contains(r#"<rect width="78" height="20" class="fill ok"/>"#),
            "{svg}"
        );
        assert!(svg.contains(r#"<line x1="80" x2="80" y1="0" y2="20" class="tick warning"/>"#));
        assert!(svg.contains(r#"x1="90""#));
        assert!(svg.contains("78% of the bar used, warning at 80%, critical at 90%"));
        // Over 100 % and thresholds off the bar: clamped fill, no tick.
        let svg = disk_bar(1.7, Some(1.2), None, Level::Critical);
        assert!(svg.contains(r#"width="100" height="20" class="fill critical""#));
        assert!(!svg.contains("<line"));
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert('1') & "x"</script>"#),
            "&lt;script&gt;alert(&#39;1&#39;) &amp; &quot;x&quot;&lt;/script&gt;"
        );
    }
}

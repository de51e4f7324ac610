//! How a table fits a width: which columns are shown, how wide each is, and how a cell's text
//! is cut or wrapped to that. Pure: `Output::print_table` measures the terminal and renders.

use unicode_width::UnicodeWidthChar;

/// Blanks between two columns.
pub const GAP: usize = 2;
/// A column that may be cut keeps at least this many characters (or its header's).
const CUT_MIN: usize = 10;
/// A column that may wrap keeps at least this many characters (or its header's).
const WRAP_MIN: usize = 16;
/// Wrapped free text in a list stops after this many lines, ending in `…`: the whole text is
/// in `show` and `--json`, and a list should stay a list.
pub const WRAP_LINES: usize = 3;

/// How a column gives way when its table is wider than the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Shown whole or not at all: refs, statuses, times, counts, short words.
    Whole,
    /// Cut to the width, ending in `…`: URLs, sizes.
    Cut,
    /// Free text (messages, labels, reasons): wraps onto more lines, breaking a word only when
    /// it is wider than the column.
    Wrap,
    /// A list of refs or names: wraps between words, never inside one.
    Words,
}

/// What the layout needs to know of one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    pub fit: Fit,
    /// When it may be left out to make room: lowest rank first. None: always shown.
    pub rank: Option<u8>,
    pub header: usize,
    /// The widest cell.
    pub widest: usize,
    /// The widest word of any cell (what a `Words` column must hold).
    pub widest_word: usize,
}

impl Need {
    fn natural(&self) -> usize {
        self.header.max(self.widest)
    }

    /// The narrowest it may be: never narrower than its header, which is never cut.
    fn least(&self) -> usize {
        let natural = self.natural();
        match self.fit {
            Fit::Whole => natural,
            Fit::Cut => natural.min(self.header.max(CUT_MIN)),
            Fit::Wrap => natural.min(self.header.max(WRAP_MIN)),
            Fit::Words => natural.min(self.header.max(self.widest_word).max(WRAP_MIN)),
        }
    }
}

/// Each column's width within `limit` (None: no limit, every column as wide as its content),
/// or None for a column left out. Columns that may give way shrink first, sharing the room
/// evenly; when even their least widths do not fit, columns are left out by rank. A table
/// whose columns that are always shown do not fit is wider than the limit: a ref is never cut.
pub fn widths(needs: &[Need], limit: Option<usize>) -> Vec<Option<usize>> {
    let natural: Vec<usize> = needs.iter().map(Need::natural).collect();
    let Some(limit) = limit else {
        return natural.into_iter().map(Some).collect();
    };
    let mut width: Vec<Option<usize>> = needs.iter().map(|n| Some(n.least())).collect();
    while span(&width) > limit {
        // The lowest rank goes first; of equal ranks, the rightmost.
        let next = needs
            .iter()
            .enumerate()
            .filter(|(i, n)| width[*i].is_some() && n.rank.is_some())
            .min_by_key(|(i, n)| (n.rank, std::cmp::Reverse(*i)));
        match next {
            Some((i, _)) => width[i] = None,
            None => break,
        }
    }
    let mut spare = limit.saturating_sub(span(&width));
    // One character at a time to each column still short of its content: an even share.
    while spare > 0 {
        let mut grew = false;
        for (w, natural) in width.iter_mut().zip(&natural) {
            if let Some(w) = w
                && *w < *natural
                && spare > 0
            {
                *w += 1;
                spare -= 1;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    width
}

/// The width of the shown columns and the gaps between them.
fn span(width: &[Option<usize>]) -> usize {
    let shown: Vec<usize> = width.iter().flatten().copied().collect();
    shown.iter().sum::<usize>() + GAP * shown.len().saturating_sub(1)
}

/// How many columns `text` takes on a terminal.
pub fn text_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// The widest word of `text` (words are what blanks separate).
pub fn widest_word(text: &str) -> usize {
    text.split(' ').map(text_width).max().unwrap_or(0)
}

/// `text` laid out in a column `width` wide, as lines: cut, wrapped or left whole as `fit`
/// says; wrapped free text stops after `max_lines` (when given) with a `…`.
pub fn fit(text: &str, fit: Fit, width: usize, max_lines: Option<usize>) -> Vec<String> {
    if text_width(text) <= width {
        return vec![text.to_string()];
    }
    match fit {
        Fit::Whole => vec![text.to_string()],
        Fit::Cut => vec![cut(text, width)],
        Fit::Wrap => {
            let mut lines = wrap(text, width, true);
            if let Some(max) = max_lines.filter(|max| lines.len() > *max) {
                lines.truncate(max);
                if let Some(last) = lines.last_mut() {
                    *last = with_ellipsis(last, width);
                }
            }
            lines
        }
        Fit::Words => wrap(text, width, false),
    }
}

/// `text` cut to at most `width` columns, ending in `…` when cut.
pub fn cut(text: &str, width: usize) -> String {
    if text_width(text) <= width {
        text.to_string()
    } else {
        with_ellipsis(text, width)
    }
}

/// As much of `text` as fits in `width` columns with a `…` after it.
fn with_ellipsis(text: &str, width: usize) -> String {
    let room = width.saturating_sub(1);
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        used += char_width(c);
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Greedy word wrap at blanks. A word wider than the line is split when `break_words`, and
/// else stands alone on its (too wide) line.
fn wrap(text: &str, width: usize, break_words: bool) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = text_width(word);
        if used > 0 && used + 1 + w <= width {
            line.push(' ');
            line.push_str(word);
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        if w <= width || !break_words {
            line.push_str(word);
            used = w;
            continue;
        }
        for c in word.chars() {
            let cw = char_width(c);
            if used + cw > width && used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    if used > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(fit: Fit, rank: Option<u8>, header: &str, cells: &[&str]) -> Need {
        Need {
            fit,
            rank,
            header: text_width(header),
            widest: cells.iter().map(|c| text_width(c)).max().unwrap_or(0),
            widest_word: cells.iter().map(|c| widest_word(c)).max().unwrap_or(0),
        }
    }

    fn total(widths: &[Option<usize>]) -> usize {
        span(widths)
    }

    #[test]
    fn no_limit_is_every_column_at_its_content() {
        let needs = [
            need(Fit::Whole, None, "REF", &["boulangerie-martin"]),
            need(
                Fit::Wrap,
                Some(1),
                "MESSAGE",
                &["a long message ".repeat(20).as_str()],
            ),
        ];
        assert_eq!(widths(&needs, None), [Some(18), Some(300)]);
    }

    #[test]
    fn a_table_that_fits_is_left_alone() {
        let needs = [
            need(Fit::Whole, None, "REF", &["shop"]),
            need(Fit::Cut, None, "URL", &["https://shop.example/"]),
        ];
        assert_eq!(widths(&needs, Some(100)), [Some(4), Some(21)]);
    }

    #[test]
    fn columns_that_give_way_share_the_room_and_whole_ones_keep_theirs() {
        let needs = [
            need(Fit::Whole, None, "REF", &["boulangerie-martin"]),
            need(Fit::Cut, None, "URL", &[&"u".repeat(80)]),
            need(Fit::Wrap, None, "MESSAGE", &[&"word ".repeat(30)]),
        ];
        let w = widths(&needs, Some(60));
        assert_eq!(w[0], Some(18), "a ref is never cut");
        assert_eq!(total(&w), 60);
        // Both grow from their least width (10 and 16) by the same amount.
        let (url, message) = (w[1].unwrap_or(0), w[2].unwrap_or(0));
        assert!(
            (url - 10).abs_diff(message - 16) <= 1,
            "an even share: {w:?}"
        );
    }

    #[test]
    fn a_short_column_that_gives_way_takes_only_what_it_needs() {
        let needs = [
            need(Fit::Whole, None, "REF", &["a"]),
            need(Fit::Cut, None, "DISK", &["12 GiB"]),
            need(Fit::Wrap, None, "MESSAGE", &[&"word ".repeat(30)]),
        ];
        assert_eq!(widths(&needs, Some(40)), [Some(3), Some(6), Some(27)]);
    }

    #[test]
    fn columns_are_left_out_by_rank_when_the_least_widths_do_not_fit() {
        let needs = [
            need(Fit::Whole, None, "REF", &["boulangerie-martin"]),
            need(Fit::Whole, Some(2), "RESPONSE", &["1234 ms"]),
            need(Fit::Whole, Some(1), "MONITOR", &["on"]),
            need(Fit::Whole, Some(1), "API", &["server-observer-v1"]),
            need(Fit::Wrap, None, "MESSAGE", &[&"word ".repeat(30)]),
        ];
        // The least widths: 18 + 8 + 7 + 18 + 16 and 8 of gaps = 75.
        let w = widths(&needs, Some(60));
        // Rank 1 goes first, rightmost of its rank first: API (18 + 2) is enough.
        assert_eq!(w[3], None, "{w:?}");
        assert!(w[2].is_some() && w[1].is_some(), "{w:?}");
        assert!(total(&w) <= 60);
        let w = widths(&needs, Some(40));
        assert_eq!((w[1], w[2], w[3]), (None, None, None), "{w:?}");
        assert_eq!(total(&w), 40);
    }

    #[test]
    fn what_is_always_shown_is_shown_even_wider_than_the_limit() {
        let needs = [
            need(Fit::Whole, None, "REF", &["boulangerie-martin"]),
            need(Fit::Whole, None, "STATUS", &["offline"]),
            need(Fit::Whole, Some(1), "HOST", &["srv1"]),
        ];
        assert_eq!(widths(&needs, Some(10)), [Some(18), Some(7), None]);
    }

    #[test]
    fn a_header_is_never_narrowed() {
        let needs = [need(
            Fit::Cut,
            None,
            "A VERY LONG HEADER",
            &["x".repeat(40).as_str()],
        )];
        assert_eq!(widths(&needs, Some(5)), [Some(18)]);
    }

    #[test]
    fn a_list_of_words_keeps_its_widest_word() {
        let needs = [
            need(Fit::Whole, None, "VERSION", &["18.0.4"]),
            need(
                Fit::Words,
                None,
                "REFS",
                &["a, boulangerie-martin-lyon-centre,"],
            ),
        ];
        assert_eq!(widths(&needs, Some(20)), [Some(7), Some(31)]);
    }

    #[test]
    fn cutting_ends_in_an_ellipsis_and_counts_wide_characters() {
        assert_eq!(cut("https://shop.example/", 10), "https://s…");
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("日本語のテキスト", 7), "日本語…");
        assert_eq!(text_width(&cut("日本語のテキスト", 7)), 7);
    }

    #[test]
    fn wrapping_breaks_at_blanks_and_splits_only_words_wider_than_the_line() {
        assert_eq!(
            fit("connection refused by the server", Fit::Wrap, 12, None),
            ["connection", "refused by", "the server"]
        );
        assert_eq!(
            fit(
                "see https://very.long.example/path now",
                Fit::Wrap,
                10,
                None
            ),
            ["see", "https://ve", "ry.long.ex", "ample/path", "now"]
        );
        assert_eq!(
            fit("alpha, boulangerie-martin, c", Fit::Words, 10, None),
            ["alpha,", "boulangerie-martin,", "c"]
        );
    }

    #[test]
    fn wrapped_text_stops_after_the_lines_allowed_with_an_ellipsis() {
        let lines = fit(&"word ".repeat(40), Fit::Wrap, 14, Some(3));
        assert_eq!(
            lines,
            ["word word word", "word word word", "word word wor…"]
        );
        assert!(lines.iter().all(|l| text_width(l) <= 14));
        assert_eq!(fit(&"word ".repeat(40), Fit::Wrap, 14, None).len(), 14);
    }

    #[test]
    fn whole_cells_and_cells_that_fit_are_untouched() {
        assert_eq!(
            fit("boulangerie-martin", Fit::Whole, 5, Some(1)),
            ["boulangerie-martin"]
        );
        assert_eq!(fit("a  b", Fit::Wrap, 10, Some(1)), ["a  b"]);
    }
}

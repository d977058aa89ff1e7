//! Puts the rules of each section in the order HAProxy runs them.
//!
//! HAProxy evaluates `tcp-request`, then `http-request`, then `redirect`,
//! then `use_backend` rules, whatever order the file lists them in, and
//! warns about every rule written after one that runs later. marathon-lb's
//! output triggers those warnings because each service's rules are appended
//! one after another. Within every section, mlb moves such lines into
//! evaluation order, each kind keeping its own order, and ACL declarations
//! ahead of all of them so that every ACL is declared before a rule uses
//! it. The meaning is unchanged; lines of other kinds stay where they are.

use std::ops::Range;

/// The rank of a rule line in evaluation order, or `None` for lines that
/// stay in place. The rule's keyword is the line's first word, words being
/// separated by any Unicode whitespace.
fn rank(line: &str) -> Option<u8> {
    const KEYWORDS: [&str; 5] = [
        "acl",
        "tcp-request",
        "http-request",
        "redirect",
        "use_backend",
    ];
    let word = trim_start(line);
    // Every keyword starts with a different letter: one comparison finds
    // the only candidate, which is the common case of a line that is none.
    let rank = match word.as_bytes().first()? {
        b'a' => 0,
        b't' => 1,
        b'h' => 2,
        b'r' => 3,
        b'u' => 4,
        _ => return None,
    };
    let after = word.strip_prefix(KEYWORDS[usize::from(rank)])?;
    after
        .chars()
        .next()
        .is_none_or(char::is_whitespace)
        .then_some(rank)
}

/// `line.trim_start()`, faster for the common case of ASCII indentation:
/// a config has hundreds of thousands of lines, each ranked.
fn trim_start(line: &str) -> &str {
    let indent = line.bytes().take_while(u8::is_ascii_whitespace).count();
    let rest = &line[indent..];
    // `is_ascii_whitespace` leaves out one ASCII character that
    // `trim_start` takes, the vertical tab, and every non-ASCII one.
    match rest.as_bytes().first() {
        Some(&byte) if byte == 0x0b || !byte.is_ascii() => rest.trim_start(),
        _ => rest,
    }
}

/// Where ordered text goes: a `String`, or a writer through
/// [`IoSink`](crate::staged).
pub(crate) trait Sink {
    /// What can go wrong while writing.
    type Error;

    /// Writes `text` whole.
    fn put(&mut self, text: &str) -> Result<(), Self::Error>;
}

impl Sink for String {
    type Error = std::convert::Infallible;

    fn put(&mut self, text: &str) -> Result<(), Self::Error> {
        self.push_str(text);
        Ok(())
    }
}

/// Whether `line` starts a section: a line that is not indented, not
/// blank and not a comment.
fn starts_section(line: &str) -> bool {
    !matches!(
        line.as_bytes().first(),
        Some(b' ' | b'\t' | b'\n' | b'\r' | b'#')
    )
}

/// Writes a config given in pieces to a [`Sink`] with the rule lines of
/// each section reordered, as if the pieces had been joined first.
///
/// The config of a large cluster is tens of megabytes and nearly all of
/// its sections are in order already: runs of those are passed on as they
/// are, straight from the pieces. Only a section that a piece leaves
/// unfinished is copied, to be completed by the next pieces, and only a
/// section out of order is rewritten. Pieces may end anywhere, even inside
/// a line, as operators' templates can.
pub(crate) struct RuleOrder<S> {
    sink: S,
    /// The current section so far, when it began in an earlier piece.
    pending: String,
    /// Where the last line of `pending` starts.
    last_line: usize,
    /// Whether any text came yet: the first line starts a section without
    /// ending one.
    started: bool,
    /// The highest rank of the current section so far.
    highest: Option<u8>,
    /// Whether a rule of the current section came after one ranked higher.
    disordered: bool,
    /// The lines of a section being reordered, with their ranks.
    lines: Vec<(Option<u8>, Range<usize>)>,
    /// The rule lines of a section being reordered.
    rules: Vec<(u8, Range<usize>)>,
}

impl<S: Sink> RuleOrder<S> {
    pub(crate) fn new(sink: S) -> Self {
        RuleOrder {
            sink,
            pending: String::new(),
            last_line: 0,
            started: false,
            highest: None,
            disordered: false,
            lines: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// Takes the next piece of the config.
    pub(crate) fn push(&mut self, text: &str) -> Result<(), S::Error> {
        let mut at = 0;
        // A line `pending` ends in is finished first; whether it starts a
        // section was decided with its first character.
        if !self.pending.is_empty() && !self.pending.ends_with('\n') {
            let Some(newline) = find_newline(text, 0) else {
                self.pending.push_str(text);
                return Ok(());
            };
            at = newline + 1;
            self.pending.push_str(&text[..at]);
            self.note(rank(&self.pending[self.last_line..]));
        }

        // `text[written..section]` is a run of sections in order, not
        // written yet; the current section starts at `section`, after
        // what `pending` holds.
        let mut written = at;
        let mut section = at;
        while at < text.len() {
            let end = find_newline(text, at).map_or(text.len(), |newline| newline + 1);
            let line = &text[at..end];
            if self.started && starts_section(line) {
                self.end_section(&text[written..section], &text[section..at])?;
                if self.disordered {
                    written = at;
                }
                section = at;
                self.highest = None;
                self.disordered = false;
            }
            self.started = true;
            if line.ends_with('\n') {
                self.note(rank(line));
            }
            at = end;
        }

        self.sink.put(&text[written..section])?;
        // `pending` is empty or ends a line here, so the rest starts one.
        self.last_line = self.pending.len() + last_line_start(&text[section..]);
        self.pending.push_str(&text[section..]);
        Ok(())
    }

    /// Ends the current section, `pending` then `tail`, with `run` the
    /// sections in order before `tail` not written yet. A section in order
    /// joins the run, except what `pending` holds, which goes before it.
    fn end_section(&mut self, run: &str, tail: &str) -> Result<(), S::Error> {
        if self.disordered {
            self.sink.put(run)?;
            if self.pending.is_empty() {
                put_reordered(&mut self.sink, tail, &mut self.lines, &mut self.rules)?;
            } else {
                self.pending.push_str(tail);
                put_reordered(
                    &mut self.sink,
                    &self.pending,
                    &mut self.lines,
                    &mut self.rules,
                )?;
            }
        } else if !self.pending.is_empty() {
            // Only the first section of a piece continues `pending`, so
            // the run is still empty.
            self.sink.put(&self.pending)?;
        }
        self.pending.clear();
        Ok(())
    }

    /// Writes the last section and gives the sink back.
    pub(crate) fn finish(mut self) -> Result<S, S::Error> {
        if !self.pending.ends_with('\n') {
            self.note(rank(&self.pending[self.last_line..]));
        }
        if self.disordered {
            put_reordered(
                &mut self.sink,
                &self.pending,
                &mut self.lines,
                &mut self.rules,
            )?;
        } else {
            self.sink.put(&self.pending)?;
        }
        Ok(self.sink)
    }

    fn note(&mut self, rank: Option<u8>) {
        if let Some(rank) = rank {
            self.disordered |= self.highest.is_some_and(|highest| rank < highest);
            self.highest = self.highest.max(Some(rank));
        }
    }
}

/// The position of the first `\n` of `text` at or after `from`.
///
/// Config lines are a few dozen bytes, too short for `str::find` to pay for
/// its setup, and every line of the config is searched: this tests eight
/// bytes at once. XOR with `\n` in every byte turns each `\n` into a zero
/// byte; `(x - 0x01..01) & !x & 0x80..80` has its high bits set from the
/// first zero byte of `x` on (only the first is sure to be one, which is
/// the one wanted), none when `x` has no zero byte.
fn find_newline(text: &str, from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(&chunk) = bytes.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
        let word = u64::from_le_bytes(chunk) ^ NEWLINES;
        let zeros = word.wrapping_sub(ONES) & !word & HIGHS;
        if zeros != 0 {
            // Little-endian: the first byte in memory is the lowest.
            return Some(at + zeros.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&byte| byte == b'\n')
        .map(|offset| at + offset)
}

/// Where the last line of `text` starts, that line ending `text` with or
/// without its `\n`.
fn last_line_start(text: &str) -> usize {
    let before_end = text.strip_suffix('\n').unwrap_or(text);
    before_end.rfind('\n').map_or(0, |at| at + 1)
}

/// Writes `section` to `sink` with its rule lines stably sorted into
/// evaluation order, each taking the place of a rule line; other lines
/// stay where they are. `lines` and `rules` are buffers reused from
/// section to section.
fn put_reordered<S: Sink>(
    sink: &mut S,
    section: &str,
    lines: &mut Vec<(Option<u8>, Range<usize>)>,
    rules: &mut Vec<(u8, Range<usize>)>,
) -> Result<(), S::Error> {
    lines.clear();
    rules.clear();
    let mut start = 0;
    while start < section.len() {
        let end = find_newline(section, start).map_or(section.len(), |newline| newline + 1);
        let rank = rank(&section[start..end]);
        if let Some(rank) = rank {
            rules.push((rank, start..end));
        }
        lines.push((rank, start..end));
        start = end;
    }
    rules.sort_by_key(|(rank, _)| *rank);
    let mut rules = rules.iter();
    for (rank, line) in lines.iter() {
        // There are exactly as many rules as rule lines to fill.
        let line = match rank {
            Some(_) => rules.next().map_or(line, |(_, rule)| rule),
            None => line,
        };
        sink.put(&section[line.clone()])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::RuleOrder;

    /// `config` ordered, given in pieces that end at `cuts` (byte offsets,
    /// moved back to a character boundary).
    fn ordered_in_pieces(config: &str, cuts: &[usize]) -> String {
        let mut order = RuleOrder::new(String::new());
        let mut start = 0;
        for &cut in cuts {
            let mut end = cut.clamp(start, config.len());
            while !config.is_char_boundary(end) {
                end -= 1;
            }
            let Ok(()) = order.push(&config[start..end.max(start)]);
            start = end.max(start);
        }
        let Ok(()) = order.push(&config[start..]);
        let Ok(config) = order.finish();
        config
    }

    fn order_rules(config: &str) -> String {
        ordered_in_pieces(config, &[])
    }

    /// The plain way: every section copied line by line, its rule lines
    /// sorted when out of order. `order_rules` must agree with it.
    fn reference(config: &str) -> String {
        fn rank(line: &str) -> Option<u8> {
            let word = line.split_whitespace().next()?;
            [
                "acl",
                "tcp-request",
                "http-request",
                "redirect",
                "use_backend",
            ]
            .iter()
            .position(|keyword| *keyword == word)
            .and_then(|rank| u8::try_from(rank).ok())
        }
        fn flush(section: &mut Vec<&str>, out: &mut String) {
            let slots: Vec<usize> = (0..section.len())
                .filter(|&i| rank(section[i]).is_some())
                .collect();
            let mut rules: Vec<&str> = slots.iter().map(|&i| section[i]).collect();
            if rules.windows(2).any(|pair| rank(pair[0]) > rank(pair[1])) {
                rules.sort_by_key(|line| rank(line));
                for (slot, line) in slots.iter().zip(rules) {
                    section[*slot] = line;
                }
            }
            for line in section.drain(..) {
                out.push_str(line);
            }
        }
        let mut out = String::new();
        let mut section: Vec<&str> = Vec::new();
        for line in config.split_inclusive('\n') {
            if !line.starts_with([' ', '\t', '\n', '\r', '#']) && !section.is_empty() {
                flush(&mut section, &mut out);
            }
            section.push(line);
        }
        flush(&mut section, &mut out);
        out
    }

    const LINES: &[&str] = &[
        "frontend f\n",
        "backend b\n",
        "acl at-the-top x\n",
        "  acl a hdr(host) a\n",
        "  use_backend b if a\n",
        "  redirect scheme https if a\n",
        "  http-request deny\n",
        "\ttcp-request content accept\n",
        "  aclx not-a-rule\n",
        "\u{a0}acl after a no-break space\n",
        "  use_backend\u{2003}b\n",
        "  http-request\n",
        "  server s 1.2.3.4:80\n",
        "# a comment\n",
        "\n",
        "\r\n",
        "  redirect",
    ];

    proptest::proptest! {
        #[test]
        fn agrees_with_the_plain_way(lines in proptest::collection::vec(0..LINES.len(), 0..40)) {
            let config: String = lines.iter().map(|&i| LINES[i]).collect();
            proptest::prop_assert_eq!(order_rules(&config), reference(&config));
        }

        #[test]
        fn pieces_order_as_if_joined(
            lines in proptest::collection::vec(0..LINES.len(), 0..40),
            mut cuts in proptest::collection::vec(0..1200_usize, 0..12),
        ) {
            let config: String = lines.iter().map(|&i| LINES[i]).collect();
            cuts.sort_unstable();
            proptest::prop_assert_eq!(ordered_in_pieces(&config, &cuts), reference(&config));
        }
    }

    proptest::proptest! {
        #[test]
        fn newlines_are_found_as_find_finds_them(
            text in "[a\n\u{e9}\u{1f600} ]{0,40}",
            from in 0..40_usize,
        ) {
            let from = (0..=from.min(text.len()))
                .rev()
                .find(|&at| text.is_char_boundary(at))
                .unwrap_or(0);
            let expected = text[from..].find('\n').map(|at| from + at);
            proptest::prop_assert_eq!(super::find_newline(&text, from), expected);
        }

        #[test]
        fn trimming_agrees_with_trim_start(text in "[ \t\n\r\u{b}\u{c}\u{a0}\u{2003}\u{85}a#]{0,12}") {
            proptest::prop_assert_eq!(super::trim_start(&text), text.trim_start());
        }
    }

    #[test]
    fn rules_move_into_evaluation_order_and_acls_first() {
        let config = "frontend f\n  bind :80\n  acl a hdr(host) a\n  use_backend x if a\n  acl b hdr(host) b\n  redirect scheme https if b\n  http-request auth if b\n\nbackend x\n  server s 1.2.3.4:80\n";
        assert_eq!(
            order_rules(config),
            "frontend f\n  bind :80\n  acl a hdr(host) a\n  acl b hdr(host) b\n  http-request auth if b\n  redirect scheme https if b\n  use_backend x if a\n\nbackend x\n  server s 1.2.3.4:80\n"
        );
    }

    #[test]
    fn ordered_sections_are_untouched() {
        let config = "global\n  daemon\nbackend x\n  acl a src 10.0.0.0/8\n  http-request deny if !a\n  server s 1.2.3.4:80\n";
        assert_eq!(order_rules(config), config);
    }
}

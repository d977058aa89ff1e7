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
    let word = line.trim_start();
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

/// Returns `config` with the rule lines of each section reordered.
///
/// The config of a large cluster is tens of megabytes and nearly all of
/// its sections are in order already: they are only read, and the few
/// others are written back over their own bytes, so that the config is
/// never held twice.
pub(crate) fn order_rules(config: String) -> String {
    let mut fixes: Vec<(usize, String)> = Vec::new();
    let mut section = 0;
    let mut start = 0;
    let mut highest = None;
    let mut disordered = false;
    while start < config.len() {
        let end = config[start..]
            .find('\n')
            .map_or(config.len(), |at| start + at + 1);
        let line = &config[start..end];
        // A section starts at a line that is not indented.
        if start > section && !line.starts_with([' ', '\t', '\n', '\r', '#']) {
            if disordered {
                fixes.push((section, reorder(&config[section..start])));
            }
            section = start;
            highest = None;
            disordered = false;
        }
        if let Some(rank) = rank(line) {
            disordered |= highest.is_some_and(|highest| rank < highest);
            highest = highest.max(Some(rank));
        }
        start = end;
    }
    if disordered {
        fixes.push((section, reorder(&config[section..])));
    }
    if fixes.is_empty() {
        return config;
    }

    let mut bytes = config.into_bytes();
    for (at, text) in fixes {
        bytes[at..at + text.len()].copy_from_slice(text.as_bytes());
    }
    // Whole lines only changed places, so the bytes are still UTF-8.
    String::from_utf8(bytes)
        .unwrap_or_else(|err| unreachable!("reordered lines are not UTF-8: {err}"))
}

/// One section with its rule lines stably sorted into evaluation order,
/// each taking the place of a rule line; other lines stay where they are,
/// and the section keeps its length.
fn reorder(section: &str) -> String {
    let lines: Vec<(Option<u8>, &str)> = section
        .split_inclusive('\n')
        .map(|line| (rank(line), line))
        .collect();
    let mut rules: Vec<(u8, &str)> = lines
        .iter()
        .filter_map(|(rank, line)| rank.map(|rank| (rank, *line)))
        .collect();
    rules.sort_by_key(|(rank, _)| *rank);
    let mut rules = rules.into_iter();
    let mut ordered = String::with_capacity(section.len());
    for (rank, line) in lines {
        // There are exactly as many rules as rule lines to fill.
        let line = match rank {
            Some(_) => rules.next().map_or(line, |(_, rule)| rule),
            None => line,
        };
        ordered.push_str(line);
    }
    ordered
}

#[cfg(test)]
mod tests {
    fn order_rules(config: &str) -> String {
        super::order_rules(config.to_owned())
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

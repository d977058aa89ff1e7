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
/// stay in place.
fn rank(line: &str) -> Option<u8> {
    let word = line.split_whitespace().next()?;
    match word {
        "acl" => Some(0),
        "tcp-request" => Some(1),
        "http-request" => Some(2),
        "redirect" => Some(3),
        "use_backend" => Some(4),
        _ => None,
    }
}

/// Returns `config` with the rule lines of each section reordered.
pub(crate) fn order_rules(config: &str) -> String {
    let mut out = String::with_capacity(config.len());
    let mut section: Vec<&str> = Vec::new();
    for line in config.split_inclusive('\n') {
        // A section starts at a line that is not indented.
        if !line.starts_with([' ', '\t', '\n', '\r', '#']) && !section.is_empty() {
            flush(&mut section, &mut out);
        }
        section.push(line);
    }
    flush(&mut section, &mut out);
    out
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

#[cfg(test)]
mod tests {
    use super::order_rules;

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

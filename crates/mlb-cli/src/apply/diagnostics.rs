//! Reading HAProxy's `-c` output into located, attributable diagnostics.
//!
//! HAProxy 2.6 reports problems on stderr, one `[ALERT]` or `[WARNING]`
//! line each, in a handful of shapes (all seen on real 2.6.12 output):
//!
//! ```text
//! [ALERT]    (6331) : config : parsing [/d/cfg:16] : unknown keyword 'x' in 'backend' section
//! [ALERT]    (6331) : config : Parsing [/d/cfg:14]: backend 'a' has the same name as ...
//! [ALERT]    (6331) : config : [/d/cfg:18] : 'server app_c/s1' : invalid character ...
//! [ALERT]    (6351) : config : Proxy 'f': unable to find required use_backend: 'b'.
//! [ALERT]    (6455) : config : ... 'x' is not a valid IPv4 address at line 2 of file '/d/ip.map'.
//! [WARNING]  (6458) : config : missing timeouts for frontend 'f'.
//!    | While not properly invalid, ...
//! ```
//!
//! The parse keeps the file and line when there is one, and names the
//! proxy (frontend, backend or listen section) the problem belongs to,
//! either from the section enclosing that line or from the message itself.
//! Post-parse checks (missing `use_backend` targets, tracking) carry no
//! line, so the proxy name is often the only handle on the culprit.

use std::path::Path;

/// How serious HAProxy says a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// An `[ALERT]`: the configuration is refused.
    Alert,
    /// A `[WARNING]`: the configuration loads, but probably not as meant.
    Warning,
}

/// Which of the candidate files a diagnostic points into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckedFile {
    /// The candidate config.
    Config,
    /// The candidate map file with this name (for example
    /// `domain2backend.map`).
    Map(String),
    /// A file that is not part of the candidate, as HAProxy printed it
    /// (for example a certificate or a Lua file the head refers to).
    Other(String),
}

/// One alert or warning from `haproxy -c`, tied back to the candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Alert or warning.
    pub severity: Severity,
    /// HAProxy's text after the `[ALERT] (pid) : config :` prefix, with
    /// any `|` continuation lines appended after a newline.
    pub message: String,
    /// The file the message points into, when it gives a location.
    pub file: Option<CheckedFile>,
    /// The 1-based line in [`Diagnostic::file`].
    pub line: Option<usize>,
    /// The text of that line in the candidate, when the file is part of it.
    pub source_line: Option<String>,
    /// The frontend, backend or listen section the message is about: the
    /// section enclosing the config line, else the proxy the message names.
    pub proxy: Option<String>,
}

/// Everything needed to turn the paths HAProxy printed back into the
/// candidate files they stand for.
pub(crate) struct Candidate<'a> {
    /// The path of the config file that was checked, as passed to `-f`.
    pub checked_config: &'a Path,
    /// The config text that was checked; its line numbers equal those of
    /// the rendered config because map-path rewriting never adds lines.
    pub config: &'a str,
    /// For each map: the path the checked config refers to it by, its
    /// file name and its content.
    pub maps: Vec<(&'a Path, &'a str, &'a str)>,
}

/// Parses the combined output of `haproxy -c` into diagnostics, in the
/// order HAProxy printed them.
///
/// Notices and the closing "errors found" summaries are dropped: they
/// locate nothing, and the raw output is kept elsewhere for operators.
pub(crate) fn parse(output: &str, candidate: &Candidate<'_>) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();

    // A continuation line belongs to the diagnostic above it, but only if
    // that one was kept: the flag stops a dropped summary's continuation
    // from being glued onto an earlier diagnostic.
    let mut last_kept = false;
    for raw in output.lines() {
        if let Some(more) = raw.trim_start().strip_prefix('|') {
            if let (true, Some(last)) = (last_kept, diagnostics.last_mut()) {
                last.message.push('\n');
                last.message.push_str(more.trim());
            }
            continue;
        }

        last_kept = false;
        let Some((severity, message)) = split_prefix(raw) else {
            continue;
        };
        if is_summary(message) {
            continue;
        }

        diagnostics.push(locate(severity, message, candidate));
        last_kept = true;
    }
    diagnostics
}

/// Splits `[ALERT]    (123) : config : text` into its severity and `text`;
/// `None` for notices and for lines that are not diagnostics at all.
fn split_prefix(line: &str) -> Option<(Severity, &str)> {
    let (severity, rest) = if let Some(rest) = line.strip_prefix("[ALERT]") {
        (Severity::Alert, rest)
    } else if let Some(rest) = line.strip_prefix("[WARNING]") {
        (Severity::Warning, rest)
    } else {
        return None;
    };

    // The process id in parentheses, then " : ", then a one-word area such
    // as "config" and another " : ". Each part is optional so that a
    // slightly different layout still yields the message.
    let mut rest = rest.trim_start();
    if rest.starts_with('(') {
        if let Some(close) = rest.find(')') {
            rest = rest[close + 1..].trim_start();
        }
    }
    rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
    if let Some((area, text)) = rest.split_once(" : ") {
        if !area.is_empty() && area.chars().all(|c| c.is_ascii_alphabetic()) {
            rest = text;
        }
    }
    Some((severity, rest.trim_end()))
}

/// Whether a message is one of the closing lines that only repeat that
/// something above went wrong.
fn is_summary(message: &str) -> bool {
    message.starts_with("Error(s) found in configuration file")
        || message.starts_with("Fatal errors found in configuration")
}

fn locate(severity: Severity, message: &str, candidate: &Candidate<'_>) -> Diagnostic {
    // A map-file location is the more specific of the two: the config
    // line only says which rule loaded the map, the map line names the
    // entry that is wrong.
    let location = map_location(message).or_else(|| bracket_location(message));
    let (file, line) = match location {
        Some((path, line)) => (Some(identify(path, candidate)), Some(line)),
        None => (None, None),
    };

    let source_line = match (&file, line) {
        (Some(CheckedFile::Config), Some(n)) => nth_line(candidate.config, n),
        (Some(CheckedFile::Map(name)), Some(n)) => candidate
            .maps
            .iter()
            .find(|(_, map_name, _)| map_name == name)
            .and_then(|(_, _, content)| nth_line(content, n)),
        _ => None,
    };

    let enclosing = match (&file, line) {
        (Some(CheckedFile::Config), Some(n)) => enclosing_proxy(candidate.config, n),
        _ => None,
    };
    let proxy = enclosing.or_else(|| named_proxy(message));

    Diagnostic {
        severity,
        message: message.to_owned(),
        file,
        line,
        source_line,
        proxy,
    }
}

/// Finds the first `[path:123]` in a message.
fn bracket_location(message: &str) -> Option<(&str, usize)> {
    let mut from = 0;
    while let Some(open) = message[from..].find('[') {
        let start = from + open + 1;
        let Some(close) = message[start..].find(']') else {
            break;
        };
        let inner = &message[start..start + close];
        if let Some((path, digits)) = inner.rsplit_once(':') {
            if let Some(line) = parse_line_number(digits) {
                return Some((path, line));
            }
        }
        from = start;
    }
    None
}

/// Finds `at line 123 of file '/path'`, which HAProxy uses for errors
/// inside pattern files such as maps.
fn map_location(message: &str) -> Option<(&str, usize)> {
    let at = message.find("at line ")?;
    let rest = &message[at + "at line ".len()..];
    let (digits, rest) = rest.split_once(' ')?;
    let line = parse_line_number(digits)?;
    let path = rest.strip_prefix("of file '")?;
    let (path, _) = path.split_once('\'')?;
    Some((path, line))
}

fn parse_line_number(digits: &str) -> Option<usize> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn identify(printed: &str, candidate: &Candidate<'_>) -> CheckedFile {
    let printed_path = Path::new(printed);
    if printed_path == candidate.checked_config {
        return CheckedFile::Config;
    }
    match candidate
        .maps
        .iter()
        .find(|(path, _, _)| *path == printed_path)
    {
        Some((_, name, _)) => CheckedFile::Map((*name).to_owned()),
        None => CheckedFile::Other(printed.to_owned()),
    }
}

fn nth_line(text: &str, line: usize) -> Option<String> {
    text.lines().nth(line.checked_sub(1)?).map(str::to_owned)
}

/// The name of the frontend, backend or listen section that contains the
/// given 1-based line; `None` when the line is in another kind of section
/// (global, defaults, userlist) or before any section.
fn enclosing_proxy(config: &str, line: usize) -> Option<String> {
    let mut proxy = None;
    for text in config.lines().take(line) {
        let mut words = text.split_whitespace();
        match words.next() {
            Some("frontend" | "backend" | "listen") => {
                proxy = words.next().map(str::to_owned);
            }
            Some(
                "global" | "defaults" | "userlist" | "peers" | "resolvers" | "mailers" | "program"
                | "http-errors" | "ring" | "cache",
            ) => proxy = None,
            _ => {}
        }
    }
    proxy
}

/// The proxy a message names when it has no line to go by, such as
/// `Proxy 'f': unable to find required use_backend` or
/// `'server app/s1' : unable to find required proxy`.
fn named_proxy(message: &str) -> Option<String> {
    if let Some(rest) = message.split_once("'server ").map(|(_, rest)| rest) {
        if let Some((proxy, _)) = rest.split_once('/') {
            return Some(proxy.to_owned());
        }
    }
    for marker in ["Proxy '", "proxy '", "backend '", "frontend '", "listen '"] {
        if let Some((_, rest)) = message.split_once(marker) {
            if let Some((name, _)) = rest.split_once('\'') {
                return Some(name.to_owned());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "\
global
  maxconn 100
defaults
  mode http
frontend f
  bind 127.0.0.1:18080
backend app_a
  server s1 127.0.0.1:9000
backend app_b
  server s1 127.0.0.1:9001
  bogus_directive foo
";

    fn check(output: &str) -> Vec<Diagnostic> {
        let candidate = Candidate {
            checked_config: Path::new("/d/.cfg.check"),
            config: CONFIG,
            maps: vec![(
                Path::new("/d/.ip.map.new"),
                "ip.map",
                "10.0.0.1 a\nnotanip b\n",
            )],
        };
        parse(output, &candidate)
    }

    #[test]
    fn parsing_alert_points_at_config_line_and_its_backend() {
        let found = check(
            "[NOTICE]   (6331) : haproxy version is 2.6.12-1+deb12u4\n\
             [ALERT]    (6331) : config : parsing [/d/.cfg.check:11] : unknown keyword \
             'bogus_directive' in 'backend' section\n\
             [ALERT]    (6331) : config : Error(s) found in configuration file : /d/.cfg.check\n\
             [ALERT]    (6331) : config : Fatal errors found in configuration.\n",
        );
        assert_eq!(
            found,
            vec![Diagnostic {
                severity: Severity::Alert,
                message: "parsing [/d/.cfg.check:11] : unknown keyword 'bogus_directive' in \
                          'backend' section"
                    .to_owned(),
                file: Some(CheckedFile::Config),
                line: Some(11),
                source_line: Some("  bogus_directive foo".to_owned()),
                proxy: Some("app_b".to_owned()),
            }]
        );
    }

    #[test]
    fn capitalised_parsing_and_bare_brackets_are_located_too() {
        let found = check(
            "[ALERT]    (1) : config : Parsing [/d/.cfg.check:9]: backend 'app_b' has the \
             same name as backend 'app_a' declared at /d/.cfg.check:7.\n\
             [ALERT]    (1) : config : [/d/.cfg.check:8] : 'server app_a/s1' : invalid port\n",
        );
        let located: Vec<_> = found.iter().map(|d| (d.line, d.proxy.as_deref())).collect();
        assert_eq!(
            located,
            vec![(Some(9), Some("app_b")), (Some(8), Some("app_a"))]
        );
    }

    #[test]
    fn post_parse_alert_without_line_names_its_proxy() {
        let found = check(
            "[ALERT]    (1) : config : Proxy 'f': unable to find required use_backend: 'x'.\n\
             [ALERT]    (1) : config : [/elsewhere.cfg:3] : 'server app_c/s1' : unable to \
             find required proxy 'nosuch' for tracking.\n",
        );
        assert_eq!(found[0].line, None);
        assert_eq!(found[0].proxy.as_deref(), Some("f"));
        assert_eq!(
            found[1].file,
            Some(CheckedFile::Other("/elsewhere.cfg".to_owned()))
        );
        assert_eq!(found[1].proxy.as_deref(), Some("app_c"));
    }

    #[test]
    fn map_file_errors_point_at_the_map_line() {
        let found = check(
            "[ALERT]    (1) : config : Parsing [/d/.cfg.check:6]: failed to parse use_backend \
             rule '%[src,map_ip(/d/.ip.map.new)]' : 'notanip' is not a valid IPv4 or IPv6 \
             address at line 2 of file '/d/.ip.map.new'.\n",
        );
        assert_eq!(found[0].file, Some(CheckedFile::Map("ip.map".to_owned())));
        assert_eq!(found[0].line, Some(2));
        assert_eq!(found[0].source_line.as_deref(), Some("notanip b"));
    }

    #[test]
    fn warning_continuation_lines_join_their_warning() {
        let found = check(
            "[WARNING]  (1) : config : missing timeouts for frontend 'f'.\n\
             \x20  | While not properly invalid, you will certainly encounter problems.\n\
             \x20  | To fix this, set timeouts.\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(
            found[0].message,
            "missing timeouts for frontend 'f'.\nWhile not properly invalid, you will \
             certainly encounter problems.\nTo fix this, set timeouts."
        );
        assert_eq!(found[0].proxy.as_deref(), Some("f"));
    }

    #[test]
    fn lines_in_global_and_defaults_belong_to_no_proxy() {
        assert_eq!(enclosing_proxy(CONFIG, 2), None);
        assert_eq!(enclosing_proxy(CONFIG, 4), None);
        assert_eq!(enclosing_proxy(CONFIG, 6).as_deref(), Some("f"));
    }
}

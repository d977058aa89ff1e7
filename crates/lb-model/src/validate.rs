//! What label values may hold, checked before any of them reaches a config.
//!
//! Anyone who can deploy an app writes its labels, and the values end up in
//! the load balancer of the whole cluster. Each check here accepts only what
//! its place in an HAProxy line can hold without ending the line, opening a
//! quote, starting a comment or adding a word HAProxy would read as a
//! keyword. A refused value leaves out its service; the reason says what was
//! wrong in words the app's owner can act on.

use std::net::{IpAddr, Ipv4Addr};

/// The longest value a value label may have, in bytes. Far above any real
/// host list or path, and far below what would slow a render down.
pub(crate) const MAX_VALUE_BYTES: usize = 4096;

/// The most words a value may add to one line: HAProxy reads at most 64
/// words per line, and the templates use up to a dozen of their own.
const MAX_WORDS: usize = 32;

/// Characters of a URL path that HAProxy reads literally when unquoted:
/// no quote, backslash, `#` (a comment), brace or space.
const PATH_PUNCTUATION: &str = "-._~/!$&()*+,;=:@%?[]";

/// Refuses control characters (line ends and NUL among them) and values
/// longer than [`MAX_VALUE_BYTES`]. Every value label must pass this.
pub(crate) fn plain_text(value: &str) -> Result<(), String> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(format!(
            "{} bytes: values are limited to {MAX_VALUE_BYTES} bytes",
            value.len()
        ));
    }
    if !may_hold_control(value) {
        return Ok(());
    }
    match value.char_indices().find(|(_, c)| c.is_control()) {
        Some((at, c)) => Err(format!(
            "control character {c:?} at byte {at}: a value must stay on its line"
        )),
        None => Ok(()),
    }
}

/// Whether `text` may hold a control character (Unicode's `Cc`: U+0000 to
/// U+001F and U+007F to U+009F), from its bytes alone.
///
/// Every label value, app id and task id is checked for control
/// characters, and nearly all of them are plain ASCII. Decoding them char
/// by char costs a branch per byte; this test has none, so the compiler
/// can check many bytes at once. It answers yes for the ASCII controls and
/// for 0xC2, the first byte of U+0080 to U+009F (and of other characters,
/// which the exact check that follows a yes tells apart).
#[expect(
    clippy::needless_bitwise_bool,
    reason = "`|` rather than `||` keeps the loop free of branches"
)]
fn may_hold_control(text: &str) -> bool {
    text.bytes().fold(false, |found, b| {
        found | (b < 0x20) | (b == 0x7f) | (b == 0xc2)
    })
}

/// Template override labels are HAProxy text by design and may span
/// lines; only the other control characters, which no config needs, are
/// refused.
pub(crate) fn template_text(value: &str) -> Result<(), String> {
    match value
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some((at, c)) => Err(format!(
            "control character {c:?} at byte {at}: a template may hold tabs and line breaks, \
             no other control character"
        )),
        None => Ok(()),
    }
}

/// The first character of `text` that `allowed` refuses, described.
fn first_refused(text: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    // Nearly every text is ASCII and wholly allowed, which its bytes tell
    // without decoding chars; only a text that fails that is decoded.
    if text.bytes().all(|b| b.is_ascii() && allowed(char::from(b))) {
        return None;
    }
    text.chars()
        .find(|c| !allowed(*c))
        .map(|c| format!("{c:?}"))
}

/// `HAPROXY_{n}_VHOST`: comma-separated host names.
pub(crate) fn hostnames(value: &str) -> Result<(), String> {
    for host in value.split(',') {
        if host.is_empty() {
            return Err("an empty host name (a comma at an end, or two in a row)".to_owned());
        }
        if let Some(c) = first_refused(host, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '*' | ':')
        }) {
            return Err(format!(
                "host name {host:?} has {c}; host names are made of letters, digits, \
                 '-', '.', '_', '*' and ':'"
            ));
        }
    }
    Ok(())
}

/// `HAPROXY_{n}_PATH`: the arguments of `path_beg`.
pub(crate) fn paths(value: &str) -> Result<(), String> {
    let mut words = value.split_ascii_whitespace();
    let (mut count, mut paths) = (0, 0);
    while let Some(word) = words.next() {
        count += 1;
        match word {
            "-i" | "-n" | "--" => {}
            "-m" => {
                count += 1;
                let method = words.next().unwrap_or_default();
                if !["beg", "str", "sub", "dir", "dom", "end"].contains(&method) {
                    return Err(format!(
                        "-m takes beg, str, sub, dir, dom or end, not {method:?}"
                    ));
                }
            }
            flag if flag.starts_with('-') => {
                return Err(format!(
                    "flag {flag:?} is not accepted; a path may be preceded by -i, -n, \
                     -m <method> or --"
                ));
            }
            path => {
                url_path(path)?;
                paths += 1;
            }
        }
    }
    if paths == 0 {
        return Err("expected at least one path".to_owned());
    }
    if count > MAX_WORDS {
        return Err(format!("{count} words; at most {MAX_WORDS} are accepted"));
    }
    Ok(())
}

/// One path: `/` then URL path characters.
fn url_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!("path {path:?} does not start with '/'"));
    }
    match first_refused(path, |c| {
        c.is_ascii_alphanumeric() || PATH_PUNCTUATION.contains(c)
    }) {
        Some(c) => Err(format!(
            "path {path:?} has {c}; paths are made of letters, digits and {PATH_PUNCTUATION}"
        )),
        None => Ok(()),
    }
}

/// The path placeholder of `HAPROXY_{n}_HTTP_BACKEND_PROXYPASS_PATH` and
/// `..._REVPROXY_PATH`: it lands in a regular expression and in a
/// rewritten header, where most punctuation has a meaning of its own.
pub(crate) fn simple_path(value: &str) -> Result<(), String> {
    if !value.starts_with('/') {
        return Err("expected a path starting with '/'".to_owned());
    }
    match first_refused(value, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '/')
    }) {
        Some(c) => Err(format!(
            "has {c}; this path is made of letters, digits, '-', '.', '_', '~' and '/'"
        )),
        None => Ok(()),
    }
}

/// `HAPROXY_{n}_HTTP_BACKEND_REDIR`: a path or URL for `redirect location`,
/// which HAProxy reads as a log format, so `%` is refused.
pub(crate) fn redirect(value: &str) -> Result<(), String> {
    const PUNCTUATION: &str = "-._~:/?@!$&()*+,;=[]";
    if value.is_empty() {
        return Err("expected a path or URL".to_owned());
    }
    match first_refused(value, |c| {
        c.is_ascii_alphanumeric() || PUNCTUATION.contains(c)
    }) {
        Some(c) => Err(format!(
            "has {c}; a redirect target is made of letters, digits and {PUNCTUATION}"
        )),
        None => Ok(()),
    }
}

/// `HAPROXY_{n}_AUTH`: `realm:user:password-hash`, split.
pub(crate) fn auth(value: &str) -> Result<(&str, &str, &str), String> {
    let parts: Vec<&str> = value.split(':').collect();
    let [realm, user, password] = parts[..] else {
        return Err("expected realm:user:password-hash".to_owned());
    };
    if realm.is_empty() {
        return Err("the realm is empty".to_owned());
    }
    if let Some(c) = realm.chars().find(|c| matches!(c, '"' | '\\' | '$')) {
        return Err(format!(
            "the realm has {c:?}; it goes between double quotes, where '\"', '\\' and '$' \
             have a meaning"
        ));
    }
    if user.is_empty() {
        return Err("the user name is empty".to_owned());
    }
    if let Some(c) = first_refused(user, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '@')
    }) {
        return Err(format!(
            "the user name has {c}; it is made of letters, digits, '-', '.', '_' and '@'"
        ));
    }
    if password.is_empty() {
        return Err("the password hash is empty".to_owned());
    }
    if let Some(c) = first_refused(password, |c| {
        c.is_ascii_alphanumeric() || "./$=,+_-".contains(c)
    }) {
        return Err(format!(
            "the password hash has {c}; crypt(3) hashes are made of letters, digits \
             and ./$=,+_-"
        ));
    }
    Ok((realm, user, password))
}

/// `HAPROXY_{n}_BIND_ADDR`: `*`, nothing, an address or a host name.
pub(crate) fn bind_addr(value: &str) -> Result<(), String> {
    let bracketed = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .is_some_and(|v| v.parse::<std::net::Ipv6Addr>().is_ok());
    let host_name = !value.starts_with('-')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if value == "*" || value.parse::<IpAddr>().is_ok() || bracketed || host_name {
        Ok(())
    } else {
        Err("expected '*', an IPv4 or IPv6 address, or a host name".to_owned())
    }
}

/// `HAPROXY_{n}_BIND_OPTIONS` and `HAPROXY_{n}_SSL_CERT`: words of
/// printable ASCII for the `bind` line, without quotes, backslashes or
/// `#`, which would change how HAProxy cuts the line into words.
pub(crate) fn words(value: &str) -> Result<(), String> {
    if let Some(c) = first_refused(value, |c| {
        c == ' ' || (c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '\\' | '#'))
    }) {
        return Err(format!(
            "has {c}; expected words of printable ASCII without quotes, '\\' or '#'"
        ));
    }
    let count = value.split_ascii_whitespace().count();
    if count > MAX_WORDS {
        return Err(format!("{count} words; at most {MAX_WORDS} are accepted"));
    }
    Ok(())
}

/// `bind` options of HAProxy 2.6 that a TCP or HTTP listener takes, and
/// whether each takes a value. An unknown word would make HAProxy refuse
/// the whole config; options of UNIX sockets (`uid`, `mode`, `level` and
/// the like) and of QUIC are left out.
const BIND_OPTIONS: &[(&str, bool)] = &[
    ("accept-netscaler-cip", true),
    ("accept-proxy", false),
    ("allow-0rtt", false),
    ("alpn", true),
    ("backlog", true),
    ("ca-file", true),
    ("ca-ignore-err", true),
    ("ca-sign-file", true),
    ("ca-sign-pass", true),
    ("ca-verify-file", true),
    ("ciphers", true),
    ("ciphersuites", true),
    ("crl-file", true),
    ("crt", true),
    ("crt-ignore-err", true),
    ("crt-list", true),
    ("curves", true),
    ("defer-accept", false),
    ("ecdhe", true),
    ("force-sslv3", false),
    ("force-tlsv10", false),
    ("force-tlsv11", false),
    ("force-tlsv12", false),
    ("force-tlsv13", false),
    ("generate-certificates", false),
    ("id", true),
    ("interface", true),
    ("maxconn", true),
    ("mss", true),
    ("name", true),
    ("nice", true),
    ("no-ca-names", false),
    ("no-sslv3", false),
    ("no-tls-tickets", false),
    ("no-tlsv10", false),
    ("no-tlsv11", false),
    ("no-tlsv12", false),
    ("no-tlsv13", false),
    ("npn", true),
    ("prefer-client-ciphers", false),
    ("proto", true),
    ("shards", true),
    ("ssl", false),
    ("ssl-max-ver", true),
    ("ssl-min-ver", true),
    ("strict-sni", false),
    ("tcp-ut", true),
    ("tfo", false),
    ("thread", true),
    ("tls-ticket-keys", true),
    ("transparent", false),
    ("v4v6", false),
    ("v6only", false),
    ("verify", true),
];

/// `HAPROXY_{n}_BIND_OPTIONS`: `bind` options of [`BIND_OPTIONS`], each
/// followed by its value when it takes one, as [`words`].
pub(crate) fn bind_options(value: &str) -> Result<(), String> {
    words(value)?;
    let mut words = value.split_ascii_whitespace();
    while let Some(word) = words.next() {
        let Some((_, takes_value)) = BIND_OPTIONS.iter().find(|(name, _)| *name == word) else {
            return Err(format!(
                "{word:?} is not a bind option mlb accepts (see HAProxy's bind options; \
                 those of UNIX sockets and QUIC are not accepted)"
            ));
        };
        if *takes_value && words.next().is_none() {
            return Err(format!("bind option {word} needs a value"));
        }
    }
    Ok(())
}

/// `HAPROXY_{n}_SSL_CERT`: a path for `crt`, which more bind options may
/// follow, as `crt <value>` would be for [`bind_options`].
pub(crate) fn certificate(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("expected a certificate path".to_owned());
    }
    bind_options(&format!("crt {value}"))
}

/// `HAPROXY_{n}_MODE`: `http` or `tcp` in any case, surrounding spaces
/// ignored; the mode in lower case.
pub(crate) fn mode(value: &str) -> Result<String, String> {
    let mode = value.trim().to_ascii_lowercase();
    if mode == "http" || mode == "tcp" {
        Ok(mode)
    } else {
        Err("expected http or tcp".to_owned())
    }
}

/// An integer from `min` to `max`, surrounding spaces ignored.
pub(crate) fn integer(value: &str, min: i64, max: i64) -> Result<i64, String> {
    let number: i64 = value
        .trim()
        .parse()
        .map_err(|_| format!("expected an integer from {min} to {max}"))?;
    if (min..=max).contains(&number) {
        Ok(number)
    } else {
        Err(format!("{number} is out of range: expected {min} to {max}"))
    }
}

/// `HAPROXY_{n}_BACKEND_NETWORK_ALLOWED_ACL`: space-separated addresses and
/// networks.
pub(crate) fn networks(value: &str) -> Result<(), String> {
    let mut count = 0;
    for network in value.split_ascii_whitespace() {
        count += 1;
        if !is_network(network) {
            return Err(format!(
                "{network:?} is not an IPv4 or IPv6 address or network \
                 (such as 10.0.0.0/8 or fd00::/8)"
            ));
        }
    }
    if count == 0 {
        return Err("expected at least one address or network".to_owned());
    }
    Ok(())
}

fn is_network(network: &str) -> bool {
    let (address, prefix) = match network.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (network, None),
    };
    let Ok(address) = address.parse::<IpAddr>() else {
        return false;
    };
    let Some(prefix) = prefix else {
        return true;
    };
    let bits = if address.is_ipv4() { 32 } else { 128 };
    if prefix.bytes().all(|b| b.is_ascii_digit()) {
        return prefix.parse::<u8>().is_ok_and(|length| length <= bits);
    }
    // IPv4 networks may also be written with a mask of contiguous ones.
    address.is_ipv4()
        && prefix.parse::<Ipv4Addr>().is_ok_and(|mask| {
            let mask = u32::from(mask);
            mask.leading_ones() + mask.trailing_zeros() == 32
        })
}

/// `HAPROXY_{n}_BALANCE`: one of HAProxy 2.6's algorithms with the
/// arguments it takes.
pub(crate) fn balance(value: &str) -> Result<(), String> {
    let mut words = value.split_ascii_whitespace();
    let algorithm = words.next().unwrap_or_default();
    let args: Vec<&str> = words.collect();
    let (name, inner) = match algorithm.split_once('(') {
        Some((name, rest)) => match rest.strip_suffix(')') {
            Some(inner) => (name, Some(inner)),
            None => return Err(format!("{algorithm:?} lacks its closing ')'")),
        },
        None => (algorithm, None),
    };
    let no_args = |what: &str| {
        if args.is_empty() {
            Ok(())
        } else {
            Err(format!("{what} takes no arguments"))
        }
    };
    match (name, inner) {
        (
            "roundrobin" | "static-rr" | "leastconn" | "first" | "source" | "random" | "rdp-cookie",
            None,
        ) => no_args(name),
        ("uri", None) => uri_args(&args),
        ("url_param", None) => match args[..] {
            [param] | [param, "check_post"] if is_token(param) => Ok(()),
            _ => Err("url_param takes a parameter name, then optionally check_post".to_owned()),
        },
        ("hdr", Some(header)) if is_token(header) => match args[..] {
            [] | ["use_domain_only"] => Ok(()),
            _ => Err("hdr(<name>) takes only use_domain_only".to_owned()),
        },
        ("random", Some(draws)) if draws.parse::<u32>().is_ok_and(|n| n >= 1) => no_args(name),
        ("rdp-cookie", Some(cookie)) if is_token(cookie) => no_args(name),
        ("hash", None) => match args[..] {
            [expression] if is_expression(expression) => Ok(()),
            _ => Err("hash takes one sample expression, such as path,lower".to_owned()),
        },
        _ => Err(format!(
            "{algorithm:?} is not an algorithm mlb accepts: roundrobin, static-rr, leastconn, \
             first, source, uri, url_param, hdr(<name>), random, random(<draws>), rdp-cookie, \
             rdp-cookie(<name>) or hash"
        )),
    }
}

fn uri_args(args: &[&str]) -> Result<(), String> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "whole" | "path-only" => {}
            "len" | "depth" => {
                let number = args.next().copied().unwrap_or_default();
                if !number.parse::<u32>().is_ok_and(|n| n >= 1) {
                    return Err(format!("uri {arg} takes a positive integer"));
                }
            }
            other => {
                return Err(format!(
                    "uri takes whole, path-only, len <n> and depth <n>, not {other:?}"
                ));
            }
        }
    }
    Ok(())
}

/// A header, parameter or cookie name.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A sample expression such as `req.hdr(host),lower`: fetch and converter
/// names with simple arguments, parentheses balanced. HAProxy itself checks
/// that the fetches exist.
fn is_expression(expression: &str) -> bool {
    let mut depth = 0_usize;
    for c in expression.chars() {
        match c {
            '(' => depth += 1,
            ')' => match depth.checked_sub(1) {
                Some(outer) => depth = outer,
                None => return false,
            },
            c if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ',' | ':') => {}
            _ => return false,
        }
    }
    depth == 0
}

/// An app id, or a deployment group name (which becomes one): the
/// characters of Marathon's ids. `_` is left out on purpose: backend names
/// turn `/` into `_`, so `/a/b` and `/a_b` would share a backend.
pub(crate) fn app_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("it is empty".to_owned());
    }
    plain_text(id)?;
    match first_refused(id, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/')
    }) {
        Some(c) => Err(format!(
            "{c} is not allowed: Marathon app ids are made of letters, digits, '-', '.' and '/'"
        )),
        None => Ok(()),
    }
}

/// An agent host name as Marathon reports it for a task.
pub(crate) fn agent_host(host: &str) -> Result<(), String> {
    plain_text(host)?;
    match first_refused(host, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':')
    }) {
        Some(c) => Err(format!(
            "{c} is not allowed: agent host names are made of letters, digits, '-', '.', '_' \
             and ':'"
        )),
        None => Ok(()),
    }
}

/// The path of a Marathon HTTP health check, which `option httpchk`
/// takes as one word.
pub(crate) fn check_path(path: &str) -> Result<(), String> {
    plain_text(path)?;
    url_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that `check` accepts every value of `good` and refuses every
    /// value of `bad`.
    fn check<T>(check: impl Fn(&str) -> Result<T, String>, good: &[&str], bad: &[&str]) {
        for value in good {
            assert!(check(value).is_ok(), "refused {value:?}");
        }
        for value in bad {
            assert!(check(value).is_err(), "accepted {value:?}");
        }
    }

    #[test]
    fn control_characters_and_huge_values_are_refused_everywhere() {
        check(
            plain_text,
            &["", "a b", "é ü", "{x}", "%[src]"],
            &["a\nb", "a\rb", "a\0b", "\t", "\u{7f}", "\u{85}"],
        );
        assert!(plain_text(&"a".repeat(MAX_VALUE_BYTES)).is_ok());
        let long = plain_text(&"a".repeat(MAX_VALUE_BYTES + 1)).unwrap_err();
        assert_eq!(long, "4097 bytes: values are limited to 4096 bytes");
        let newline = plain_text("a.com\n  server x 1.2.3.4:80").unwrap_err();
        assert_eq!(
            newline,
            "control character '\\n' at byte 5: a value must stay on its line"
        );
    }

    #[test]
    fn the_byte_test_never_misses_a_control_character() {
        for c in (0..0x1_0000).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            assert!(may_hold_control(&text) || !c.is_control(), "missed {c:?}");
        }
        assert!(plain_text("\u{a0}").is_ok());
    }

    #[test]
    fn templates_keep_line_breaks_and_tabs_but_no_other_control_character() {
        check(
            template_text,
            &["\nbackend {backend}\r\n\tmode {mode}\n"],
            &["a\0b", "\u{1b}[31m"],
        );
    }

    #[test]
    fn host_names_allow_wildcards_underscores_and_ports() {
        check(
            hostnames,
            &["a.example.com", "*.A-b_c.com", "x.com:8080,y.com"],
            &[
                "",
                "a.com,",
                ",a.com",
                "a.com b.com",
                "a.com;b",
                "é.com",
                "a{b}",
            ],
        );
    }

    #[test]
    fn paths_take_path_beg_flags_and_url_paths() {
        check(
            paths,
            &[
                "/api",
                "-i /a /b",
                "-m beg -- /x",
                "/a%20b/~c;d=e?f",
                "  /a  ",
            ],
            &[
                "",
                "-i",
                "api",
                "/a#b",
                "/a'b",
                "/a\"b",
                "/a\\b",
                "-f /etc/passwd",
                "-m reg /a",
            ],
        );
        let many = vec!["/a"; MAX_WORDS + 1].join(" ");
        assert!(paths(&many).is_err());
    }

    #[test]
    fn proxy_and_redirect_paths_keep_to_their_characters() {
        check(
            simple_path,
            &["/proxy", "/a-b/c_d.e~"],
            &["", "proxy", "/a(b", "/a b"],
        );
        check(
            redirect,
            &["/landing", "https://example.com/x?a=b&c=d"],
            &["", "/a%[src]", "/a b", "/a#b", "/a\"b"],
        );
    }

    #[test]
    fn auth_parts_cannot_leave_their_quotes_or_words() {
        assert_eq!(
            auth("My Realm:user0:$6$salt$hash"),
            Ok(("My Realm", "user0", "$6$salt$hash"))
        );
        check(
            |value| auth(value).map(drop),
            &["r:u@x.y:$2y$10$abc./", "realm é:u:h"],
            &[
                "r:u",
                "r:u:h:x",
                ":u:h",
                "r\"x:u:h",
                "r\\:u:h",
                "r${SECRET}:u:h",
                "r:u x:h",
                "r::h",
                "r:u:",
                "r:u:h h",
            ],
        );
    }

    #[test]
    fn bind_addresses_are_addresses_or_host_names() {
        check(
            bind_addr,
            &["*", "", "127.0.0.1", "::", "fe80::1", "[::1]", "lb.local"],
            &["* ", "1.2.3.4 ssl", "-x", "a:b:c:d:e:f:g:h:i", "[host]"],
        );
    }

    #[test]
    fn bind_options_are_words_without_quotes_or_comments() {
        check(
            words,
            &[
                "",
                "maxconn 500",
                "alpn h2,http/1.1 ciphers ECDHE+AESGCM:!aNULL",
            ],
            &["a \"b\"", "x 'y'", "a\\b", "a #b", "é"],
        );
        check(
            bind_options,
            &[
                "",
                "maxconn 500 accept-proxy",
                "ssl crt /a.pem alpn h2,http/1.1",
            ],
            &["bogus", "maxconn", "uid 0", "{{x}}", "%[src]"],
        );
        check(
            certificate,
            &["/etc/ssl/a.pem", "/a.pem crt /b.pem"],
            &["", "  ", "/a.pem bogus", "/a.pem crt"],
        );
    }

    #[test]
    fn mode_is_http_or_tcp_in_any_case() {
        assert_eq!(mode(" HTTP "), Ok("http".to_owned()));
        check(mode, &["tcp", "Tcp"], &["", "health", "http tcp"]);
    }

    #[test]
    fn integers_are_checked_against_their_range() {
        assert_eq!(integer(" 80 ", 1, 65535), Ok(80));
        assert_eq!(
            integer("99999", 1, 65535),
            Err("99999 is out of range: expected 1 to 65535".to_owned())
        );
        check(
            |v| integer(v, 1, 65535),
            &["1", "65535"],
            &["0", "-1", "1e3", "", "18446744073709551616"],
        );
    }

    #[test]
    fn networks_are_addresses_and_prefixes() {
        check(
            networks,
            &["10.0.0.0/8 192.168.1.1", "fd00::/8", "10.0.0.0/255.0.0.0"],
            &[
                "",
                "10.0.0.0/33",
                "fd00::/129",
                "10.0.0.0/255.0.255.0",
                "any",
                "10.0.0.1/x",
            ],
        );
    }

    #[test]
    fn balance_accepts_haproxy_algorithms_with_their_arguments() {
        check(
            balance,
            &[
                "roundrobin",
                "static-rr",
                "leastconn",
                "first",
                "source",
                "uri",
                "uri whole len 10 depth 2 path-only",
                "url_param id check_post",
                "hdr(Host) use_domain_only",
                "random",
                "random(3)",
                "rdp-cookie",
                "rdp-cookie(mstshash)",
                "hash path,lower",
                "hash req.hdr(host),lower",
            ],
            &[
                "",
                "Roundrobin",
                "roundrobin foo",
                "random(0)",
                "uri len",
                "hdr()",
                "hdr(a b)",
                "hash",
                "hash path)",
                "hash a b",
                "url_param",
                "bogus",
            ],
        );
    }

    #[test]
    fn app_ids_use_marathon_characters_only() {
        check(
            app_id,
            &["/web", "/a/b-c.d", "web"],
            &["", "/a_b", "/a b", "/a\n"],
        );
        check(
            agent_host,
            &["10.0.0.1", "agent-1.local", "fe80::1"],
            &["a b", "a\nb"],
        );
        check(check_path, &["/", "/health?x=1"], &["", "health", "/a b"]);
    }
}

//! Names and ids that must match marathon-lb's exactly: operators' ACLs,
//! dashboards and HAProxy's server-state file are keyed by them.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Replaces every character outside `[a-zA-Z0-9-]` with `_`.
#[must_use]
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_sanitized(&mut out, text);
    out
}

/// Appends `sanitize(text)` to `out`.
pub(crate) fn push_sanitized(out: &mut String, text: &str) {
    // Byte by byte, as every server name is sanitized: a character outside
    // ASCII becomes one `_`, written for its first byte (the others are
    // continuation bytes, `0b10xx_xxxx`).
    out.reserve(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' {
            out.push(char::from(byte));
        } else if byte & 0b1100_0000 != 0b1000_0000 {
            out.push('_');
        }
    }
}

/// The backend name of a service: the app id without its leading `/`,
/// other `/` turned into `_`, then `_<service port>`.
#[must_use]
pub fn backend_name(app_id: &str, service_port: u16) -> String {
    let mut name = String::with_capacity(app_id.len() + 6);
    push_app_path(&mut name, app_id);
    name.push('_');
    push_number(&mut name, u32::from(service_port));
    name
}

/// Appends the app id without its leading `/`, other `/` turned into `_`.
pub(crate) fn push_app_path(out: &mut String, app_id: &str) {
    let path = app_id.strip_prefix('/').unwrap_or(app_id);
    for (n, part) in path.split('/').enumerate() {
        if n > 0 {
            out.push('_');
        }
        out.push_str(part);
    }
}

/// The server name: `host_address_port`, or `address_port` when the agent
/// host is the address, sanitized.
#[must_use]
pub fn server_name(host: &str, ip: &str, port: u16) -> String {
    // Sanitizing the parts one by one gives the same as sanitizing them
    // joined: `_` and the digits of the port are kept as they are.
    let mut name = String::with_capacity(host.len() + ip.len() + 8);
    if host != ip {
        push_sanitized(&mut name, host);
        name.push('_');
    }
    push_sanitized(&mut name, ip);
    name.push('_');
    push_number(&mut name, u32::from(port));
    name
}

/// Appends the decimal digits of `number` to `out`: the formatting
/// machinery costs more than the digits, and ports and ids are written
/// for every server.
pub(crate) fn push_number(out: &mut String, mut number: u32) {
    let mut digits = [0_u8; 10];
    let mut start = digits.len();
    loop {
        start -= 1;
        // A remainder by 10 is a single digit.
        digits[start] = b'0' + u8::try_from(number % 10).unwrap_or(0);
        number /= 10;
        if number == 0 {
            break;
        }
    }
    out.extend(digits[start..].iter().map(|&digit| char::from(digit)));
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// The remainder of a big-endian number by `modulus`.
fn big_mod(bytes: &[u8], modulus: u32) -> u32 {
    let modulus = u64::from(modulus);
    let rest = bytes.iter().fold(0_u64, |rest, byte| {
        (rest * 256 + u64::from(*byte)) % modulus
    });
    // The remainder is below a u32 modulus.
    u32::try_from(rest).unwrap_or(0)
}

/// A server id stable across reloads: the SHA-256 of the name as a number,
/// mod 32767. When that is 0 or taken in this backend, the hash is taken
/// again of `"<name> <hex digest>"`, and so on.
pub fn server_id(name: &str, taken: &mut BTreeSet<u32>) -> u32 {
    // Nearly every name gets its id at the first try; the input is copied
    // only for the retries.
    let mut digest = Sha256::digest(name.as_bytes());
    let mut input = None::<String>;
    loop {
        let id = big_mod(&digest, 32767);
        if id != 0 && taken.insert(id) {
            return id;
        }
        let retry = input.get_or_insert_with(|| name.to_owned());
        retry.push(' ');
        retry.push_str(&hex(&digest));
        digest = Sha256::digest(retry.as_bytes());
    }
}

/// The sticky-session cookie of a server: the first 10 hex digits of the
/// SHA-1 of its name.
#[must_use]
pub fn server_cookie(name: &str) -> String {
    let mut digest = hex(&Sha1::digest(name.as_bytes()));
    digest.truncate(10);
    digest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_marathon_lb() {
        assert_eq!(backend_name("/web/app-1", 10000), "web_app-1_10000");
        assert_eq!(server_name("10.0.0.1", "10.0.0.1", 31000), "10_0_0_1_31000");
        assert_eq!(
            server_name("agent-1.local", "10.0.0.1", 31000),
            "agent-1_local_10_0_0_1_31000"
        );
        assert_eq!(sanitize("a.b/c:d"), "a_b_c_d");
        assert_eq!(sanitize("caf\u{e9}-\u{1f600}x"), "caf_-_x");
    }

    #[test]
    fn numbers_are_written_as_format_writes_them() {
        for number in [0, 7, 10, 99, 31000, 65535, 4_294_967_295] {
            let mut out = "x".to_owned();
            push_number(&mut out, number);
            assert_eq!(out, format!("x{number}"));
        }
    }

    #[test]
    fn ids_are_stable_and_unique_within_a_backend() {
        let mut taken = BTreeSet::new();
        let first = server_id("10_0_0_1_31000", &mut taken);
        assert!((1..32767).contains(&first));
        // The same name again in the same backend gets another id.
        let second = server_id("10_0_0_1_31000", &mut taken);
        assert_ne!(first, second);
        assert_eq!(server_id("10_0_0_1_31000", &mut BTreeSet::new()), first);
    }

    #[test]
    fn cookies_are_ten_hex_digits() {
        let cookie = server_cookie("10_0_0_1_31000");
        assert_eq!(cookie.len(), 10);
        assert!(cookie.chars().all(|c| c.is_ascii_hexdigit()));
    }
}

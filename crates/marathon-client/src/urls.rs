//! Marathon base URLs: splitting command-line values, checking, joining and redacting them.

use ureq::http::Uri;

use crate::Error;

/// Splits command-line values that may each hold several URLs separated by
/// whitespace (`--marathon "http://a:8080 http://b:8080"`) into one URL per
/// entry, dropping empty pieces.
///
/// ```
/// let urls = marathon_client::split_urls(["http://a:8080 http://b:8080", " http://c "]);
/// assert_eq!(urls, ["http://a:8080", "http://b:8080", "http://c"]);
/// ```
pub fn split_urls<I, S>(values: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    values
        .into_iter()
        .flat_map(|value| {
            value
                .as_ref()
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Checks that `url` is an absolute `http` or `https` URL without
/// user-info or query, and returns it without a trailing slash so that API
/// paths can be appended.
pub(crate) fn parse_base(url: &str) -> Result<String, Error> {
    let invalid = |reason| Error::InvalidUrl {
        url: redact(url),
        reason,
    };
    let uri = check(url).map_err(invalid)?;
    if uri.query().is_some() {
        return Err(invalid("a base url takes no query"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Checks a redirect target the way [`parse_base`] checks a base URL,
/// except that it may carry a query.
pub(crate) fn check_target(url: &str) -> Result<(), &'static str> {
    check(url).map(|_| ())
}

fn check(url: &str) -> Result<Uri, &'static str> {
    let uri: Uri = url.parse().map_err(|_| "not a url")?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err("scheme must be http or https"),
    }
    let Some(authority) = uri.authority() else {
        return Err("no host");
    };
    // Credentials inside the URL would end up in logs and error messages;
    // they belong in the auth options, which keep them redacted.
    if authority.as_str().contains('@') {
        return Err("credentials in the url are not supported, use the auth options");
    }
    Ok(uri)
}

/// Appends an API path (starting with `/`) to a base URL.
pub(crate) fn join(base: &str, path_and_query: &str) -> String {
    format!("{base}{path_and_query}")
}

/// Resolves a redirect `Location` against the URL that answered with it.
/// Absolute and host-relative (`/path`) locations are understood.
pub(crate) fn resolve_location(current: &str, location: &str) -> Option<String> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return Some(location.to_owned());
    }
    if location.starts_with('/') && !location.starts_with("//") {
        let uri: Uri = current.parse().ok()?;
        let scheme = uri.scheme_str()?;
        let authority = uri.authority()?;
        return Some(format!("{scheme}://{authority}{location}"));
    }
    None
}

/// The scheme of a URL, for deciding whether a redirect downgrades TLS.
pub(crate) fn is_https(url: &str) -> bool {
    url.get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
}

/// The URL with any `user:password@` part removed, fit for messages.
pub(crate) fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}://[redacted]@{}", &url[..scheme_end], &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_urls_accepts_repeated_and_space_separated_values() {
        let urls = split_urls(vec!["http://a:8080", "http://b:8080\thttp://c:8080", "  "]);
        assert_eq!(urls, ["http://a:8080", "http://b:8080", "http://c:8080"]);
    }

    #[test]
    fn base_url_loses_trailing_slash_and_keeps_path_prefix() {
        assert_eq!(parse_base("http://m:8080/").unwrap(), "http://m:8080");
        assert_eq!(
            parse_base("https://leader.mesos/service/marathon/").unwrap(),
            "https://leader.mesos/service/marathon"
        );
    }

    #[test]
    fn base_url_must_be_http_or_https() {
        let err = parse_base("ftp://m").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid marathon url: ftp://m: scheme must be http or https"
        );
        assert!(parse_base("marathon:8080").is_err());
        assert!(parse_base("").is_err());
    }

    #[test]
    fn base_url_with_credentials_is_refused_and_redacted() {
        let err = parse_base("http://user:pw@m:8080").unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("pw"), "{text}");
        assert!(
            text.starts_with("invalid marathon url: http://[redacted]@m:8080:"),
            "{text}"
        );
    }

    #[test]
    fn redact_only_touches_user_info() {
        assert_eq!(
            redact("http://m:8080/v2/apps?x=a@b"),
            "http://m:8080/v2/apps?x=a@b"
        );
        assert_eq!(redact("https://u:p@m/v2"), "https://[redacted]@m/v2");
        assert_eq!(redact("not a url"), "not a url");
    }

    #[test]
    fn redirect_locations_resolve_absolute_and_host_relative() {
        let current = "http://standby:8080/v2/events?x=1";
        assert_eq!(
            resolve_location(current, "http://leader:8080/v2/events").as_deref(),
            Some("http://leader:8080/v2/events")
        );
        assert_eq!(
            resolve_location(current, "/v2/events?y=2").as_deref(),
            Some("http://standby:8080/v2/events?y=2")
        );
        assert_eq!(resolve_location(current, "relative/path"), None);
        assert_eq!(resolve_location(current, "//evil/host"), None);
    }
}

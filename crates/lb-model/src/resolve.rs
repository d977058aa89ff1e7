//! The seam through which agent host names become IPv4 addresses.

use std::net::Ipv4Addr;

/// Turns an agent host name into the IPv4 address HAProxy should connect
/// to. The CLI passes one backed by the system resolver; tests pass
/// [`IpLiteralResolver`] or a table of their own, so results never depend
/// on the machine's DNS.
pub trait Resolver {
    /// The host's IPv4 address, or `None` when it has none.
    fn resolve_ipv4(&self, host: &str) -> Option<Ipv4Addr>;
}

/// Resolves only IPv4 literals such as `10.0.0.1`; every name fails.
#[derive(Debug, Clone, Copy, Default)]
pub struct IpLiteralResolver;

impl Resolver for IpLiteralResolver {
    fn resolve_ipv4(&self, host: &str) -> Option<Ipv4Addr> {
        host.parse().ok()
    }
}

impl<F: Fn(&str) -> Option<Ipv4Addr>> Resolver for F {
    fn resolve_ipv4(&self, host: &str) -> Option<Ipv4Addr> {
        self(host)
    }
}

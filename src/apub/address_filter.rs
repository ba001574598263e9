//! The one address filter every outgoing request passes: fetches of
//! actors, NodeInfo, objects, collections and documents, backfill, and
//! deliveries all use the instance's HTTP client, and this middleware sits
//! in it. Unless `federation.allow_loopback` is set, a URL is refused
//! when it is not http(s), has no host, or names an address that is not
//! public: loopback, private, link-local, unique-local, CGNAT, multicast,
//! unspecified, documentation, reserved, and IPv6 forms embedding an IPv4
//! address (mapped, compatible, NAT64, 6to4) whose address is not public.
//! Host names are resolved by `activitypub_federation`'s validating DNS
//! resolver, which applies the same kind of rule at connection time (no
//! DNS rebinding); IP literals never reach a resolver, so they are checked
//! here. The client follows no redirects, so every hop is a new request
//! through this filter.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// Why a URL may not be contacted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AddressRefusal {
    /// Only http and https are spoken.
    #[error("scheme {0} is not http or https")]
    Scheme(String),
    /// No host in the URL.
    #[error("URL without a host")]
    NoHost,
    /// The address is not a public one.
    #[error("address {0} is not public")]
    NotPublic(IpAddr),
}

/// Whether an IPv4 address is a public unicast one.
pub fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || a == 0
        // shared address space (CGNAT), 100.64.0.0/10
        || (a == 100 && (b & 0xc0) == 0x40)
        // IETF protocol assignments, 192.0.0.0/24
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        // benchmarking, 198.18.0.0/15
        || (a == 198 && (b & 0xfe) == 18)
        // reserved, 240.0.0.0/4
        || a >= 240)
}

/// Whether an IPv6 address is a public unicast one; an IPv4 address
/// embedded in it (mapped, compatible, NAT64, 6to4) is judged as IPv4.
pub fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    match s {
        // IPv4-mapped ::ffff:0:0/96 and IPv4-compatible ::/96
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0, 0, hi, lo] => {
            return !ip.is_unspecified() && !ip.is_loopback() && is_public_v4(embedded(hi, lo))
        }
        // NAT64 well-known prefix 64:ff9b::/96
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => return is_public_v4(embedded(hi, lo)),
        // 6to4 2002::/16 carries an IPv4 address in segments 1 and 2
        [0x2002, hi, lo, ..] => return is_public_v4(embedded(hi, lo)),
        _ => {}
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // unique local fc00::/7
        || (s[0] & 0xfe00) == 0xfc00
        // link-local fe80::/10 and the old site-local fec0::/10
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        // documentation 2001:db8::/32 and 3fff::/20
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        || (s[0] & 0xfff0) == 0x3ff0 && s[0] <= 0x3fff
        // local-use NAT64 64:ff9b:1::/48, discard-only 100::/64
        || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1)
        || (s[0] == 0x100 && s[1] == 0 && s[2] == 0 && s[3] == 0))
}

/// Whether an address is a public one.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// Checks a URL before any request is made to it. Host names pass here
/// and are checked by the resolver when connecting.
pub fn check_url(url: &Url, allow_loopback: bool) -> Result<(), AddressRefusal> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AddressRefusal::Scheme(url.scheme().to_string()));
    }
    let ip = match url.host() {
        None => return Err(AddressRefusal::NoHost),
        Some(Host::Domain(name)) => {
            // Some parsers take these for addresses; refuse them the same.
            match name.trim_end_matches('.').parse::<IpAddr>() {
                Ok(ip) => ip,
                Err(_) => return Ok(()),
            }
        }
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
    };
    if allow_loopback || is_public(ip) {
        Ok(())
    } else {
        Err(AddressRefusal::NotPublic(ip))
    }
}

/// The HTTP client middleware applying [`check_url`] to every request.
pub struct AddressFilter {
    /// `federation.allow_loopback`: tests and local demos only.
    pub allow_loopback: bool,
}

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for AddressFilter {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut axum::http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        if let Err(refusal) = check_url(request.url(), self.allow_loopback) {
            tracing::info!(url = %request.url(), %refusal, "outgoing request refused");
            return Err(reqwest_middleware::Error::middleware(refusal));
        }
        next.run(request, extensions).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> bool {
        check_url(&Url::parse(url).unwrap(), false).is_err()
    }

    #[test]
    fn non_public_addresses_are_refused() {
        for url in [
            "http://127.0.0.1/",
            "http://127.1.2.3:8080/x",
            "http://0.0.0.0/",
            "http://0/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://[::1]/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://[::127.0.0.1]/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[fc00::1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://2130706433/",
            "http://0x7f.1/",
            "ftp://example.org/",
            "file:///etc/passwd",
        ] {
            assert!(refused(url), "{url} should be refused");
        }
    }

    #[test]
    fn public_addresses_and_names_pass() {
        for url in [
            "https://example.org/",
            "https://93.184.215.14/",
            "https://[2606:4700::1111]/",
            "https://[::ffff:93.184.215.14]/",
        ] {
            assert!(!refused(url), "{url} should pass");
        }
        assert!(check_url(&Url::parse("http://127.0.0.1:8080/").unwrap(), true).is_ok());
    }
}

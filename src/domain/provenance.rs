//! Who may speak for whom: the one rule every piece of content from
//! another server passes before it is stored as written by someone.
//!
//! Content is accepted as written by an author only when its id is on the
//! author's origin (scheme, host and port) and it either was fetched from
//! that origin or was delivered by a sender of that origin. A relay (a
//! forum or a project that announces what its members wrote) therefore
//! speaks only for its own server's authors: anything else it relays is
//! read again from the author's origin. Content naming a local teacher as
//! its author is never accepted from outside: this instance already holds
//! everything its own teachers wrote.

use super::{Domain, DomainResult, Refusal};
use url::Url;

/// How a piece of content reached this instance.
#[derive(Debug, Clone, Copy)]
pub enum Provenance<'a> {
    /// Embedded in an activity delivered (signed) by this actor, or read
    /// from a collection served by this actor's server.
    DeliveredBy(&'a Url),
    /// Fetched from its own id (the library checks that the document
    /// served carries the id it was asked for, without redirects).
    FetchedFrom(&'a Url),
}

impl Provenance<'_> {
    /// The URL whose origin vouches for the content.
    fn url(&self) -> &Url {
        match self {
            Provenance::DeliveredBy(url) | Provenance::FetchedFrom(url) => url,
        }
    }
}

/// Scheme, host (lower case) and port of a URL, with the scheme's default
/// port made explicit, so `https://a.example` and `https://a.example:443`
/// are one origin and `http://127.0.0.1:8001` and `:8002` are two.
pub fn origin_of(url: &Url) -> (String, Option<String>, Option<u16>) {
    (
        url.scheme().to_ascii_lowercase(),
        url.host_str().map(str::to_ascii_lowercase),
        url.port_or_known_default(),
    )
}

/// Whether two URLs share an origin.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    let (a, b) = (origin_of(a), origin_of(b));
    // The scheme is not compared: an instance reached over http in tests
    // (`allow_loopback`) names itself with the same host and port.
    a.1.is_some() && a.1 == b.1 && a.2 == b.2
}

impl Domain {
    /// Whether `url` names something of this instance.
    pub fn is_local_url(&self, url: &Url) -> bool {
        let domain = &self.settings.instance.domain;
        match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}").eq_ignore_ascii_case(domain),
            (Some(host), None) => host.eq_ignore_ascii_case(domain),
            _ => false,
        }
    }

    /// Checks that content with id `object_id`, naming `author` as its
    /// author and reaching this instance by `provenance`, may be stored as
    /// written by `author`.
    ///
    /// Refusals: 403 `author_is_local` (a local teacher's content from
    /// outside), 403 `author_mismatch` (id and author on different
    /// origins, or delivered by a server that does not hold it).
    pub fn check_authorship(
        &self,
        author: &Url,
        object_id: &Url,
        provenance: Provenance<'_>,
    ) -> DomainResult<()> {
        if self.is_local_url(author) || self.is_local_url(object_id) {
            return Err(Refusal::AuthorIsLocal.into());
        }
        if !same_origin(author, object_id) || !same_origin(object_id, provenance.url()) {
            return Err(Refusal::AuthorMismatch.into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn origins_include_the_port() {
        assert!(same_origin(
            &url("https://a.example/x"),
            &url("https://A.example:443/y")
        ));
        assert!(!same_origin(
            &url("http://127.0.0.1:8001/x"),
            &url("http://127.0.0.1:8002/x")
        ));
        assert!(!same_origin(
            &url("https://a.example/x"),
            &url("https://b.a.example/x")
        ));
    }
}

//! Draft-cavage HTTP signatures: the verification policy of Préau's inbox and
//! of signed fetches, and the signing of Préau's own requests.
//!
//! Everything here is a pure function over the parts of a request (method,
//! path, headers, body), the current time and a key: no network, no clock,
//! no database (signing only draws its RSA blinding factor from the operating
//! system's random generator, see [`sign_request_with_key`]). The server
//! calls the steps in order and fetches the signer's key between them, so a
//! request that fails a cheap check never causes an outgoing fetch:
//!
//! 1. [`check_request`]: everything that needs no key (a `Signature` header is
//!    present and well formed, the algorithm is one we know, the right headers
//!    are signed, the signed time is recent, the body matches the digest);
//! 2. the server fetches the key named by [`SignatureHeader::key_id`] (and can
//!    first compare it with the activity's actor using [`key_owner_matches`]);
//! 3. [`candidate_signing_strings`] (or [`signing_string`]) rebuilds what the
//!    sender signed;
//! 4. [`verify_signature`] checks the RSASSA-PKCS1-v1_5 / SHA-256 signature.
//!
//! [`verify_request`] chains all of them for callers that already hold the key.
//!
//! # Gaps of `activitypub_federation` closed here
//!
//! `activitypub_federation` 0.7 verifies inbox requests with
//! `http-signature-normalization`, which leaves holes an inbox must not have:
//!
//! - **No signed time is required.** It checks `(created)`/`(expires)` only
//!   when the sender chose to include them, so a request signing neither
//!   `date` nor `(created)` can be replayed forever. Here a signed `date` or
//!   `(created)` is mandatory ([`SignatureError::DateNotSigned`]) and must lie
//!   within [`Policy::max_skew`] (one hour) of now, in the past *and* the
//!   future ([`SignatureError::DateOutOfRange`]), as Mastodon and Fedify do.
//! - **The digest need not be signed.** It compares the `Digest` header with
//!   the body but never checks that `digest` is among the signed headers, so
//!   a captured signature can be replayed with any body and a freshly
//!   computed digest. Here `digest` (or RFC 9530 `content-digest`) must be
//!   signed whenever there is a body ([`SignatureError::DigestNotSigned`]).
//! - **`(request-target)` need not be signed**, so a signature could be moved
//!   to another path; here it must be ([`SignatureError::RequestTargetNotSigned`]).
//! - **Any algorithm label is accepted.** Here only `rsa-sha256`, `hs2019`
//!   or no label are ([`SignatureError::AlgorithmUnsupported`]); all three mean
//!   RSASSA-PKCS1-v1_5 with SHA-256 in the fediverse.
//! - **The keyId is ignored** and the key taken from the activity's actor;
//!   [`key_owner_matches`] lets the server tie the two together cheaply.
//! - **Every failure is an opaque error** that becomes a 500. Here every
//!   refusal has a stable code ([`SignatureError::code`]) to map to a 4xx.
//! - **Signed GETs (authorized fetch)** cannot be verified by its axum
//!   integration; [`verify_request`] works for any method, and
//!   [`Policy::require_host`] lets the server require `host` on GETs as
//!   Mastodon does.
//! - **Only SPKI public keys** are understood; PKCS#1 (`BEGIN RSA PUBLIC
//!   KEY`) keys, which some servers publish, are accepted here too.
//!
//! RFC 9421 signatures (`Signature-Input`) are not verified: [`is_rfc9421`]
//! tells the server to answer 401 so Fedify retries with draft-cavage.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use rsa::{
    pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey},
    pkcs8::{DecodePrivateKey, DecodePublicKey},
    Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey,
};
use sha2::{Digest as _, Sha256};

/// The parts of an HTTP request that a signature covers.
///
/// `headers` must contain `Host` when the request is checked; behind HTTP/2
/// (`:authority`) or a proxy that drops it, the server inserts it first.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// The request method.
    pub method: &'a Method,
    /// The path and query string as received (`/inbox?x=1`), without scheme
    /// or authority.
    pub path_and_query: &'a str,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The request body: `Some` for a request that has one (an empty POST
    /// body is `Some(&[])`). A POST given `None` is treated as an empty body,
    /// so it still needs a signed digest.
    pub body: Option<&'a [u8]>,
}

/// What the server requires of signatures beyond the draft-cavage basics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// How far a signed `Date` or `created` may lie from now, in the past and
    /// in the future. One hour by default (Mastodon and Fedify use the same).
    pub max_skew: Duration,
    /// Whether `host` must be signed. Off by default: Mastodon requires it on
    /// GET only, so the server turns it on for signed fetches.
    pub require_host: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            max_skew: Duration::from_secs(60 * 60),
            require_host: false,
        }
    }
}

/// The parsed parameters of a draft-cavage `Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// The `keyId` parameter: the URL of the signer's key, usually
    /// `<actor>#main-key`.
    pub key_id: String,
    /// The `algorithm` parameter as sent, lowercased, if any.
    pub algorithm: Option<String>,
    /// The signed header names, lowercased, in signing order (`date` when the
    /// parameter is absent, as the draft says).
    pub headers: Vec<String>,
    /// The decoded `signature` parameter.
    pub signature: Vec<u8>,
    /// The `created` parameter (seconds since the Unix epoch), if any.
    pub created: Option<u64>,
    /// The `expires` parameter (seconds since the Unix epoch, fraction
    /// dropped), if any.
    pub expires: Option<u64>,
    /// `created` exactly as sent, used in the signing string.
    pub created_raw: Option<String>,
    /// `expires` exactly as sent, used in the signing string.
    pub expires_raw: Option<String>,
}

impl SignatureHeader {
    /// Whether `name` (lowercase) is among the signed headers.
    pub fn signs(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h == name)
    }
}

/// The outcome of a successful verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The `keyId` of the key that verified the signature.
    pub key_id: String,
    /// The algorithm label, lowercased (`hs2019` when the sender gave none).
    pub algorithm: String,
    /// The signed header names, lowercased, in signing order.
    pub signed_headers: Vec<String>,
}

/// Why a request's signature was refused. [`SignatureError::code`] gives a
/// stable snake_case code for each variant, for 4xx responses and logs.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// `signature_missing`: the request has no `Signature` header.
    #[error("the request is not signed")]
    Missing,
    /// `signature_malformed`: the `Signature` header cannot be parsed, lacks
    /// `keyId` or `signature`, or appears more than once.
    #[error("malformed signature header: {0}")]
    Malformed(String),
    /// `algorithm_unsupported`: the algorithm is neither `rsa-sha256` nor
    /// `hs2019`.
    #[error("unsupported signature algorithm {0:?}")]
    AlgorithmUnsupported(String),
    /// `request_target_not_signed`: `(request-target)` is not signed, so the
    /// signature could be replayed on another path.
    #[error("(request-target) is not signed")]
    RequestTargetNotSigned,
    /// `date_not_signed`: neither `date` nor `(created)` is signed, so the
    /// signature could be replayed forever.
    #[error("neither date nor (created) is signed")]
    DateNotSigned,
    /// `date_missing`: `date` is signed but the request has no `Date`
    /// header, or `(created)` is signed without a `created` parameter.
    #[error("the signed date is missing")]
    DateMissing,
    /// `date_invalid`: the `Date` header is not an HTTP date, or `created`
    /// is not a number.
    #[error("the signed date is not a valid date")]
    DateInvalid,
    /// `date_out_of_range`: the signed date is further from now than
    /// [`Policy::max_skew`], in the past or in the future.
    #[error("the signed date is too far from now")]
    DateOutOfRange,
    /// `signature_expired`: the `expires` parameter is in the past.
    #[error("the signature has expired")]
    Expired,
    /// `digest_not_signed`: the request has a body and a digest header, but
    /// neither `digest` nor `content-digest` is signed.
    #[error("the body digest is not signed")]
    DigestNotSigned,
    /// `digest_missing`: the request has a body but no `Digest` (or signed
    /// `Content-Digest`) header carrying a SHA-256 value.
    #[error("the request has no SHA-256 body digest")]
    DigestMissing,
    /// `digest_mismatch`: the SHA-256 digest does not match the body.
    #[error("the body does not match its digest")]
    DigestMismatch,
    /// `host_not_signed`: [`Policy::require_host`] is set and `host` is not
    /// signed.
    #[error("host is not signed")]
    HostNotSigned,
    /// `header_missing`: a header listed as signed is absent from the
    /// request (or is not valid text).
    #[error("signed header {0:?} is missing from the request")]
    HeaderMissing(String),
    /// `key_invalid`: the PEM is not an RSA public (or private) key in SPKI,
    /// PKCS#8 or PKCS#1 form.
    #[error("invalid key: {0}")]
    KeyInvalid(String),
    /// `signature_invalid`: the signature does not verify with the key.
    #[error("the signature does not verify")]
    SignatureInvalid,
}

impl SignatureError {
    /// A stable snake_case code for this error, for API responses and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "signature_missing",
            Self::Malformed(_) => "signature_malformed",
            Self::AlgorithmUnsupported(_) => "algorithm_unsupported",
            Self::RequestTargetNotSigned => "request_target_not_signed",
            Self::DateNotSigned => "date_not_signed",
            Self::DateMissing => "date_missing",
            Self::DateInvalid => "date_invalid",
            Self::DateOutOfRange => "date_out_of_range",
            Self::Expired => "signature_expired",
            Self::DigestNotSigned => "digest_not_signed",
            Self::DigestMissing => "digest_missing",
            Self::DigestMismatch => "digest_mismatch",
            Self::HostNotSigned => "host_not_signed",
            Self::HeaderMissing(_) => "header_missing",
            Self::KeyInvalid(_) => "key_invalid",
            Self::SignatureInvalid => "signature_invalid",
        }
    }
}

/// The DER `DigestInfo` prefix of a SHA-256 hash (RFC 8017, section 9.2),
/// spelled out so the build does not depend on `sha2`'s `oid` feature.
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// RSASSA-PKCS1-v1_5 padding for SHA-256.
fn pkcs1v15_sha256() -> Pkcs1v15Sign {
    Pkcs1v15Sign {
        hash_len: Some(32),
        prefix: Box::new(SHA256_DIGEST_INFO_PREFIX),
    }
}

fn malformed(reason: &str) -> SignatureError {
    SignatureError::Malformed(reason.to_owned())
}

/// Parses the value of a draft-cavage `Signature` header (also the part of an
/// `Authorization: Signature …` header after the scheme).
///
/// Parameters may come in any order, with spaces around `=` and `,`; values
/// are quoted strings (commas and escaped quotes allowed inside) or bare
/// tokens (Mastodon sends `created`/`expires` unquoted, others quote them).
/// Parameter names are matched case-insensitively; a repeated parameter is
/// refused. `headers` defaults to `date`.
pub fn parse_signature_header(value: &str) -> Result<SignatureHeader, SignatureError> {
    let params = parse_params(value)?;
    let mut key_id = None;
    let mut algorithm = None;
    let mut headers = None;
    let mut signature = None;
    let mut created = None;
    let mut expires = None;
    for (name, value) in params {
        let slot = match name.to_ascii_lowercase().as_str() {
            "keyid" => &mut key_id,
            "algorithm" => &mut algorithm,
            "headers" => &mut headers,
            "signature" => &mut signature,
            "created" => &mut created,
            "expires" => &mut expires,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(SignatureError::Malformed(format!(
                "parameter {name} appears twice"
            )));
        }
    }
    let key_id = key_id
        .filter(|k| !k.is_empty())
        .ok_or_else(|| malformed("no keyId"))?;
    let signature = signature.ok_or_else(|| malformed("no signature"))?;
    let signature =
        decode_base64(signature.trim()).ok_or_else(|| malformed("signature is not base64"))?;
    if signature.is_empty() {
        return Err(malformed("empty signature"));
    }
    let headers = match headers {
        None => vec!["date".to_owned()],
        Some(list) => {
            let list: Vec<String> = list
                .split_ascii_whitespace()
                .map(str::to_ascii_lowercase)
                .collect();
            if list.is_empty() {
                return Err(malformed("empty headers list"));
            }
            list
        }
    };
    let parse_time = |raw: &Option<String>,
                      fractions: bool|
     -> Result<Option<u64>, SignatureError> {
        let Some(raw) = raw else { return Ok(None) };
        let whole = match raw.split_once('.') {
            Some((whole, frac)) if fractions && frac.bytes().all(|b| b.is_ascii_digit()) => whole,
            _ => raw.as_str(),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SignatureError::DateInvalid);
        }
        whole
            .parse()
            .map(Some)
            .map_err(|_| SignatureError::DateInvalid)
    };
    Ok(SignatureHeader {
        key_id,
        algorithm: algorithm.map(|a| a.to_ascii_lowercase()),
        headers,
        signature,
        created: parse_time(&created, false)?,
        expires: parse_time(&expires, true)?,
        created_raw: created,
        expires_raw: expires,
    })
}

fn decode_base64(value: &str) -> Option<Vec<u8>> {
    BASE64.decode(value).ok().or_else(|| {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(value.trim_end_matches('='))
            .ok()
    })
}

/// Splits `name=value, name="quoted, value"` into pairs.
fn parse_params(input: &str) -> Result<Vec<(String, String)>, SignatureError> {
    let mut params = Vec::new();
    let mut chars = input.char_indices().peekable();
    loop {
        // Skip separators.
        while chars
            .peek()
            .is_some_and(|&(_, c)| c == ',' || c.is_ascii_whitespace())
        {
            chars.next();
        }
        let Some(&(start, _)) = chars.peek() else {
            break;
        };
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if c == '=' || c == ',' || c.is_ascii_whitespace() {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        let name = &input[start..end];
        while chars.peek().is_some_and(|&(_, c)| c.is_ascii_whitespace()) {
            chars.next();
        }
        if name.is_empty() || chars.next().map(|(_, c)| c) != Some('=') {
            return Err(malformed("expected name=value"));
        }
        while chars.peek().is_some_and(|&(_, c)| c.is_ascii_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek().is_some_and(|&(_, c)| c == '"') {
            chars.next();
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, escaped)) => value.push(escaped),
                        None => break,
                    },
                    c => value.push(c),
                }
            }
            if !closed {
                return Err(malformed("unterminated quoted string"));
            }
        } else {
            while let Some(&(_, c)) = chars.peek() {
                if c == ',' || c.is_ascii_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        // After a value: only whitespace, then a comma or the end.
        while chars.peek().is_some_and(|&(_, c)| c.is_ascii_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None | Some((_, ',')) => {}
            Some(_) => return Err(malformed("expected a comma between parameters")),
        }
        params.push((name.to_owned(), value));
    }
    if params.is_empty() {
        return Err(malformed("empty signature header"));
    }
    Ok(params)
}

/// Whether the request carries an RFC 9421 signature (a `Signature-Input`
/// header). Préau verifies draft-cavage only and answers such requests 401,
/// so Fedify retries with draft-cavage (double-knocking).
pub fn is_rfc9421(headers: &HeaderMap) -> bool {
    headers.contains_key("signature-input")
}

/// Whether `key_id` without its fragment is `actor_id` (Mastodon's
/// `https://host/users/alice#main-key` for `https://host/users/alice`).
///
/// A cheap first check before fetching a key; the server must still check
/// the fetched key's `owner`, since keys at other URLs are legitimate.
pub fn key_owner_matches(key_id: &str, actor_id: &url::Url) -> bool {
    let Ok(mut key) = url::Url::parse(key_id) else {
        return false;
    };
    key.set_fragment(None);
    let mut actor = actor_id.clone();
    actor.set_fragment(None);
    key == actor
}

/// Reads the `Signature` header (or `Authorization: Signature …`).
fn signature_header_value(headers: &HeaderMap) -> Result<&str, SignatureError> {
    let mut values = headers
        .get_all(http::header::HeaderName::from_static("signature"))
        .iter();
    if let Some(value) = values.next() {
        if values.next().is_some() {
            return Err(malformed("more than one Signature header"));
        }
        return value
            .to_str()
            .map_err(|_| malformed("signature header is not text"));
    }
    if let Some(auth) = headers.get(http::header::AUTHORIZATION) {
        if let Ok(auth) = auth.to_str() {
            if let Some((scheme, rest)) = auth.trim_start().split_once(' ') {
                if scheme.eq_ignore_ascii_case("signature") {
                    return Ok(rest);
                }
            }
        }
    }
    Err(SignatureError::Missing)
}

/// Seconds since the epoch as a time, refusing values the clock cannot hold
/// (a plain `+` would panic on a hostile `created=18446744073709551615`).
fn epoch_seconds(seconds: u64) -> Result<SystemTime, SignatureError> {
    UNIX_EPOCH
        .checked_add(Duration::from_secs(seconds))
        .ok_or(SignatureError::DateInvalid)
}

fn check_time(t: SystemTime, now: SystemTime, policy: &Policy) -> Result<(), SignatureError> {
    let distance = match now.duration_since(t) {
        Ok(past) => past,
        Err(future) => future.duration(),
    };
    if distance > policy.max_skew {
        Err(SignatureError::DateOutOfRange)
    } else {
        Ok(())
    }
}

/// All values of `name` joined with `, `, or `None` if absent or not text.
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
    let mut out: Option<String> = None;
    for value in headers.get_all(name) {
        let text = value.to_str().ok()?.trim();
        match &mut out {
            None => out = Some(text.to_owned()),
            Some(out) => {
                out.push_str(", ");
                out.push_str(text);
            }
        }
    }
    out
}

/// Checks everything about a signed request that needs no key, and returns
/// the parsed `Signature` header so the server can fetch its `keyId`.
///
/// In order: a `Signature` header is present and parses; the algorithm is
/// absent, `rsa-sha256` or `hs2019`; `(request-target)` is signed; `date` or
/// `(created)` is signed; `expires`, if given (signed or not), is not in the
/// past; every signed time is within `policy.max_skew` of `now`; when there is a body
/// (or the method is POST), `digest` or `content-digest` is signed and its
/// SHA-256 value matches the body; `host` is signed if the policy says so.
pub fn check_request(
    parts: &RequestParts<'_>,
    now: SystemTime,
    policy: &Policy,
) -> Result<SignatureHeader, SignatureError> {
    let header = parse_signature_header(signature_header_value(parts.headers)?)?;

    if let Some(algorithm) = &header.algorithm {
        if algorithm != "rsa-sha256" && algorithm != "hs2019" {
            return Err(SignatureError::AlgorithmUnsupported(algorithm.clone()));
        }
    }
    if !header.signs("(request-target)") {
        return Err(SignatureError::RequestTargetNotSigned);
    }

    // A signed time, recent in both directions.
    let signs_date = header.signs("date");
    let signs_created = header.signs("(created)");
    if !signs_date && !signs_created {
        return Err(SignatureError::DateNotSigned);
    }
    // The sender's own deadline comes first: a past `expires` is the most
    // precise reason to give.
    if let Some(expires) = header.expires {
        if epoch_seconds(expires)? < now {
            return Err(SignatureError::Expired);
        }
    }
    if signs_date {
        let date = header_text(parts.headers, "date").ok_or(SignatureError::DateMissing)?;
        let date = httpdate::parse_http_date(&date).map_err(|_| SignatureError::DateInvalid)?;
        check_time(date, now, policy)?;
    }
    if signs_created {
        let created = header.created.ok_or(SignatureError::DateMissing)?;
        check_time(epoch_seconds(created)?, now, policy)?;
    }

    // The body, bound to the signature by a signed digest.
    let body = match parts.body {
        Some(body) => Some(body),
        None if parts.method == Method::POST => Some(&[][..]),
        None => None,
    };
    if let Some(body) = body {
        check_digest(&header, parts.headers, body)?;
    }

    if policy.require_host && !header.signs("host") {
        return Err(SignatureError::HostNotSigned);
    }
    Ok(header)
}

fn check_digest(
    header: &SignatureHeader,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), SignatureError> {
    let signs_digest = header.signs("digest");
    let signs_content_digest = header.signs("content-digest");
    if !signs_digest && !signs_content_digest {
        return Err(
            if headers.contains_key("digest") || headers.contains_key("content-digest") {
                SignatureError::DigestNotSigned
            } else {
                SignatureError::DigestMissing
            },
        );
    }
    let expected = Sha256::digest(body);
    if signs_digest {
        let value = header_text(headers, "digest").ok_or(SignatureError::DigestMissing)?;
        // `SHA-256=<base64>[, OTHER=<…>]`; base64 has `=` padding, so split
        // at the first `=` only.
        let mut found = false;
        for entry in value.split(',') {
            let Some((algorithm, digest)) = entry.trim().split_once('=') else {
                continue;
            };
            if algorithm.trim().eq_ignore_ascii_case("sha-256") {
                found = true;
                if decode_base64(digest.trim()).as_deref() != Some(&expected[..]) {
                    return Err(SignatureError::DigestMismatch);
                }
            }
        }
        if !found {
            return Err(SignatureError::DigestMissing);
        }
    }
    if signs_content_digest {
        let value = header_text(headers, "content-digest").ok_or(SignatureError::DigestMissing)?;
        // RFC 9530: `sha-256=:<base64>:[, sha-512=:<…>:]`.
        let mut found = false;
        for entry in value.split(',') {
            let Some((algorithm, digest)) = entry.trim().split_once('=') else {
                continue;
            };
            if algorithm.trim().eq_ignore_ascii_case("sha-256") {
                found = true;
                let digest = digest.split(';').next().unwrap_or("").trim();
                let digest = digest
                    .strip_prefix(':')
                    .and_then(|d| d.strip_suffix(':'))
                    .ok_or(SignatureError::DigestMismatch)?;
                if decode_base64(digest).as_deref() != Some(&expected[..]) {
                    return Err(SignatureError::DigestMismatch);
                }
            }
        }
        if !found {
            return Err(SignatureError::DigestMissing);
        }
    }
    Ok(())
}

fn build_signing_string(
    parts: &RequestParts<'_>,
    header: &SignatureHeader,
    target: &str,
) -> Result<String, SignatureError> {
    let mut lines = Vec::with_capacity(header.headers.len());
    for name in &header.headers {
        let value = match name.as_str() {
            "(request-target)" => {
                format!("{} {}", parts.method.as_str().to_ascii_lowercase(), target)
            }
            "(created)" => header
                .created_raw
                .clone()
                .ok_or(SignatureError::DateMissing)?,
            "(expires)" => header
                .expires_raw
                .clone()
                .ok_or_else(|| SignatureError::HeaderMissing(name.clone()))?,
            _ => header_text(parts.headers, name)
                .ok_or_else(|| SignatureError::HeaderMissing(name.clone()))?,
        };
        lines.push(format!("{name}: {value}"));
    }
    Ok(lines.join("\n"))
}

/// Rebuilds the string the sender signed: one `name: value` line per signed
/// header, in the order of [`SignatureHeader::headers`], joined by `\n`.
///
/// `(request-target)` is the lowercase method, a space and
/// `parts.path_and_query`; `(created)` and `(expires)` come from the header's
/// parameters; a header sent several times has its values joined with `, `.
/// A signed header absent from the request is [`SignatureError::HeaderMissing`].
pub fn signing_string(
    parts: &RequestParts<'_>,
    header: &SignatureHeader,
) -> Result<String, SignatureError> {
    build_signing_string(parts, header, parts.path_and_query)
}

/// The signing strings a legitimate sender may have signed: the one from
/// [`signing_string`] first, then, when the request has a query string, the
/// same with the query left out of `(request-target)`, as Fedify signs.
pub fn candidate_signing_strings(
    parts: &RequestParts<'_>,
    header: &SignatureHeader,
) -> Result<Vec<String>, SignatureError> {
    let mut out = vec![signing_string(parts, header)?];
    if let Some((path, _query)) = parts.path_and_query.split_once('?') {
        if header.signs("(request-target)") {
            out.push(build_signing_string(parts, header, path)?);
        }
    }
    Ok(out)
}

/// Parses an RSA public key in SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN
/// RSA PUBLIC KEY`) PEM form. Keys up to 4096 bits are accepted.
pub fn parse_public_key_pem(pem: &str) -> Result<RsaPublicKey, SignatureError> {
    let pem = pem.trim();
    RsaPublicKey::from_public_key_pem(pem)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem))
        .map_err(|e| SignatureError::KeyInvalid(e.to_string()))
}

/// Parses an RSA private key in PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1
/// (`BEGIN RSA PRIVATE KEY`) PEM form.
pub fn parse_private_key_pem(pem: &str) -> Result<RsaPrivateKey, SignatureError> {
    let pem = pem.trim();
    RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
        .map_err(|e| SignatureError::KeyInvalid(e.to_string()))
}

/// Verifies `header.signature` over `signing_string` with the RSA key in
/// `public_key_pem` (SPKI or PKCS#1), RSASSA-PKCS1-v1_5 with SHA-256.
pub fn verify_signature(
    header: &SignatureHeader,
    signing_string: &str,
    public_key_pem: &str,
) -> Result<(), SignatureError> {
    verify_signature_with_key(
        header,
        signing_string,
        &parse_public_key_pem(public_key_pem)?,
    )
}

/// [`verify_signature`] with an already parsed key, for servers that cache
/// parsed keys.
pub fn verify_signature_with_key(
    header: &SignatureHeader,
    signing_string: &str,
    key: &RsaPublicKey,
) -> Result<(), SignatureError> {
    key.verify(
        pkcs1v15_sha256(),
        &Sha256::digest(signing_string.as_bytes()),
        &header.signature,
    )
    .map_err(|_| SignatureError::SignatureInvalid)
}

/// Checks a signed request completely with the signer's public key:
/// [`check_request`], then [`verify_signature`] over each of the
/// [`candidate_signing_strings`].
pub fn verify_request(
    parts: &RequestParts<'_>,
    public_key_pem: &str,
    now: SystemTime,
    policy: &Policy,
) -> Result<VerifiedSignature, SignatureError> {
    let header = check_request(parts, now, policy)?;
    let key = parse_public_key_pem(public_key_pem)?;
    verify_checked_with_key(parts, header, &key)
}

/// The second half of [`verify_request`], for a header that already passed
/// [`check_request`] and a key the server fetched (and parsed) meanwhile.
pub fn verify_checked_with_key(
    parts: &RequestParts<'_>,
    header: SignatureHeader,
    key: &RsaPublicKey,
) -> Result<VerifiedSignature, SignatureError> {
    let verified = candidate_signing_strings(parts, &header)?
        .iter()
        .any(|s| verify_signature_with_key(&header, s, key).is_ok());
    if !verified {
        return Err(SignatureError::SignatureInvalid);
    }
    Ok(VerifiedSignature {
        key_id: header.key_id,
        algorithm: header.algorithm.unwrap_or_else(|| "hs2019".to_owned()),
        signed_headers: header.headers,
    })
}

/// Signs a request the way Mastodon does, parsing `private_key_pem` first.
///
/// Convenience for tests and one-off tools: a sender that signs more than
/// once keeps a [`RequestSigner`] (the key parsed once) and calls
/// [`RequestSigner::sign`]; both end in [`sign_request_with_key`], the one
/// signing path. The private key is PKCS#8 or PKCS#1 PEM.
pub fn sign_request(
    method: &Method,
    path_and_query: &str,
    headers: &mut HeaderMap,
    body: Option<&[u8]>,
    key_id: &str,
    private_key_pem: &str,
    now: SystemTime,
) -> Result<(), SignatureError> {
    let key = parse_private_key_pem(private_key_pem)?;
    sign_request_with_key(method, path_and_query, headers, body, key_id, &key, now)
}

/// An actor's private key, parsed once, with the `keyId` it signs under.
///
/// Parsing a PEM key (PKCS#8 decoding and the CRT precomputation) costs
/// about as much as a signature, so senders keep one `RequestSigner` per
/// actor and sign every request with it. `Debug` never shows the key.
pub struct RequestSigner {
    key_id: String,
    key: RsaPrivateKey,
}

impl std::fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestSigner")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl RequestSigner {
    /// A signer for an already parsed key.
    pub fn new(key_id: impl Into<String>, key: RsaPrivateKey) -> RequestSigner {
        RequestSigner {
            key_id: key_id.into(),
            key,
        }
    }

    /// Parses `private_key_pem` (PKCS#8 or PKCS#1) once.
    pub fn from_pem(
        key_id: impl Into<String>,
        private_key_pem: &str,
    ) -> Result<RequestSigner, SignatureError> {
        Ok(RequestSigner::new(
            key_id,
            parse_private_key_pem(private_key_pem)?,
        ))
    }

    /// The `keyId` the signatures name (`<actor>#main-key`).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Signs a request with this key: see [`sign_request_with_key`].
    pub fn sign(
        &self,
        method: &Method,
        path_and_query: &str,
        headers: &mut HeaderMap,
        body: Option<&[u8]>,
        now: SystemTime,
    ) -> Result<(), SignatureError> {
        sign_request_with_key(
            method,
            path_and_query,
            headers,
            body,
            &self.key_id,
            &self.key,
            now,
        )
    }
}

/// The one signing path of Préau: signs a request the way Mastodon does.
///
/// Sets `Date` (from `now`), `Digest: SHA-256=<base64>` when there is a
/// body, and `Signature` with algorithm `rsa-sha256` over `(request-target)
/// host date digest` (`host` only if already in `headers`, `digest` only
/// with a body) — what Mastodon, GoToSocial and Préau's inbox expect.
///
/// The RSA private-key operation is **blinded** (RSASSA-PKCS1-v1_5 with a
/// random blinding factor from the operating system's generator), so its
/// timing does not follow the key (RUSTSEC-2023-0071). PKCS#1 v1.5 stays
/// deterministic: the signature bytes are the same as unblinded ones.
pub fn sign_request_with_key(
    method: &Method,
    path_and_query: &str,
    headers: &mut HeaderMap,
    body: Option<&[u8]>,
    key_id: &str,
    key: &RsaPrivateKey,
    now: SystemTime,
) -> Result<(), SignatureError> {
    let request = (method, path_and_query, body, key_id);
    sign_blinded(request, headers, key, now, &mut rand::rngs::OsRng)
}

/// [`sign_request_with_key`] with the blinding factors drawn from `rng`.
fn sign_blinded<R: rand::CryptoRng + rand::RngCore>(
    (method, path_and_query, body, key_id): (&Method, &str, Option<&[u8]>, &str),
    headers: &mut HeaderMap,
    key: &RsaPrivateKey,
    now: SystemTime,
    rng: &mut R,
) -> Result<(), SignatureError> {
    let text = |s: String| {
        HeaderValue::try_from(s).map_err(|_| SignatureError::Malformed("header value".to_owned()))
    };
    headers.insert(http::header::DATE, text(httpdate::fmt_http_date(now))?);
    let mut names = vec!["(request-target)".to_owned()];
    if headers.contains_key(http::header::HOST) {
        names.push("host".to_owned());
    }
    names.push("date".to_owned());
    if let Some(body) = body {
        let digest = BASE64.encode(Sha256::digest(body));
        headers.insert("digest", text(format!("SHA-256={digest}"))?);
        names.push("digest".to_owned());
    }
    let unsigned = SignatureHeader {
        key_id: key_id.to_owned(),
        algorithm: Some("rsa-sha256".to_owned()),
        headers: names,
        signature: Vec::new(),
        created: None,
        expires: None,
        created_raw: None,
        expires_raw: None,
    };
    let parts = RequestParts {
        method,
        path_and_query,
        headers,
        body,
    };
    let signing_string = signing_string(&parts, &unsigned)?;
    let signature = key
        .sign_with_rng(
            rng,
            pkcs1v15_sha256(),
            &Sha256::digest(signing_string.as_bytes()),
        )
        .map_err(|e| SignatureError::KeyInvalid(e.to_string()))?;
    let value = format!(
        "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
        key_id.replace('\\', "\\\\").replace('"', "\\\""),
        unsigned.headers.join(" "),
        BASE64.encode(signature)
    );
    headers.insert("signature", text(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rand::SeedableRng;

    /// A generator that counts how often it is drawn from.
    struct CountingRng {
        inner: rand::rngs::StdRng,
        draws: usize,
    }

    impl rand::RngCore for CountingRng {
        fn next_u32(&mut self) -> u32 {
            self.draws += 1;
            self.inner.next_u32()
        }
        fn next_u64(&mut self) -> u64 {
            self.draws += 1;
            self.inner.next_u64()
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            self.draws += 1;
            self.inner.fill_bytes(dest);
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
            self.draws += 1;
            self.inner.try_fill_bytes(dest)
        }
    }

    impl rand::CryptoRng for CountingRng {}

    /// The private-key operation is blinded (it draws random factors), and
    /// blinding changes nothing in the result: PKCS#1 v1.5 signatures are
    /// deterministic, so the bytes equal an unblinded signature's and
    /// verify with the public key.
    #[test]
    fn signing_is_blinded_and_gives_the_deterministic_signature() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let key = RsaPrivateKey::new(&mut rng, 1024).unwrap();
        let mut counting = CountingRng {
            inner: rand::rngs::StdRng::seed_from_u64(8),
            draws: 0,
        };
        let mut headers = HeaderMap::new();
        headers.insert(http::header::HOST, HeaderValue::from_static("a.example"));
        let now = UNIX_EPOCH + Duration::from_secs(1_750_000_000);
        let request = (
            &Method::POST,
            "/inbox",
            Some(&b"{}"[..]),
            "https://b.example/actor#main-key",
        );
        sign_blinded(request, &mut headers, &key, now, &mut counting).unwrap();
        assert!(counting.draws > 0, "the RSA operation must be blinded");

        let parts = RequestParts {
            method: &Method::POST,
            path_and_query: "/inbox",
            headers: &headers,
            body: Some(b"{}"),
        };
        let header = check_request(&parts, now, &Policy::default()).unwrap();
        let string = signing_string(&parts, &header).unwrap();
        let unblinded = key
            .sign(pkcs1v15_sha256(), &Sha256::digest(string.as_bytes()))
            .unwrap();
        assert_eq!(header.signature, unblinded);
        verify_signature_with_key(&header, &string, &RsaPublicKey::from(&key)).unwrap();
    }
}

//! Signed trust attestations: "origin O is level L, organisation N, allowed
//! e-mail domains D…, valid from F until T", signed by an authority.
//!
//! An attestation is a JSON-LD document carrying an FEP-8b32
//! `DataIntegrityProof` with the `eddsa-jcs-2022` cryptosuite (see
//! [`integrity`]), signed by an authority's ed25519 key named as a did:key
//! Multikey (see [`multikey`]). The instance it names serves it; every
//! receiver checks it itself with [`verify`] against the authority keys it
//! was configured to trust, and against the origin it fetched it from, so a
//! copied attestation proves nothing for anyone else. `docs/trust.md`
//! describes the format for implementers of other servers.
//!
//! [`Attestation`] is the wire type, kept exactly as received (unknown
//! members included, since the proof covers them); [`VerifiedAttestation`]
//! is what a successful [`verify`] returns, with parsed origin and dates.

mod integrity;
mod multikey;

pub use integrity::{
    canonicalize, create_proof, verify_proof, VerifiedProof, CRYPTOSUITE, PROOF_PURPOSE, PROOF_TYPE,
};
pub use multikey::{generate_key, AuthorityKey, KeyFileError, MultikeyError, PublicMultikey};

use crate::{context::PREAU_NAMESPACE, TrustLevel};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::fmt;
use url::Url;

/// The `type` of an attestation document.
pub const ATTESTATION_TYPE: &str = "TrustAttestation";

/// The JSON-LD context defining `DataIntegrityProof` and its members.
pub const DATA_INTEGRITY_CONTEXT: &str = "https://w3id.org/security/data-integrity/v2";

/// How early a receiver's clock may be: an attestation made a moment ago
/// on a machine whose clock is a little ahead still verifies. Expiry gets no
/// such grace.
pub fn not_yet_valid_leeway() -> TimeDelta {
    TimeDelta::minutes(5)
}

/// The `@context` of an attestation: ActivityStreams, Data Integrity, and
/// the attestation's own terms in Préau's namespace (`trustLevel` and
/// `organisation` mean what they mean on Préau's actors).
pub fn attestation_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        DATA_INTEGRITY_CONTEXT,
        {
            "preau": PREAU_NAMESPACE,
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "TrustAttestation": "preau:TrustAttestation",
            "issuer": { "@id": "preau:issuer", "@type": "@id" },
            "origin": { "@id": "preau:origin", "@type": "@id" },
            "trustLevel": "preau:trustLevel",
            "organisation": "preau:organisation",
            "emailDomains": { "@id": "preau:emailDomains", "@container": "@set" },
            "validFrom": { "@id": "preau:validFrom", "@type": "xsd:dateTime" },
            "validUntil": { "@id": "preau:validUntil", "@type": "xsd:dateTime" }
        }
    ])
}

/// Why an attestation is refused. Each variant has a stable
/// [`code`](AttestationError::code) for logs, stored evidence and the CLI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestationError {
    /// Signed by a key this instance does not trust (its Multikey, `z6Mk…`).
    #[error("signed by {0}, which is not a trusted authority")]
    UnknownAuthority(String),
    /// The proof does not match the document: altered after signing, or
    /// forged.
    #[error("the signature does not match the document (altered or forged)")]
    SignatureInvalid,
    /// A genuine attestation for another origin: replayed by an instance
    /// that copied it.
    #[error("the attestation is for {attested} but was served by {served_by}")]
    OriginMismatch {
        /// The origin the attestation names.
        attested: String,
        /// The origin it was fetched from.
        served_by: String,
    },
    /// `validUntil` has passed.
    #[error("the attestation expired on {}", rfc3339(.valid_until))]
    Expired {
        /// When it stopped being valid.
        valid_until: DateTime<Utc>,
    },
    /// `validFrom` is still in the future.
    #[error("the attestation is not valid before {}", rfc3339(.valid_from))]
    NotYetValid {
        /// When it starts being valid.
        valid_from: DateTime<Utc>,
    },
    /// Not an attestation Préau can read: missing or mistyped members, bad
    /// dates, an origin with a path, a proof of the wrong shape.
    #[error("malformed attestation: {0}")]
    Malformed(String),
    /// A proof of another type or cryptosuite than `DataIntegrityProof`
    /// with `eddsa-jcs-2022`.
    #[error("unsupported proof `{0}`: only DataIntegrityProof with eddsa-jcs-2022 is accepted")]
    UnsupportedCryptosuite(String),
}

impl AttestationError {
    /// The stable snake_case code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            AttestationError::UnknownAuthority(_) => "unknown_authority",
            AttestationError::SignatureInvalid => "signature_invalid",
            AttestationError::OriginMismatch { .. } => "origin_mismatch",
            AttestationError::Expired { .. } => "expired",
            AttestationError::NotYetValid { .. } => "not_yet_valid",
            AttestationError::Malformed(_) => "malformed",
            AttestationError::UnsupportedCryptosuite(_) => "unsupported_cryptosuite",
        }
    }
}

fn malformed(reason: impl Into<String>) -> AttestationError {
    AttestationError::Malformed(reason.into())
}

/// A date-time as attestations write it: RFC 3339, UTC, whole seconds.
pub fn rfc3339(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse_time(text: &str, member: &str) -> Result<DateTime<Utc>, AttestationError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| malformed(format!("{member} is not an RFC 3339 date-time")))
}

/// The scheme, host and port of an instance, normalised: lowercase host
/// (IDNs in punycode), default port dropped, no path. Two origins are the
/// same instance exactly when these strings are equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin(String);

/// Why a string is not an instance origin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an instance origin: {reason}")]
pub struct InvalidOrigin {
    /// The string given.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Origin {
    /// The origin of any http(s) URL (an actor, an inbox…), ignoring its
    /// path; `None` for other schemes or URLs without a host.
    pub fn of(url: &Url) -> Option<Origin> {
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        match url.origin() {
            origin @ url::Origin::Tuple(..) => Some(Origin(origin.ascii_serialization())),
            url::Origin::Opaque(_) => None,
        }
    }

    /// Reads an origin as an attestation or an admin writes it:
    /// `https://host[:port]`, with at most a trailing `/`. A path, query,
    /// fragment or user name is refused, since an attestation covers a whole
    /// instance and nothing less.
    pub fn parse(text: &str) -> Result<Origin, InvalidOrigin> {
        let invalid = |reason| InvalidOrigin {
            text: text.to_string(),
            reason,
        };
        let url = Url::parse(text.trim())
            .map_err(|_| invalid("expected a URL such as https://ent.example.org"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("it contains a user name"));
        }
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("it has a path, query or fragment"));
        }
        Origin::of(&url).ok_or_else(|| invalid("expected an http or https URL with a host"))
    }

    /// The normalised text, e.g. `https://ent.example.org:8443`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Normalises an allowed e-mail domain (`ac-rennes.fr`): lowercase ASCII
/// (IDNs in punycode), no `@`, at least one dot.
pub fn normalise_email_domain(text: &str) -> Result<String, AttestationError> {
    let text = text.trim();
    let bad = || malformed(format!("`{text}` is not an e-mail domain"));
    let domain = match url::Host::parse(text.strip_prefix('@').unwrap_or(text)) {
        Ok(url::Host::Domain(domain)) => domain,
        _ => return Err(bad()),
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    if !domain.contains('.')
        || !domain.chars().all(allowed)
        || domain.starts_with(['.', '-'])
        || domain.ends_with(['.', '-'])
    {
        return Err(bad());
    }
    Ok(domain)
}

/// The proof of an attestation, as FEP-8b32 and W3C Data Integrity write it.
/// Members Préau does not use are kept in `extra`, since the signature
/// covers them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataIntegrityProof {
    /// The document's `@context`, repeated (W3C Data Integrity asks signers
    /// to; Préau's proofs always carry it).
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// `DataIntegrityProof`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// `eddsa-jcs-2022`.
    #[serde(default)]
    pub cryptosuite: String,
    /// When the proof was made (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The signing key: `did:key:z6Mk…#z6Mk…`.
    #[serde(default)]
    pub verification_method: String,
    /// `assertionMethod`.
    #[serde(default)]
    pub proof_purpose: String,
    /// The signature, multibase base58btc (`z…`).
    #[serde(default)]
    pub proof_value: String,
    /// Any other member.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A signed attestation as it travels: the wire type, never trusted before
/// [`verify`] has checked it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attestation {
    /// JSON-LD context; see [`attestation_context`].
    #[serde(rename = "@context")]
    pub context: Value,
    /// [`ATTESTATION_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// An optional identifier (URL or URN) the authority gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The authority: `did:key:z6Mk…`, the key that signed.
    pub issuer: String,
    /// The instance attested: `https://host[:port]`.
    pub origin: String,
    /// The level the authority grants.
    pub trust_level: TrustLevel,
    /// The organisation running the instance (e.g. "Académie de Rennes").
    pub organisation: String,
    /// The e-mail domains the instance's verified accounts may have.
    pub email_domains: Vec<String>,
    /// Start of validity (RFC 3339).
    pub valid_from: String,
    /// End of validity (RFC 3339), exclusive.
    pub valid_until: String,
    /// The authority's signature.
    pub proof: DataIntegrityProof,
    /// Any other member (covered by the proof too).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Attestation {
    /// Reads an attestation from JSON text.
    pub fn from_json(text: &str) -> Result<Self, AttestationError> {
        serde_json::from_str(text).map_err(|error| malformed(error.to_string()))
    }

    /// Reads an attestation from a JSON value (e.g. an item of an actor's
    /// or NodeInfo's list of attestations).
    pub fn from_value(value: Value) -> Result<Self, AttestationError> {
        serde_json::from_value(value).map_err(|error| malformed(error.to_string()))
    }

    /// The attestation as a JSON object, exactly the members it carries.
    pub fn to_object(&self) -> Result<Map<String, Value>, AttestationError> {
        match serde_json::to_value(self) {
            Ok(Value::Object(object)) => Ok(object),
            Ok(_) => Err(malformed("not a JSON object")),
            Err(error) => Err(malformed(error.to_string())),
        }
    }

    /// Indented JSON, for files and terminals.
    pub fn to_json_pretty(&self) -> Result<String, AttestationError> {
        serde_json::to_string_pretty(self).map_err(|error| malformed(error.to_string()))
    }

    /// The key the proof says signed it, unchecked: for display, or to
    /// check a proof when no authority list is at hand.
    pub fn claimed_authority(&self) -> Result<PublicMultikey, AttestationError> {
        PublicMultikey::from_verification_method(&self.proof.verification_method)
            .map_err(|error| malformed(error.to_string()))
    }
}

/// What an authority states, before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationFields {
    /// An optional identifier for the attestation.
    pub id: Option<Url>,
    /// The instance attested.
    pub origin: Origin,
    /// The level granted.
    pub trust_level: TrustLevel,
    /// The organisation running the instance.
    pub organisation: String,
    /// Allowed e-mail domains of its verified accounts.
    pub email_domains: Vec<String>,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity (exclusive); after `valid_from`.
    pub valid_until: DateTime<Utc>,
}

/// A checked attestation: what a trusted authority states about the origin
/// it was fetched from, valid now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAttestation {
    /// The attestation's identifier, if it has one.
    pub id: Option<String>,
    /// The instance attested (equal to the origin that served it).
    pub origin: Origin,
    /// The level granted.
    pub trust_level: TrustLevel,
    /// The organisation running the instance.
    pub organisation: String,
    /// Allowed e-mail domains, normalised to lowercase.
    pub email_domains: Vec<String>,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity: evidence from this attestation must be re-checked
    /// (and is lost) then.
    pub valid_until: DateTime<Utc>,
    /// The trusted authority that signed.
    pub authority: PublicMultikey,
    /// When the authority says it signed.
    pub signed_at: Option<DateTime<Utc>>,
}

/// Signs `fields` with the authority `key`. Refuses (as `malformed`) an
/// empty organisation, a bad e-mail domain, or a validity that ends before
/// it starts. Dates are written to the second.
pub fn sign(
    fields: &AttestationFields,
    key: &AuthorityKey,
) -> Result<Attestation, AttestationError> {
    let organisation = fields.organisation.trim();
    if organisation.is_empty() {
        return Err(malformed("the organisation is empty"));
    }
    let mut email_domains: Vec<String> = Vec::new();
    for domain in &fields.email_domains {
        let domain = normalise_email_domain(domain)?;
        if !email_domains.contains(&domain) {
            email_domains.push(domain);
        }
    }
    let valid_from = rfc3339(&fields.valid_from);
    let valid_until = rfc3339(&fields.valid_until);
    if parse_time(&valid_until, "validUntil")? <= parse_time(&valid_from, "validFrom")? {
        return Err(malformed("validUntil is not after validFrom"));
    }
    let mut document = Map::new();
    document.insert("@context".to_string(), attestation_context());
    document.insert("type".to_string(), ATTESTATION_TYPE.into());
    if let Some(id) = &fields.id {
        document.insert("id".to_string(), id.as_str().into());
    }
    document.insert("issuer".to_string(), key.public_multikey().did_key().into());
    document.insert("origin".to_string(), fields.origin.as_str().into());
    document.insert("trustLevel".to_string(), fields.trust_level.as_str().into());
    document.insert("organisation".to_string(), organisation.into());
    document.insert("emailDomains".to_string(), email_domains.into());
    document.insert("validFrom".to_string(), valid_from.into());
    document.insert("validUntil".to_string(), valid_until.into());
    let proof = create_proof(&document, key, fields.valid_from)?;
    document.insert("proof".to_string(), Value::Object(proof));
    Attestation::from_value(Value::Object(document))
}

/// Checks `attestation` as served by `served_by` (any URL of that instance:
/// its actor, its NodeInfo…) at time `now`, trusting only `trusted`
/// authority keys. Order of checks: proof shape and cryptosuite, authority,
/// signature, members, origin, validity period; the first failure is
/// returned.
pub fn verify(
    attestation: &Attestation,
    trusted: &[PublicMultikey],
    served_by: &Url,
    now: DateTime<Utc>,
) -> Result<VerifiedAttestation, AttestationError> {
    if attestation.kind != ATTESTATION_TYPE {
        return Err(malformed(format!("type is not {ATTESTATION_TYPE}")));
    }
    let proof = verify_proof(&attestation.to_object()?, trusted)?;

    if attestation.issuer != proof.key.did_key() {
        return Err(malformed("issuer is not the key that signed"));
    }
    let origin =
        Origin::parse(&attestation.origin).map_err(|error| malformed(error.to_string()))?;
    let organisation = attestation.organisation.trim();
    if organisation.is_empty() {
        return Err(malformed("the organisation is empty"));
    }
    let email_domains = attestation
        .email_domains
        .iter()
        .map(|domain| normalise_email_domain(domain))
        .collect::<Result<Vec<_>, _>>()?;
    let valid_from = parse_time(&attestation.valid_from, "validFrom")?;
    let valid_until = parse_time(&attestation.valid_until, "validUntil")?;
    if valid_until <= valid_from {
        return Err(malformed("validUntil is not after validFrom"));
    }

    let serving_origin = Origin::of(served_by);
    if serving_origin.as_ref() != Some(&origin) {
        return Err(AttestationError::OriginMismatch {
            attested: origin.to_string(),
            served_by: serving_origin.map_or_else(|| served_by.to_string(), |o| o.to_string()),
        });
    }
    if now + not_yet_valid_leeway() < valid_from {
        return Err(AttestationError::NotYetValid { valid_from });
    }
    if now >= valid_until {
        return Err(AttestationError::Expired { valid_until });
    }
    Ok(VerifiedAttestation {
        id: attestation.id.clone(),
        origin,
        trust_level: attestation.trust_level,
        organisation: organisation.to_string(),
        email_domains,
        valid_from,
        valid_until,
        authority: proof.key,
        signed_at: proof.created,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(origin: &str) -> AttestationFields {
        let valid_from = Utc::now();
        AttestationFields {
            id: None,
            origin: Origin::parse(origin).unwrap(),
            trust_level: TrustLevel::Institutional,
            organisation: "Académie de Rennes".to_string(),
            email_domains: vec!["AC-Rennes.fr".to_string(), "ac-rennes.fr".to_string()],
            valid_from,
            valid_until: valid_from + TimeDelta::days(30),
        }
    }

    #[test]
    fn origins_are_normalised_before_comparison() {
        let cases = [
            ("https://ENT.Example.org", "https://ent.example.org"),
            ("https://ent.example.org:443/", "https://ent.example.org"),
            ("http://ent.example.org:80", "http://ent.example.org"),
            (
                "https://ent.example.org:8443",
                "https://ent.example.org:8443",
            ),
            (
                "https://académie.example",
                "https://xn--acadmie-eya.example",
            ),
        ];
        for (text, normalised) in cases {
            assert_eq!(Origin::parse(text).unwrap().as_str(), normalised, "{text}");
        }
        for text in [
            "ent.example.org",
            "https://ent.example.org/users/a",
            "https://ent.example.org/?x=1",
            "https://admin@ent.example.org",
            "ftp://ent.example.org",
            "mailto:admin@example.org",
        ] {
            assert!(Origin::parse(text).is_err(), "{text}");
        }
        let actor = Url::parse("https://ENT.example.org:443/users/camille").unwrap();
        assert_eq!(
            Origin::of(&actor),
            Some(Origin::parse("https://ent.example.org").unwrap())
        );
    }

    #[test]
    fn email_domains_are_normalised_and_checked() {
        assert_eq!(
            normalise_email_domain(" @AC-Rennes.FR ").unwrap(),
            "ac-rennes.fr"
        );
        for bad in [
            "",
            "localhost",
            "camille@ac-rennes.fr",
            "ac rennes.fr",
            "1.2.3.4",
            ".fr",
        ] {
            assert!(normalise_email_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn signing_writes_the_documented_shape() {
        let key = generate_key();
        let attestation = sign(&fields("https://ENT.example.org/"), &key).unwrap();
        let object = attestation.to_object().unwrap();
        assert_eq!(object["type"], ATTESTATION_TYPE);
        assert_eq!(object["origin"], "https://ent.example.org");
        assert_eq!(object["trustLevel"], "institutional");
        assert_eq!(object["emailDomains"], json!(["ac-rennes.fr"]));
        assert_eq!(object["issuer"], key.public_multikey().did_key().as_str());
        assert_eq!(object["@context"][1], DATA_INTEGRITY_CONTEXT);
        assert_eq!(object["@context"][2]["preau"], PREAU_NAMESPACE);
        assert_eq!(object["proof"]["type"], PROOF_TYPE);
        assert_eq!(object["proof"]["cryptosuite"], CRYPTOSUITE);
        assert_eq!(object["proof"]["proofPurpose"], PROOF_PURPOSE);
        assert_eq!(object["proof"]["@context"], object["@context"]);
        assert_eq!(
            object["proof"]["verificationMethod"],
            key.public_multikey().verification_method().as_str()
        );
        assert!(object["proof"]["proofValue"]
            .as_str()
            .is_some_and(|value| value.starts_with('z')));
        assert_eq!(
            attestation.claimed_authority().unwrap(),
            key.public_multikey()
        );
    }

    #[test]
    fn signing_refuses_nonsense() {
        let key = generate_key();
        let mut empty_org = fields("https://ent.example.org");
        empty_org.organisation = "  ".to_string();
        let mut bad_domain = fields("https://ent.example.org");
        bad_domain.email_domains = vec!["camille@ac-rennes.fr".to_string()];
        let mut backwards = fields("https://ent.example.org");
        backwards.valid_until = backwards.valid_from - TimeDelta::days(1);
        for fields in [empty_org, bad_domain, backwards] {
            assert_eq!(sign(&fields, &key).unwrap_err().code(), "malformed");
        }
    }

    #[test]
    fn a_fresh_attestation_verifies_despite_a_slightly_slow_clock() {
        let key = generate_key();
        let attestation = sign(&fields("https://ent.example.org"), &key).unwrap();
        let served_by = Url::parse("https://ent.example.org/actor").unwrap();
        let a_minute_ago = Utc::now() - TimeDelta::minutes(1);
        let verified = verify(
            &attestation,
            &[key.public_multikey()],
            &served_by,
            a_minute_ago,
        )
        .unwrap();
        assert_eq!(verified.email_domains, ["ac-rennes.fr"]);
        assert_eq!(verified.organisation, "Académie de Rennes");
    }

    #[test]
    fn the_issuer_must_be_the_signing_key() {
        let key = generate_key();
        let other = generate_key();
        let mut object = sign(&fields("https://ent.example.org"), &key)
            .unwrap()
            .to_object()
            .unwrap();
        object.insert("issuer".into(), other.public_multikey().did_key().into());
        object.remove("proof");
        let proof = create_proof(&object, &key, Utc::now()).unwrap();
        object.insert("proof".into(), Value::Object(proof));
        let attestation = Attestation::from_value(Value::Object(object)).unwrap();
        let served_by = Url::parse("https://ent.example.org").unwrap();
        let error = verify(
            &attestation,
            &[key.public_multikey()],
            &served_by,
            Utc::now(),
        );
        assert_eq!(error.unwrap_err().code(), "malformed");
    }

    #[test]
    fn error_codes_are_distinct_snake_case() {
        let key = generate_key().public_multikey();
        let now = Utc::now();
        let errors = [
            AttestationError::UnknownAuthority(key.to_string()),
            AttestationError::SignatureInvalid,
            AttestationError::OriginMismatch {
                attested: "a".into(),
                served_by: "b".into(),
            },
            AttestationError::Expired { valid_until: now },
            AttestationError::NotYetValid { valid_from: now },
            AttestationError::Malformed("x".into()),
            AttestationError::UnsupportedCryptosuite("x".into()),
        ];
        let codes: Vec<&str> = errors.iter().map(AttestationError::code).collect();
        assert_eq!(
            codes,
            [
                "unknown_authority",
                "signature_invalid",
                "origin_mismatch",
                "expired",
                "not_yet_valid",
                "malformed",
                "unsupported_cryptosuite"
            ]
        );
    }
}

//! FEP-8b32 integrity proofs with the `eddsa-jcs-2022` cryptosuite, on any
//! JSON object.
//!
//! Signing: the proof options (the proof without `proofValue`, carrying the
//! document's `@context`) and the document without `proof` are each
//! canonicalised with JCS (RFC 8785) and hashed with SHA-256; ed25519 signs
//! the 64 bytes `hash(options) ‖ hash(document)`; the signature goes into
//! `proofValue` as multibase base58btc. Verification recomputes both hashes
//! from what was received, so any change to any member, known to Préau or
//! not, breaks the proof.

use super::{
    multikey::{decode_base58btc, encode_base58btc, AuthorityKey, PublicMultikey},
    AttestationError,
};
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::Signature;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The proof type of FEP-8b32 and W3C Data Integrity.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The only cryptosuite Préau signs and verifies.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// The proof purpose of a signed statement.
pub const PROOF_PURPOSE: &str = "assertionMethod";

/// What a verified proof tells: who signed and when they say they did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The key that made the signature (one of the trusted ones).
    pub key: PublicMultikey,
    /// The proof's `created` time, when it has one.
    pub created: Option<DateTime<Utc>>,
}

fn malformed(reason: impl Into<String>) -> AttestationError {
    AttestationError::Malformed(reason.into())
}

/// JCS (RFC 8785) canonical form of a JSON value, as UTF-8 bytes.
pub fn canonicalize(value: &Value) -> Result<Vec<u8>, AttestationError> {
    serde_json_canonicalizer::to_vec(value)
        .map_err(|error| malformed(format!("cannot canonicalise: {error}")))
}

/// The bytes the signature covers: SHA-256 of the canonical proof options
/// followed by SHA-256 of the canonical document.
fn hash_data(document: &Value, proof_options: &Value) -> Result<Vec<u8>, AttestationError> {
    let mut data = Sha256::digest(canonicalize(proof_options)?).to_vec();
    data.extend_from_slice(&Sha256::digest(canonicalize(document)?));
    Ok(data)
}

/// Signs `document` (an object without `proof`) and returns the proof
/// object to put under its `proof` member.
pub fn create_proof(
    document: &Map<String, Value>,
    key: &AuthorityKey,
    created: DateTime<Utc>,
) -> Result<Map<String, Value>, AttestationError> {
    if document.contains_key("proof") {
        return Err(malformed("the document already has a proof"));
    }
    let mut proof = Map::new();
    if let Some(context) = document.get("@context") {
        proof.insert("@context".to_string(), context.clone());
    }
    proof.insert("type".to_string(), PROOF_TYPE.into());
    proof.insert("cryptosuite".to_string(), CRYPTOSUITE.into());
    proof.insert(
        "created".to_string(),
        created.to_rfc3339_opts(SecondsFormat::Secs, true).into(),
    );
    proof.insert(
        "verificationMethod".to_string(),
        key.public_multikey().verification_method().into(),
    );
    proof.insert("proofPurpose".to_string(), PROOF_PURPOSE.into());
    let data = hash_data(
        &Value::Object(document.clone()),
        &Value::Object(proof.clone()),
    )?;
    let signature = key.sign_bytes(&data);
    proof.insert(
        "proofValue".to_string(),
        encode_base58btc(&signature.to_bytes()).into(),
    );
    Ok(proof)
}

fn string_member<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    object.get(name).and_then(Value::as_str)
}

/// `@context` as a list: a single value counts as a list of one.
fn context_list(context: &Value) -> Vec<&Value> {
    match context {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    }
}

/// Verifies the `eddsa-jcs-2022` proof of `document`, made by one of
/// `trusted` keys. Checks run from the cheapest to the signature itself:
/// proof type and cryptosuite, shape of the proof, authority, signature.
pub fn verify_proof(
    document: &Map<String, Value>,
    trusted: &[PublicMultikey],
) -> Result<VerifiedProof, AttestationError> {
    let proof = match document.get("proof") {
        Some(Value::Object(proof)) => proof,
        Some(Value::Array(_)) => return Err(malformed("proof sets are not supported")),
        Some(_) => return Err(malformed("proof is not an object")),
        None => return Err(malformed("no proof")),
    };
    let proof_type = string_member(proof, "type").unwrap_or("");
    let cryptosuite = string_member(proof, "cryptosuite").unwrap_or("");
    if proof_type != PROOF_TYPE || cryptosuite != CRYPTOSUITE {
        return Err(AttestationError::UnsupportedCryptosuite(format!(
            "{proof_type} {cryptosuite}"
        )));
    }
    if string_member(proof, "proofPurpose") != Some(PROOF_PURPOSE) {
        return Err(malformed("proofPurpose is not assertionMethod"));
    }
    let key = string_member(proof, "verificationMethod")
        .ok_or_else(|| malformed("no verificationMethod"))
        .and_then(|method| {
            PublicMultikey::from_verification_method(method)
                .map_err(|error| malformed(error.to_string()))
        })?;
    let created = match proof.get("created") {
        None => None,
        Some(Value::String(text)) => Some(
            DateTime::parse_from_rfc3339(text)
                .map_err(|_| malformed("proof created is not an RFC 3339 date-time"))?
                .with_timezone(&Utc),
        ),
        Some(_) => return Err(malformed("proof created is not a string")),
    };
    let signature_bytes: [u8; 64] = string_member(proof, "proofValue")
        .and_then(decode_base58btc)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| malformed("proofValue is not a base58btc ed25519 signature"))?;

    if !trusted.contains(&key) {
        return Err(AttestationError::UnknownAuthority(key.to_string()));
    }

    let mut proof_options = proof.clone();
    proof_options.remove("proofValue");
    let mut unsecured = document.clone();
    unsecured.remove("proof");
    if let Some(proof_context) = proof_options.get("@context") {
        // The proof's context must be where the document's starts, so the
        // terms the signer meant are the terms a reader expands.
        let document_context = unsecured.get("@context").map(context_list);
        let expected = context_list(proof_context);
        let starts_with = document_context
            .as_ref()
            .is_some_and(|list| list.len() >= expected.len() && list[..expected.len()] == expected);
        if !starts_with {
            return Err(AttestationError::SignatureInvalid);
        }
        unsecured.insert("@context".to_string(), proof_context.clone());
    }
    let data = hash_data(&Value::Object(unsecured), &Value::Object(proof_options))?;
    key.verifying_key()
        .verify_strict(&data, &Signature::from_bytes(&signature_bytes))
        .map_err(|_| AttestationError::SignatureInvalid)?;
    Ok(VerifiedProof { key, created })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attestation::generate_key;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(object) => object,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn jcs_sorts_members_and_writes_numbers_and_strings_canonically() {
        // The RFC 8785 examples: number and string serialisation (§3.2.2)
        // and member order by UTF-16 code units (§3.2.3).
        let input = r#"{
            "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
            "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
            "literals": [null, true, false]
        }"#;
        let value: Value = serde_json::from_str(input).unwrap();
        assert_eq!(
            String::from_utf8(canonicalize(&value).unwrap()).unwrap(),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
        let input = r#"{
            "\u20ac": "Euro Sign",
            "\r": "Carriage Return",
            "\ufb33": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\ud83d\ude00": "Emoji: Grinning Face",
            "\u0080": "Control",
            "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let value: Value = serde_json::from_str(input).unwrap();
        let canonical = String::from_utf8(canonicalize(&value).unwrap()).unwrap();
        let order: Vec<&str> = [
            "Carriage Return",
            "One",
            "Control",
            "Latin Small Letter O With Diaeresis",
            "Euro Sign",
            "Emoji: Grinning Face",
            "Hebrew Letter Dalet With Dagesh",
        ]
        .to_vec();
        let positions: Vec<usize> = order
            .iter()
            .map(|name| canonical.find(name).unwrap())
            .collect();
        assert!(
            positions.windows(2).all(|pair| pair[0] < pair[1]),
            "{canonical}"
        );
    }

    #[test]
    fn a_proof_verifies_and_any_change_breaks_it() {
        let key = generate_key();
        let trusted = [key.public_multikey()];
        let mut document = object(json!({
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "type": "Note",
            "content": "Bonjour",
            "tags": [1, 2.5, "x"],
        }));
        let proof = create_proof(&document, &key, Utc::now()).unwrap();
        document.insert("proof".to_string(), Value::Object(proof));
        let verified = verify_proof(&document, &trusted).unwrap();
        assert_eq!(verified.key, key.public_multikey());

        let mut altered = document.clone();
        altered.insert("content".to_string(), "Bonsoir".into());
        assert_eq!(
            verify_proof(&altered, &trusted),
            Err(AttestationError::SignatureInvalid)
        );
        let mut added = document.clone();
        added.insert("extra".to_string(), true.into());
        assert_eq!(
            verify_proof(&added, &trusted),
            Err(AttestationError::SignatureInvalid)
        );
        let mut other_context = document.clone();
        other_context.insert("@context".to_string(), json!(["https://example.org/ns"]));
        assert_eq!(
            verify_proof(&other_context, &trusted),
            Err(AttestationError::SignatureInvalid)
        );
    }

    #[test]
    fn proofs_of_other_shapes_are_refused_with_their_own_code() {
        let key = generate_key();
        let trusted = [key.public_multikey()];
        let mut document = object(json!({ "type": "Note" }));
        let proof = create_proof(&document, &key, Utc::now()).unwrap();
        document.insert("proof".to_string(), Value::Object(proof.clone()));

        let with_proof = |change: &dyn Fn(&mut Map<String, Value>)| {
            let mut proof = proof.clone();
            change(&mut proof);
            let mut document = document.clone();
            document.insert("proof".to_string(), Value::Object(proof));
            verify_proof(&document, &trusted)
                .err()
                .map(|error| error.code())
        };
        assert_eq!(
            with_proof(&|proof| {
                proof.insert("cryptosuite".to_string(), "eddsa-rdfc-2022".into());
            }),
            Some("unsupported_cryptosuite")
        );
        assert_eq!(
            with_proof(&|proof| {
                proof.insert("type".to_string(), "Ed25519Signature2020".into());
            }),
            Some("unsupported_cryptosuite")
        );
        assert_eq!(
            with_proof(&|proof| {
                proof.insert("proofValue".to_string(), "not base58".into());
            }),
            Some("malformed")
        );
        assert_eq!(
            with_proof(&|proof| {
                proof.insert("proofPurpose".to_string(), "authentication".into());
            }),
            Some("malformed")
        );
        assert_eq!(
            with_proof(&|proof| {
                proof.insert(
                    "verificationMethod".to_string(),
                    "https://example.org/key".into(),
                );
            }),
            Some("malformed")
        );
        assert_eq!(
            with_proof(&|proof| {
                proof.insert("created".to_string(), "yesterday".into());
            }),
            Some("malformed")
        );
        let mut set = document.clone();
        set.insert("proof".to_string(), json!([proof]));
        assert_eq!(
            verify_proof(&set, &trusted).err().map(|error| error.code()),
            Some("malformed")
        );
    }
}

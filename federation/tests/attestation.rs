#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Signed trust attestations: what verifies, and each forgery or misuse
//! refused with its own code; plus the W3C eddsa-jcs-2022 test vector, so
//! Préau's proofs are the ones other implementations make and check.

use chrono::{DateTime, Utc};
use preau_federation::{
    attestation::{
        canonicalize, create_proof, generate_key, sign, verify, verify_proof, Attestation,
        AttestationFields, AuthorityKey, Origin, PublicMultikey,
    },
    TrustLevel,
};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use url::Url;

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn rennes_fields() -> AttestationFields {
    AttestationFields {
        id: Some(Url::parse("https://authority.example/attestations/1").unwrap()),
        origin: Origin::parse("https://ent.ac-rennes.example").unwrap(),
        trust_level: TrustLevel::Institutional,
        organisation: "Académie de Rennes".to_string(),
        email_domains: vec!["ac-rennes.fr".to_string(), "ac-rennes.example".to_string()],
        valid_from: time("2025-09-01T00:00:00Z"),
        valid_until: time("2026-09-01T00:00:00Z"),
    }
}

fn served_by(url: &str) -> Url {
    Url::parse(url).unwrap()
}

fn during_validity() -> DateTime<Utc> {
    time("2026-01-15T12:00:00Z")
}

/// The attestation as JSON, changed by `change`, read back.
fn altered(attestation: &Attestation, change: impl FnOnce(&mut Map<String, Value>)) -> Attestation {
    let mut object = attestation.to_object().unwrap();
    change(&mut object);
    Attestation::from_value(Value::Object(object)).unwrap()
}

fn refusal(attestation: &Attestation, trusted: &[PublicMultikey], url: &str) -> &'static str {
    verify(attestation, trusted, &served_by(url), during_validity())
        .unwrap_err()
        .code()
}

#[test]
fn a_signed_attestation_round_trips_through_json_and_verifies() {
    let authority = generate_key();
    let attestation = sign(&rennes_fields(), &authority).unwrap();
    let text = attestation.to_json_pretty().unwrap();
    let read = Attestation::from_json(&text).unwrap();
    assert_eq!(read, attestation);

    let verified = verify(
        &read,
        &[
            generate_key().public_multikey(),
            authority.public_multikey(),
        ],
        &served_by("https://ENT.ac-rennes.example:443/users/camille"),
        during_validity(),
    )
    .unwrap();
    assert_eq!(verified.origin.as_str(), "https://ent.ac-rennes.example");
    assert_eq!(verified.trust_level, TrustLevel::Institutional);
    assert_eq!(verified.organisation, "Académie de Rennes");
    assert_eq!(
        verified.email_domains,
        ["ac-rennes.fr", "ac-rennes.example"]
    );
    assert_eq!(verified.valid_from, time("2025-09-01T00:00:00Z"));
    assert_eq!(verified.valid_until, time("2026-09-01T00:00:00Z"));
    assert_eq!(verified.authority, authority.public_multikey());
    assert_eq!(verified.signed_at, Some(time("2025-09-01T00:00:00Z")));
    assert_eq!(
        verified.id.as_deref(),
        Some("https://authority.example/attestations/1")
    );
}

#[test]
fn an_altered_statement_fails_with_signature_invalid() {
    let authority = generate_key();
    let trusted = [authority.public_multikey()];
    let attestation = sign(&rennes_fields(), &authority).unwrap();
    type Change = Box<dyn Fn(&mut Map<String, Value>)>;
    let changes: Vec<(&str, Change)> = vec![
        (
            "level",
            Box::new(|object| {
                object.insert("trustLevel".into(), "associative".into());
            }),
        ),
        (
            "origin",
            Box::new(|object| {
                object.insert("origin".into(), "https://liar.example".into());
            }),
        ),
        (
            "domains",
            Box::new(|object| {
                object.insert("emailDomains".into(), json!(["ac-rennes.fr", "gmail.com"]));
            }),
        ),
        (
            "validUntil",
            Box::new(|object| {
                object.insert("validUntil".into(), "2036-09-01T00:00:00Z".into());
            }),
        ),
        (
            "organisation",
            Box::new(|object| {
                object.insert("organisation".into(), "Académie de Paris".into());
            }),
        ),
        (
            "an added member",
            Box::new(|object| {
                object.insert("note".into(), "also valid for sub-domains".into());
            }),
        ),
        (
            "the signature",
            Box::new(|object| {
                let forged = generate_key();
                let mut unsigned = object.clone();
                unsigned.remove("proof");
                let other = create_proof(&unsigned, &forged, Utc::now()).unwrap();
                object["proof"]["proofValue"] = other["proofValue"].clone();
            }),
        ),
    ];
    for (what, change) in changes {
        let forged = altered(&attestation, change);
        let url = forged.origin.clone();
        assert_eq!(
            refusal(&forged, &trusted, &url),
            "signature_invalid",
            "changed {what}"
        );
    }
}

#[test]
fn a_key_not_in_the_trusted_list_is_an_unknown_authority() {
    let authority = generate_key();
    let impostor = generate_key();
    let attestation = sign(&rennes_fields(), &impostor).unwrap();
    assert_eq!(
        refusal(
            &attestation,
            &[authority.public_multikey()],
            "https://ent.ac-rennes.example"
        ),
        "unknown_authority"
    );
    assert_eq!(
        refusal(&attestation, &[], "https://ent.ac-rennes.example"),
        "unknown_authority"
    );
}

#[test]
fn an_attestation_replayed_by_another_origin_is_refused() {
    let authority = generate_key();
    let trusted = [authority.public_multikey()];
    let attestation = sign(&rennes_fields(), &authority).unwrap();
    for other in [
        "https://liar.example/actor",
        "http://ent.ac-rennes.example/actor",
        "https://ent.ac-rennes.example:8443/actor",
        "https://sub.ent.ac-rennes.example/actor",
        "https://ent.ac-rennes.example.liar.example/actor",
    ] {
        assert_eq!(
            refusal(&attestation, &trusted, other),
            "origin_mismatch",
            "{other}"
        );
    }
}

#[test]
fn validity_is_enforced_at_both_ends() {
    let authority = generate_key();
    let trusted = [authority.public_multikey()];
    let attestation = sign(&rennes_fields(), &authority).unwrap();
    let url = served_by("https://ent.ac-rennes.example");
    let at = |now: &str| {
        verify(&attestation, &trusted, &url, time(now))
            .err()
            .map(|error| error.code())
    };
    assert_eq!(at("2026-09-01T00:00:00Z"), Some("expired"));
    assert_eq!(at("2030-01-01T00:00:00Z"), Some("expired"));
    assert_eq!(at("2026-08-31T23:59:59Z"), None);
    assert_eq!(at("2025-08-01T00:00:00Z"), Some("not_yet_valid"));
    assert_eq!(at("2025-08-31T23:50:00Z"), Some("not_yet_valid"));
    // A receiver whose clock is a few minutes slow still accepts it.
    assert_eq!(at("2025-08-31T23:58:00Z"), None);

    let expired = verify(&attestation, &trusted, &url, time("2027-01-01T00:00:00Z")).unwrap_err();
    assert!(
        expired.to_string().contains("2026-09-01T00:00:00Z"),
        "{expired}"
    );
}

#[test]
fn other_proofs_and_shapes_are_refused_with_their_own_code() {
    let authority = generate_key();
    let trusted = [authority.public_multikey()];
    let attestation = sign(&rennes_fields(), &authority).unwrap();
    let url = "https://ent.ac-rennes.example";

    let rdfc = altered(&attestation, |object| {
        object["proof"]["cryptosuite"] = "eddsa-rdfc-2022".into();
    });
    assert_eq!(refusal(&rdfc, &trusted, url), "unsupported_cryptosuite");

    let no_proof = attestation.to_object().map(|mut object| {
        object.remove("proof");
        object
    });
    assert_eq!(
        Attestation::from_value(Value::Object(no_proof.unwrap()))
            .unwrap_err()
            .code(),
        "malformed"
    );
    assert_eq!(
        Attestation::from_json("not json").unwrap_err().code(),
        "malformed"
    );
    let unknown_level = attestation
        .to_json_pretty()
        .unwrap()
        .replace("\"institutional\"", "\"official\"");
    assert_eq!(
        Attestation::from_json(&unknown_level).unwrap_err().code(),
        "malformed"
    );
    let bad_key = altered(&attestation, |object| {
        object["proof"]["verificationMethod"] = "https://authority.example/key".into();
    });
    assert_eq!(refusal(&bad_key, &trusted, url), "malformed");
}

// The W3C vc-di-eddsa test vector for eddsa-jcs-2022 (TestVectors/ in the
// w3c/vc-di-eddsa repository): its key pair, unsigned credential, proof
// options and expected proofValue. Ed25519 signatures are deterministic, so
// signing the same input must give the same bytes.
const VECTOR_PUBLIC_KEY: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
const VECTOR_SECRET_KEY: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
const VECTOR_PROOF_VALUE: &str =
    "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX";

fn vector_unsigned() -> Map<String, Value> {
    let value = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2"
        ],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "name": "Alumni Credential",
        "description": "A minimum viable example of an Alumni Credential.",
        "issuer": "https://vc.example/issuers/5678",
        "validFrom": "2023-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:abcdefgh",
            "alumniOf": "The School of Examples"
        }
    });
    match value {
        Value::Object(object) => object,
        _ => unreachable!(),
    }
}

#[test]
fn the_w3c_eddsa_jcs_2022_vector_signs_and_verifies_identically() {
    let key = AuthorityKey::from_secret_multibase(VECTOR_SECRET_KEY).unwrap();
    assert_eq!(key.public_multikey().to_string(), VECTOR_PUBLIC_KEY);
    let key_file = json!({
        "publicKeyMultibase": VECTOR_PUBLIC_KEY,
        "privateKeyMultibase": VECTOR_SECRET_KEY
    });
    let from_file = AuthorityKey::from_key_file(&key_file.to_string()).unwrap();
    assert_eq!(from_file.public_multikey(), key.public_multikey());

    let unsigned = vector_unsigned();
    let proof = create_proof(&unsigned, &key, time("2023-02-24T23:36:38Z")).unwrap();
    assert_eq!(proof["proofValue"], VECTOR_PROOF_VALUE);
    assert_eq!(proof["created"], "2023-02-24T23:36:38Z");
    assert_eq!(
        proof["verificationMethod"],
        format!("did:key:{VECTOR_PUBLIC_KEY}#{VECTOR_PUBLIC_KEY}")
    );

    let mut signed = unsigned.clone();
    signed.insert(
        "proof".into(),
        json!({
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "created": "2023-02-24T23:36:38Z",
            "verificationMethod": format!("did:key:{VECTOR_PUBLIC_KEY}#{VECTOR_PUBLIC_KEY}"),
            "proofPurpose": "assertionMethod",
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://www.w3.org/ns/credentials/examples/v2"
            ],
            "proofValue": VECTOR_PROOF_VALUE
        }),
    );
    let trusted: PublicMultikey = VECTOR_PUBLIC_KEY.parse().unwrap();
    let verified = verify_proof(&signed, &[trusted]).unwrap();
    assert_eq!(verified.key, trusted);
    assert_eq!(verified.created, Some(time("2023-02-24T23:36:38Z")));

    signed.insert("name".into(), "Forged Credential".into());
    assert_eq!(
        verify_proof(&signed, &[trusted]).unwrap_err().code(),
        "signature_invalid"
    );
}

#[test]
fn the_example_in_docs_trust_md_verifies_and_its_canonical_form_is_shown() {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/trust.md")).unwrap();
    let after_marker = &docs[docs.find("<!-- example-attestation").unwrap()..];
    let start = after_marker.find("```json\n").unwrap() + "```json\n".len();
    let end = start + after_marker[start..].find("\n```").unwrap();
    let attestation = Attestation::from_json(&after_marker[start..end]).unwrap();

    let authority = attestation.claimed_authority().unwrap();
    assert!(docs.contains(&format!("authority key\n`{authority}`")));
    let verified = verify(
        &attestation,
        &[authority],
        &served_by("https://ent.ac-rennes.fr/actor"),
        time("2026-01-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(verified.trust_level, TrustLevel::Institutional);

    let mut document = attestation.to_object().unwrap();
    document.remove("proof");
    let canonical = canonicalize(&Value::Object(document)).unwrap();
    assert!(docs.contains(std::str::from_utf8(&canonical).unwrap()));
    let doc_hash: String = Sha256::digest(&canonical)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert!(
        docs.contains(&format!("`docHash` = `{doc_hash}`")),
        "{doc_hash}"
    );
}

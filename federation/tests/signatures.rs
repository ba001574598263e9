#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Draft-cavage HTTP signatures: what Préau accepts, what it refuses (with
//! which code), and the shapes Mastodon, Fedify and activitypub_federation
//! actually send.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use http::{HeaderMap, HeaderValue, Method};
use preau_federation::signatures::{
    check_request, is_rfc9421, key_owner_matches, parse_signature_header, sign_request,
    signing_string, verify_request, verify_signature, Policy, RequestParts, SignatureError,
    VerifiedSignature,
};
use rsa::{
    pkcs1::EncodeRsaPublicKey,
    pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding},
    Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey,
};
use sha2::{Digest, Sha256};

struct Keys {
    private: RsaPrivateKey,
    private_pem: String,
    public_pem: String,
    public_pkcs1_pem: String,
}

fn generate() -> Keys {
    let private = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
    let public = RsaPublicKey::from(&private);
    Keys {
        private_pem: private.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
        public_pem: public.to_public_key_pem(LineEnding::LF).unwrap(),
        public_pkcs1_pem: public.to_pkcs1_pem(LineEnding::LF).unwrap(),
        private,
    }
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(generate)
}

fn other_keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(generate)
}

const KEY_ID: &str = "https://remote.example/users/alice#main-key";
const BODY: &[u8] = br#"{"type":"Create","actor":"https://remote.example/users/alice"}"#;

/// A fixed "now", so that dates are reproducible.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

fn base_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("preau.example"));
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/activity+json"),
    );
    headers
}

/// A POST signed by `sign_request` at `signed_at`.
fn signed_post(signed_at: SystemTime) -> HeaderMap {
    let mut headers = base_headers();
    sign_request(
        &Method::POST,
        "/forums/maths/inbox",
        &mut headers,
        Some(BODY),
        KEY_ID,
        &keys().private_pem,
        signed_at,
    )
    .unwrap();
    headers
}

fn verify_with(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: Option<&[u8]>,
    public_pem: &str,
    policy: &Policy,
) -> Result<VerifiedSignature, SignatureError> {
    let parts = RequestParts {
        method,
        path_and_query: path,
        headers,
        body,
    };
    verify_request(&parts, public_pem, now(), policy)
}

fn verify_post(
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<VerifiedSignature, SignatureError> {
    verify_with(
        &Method::POST,
        "/forums/maths/inbox",
        headers,
        body,
        &keys().public_pem,
        &Policy::default(),
    )
}

fn code(result: Result<VerifiedSignature, SignatureError>) -> &'static str {
    result.expect_err("request should be refused").code()
}

/// Signs a signing string built here, independently of the crate, with
/// RSASSA-PKCS1-v1_5 / SHA-256.
fn rsa_sign(signing_string: &str, key: &RsaPrivateKey) -> String {
    // DigestInfo prefix for SHA-256 (RFC 8017 §9.2, note 1).
    let prefix: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let scheme = Pkcs1v15Sign {
        hash_len: Some(32),
        prefix: Box::new(prefix),
    };
    let signature = key
        .sign(scheme, &Sha256::digest(signing_string.as_bytes()))
        .unwrap();
    BASE64.encode(signature)
}

fn digest_header(body: &[u8]) -> HeaderValue {
    HeaderValue::from_str(&format!("SHA-256={}", BASE64.encode(Sha256::digest(body)))).unwrap()
}

/// Builds the signing string by hand: `(request-target)` from `target`, the
/// pseudo-headers from `pseudo`, the rest from `headers`.
fn manual_signing_string(
    method: &str,
    target: &str,
    headers: &HeaderMap,
    names: &[&str],
    pseudo: &[(&str, String)],
) -> String {
    names
        .iter()
        .map(|name| {
            let value = if *name == "(request-target)" {
                format!("{} {}", method.to_lowercase(), target)
            } else if let Some((_, v)) = pseudo.iter().find(|(n, _)| n == name) {
                v.clone()
            } else {
                headers.get(*name).unwrap().to_str().unwrap().to_owned()
            };
            format!("{name}: {value}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn http_date(t: SystemTime) -> HeaderValue {
    HeaderValue::from_str(&httpdate::fmt_http_date(t)).unwrap()
}

/// A POST signed with an arbitrary header list (date = now, digest of BODY).
fn custom_post(names: &[&str], algorithm: &str) -> HeaderMap {
    let mut headers = base_headers();
    headers.insert("date", http_date(now()));
    headers.insert("digest", digest_header(BODY));
    let string = manual_signing_string("POST", "/forums/maths/inbox", &headers, names, &[]);
    let signature = rsa_sign(&string, &keys().private);
    let value = format!(
        r#"keyId="{KEY_ID}",algorithm="{algorithm}",headers="{}",signature="{signature}""#,
        names.join(" ")
    );
    headers.insert("signature", HeaderValue::from_str(&value).unwrap());
    headers
}

// ---------------------------------------------------------------- accepted

#[test]
fn accepts_post_signed_by_sign_request() {
    let headers = signed_post(now());
    assert!(headers.contains_key("date"));
    assert_eq!(headers.get("digest").unwrap(), &digest_header(BODY));
    let verified = verify_post(&headers, Some(BODY)).unwrap();
    assert_eq!(verified.key_id, KEY_ID);
    assert_eq!(verified.algorithm, "rsa-sha256");
    assert_eq!(
        verified.signed_headers,
        ["(request-target)", "host", "date", "digest"]
    );
}

#[test]
fn accepts_get_without_body_and_requires_host_when_asked() {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("preau.example"));
    headers.insert(
        "accept",
        HeaderValue::from_static("application/activity+json"),
    );
    sign_request(
        &Method::GET,
        "/users/bob",
        &mut headers,
        None,
        KEY_ID,
        &keys().private_pem,
        now(),
    )
    .unwrap();
    assert!(!headers.contains_key("digest"));
    let strict = Policy {
        require_host: true,
        ..Policy::default()
    };
    let verified = verify_with(
        &Method::GET,
        "/users/bob",
        &headers,
        None,
        &keys().public_pem,
        &strict,
    )
    .unwrap();
    assert_eq!(
        verified.signed_headers,
        ["(request-target)", "host", "date"]
    );

    // Same GET on another path: refused.
    let moved = verify_with(
        &Method::GET,
        "/users/carol",
        &headers,
        None,
        &keys().public_pem,
        &strict,
    );
    assert_eq!(code(moved), "signature_invalid");
}

#[test]
fn sign_request_leaves_host_out_when_absent() {
    let mut headers = HeaderMap::new();
    sign_request(
        &Method::GET,
        "/users/bob",
        &mut headers,
        None,
        KEY_ID,
        &keys().private_pem,
        now(),
    )
    .unwrap();
    let parts = RequestParts {
        method: &Method::GET,
        path_and_query: "/users/bob",
        headers: &headers,
        body: None,
    };
    let header = check_request(&parts, now(), &Policy::default()).unwrap();
    assert_eq!(header.headers, ["(request-target)", "date"]);
    let strict = Policy {
        require_host: true,
        ..Policy::default()
    };
    assert_eq!(
        check_request(&parts, now(), &strict).unwrap_err().code(),
        "host_not_signed"
    );
    assert!(verify_request(&parts, &keys().public_pem, now(), &Policy::default()).is_ok());
}

#[test]
fn accepts_header_names_in_any_case() {
    let mut headers = signed_post(now());
    let value = headers
        .get("signature")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let shouted = value
        .replace("keyId=", "KEYID=")
        .replace(
            r#"headers="(request-target) host date digest""#,
            r#"Headers="(Request-Target) Host DATE Digest""#,
        )
        .replace("signature=", "Signature=");
    assert_ne!(value, shouted);
    headers.insert("signature", HeaderValue::from_str(&shouted).unwrap());
    let verified = verify_post(&headers, Some(BODY)).unwrap();
    assert_eq!(
        verified.signed_headers,
        ["(request-target)", "host", "date", "digest"]
    );
}

#[test]
fn accepts_pkcs1_public_keys() {
    let headers = signed_post(now());
    assert!(keys()
        .public_pkcs1_pem
        .starts_with("-----BEGIN RSA PUBLIC KEY-----"));
    verify_with(
        &Method::POST,
        "/forums/maths/inbox",
        &headers,
        Some(BODY),
        &keys().public_pkcs1_pem,
        &Policy::default(),
    )
    .unwrap();
    // With surrounding whitespace and CRLF line ends, as some servers publish.
    let crlf = format!("\n  {}\n", keys().public_pem.replace('\n', "\r\n"));
    verify_with(
        &Method::POST,
        "/forums/maths/inbox",
        &headers,
        Some(BODY),
        &crlf,
        &Policy::default(),
    )
    .unwrap();
}

#[test]
fn accepts_pkcs1_private_keys_for_signing() {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let pkcs1 = keys().private.to_pkcs1_pem(LineEnding::LF).unwrap();
    let mut headers = base_headers();
    sign_request(
        &Method::POST,
        "/forums/maths/inbox",
        &mut headers,
        Some(BODY),
        KEY_ID,
        &pkcs1,
        now(),
    )
    .unwrap();
    verify_post(&headers, Some(BODY)).unwrap();
}

#[test]
fn dates_within_an_hour_pass_either_way() {
    let minutes = |m: u64| Duration::from_secs(m * 60);
    verify_post(&signed_post(now() - minutes(59)), Some(BODY)).unwrap();
    verify_post(&signed_post(now() + minutes(59)), Some(BODY)).unwrap();
    assert_eq!(
        code(verify_post(&signed_post(now() - minutes(61)), Some(BODY))),
        "date_out_of_range"
    );
    assert_eq!(
        code(verify_post(&signed_post(now() + minutes(61)), Some(BODY))),
        "date_out_of_range"
    );
    // A stricter policy is honoured.
    let strict = Policy {
        max_skew: minutes(5),
        ..Policy::default()
    };
    let headers = signed_post(now() - minutes(10));
    let refused = verify_with(
        &Method::POST,
        "/forums/maths/inbox",
        &headers,
        Some(BODY),
        &keys().public_pem,
        &strict,
    );
    assert_eq!(code(refused), "date_out_of_range");
}

#[test]
fn accepts_rfc9530_content_digest_when_signed() {
    let mut headers = base_headers();
    headers.insert("date", http_date(now()));
    headers.insert(
        "content-digest",
        HeaderValue::from_str(&format!(
            "sha-256=:{}:",
            BASE64.encode(Sha256::digest(BODY))
        ))
        .unwrap(),
    );
    let names = ["(request-target)", "host", "date", "content-digest"];
    let string = manual_signing_string("POST", "/forums/maths/inbox", &headers, &names, &[]);
    let signature = rsa_sign(&string, &keys().private);
    headers.insert(
        "signature",
        HeaderValue::from_str(&format!(
            r#"keyId="{KEY_ID}",algorithm="hs2019",headers="{}",signature="{signature}""#,
            names.join(" ")
        ))
        .unwrap(),
    );
    verify_post(&headers, Some(BODY)).unwrap();
    assert_eq!(
        code(verify_post(&headers, Some(b"{\"type\":\"Delete\"}"))),
        "digest_mismatch"
    );
}

#[test]
fn accepts_authorization_signature_header() {
    let mut headers = signed_post(now());
    let value = headers.remove("signature").unwrap();
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!("Signature {}", value.to_str().unwrap())).unwrap(),
    );
    verify_post(&headers, Some(BODY)).unwrap();
}

// ------------------------------------------------- shapes of other servers

/// activitypub_federation 0.7 (Lemmy): `hs2019`, quoted `created` and
/// `expires`, header names in its BTreeMap order.
#[test]
fn accepts_activitypub_federation_shape() {
    let created = now() - Duration::from_secs(30);
    let created_s = created.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let expires_s = created_s + 3600;
    let mut headers = base_headers();
    headers.insert("date", http_date(created));
    headers.insert("digest", digest_header(BODY));
    let names = [
        "(request-target)",
        "(created)",
        "(expires)",
        "content-type",
        "date",
        "digest",
        "host",
    ];
    let pseudo = [
        ("(created)", created_s.to_string()),
        ("(expires)", expires_s.to_string()),
    ];
    let string = manual_signing_string("POST", "/forums/maths/inbox", &headers, &names, &pseudo);
    let signature = rsa_sign(&string, &keys().private);
    let value = format!(
        r#"keyId="{KEY_ID}",algorithm="hs2019",created="{created_s}",expires="{expires_s}",headers="{}",signature="{signature}""#,
        names.join(" ")
    );
    headers.insert("signature", HeaderValue::from_str(&value).unwrap());

    let verified = verify_post(&headers, Some(BODY)).unwrap();
    assert_eq!(verified.algorithm, "hs2019");
    assert_eq!(verified.signed_headers, names);

    // The signing string the crate rebuilds is byte for byte the one signed.
    let parts = RequestParts {
        method: &Method::POST,
        path_and_query: "/forums/maths/inbox",
        headers: &headers,
        body: Some(BODY),
    };
    let header = check_request(&parts, now(), &Policy::default()).unwrap();
    assert_eq!(header.created, Some(created_s));
    assert_eq!(header.expires, Some(expires_s));
    assert_eq!(signing_string(&parts, &header).unwrap(), string);
    verify_signature(&header, &string, &keys().public_pem).unwrap();

    // Past its `expires`: refused, even though the date would still pass.
    let later = verify_request(
        &parts,
        &keys().public_pem,
        UNIX_EPOCH + Duration::from_secs(expires_s + 1),
        &Policy::default(),
    );
    assert_eq!(code(later), "signature_expired");
}

/// Only `(created)` signed, no `date` at all: accepted, and its time checked.
#[test]
fn created_alone_is_a_signed_time() {
    let sign_created = |created_s: u64| {
        let mut headers = base_headers();
        headers.insert("digest", digest_header(BODY));
        let names = ["(request-target)", "(created)", "host", "digest"];
        let pseudo = [("(created)", created_s.to_string())];
        let string =
            manual_signing_string("POST", "/forums/maths/inbox", &headers, &names, &pseudo);
        let signature = rsa_sign(&string, &keys().private);
        let value = format!(
            r#"keyId="{KEY_ID}", algorithm="hs2019", created={created_s}, headers="{}", signature="{signature}""#,
            names.join(" ")
        );
        headers.insert("signature", HeaderValue::from_str(&value).unwrap());
        headers
    };
    let now_s = now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    verify_post(&sign_created(now_s - 120), Some(BODY)).unwrap();
    assert_eq!(
        code(verify_post(&sign_created(now_s - 61 * 60), Some(BODY))),
        "date_out_of_range"
    );
    assert_eq!(
        code(verify_post(&sign_created(now_s + 61 * 60), Some(BODY))),
        "date_out_of_range"
    );
}

/// Mastodon: `rsa-sha256` over `(request-target) host date digest
/// content-type`.
#[test]
fn accepts_mastodon_shape() {
    let headers = custom_post(
        &["(request-target)", "host", "date", "digest", "content-type"],
        "rsa-sha256",
    );
    let verified = verify_post(&headers, Some(BODY)).unwrap();
    assert_eq!(verified.algorithm, "rsa-sha256");
}

/// Fedify draft-cavage: `rsa-sha256` over `(request-target) date host
/// content-type digest`, with the query string left out of
/// `(request-target)`.
#[test]
fn accepts_fedify_shape_without_query_in_request_target() {
    let mut headers = base_headers();
    headers.insert("date", http_date(now()));
    headers.insert("digest", digest_header(BODY));
    let names = ["(request-target)", "date", "host", "content-type", "digest"];
    let string = manual_signing_string("POST", "/forums/maths/inbox", &headers, &names, &[]);
    let signature = rsa_sign(&string, &keys().private);
    let value = format!(
        r#"keyId="{KEY_ID}",algorithm="rsa-sha256",headers="{}",signature="{signature}""#,
        names.join(" ")
    );
    headers.insert("signature", HeaderValue::from_str(&value).unwrap());

    // Without a query string, as any sender would sign it.
    verify_post(&headers, Some(BODY)).unwrap();
    // With a query string that Fedify did not sign.
    verify_with(
        &Method::POST,
        "/forums/maths/inbox?from=fedify",
        &headers,
        Some(BODY),
        &keys().public_pem,
        &Policy::default(),
    )
    .unwrap();
    // The path itself is still bound.
    let moved = verify_with(
        &Method::POST,
        "/forums/physics/inbox?from=fedify",
        &headers,
        Some(BODY),
        &keys().public_pem,
        &Policy::default(),
    );
    assert_eq!(code(moved), "signature_invalid");
}

/// A signature produced by activitypub_federation itself (its own test
/// vector: fixed key, fixed date, body `my activity`), checked with no help
/// from this crate's signing code.
#[test]
fn verifies_activitypub_federation_test_vector() {
    const PRIVATE_KEY: &str = concat!(
        "-----BEGIN RSA PRIVATE KEY-----\n",
        "MIIEogIBAAKCAQEA2kZpsvWYrwM9zMQiDwo4k6/VfpK2aDTeVe9ZkcvDrrWfqt72\n",
        "QSjjtXLa8sxJlEn+/zbnZ1lG3AO/WsKs2jiOycNQHBS1ITnSZKEpdKnAoLUn4k16\n",
        "YivRmALyLedOfIrvMtQzH8a+kOQ71u2Wa3H9jpkCT5W9OneEBa3VjQp49kcrF3tm\n",
        "mrEUhfai5GJM4xrdr587y7exkBF4wObepta9opSeuBkPV4QXZPfgmjwW+oOTheVH\n",
        "6L7yjzvjW92j4/T6XKAcu0kn/aQhR8SiGtPBMyOlcW4S2eDHWf1RlqbNGb5L9Qam\n",
        "fb0WAymx0ANLUDQyXAu5zViMrd4g8mgdkg7C1wIDAQABAoIBAAHAT0Uvsguz0Frq\n",
        "0Li8+A4I4U/RQeqW6f9XtHWpl3NSYuqOPJZY2DxypHRB1Iex13x/gBHH/8jwgShR\n",
        "2x/3ev9kmsLu6f+CcdniCFQdFiRaVh/IFI0Ve7cz5tkcoiuSB2NDNcaYFwIdYqfr\n",
        "Ytz2OCn2hLQHKB9M9pLMSnDsPmMAOveY11XfhkECrWlh1bx9YPyJScnNKTblB3M+\n",
        "GhYL3xzuCxPCC9nUfqz7Y8FnZTCmePOwcRflJDTLFs6Bqkv1PZOZWzI+7akaJxfI\n",
        "SOSw3VkGegsdoGVgHobqT2tqL8vuKM1bs47PFwWjVCGEoOvcC/Ha1+INemWbh7VA\n",
        "Xa/jvxkCgYEA/+AxeMCLCmH/F696W3RpPdFL25wSYQr1auV2xRfmsT+hhpSp3yz/\n",
        "ypkazS9TbnSCm18up+jE9rJ1c9VIZrgcTeKzPURzE68RR8uOsa9o9kaUzfyvRAzb\n",
        "fmQXMvv2rmm9U7srhjpvKo1BcHpQIQYToKt0TOv7soSEY2jGNvaK6i0CgYEA2mGL\n",
        "sL36WoHF3x2DZNvknLJGjxPSMmdjjfflFRqxKeP+Sf54C4QH/1hxHe/yl/KMBTfa\n",
        "woBl05SrwTnQ7bOeR8VTmzP53JfkECT5I9h/g8vT8dkz5WQXWNDgy61Imq/UmWwm\n",
        "DHElGrkF31oy5w6+aZ58Sa5bXhBDYpkUP9+pV5MCgYAW5BCo89i8gg3XKZyxp9Vu\n",
        "cVXu/KRsSBWyjXq1oTDDNKUXrB8SVy0/C7lpF83H+OZiTf6XiOxuAYMebLtAbUIi\n",
        "+Z/9YC1HWocaPCy02rNyLNhNIUjwtpHAWeX1arMj4VPNtNXs+TdOwDpVfKvEeI2y\n",
        "9wO9ifMHgnFxj0MEUcQVtQKBgHg2Mhs8uM+RmEbVjDq9AP9w835XPuIYH6lKyIPx\n",
        "iYyxwI0i0xojt/NL0BjWuQgDsCg/MuDWpTbvJAzdsrDmqz5+1SMeXXCc/CIW+D5P\n",
        "MwJt9WGwWuzvSBrQAK6d2NWt7K335on6zp4DM8RbdqHSb+bcIza8D/ebpDxmX8s5\n",
        "Z5KZAoGAX8u+63w1uy1FLhf48SqmjOqkAjdUZCWEmaim69koAOdTIBSSDOnAqzGu\n",
        "wIVdLLzI6xTgbYmfErCwpU2v8MfUWr0BDzjQ9G6c5rhcS1BkfxbeAsC42XaVIgCk\n",
        "2sMNMqi6f96jbp4IQI70BpecsnBAUa+VoT57bZRvy0lW26w9tYI=\n",
        "-----END RSA PRIVATE KEY-----\n"
    );
    const SIGNATURE: &str = concat!(
        "keyId=\"https://example.com/u/alice#main-key\",",
        "algorithm=\"hs2019\",",
        "headers=\"(request-target) content-type date digest host\",",
        "signature=\"BpZhHNqzd6d6jhWOxyJ0jXwWWxiKMNK7i3mrr/5mVFnH7fUpicwqw8cSYVr",
        "cwWjt0I07HW7rZFUfIdSgCoOEdvxtrccF/hTrwYgm8O6SQRHl1UfFtDR6e9EpfPieVmTjo0",
        "QVfyzLLa41rmnz/yFqqer/v0kcdED51/dGe8NCGPBbhgK6C4oh7r+XHsQZMIhh38BcfZVWN",
        "YaMqgyhFxu2f34IKnOEk6NjSaNtO+PzQUhbksTvH0Vvi6R0dtQINJFdONVBl4AwDC1INeF5",
        "uhQo/SaKHfP3UitUHdM5Pbn+LhZYDB9AaQAW5ZGD43Aw15ecwsnKi4HcjV8nBw4zehlvaQ==\""
    );
    use rsa::pkcs1::DecodeRsaPrivateKey;
    let public = RsaPublicKey::from(&RsaPrivateKey::from_pkcs1_pem(PRIVATE_KEY).unwrap())
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let body = b"my activity";
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/activity+json"),
    );
    headers.insert("host", HeaderValue::from_static("example.com"));
    headers.insert(
        "date",
        HeaderValue::from_static("Tue, 28 Mar 2023 21:03:44 GMT"),
    );
    headers.insert("digest", digest_header(body));
    headers.insert("signature", HeaderValue::from_static(SIGNATURE));
    let parts = RequestParts {
        method: &Method::POST,
        path_and_query: "/u/alice/inbox",
        headers: &headers,
        body: Some(body),
    };
    let then = httpdate::parse_http_date("Tue, 28 Mar 2023 21:05:00 GMT").unwrap();
    let verified = verify_request(&parts, &public, then, &Policy::default()).unwrap();
    assert_eq!(verified.key_id, "https://example.com/u/alice#main-key");
    // And it fails one byte of body later.
    let tampered = RequestParts {
        body: Some(b"my activitz"),
        ..parts
    };
    assert_eq!(
        code(verify_request(&tampered, &public, then, &Policy::default())),
        "digest_mismatch"
    );
}

// ---------------------------------------------------------------- refusals

#[test]
fn refuses_unsigned_request() {
    let mut headers = base_headers();
    headers.insert("date", http_date(now()));
    headers.insert("digest", digest_header(BODY));
    assert_eq!(code(verify_post(&headers, Some(BODY))), "signature_missing");
}

#[test]
fn refuses_malformed_signature_header() {
    for garbage in [
        "",
        "garbage",
        r#"keyId="https://x.example/a#k""#,
        r#"signature="AAAA""#,
        r#"keyId="https://x.example/a#k",signature="not base64!!""#,
        r#"keyId="https://x.example/a#k",signature="AAAA"#,
        r#"keyId="https://x.example/a#k",keyId="https://y.example/b#k",signature="AAAA""#,
        r#"keyId="https://x.example/a#k" signature="AAAA""#,
    ] {
        let mut headers = signed_post(now());
        headers.insert("signature", HeaderValue::from_str(garbage).unwrap());
        assert_eq!(
            code(verify_post(&headers, Some(BODY))),
            "signature_malformed",
            "{garbage:?}"
        );
    }
    // Two Signature headers.
    let mut headers = signed_post(now());
    let value = headers.get("signature").unwrap().clone();
    headers.append("signature", value);
    assert_eq!(
        code(verify_post(&headers, Some(BODY))),
        "signature_malformed"
    );
}

#[test]
fn refuses_unsupported_algorithms() {
    for algorithm in ["rsa-sha512", "ed25519", "hmac-sha256", "rsa-sha1"] {
        let headers = custom_post(&["(request-target)", "host", "date", "digest"], algorithm);
        let refused = verify_post(&headers, Some(BODY)).unwrap_err();
        assert_eq!(refused.code(), "algorithm_unsupported");
        assert_eq!(
            refused,
            SignatureError::AlgorithmUnsupported(algorithm.to_owned())
        );
    }
    // No algorithm at all is fine (the key decides).
    let mut headers = signed_post(now());
    let value = headers
        .get("signature")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let without = value.replace("algorithm=\"rsa-sha256\",", "");
    assert_ne!(value, without);
    headers.insert("signature", HeaderValue::from_str(&without).unwrap());
    assert_eq!(
        verify_post(&headers, Some(BODY)).unwrap().algorithm,
        "hs2019"
    );
}

#[test]
fn refuses_body_modified_after_signing() {
    let headers = signed_post(now());
    assert_eq!(
        code(verify_post(&headers, Some(b"{\"type\":\"Delete\"}"))),
        "digest_mismatch"
    );
}

#[test]
fn refuses_digest_recomputed_for_another_body() {
    // An attacker swaps the body and the Digest header: the signature, which
    // covers the digest, no longer verifies.
    let mut headers = signed_post(now());
    let forged = b"{\"type\":\"Delete\"}";
    headers.insert("digest", digest_header(forged));
    assert_eq!(
        code(verify_post(&headers, Some(forged))),
        "signature_invalid"
    );
}

#[test]
fn refuses_unsigned_digest() {
    let headers = custom_post(&["(request-target)", "host", "date"], "rsa-sha256");
    assert!(headers.contains_key("digest"));
    assert_eq!(code(verify_post(&headers, Some(BODY))), "digest_not_signed");
}

#[test]
fn refuses_post_without_digest() {
    // Signed without a body, then delivered with one.
    let mut headers = base_headers();
    sign_request(
        &Method::POST,
        "/forums/maths/inbox",
        &mut headers,
        None,
        KEY_ID,
        &keys().private_pem,
        now(),
    )
    .unwrap();
    assert_eq!(code(verify_post(&headers, Some(BODY))), "digest_missing");
    // A POST given no body is treated as an empty one: a digest is needed.
    assert_eq!(code(verify_post(&headers, None)), "digest_missing");

    // Digest signed, then the header dropped.
    let mut headers = signed_post(now());
    headers.remove("digest");
    assert_eq!(code(verify_post(&headers, Some(BODY))), "digest_missing");

    // A Digest with no SHA-256 value.
    let mut headers = signed_post(now());
    headers.insert("digest", HeaderValue::from_static("SHA-512=AAAA"));
    assert_eq!(code(verify_post(&headers, Some(BODY))), "digest_missing");
}

#[test]
fn digest_algorithm_name_is_case_insensitive() {
    let mut headers = base_headers();
    headers.insert("date", http_date(now()));
    headers.insert(
        "digest",
        HeaderValue::from_str(&format!("sha-256={}", BASE64.encode(Sha256::digest(BODY)))).unwrap(),
    );
    let names = ["(request-target)", "host", "date", "digest"];
    let string = manual_signing_string("POST", "/forums/maths/inbox", &headers, &names, &[]);
    let signature = rsa_sign(&string, &keys().private);
    headers.insert(
        "signature",
        HeaderValue::from_str(&format!(
            r#"keyId="{KEY_ID}",headers="{}",signature="{signature}""#,
            names.join(" ")
        ))
        .unwrap(),
    );
    verify_post(&headers, Some(BODY)).unwrap();
}

#[test]
fn refuses_signature_without_signed_time() {
    let headers = custom_post(&["(request-target)", "host", "digest"], "rsa-sha256");
    assert_eq!(code(verify_post(&headers, Some(BODY))), "date_not_signed");
}

#[test]
fn refuses_missing_or_invalid_date() {
    let mut headers = signed_post(now());
    headers.remove("date");
    assert_eq!(code(verify_post(&headers, Some(BODY))), "date_missing");

    let mut headers = signed_post(now());
    headers.insert("date", HeaderValue::from_static("yesterday, around noon"));
    assert_eq!(code(verify_post(&headers, Some(BODY))), "date_invalid");
}

#[test]
fn refuses_unsigned_request_target() {
    let headers = custom_post(&["host", "date", "digest"], "rsa-sha256");
    assert_eq!(
        code(verify_post(&headers, Some(BODY))),
        "request_target_not_signed"
    );
}

#[test]
fn refuses_changed_path_and_method() {
    let headers = signed_post(now());
    let moved = verify_with(
        &Method::POST,
        "/forums/physics/inbox",
        &headers,
        Some(BODY),
        &keys().public_pem,
        &Policy::default(),
    );
    assert_eq!(code(moved), "signature_invalid");
    let put = verify_with(
        &Method::PUT,
        "/forums/maths/inbox",
        &headers,
        Some(BODY),
        &keys().public_pem,
        &Policy::default(),
    );
    assert_eq!(code(put), "signature_invalid");
}

#[test]
fn refuses_another_key() {
    let headers = signed_post(now());
    let refused = verify_with(
        &Method::POST,
        "/forums/maths/inbox",
        &headers,
        Some(BODY),
        &other_keys().public_pem,
        &Policy::default(),
    );
    assert_eq!(code(refused), "signature_invalid");
}

#[test]
fn refuses_invalid_key() {
    let headers = signed_post(now());
    let refused = verify_with(
        &Method::POST,
        "/forums/maths/inbox",
        &headers,
        Some(BODY),
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        &Policy::default(),
    );
    assert_eq!(code(refused), "key_invalid");
    let mut headers = base_headers();
    let refused = sign_request(
        &Method::GET,
        "/",
        &mut headers,
        None,
        KEY_ID,
        "not a key",
        now(),
    );
    assert_eq!(refused.unwrap_err().code(), "key_invalid");
}

#[test]
fn refuses_expired_signature() {
    let now_s = now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let mut headers = signed_post(now());
    let value = headers
        .get("signature")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    // `expires` unsigned but present: still honoured.
    headers.insert(
        "signature",
        HeaderValue::from_str(&format!("{value},expires={}", now_s - 10)).unwrap(),
    );
    assert_eq!(code(verify_post(&headers, Some(BODY))), "signature_expired");
    // In the future: fine.
    headers.insert(
        "signature",
        HeaderValue::from_str(&format!("{value},expires=\"{}.5\"", now_s + 10)).unwrap(),
    );
    verify_post(&headers, Some(BODY)).unwrap();
}

#[test]
fn refuses_missing_signed_header() {
    let mut headers = custom_post(
        &["(request-target)", "host", "date", "digest", "content-type"],
        "rsa-sha256",
    );
    headers.remove("content-type");
    let refused = verify_post(&headers, Some(BODY)).unwrap_err();
    assert_eq!(refused.code(), "header_missing");
    assert_eq!(
        refused,
        SignatureError::HeaderMissing("content-type".into())
    );
}

#[test]
fn refuses_unsigned_host_when_required() {
    let headers = custom_post(&["(request-target)", "date", "digest"], "rsa-sha256");
    verify_post(&headers, Some(BODY)).unwrap();
    let strict = Policy {
        require_host: true,
        ..Policy::default()
    };
    let refused = verify_with(
        &Method::POST,
        "/forums/maths/inbox",
        &headers,
        Some(BODY),
        &keys().public_pem,
        &strict,
    );
    assert_eq!(code(refused), "host_not_signed");
}

// ------------------------------------------------------------ the helpers

#[test]
fn parses_signature_headers_robustly() {
    let header = parse_signature_header(
        r#"  signature = "AQID" ,headers="(request-target) Host date",
        created=1402170695, keyId="https://x.example/users/a#main-key", algorithm="HS2019",
        expires="1402170699.5", extension="a, quoted \"comma\"" "#,
    )
    .unwrap();
    assert_eq!(header.key_id, "https://x.example/users/a#main-key");
    assert_eq!(header.algorithm.as_deref(), Some("hs2019"));
    assert_eq!(header.headers, ["(request-target)", "host", "date"]);
    assert_eq!(header.signature, [1, 2, 3]);
    assert_eq!(header.created, Some(1_402_170_695));
    assert_eq!(header.expires, Some(1_402_170_699));
    assert_eq!(header.expires_raw.as_deref(), Some("1402170699.5"));

    // A keyId with a comma inside quotes.
    let header =
        parse_signature_header(r#"keyId="https://x.example/k?a,b",signature="AQID""#).unwrap();
    assert_eq!(header.key_id, "https://x.example/k?a,b");
    // `headers` defaults to `date`.
    assert_eq!(header.headers, ["date"]);
    assert_eq!(header.algorithm, None);

    // Times the clock cannot hold are refused, not a panic.
    for params in [
        "created=18446744073709551615",
        "expires=18446744073709551615",
    ] {
        let mut headers = signed_post(now());
        let value = headers
            .get("signature")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let value = value.replace("(request-target) host", "(request-target) (created) host");
        headers.insert(
            "signature",
            HeaderValue::from_str(&format!("{value},{params}")).unwrap(),
        );
        let refused = verify_post(&headers, Some(BODY)).unwrap_err();
        assert!(
            ["date_invalid", "date_missing"].contains(&refused.code()),
            "{params}: {refused:?}"
        );
    }
    assert_eq!(
        parse_signature_header(r#"keyId="k",signature="AQID",created="soon""#).unwrap_err(),
        SignatureError::DateInvalid
    );
}

#[test]
fn rebuilds_signing_string_like_the_draft() {
    // Example from draft-cavage-http-signatures-12, section 2.1.3 (with
    // `(created)` and a header sent twice).
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("example.org"));
    headers.append("cache-control", HeaderValue::from_static("max-age=60"));
    headers.append("cache-control", HeaderValue::from_static("must-revalidate"));
    headers.insert(
        "date",
        HeaderValue::from_static("Tue, 07 Jun 2014 20:51:35 GMT"),
    );
    let header = parse_signature_header(
        r#"keyId="k",created=1402170695,headers="(request-target) (created) host date cache-control",signature="AQID""#,
    )
    .unwrap();
    let parts = RequestParts {
        method: &Method::GET,
        path_and_query: "/foo",
        headers: &headers,
        body: None,
    };
    assert_eq!(
        signing_string(&parts, &header).unwrap(),
        "(request-target): get /foo\n(created): 1402170695\nhost: example.org\n\
         date: Tue, 07 Jun 2014 20:51:35 GMT\ncache-control: max-age=60, must-revalidate"
    );
}

#[test]
fn key_owner_matches_actor_without_fragment() {
    let actor = url::Url::parse("https://remote.example/users/alice").unwrap();
    assert!(key_owner_matches(KEY_ID, &actor));
    assert!(key_owner_matches(
        "https://remote.example/users/alice",
        &actor
    ));
    assert!(!key_owner_matches(
        "https://remote.example/users/mallory#main-key",
        &actor
    ));
    assert!(!key_owner_matches(
        "https://evil.example/users/alice#main-key",
        &actor
    ));
    assert!(!key_owner_matches("not a url", &actor));
}

#[test]
fn detects_rfc9421_requests() {
    let mut headers = base_headers();
    assert!(!is_rfc9421(&headers));
    headers.insert(
        "signature-input",
        HeaderValue::from_static(r#"sig1=("@method" "@target-uri");created=1;keyid="k""#),
    );
    assert!(is_rfc9421(&headers));
}

#[test]
fn error_codes_are_stable() {
    let all = [
        (SignatureError::Missing, "signature_missing"),
        (
            SignatureError::Malformed(String::new()),
            "signature_malformed",
        ),
        (
            SignatureError::AlgorithmUnsupported(String::new()),
            "algorithm_unsupported",
        ),
        (
            SignatureError::RequestTargetNotSigned,
            "request_target_not_signed",
        ),
        (SignatureError::DateNotSigned, "date_not_signed"),
        (SignatureError::DateMissing, "date_missing"),
        (SignatureError::DateInvalid, "date_invalid"),
        (SignatureError::DateOutOfRange, "date_out_of_range"),
        (SignatureError::Expired, "signature_expired"),
        (SignatureError::DigestNotSigned, "digest_not_signed"),
        (SignatureError::DigestMissing, "digest_missing"),
        (SignatureError::DigestMismatch, "digest_mismatch"),
        (SignatureError::HostNotSigned, "host_not_signed"),
        (
            SignatureError::HeaderMissing(String::new()),
            "header_missing",
        ),
        (SignatureError::KeyInvalid(String::new()), "key_invalid"),
        (SignatureError::SignatureInvalid, "signature_invalid"),
    ];
    for (error, code) in all {
        assert_eq!(error.code(), code);
    }
}

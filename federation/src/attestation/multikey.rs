//! Authority keys: ed25519 key pairs written as Multikey strings.
//!
//! A public key travels as `z6Mk…`: the multicodec prefix of an ed25519
//! public key (0xed 0x01) followed by the 32 key bytes, in base58btc with the
//! multibase prefix `z`. The same string, as `did:key:z6Mk…#z6Mk…`, names the
//! key in a proof's `verificationMethod`, so a verifier needs no network
//! access to find it. The secret key is kept in a small JSON file in the same
//! Multikey style (prefix 0x80 0x26, the ed25519 private-key multicodec).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, io::Write, path::Path, str::FromStr};
use zeroize::{Zeroize, Zeroizing};

/// The multicodec varint of an ed25519 public key.
const ED25519_PUBLIC_PREFIX: [u8; 2] = [0xed, 0x01];
/// The multicodec varint of an ed25519 private key (the 32-byte seed).
const ED25519_SECRET_PREFIX: [u8; 2] = [0x80, 0x26];
/// The multibase prefix of base58btc.
const BASE58BTC: char = 'z';
const DID_KEY_PREFIX: &str = "did:key:";

/// Why a string is not an ed25519 public Multikey.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultikeyError {
    /// Not `z` followed by base58btc.
    #[error("not a base58btc multibase value (expected `z…`)")]
    NotBase58btc,
    /// Decodes, but is not an ed25519 key of 32 bytes.
    #[error("not an ed25519 Multikey (expected `z6Mk…`)")]
    NotEd25519,
    /// 32 bytes that are not a point on the curve.
    #[error("not a valid ed25519 public key")]
    InvalidKey,
    /// A `verificationMethod` that is not `did:key:K#K`.
    #[error("verification method `{0}` is not of the form did:key:z6Mk…#z6Mk…")]
    NotDidKey(String),
}

/// Decodes a multibase base58btc string (`z…`).
pub(crate) fn decode_base58btc(text: &str) -> Option<Vec<u8>> {
    let encoded = text.strip_prefix(BASE58BTC)?;
    bs58::decode(encoded).into_vec().ok()
}

/// Encodes bytes as multibase base58btc (`z…`).
pub(crate) fn encode_base58btc(bytes: &[u8]) -> String {
    format!("{BASE58BTC}{}", bs58::encode(bytes).into_string())
}

/// An authority's ed25519 public key, written `z6Mk…`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicMultikey(VerifyingKey);

impl PublicMultikey {
    /// The key itself.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.0
    }

    /// The key as a `did:key` identifier: `did:key:z6Mk…`.
    pub fn did_key(&self) -> String {
        format!("{DID_KEY_PREFIX}{self}")
    }

    /// The key as a proof's `verificationMethod`: `did:key:z6Mk…#z6Mk…`.
    pub fn verification_method(&self) -> String {
        format!("{DID_KEY_PREFIX}{self}#{self}")
    }

    /// Reads a `verificationMethod` of the form `did:key:K#K`; the fragment
    /// must repeat the key, as the did:key method defines it for ed25519.
    pub fn from_verification_method(method: &str) -> Result<Self, MultikeyError> {
        let not_did_key = || MultikeyError::NotDidKey(method.to_string());
        let rest = method
            .strip_prefix(DID_KEY_PREFIX)
            .ok_or_else(not_did_key)?;
        let (key, fragment) = rest.split_once('#').ok_or_else(not_did_key)?;
        if key != fragment {
            return Err(not_did_key());
        }
        key.parse()
    }
}

impl FromStr for PublicMultikey {
    type Err = MultikeyError;

    /// Accepts `z6Mk…` and, for convenience on the command line,
    /// `did:key:z6Mk…`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let multibase = text.strip_prefix(DID_KEY_PREFIX).unwrap_or(text);
        let bytes = decode_base58btc(multibase).ok_or(MultikeyError::NotBase58btc)?;
        let key: [u8; 32] = bytes
            .strip_prefix(&ED25519_PUBLIC_PREFIX)
            .and_then(|key| key.try_into().ok())
            .ok_or(MultikeyError::NotEd25519)?;
        VerifyingKey::from_bytes(&key)
            .map(PublicMultikey)
            .map_err(|_| MultikeyError::InvalidKey)
    }
}

impl fmt::Display for PublicMultikey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = ED25519_PUBLIC_PREFIX.to_vec();
        bytes.extend_from_slice(self.0.as_bytes());
        f.write_str(&encode_base58btc(&bytes))
    }
}

impl fmt::Debug for PublicMultikey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicMultikey({self})")
    }
}

impl Serialize for PublicMultikey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PublicMultikey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Why an authority key file cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file exists: a key is never overwritten, since losing it would
    /// invalidate every attestation it signed.
    #[error("{0} already exists; refusing to overwrite an authority key")]
    AlreadyExists(String),
    /// Reading or writing failed.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not an authority key file.
    #[error("{0}")]
    Malformed(String),
}

/// The JSON shape of a key file. `type` is informative; the public key is
/// there so an admin can read it without the tool, and is checked on load.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyFile {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    public_key_multibase: Option<String>,
    /// `privateKeyMultibase` is the name some tools (and the W3C test
    /// vectors) use for the same value.
    #[serde(alias = "privateKeyMultibase")]
    secret_key_multibase: String,
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        self.secret_key_multibase.zeroize();
    }
}

/// An authority's ed25519 signing key. Its `Debug` shows only the public
/// key; the secret leaves memory only through [`AuthorityKey::save_new`].
pub struct AuthorityKey {
    signing: SigningKey,
}

/// Generates a new authority key from the operating system's random source.
pub fn generate_key() -> AuthorityKey {
    AuthorityKey {
        signing: SigningKey::generate(&mut rand::rngs::OsRng),
    }
}

impl AuthorityKey {
    /// The public half, to publish and to configure on verifying instances.
    pub fn public_multikey(&self) -> PublicMultikey {
        PublicMultikey(self.signing.verifying_key())
    }

    /// Builds the key from a secret Multikey (`z3u2…`: prefix 0x80 0x26 and
    /// the 32-byte seed).
    pub fn from_secret_multibase(secret: &str) -> Result<Self, KeyFileError> {
        let malformed =
            || KeyFileError::Malformed("not an ed25519 secret Multikey (z3u2…)".to_string());
        let bytes = Zeroizing::new(decode_base58btc(secret.trim()).ok_or_else(malformed)?);
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            bytes
                .strip_prefix(&ED25519_SECRET_PREFIX)
                .and_then(|seed| seed.try_into().ok())
                .ok_or_else(malformed)?,
        );
        Ok(AuthorityKey {
            signing: SigningKey::from_bytes(&seed),
        })
    }

    fn secret_multibase(&self) -> Zeroizing<String> {
        let mut bytes = Zeroizing::new(ED25519_SECRET_PREFIX.to_vec());
        bytes.extend_from_slice(self.signing.as_bytes());
        Zeroizing::new(encode_base58btc(&bytes))
    }

    /// The key file's text (JSON with the secret and public Multikeys).
    pub fn to_key_file(&self) -> Result<Zeroizing<String>, KeyFileError> {
        let file = KeyFile {
            kind: Some("Multikey".to_string()),
            public_key_multibase: Some(self.public_multikey().to_string()),
            secret_key_multibase: self.secret_multibase().to_string(),
        };
        let mut text = serde_json::to_string_pretty(&file)
            .map_err(|error| KeyFileError::Malformed(error.to_string()))?;
        text.push('\n');
        Ok(Zeroizing::new(text))
    }

    /// Reads a key file's text; a public key, when present, must match.
    pub fn from_key_file(text: &str) -> Result<Self, KeyFileError> {
        let file: KeyFile = serde_json::from_str(text).map_err(|_| {
            KeyFileError::Malformed(
                "not an authority key file (JSON with secretKeyMultibase)".to_string(),
            )
        })?;
        let key = Self::from_secret_multibase(&file.secret_key_multibase)?;
        if let Some(public) = &file.public_key_multibase {
            if public.trim() != key.public_multikey().to_string() {
                return Err(KeyFileError::Malformed(
                    "publicKeyMultibase does not match the secret key".to_string(),
                ));
            }
        }
        Ok(key)
    }

    /// Writes the key to a new file, readable by its owner only (0600 on
    /// Unix). Refuses to replace an existing file.
    pub fn save_new(&self, path: &Path) -> Result<(), KeyFileError> {
        let text = self.to_key_file()?;
        let io_error = |source| KeyFileError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|error| {
            if error.kind() == std::io::ErrorKind::AlreadyExists {
                KeyFileError::AlreadyExists(path.display().to_string())
            } else {
                io_error(error)
            }
        })?;
        file.write_all(text.as_bytes()).map_err(io_error)?;
        file.sync_all().map_err(io_error)
    }

    /// Reads a key file written by [`AuthorityKey::save_new`].
    pub fn load(path: &Path) -> Result<Self, KeyFileError> {
        let text =
            Zeroizing::new(
                std::fs::read_to_string(path).map_err(|source| KeyFileError::Io {
                    path: path.display().to_string(),
                    source,
                })?,
            );
        Self::from_key_file(&text)
    }

    /// Signs raw bytes (ed25519, RFC 8032 pure EdDSA).
    pub(crate) fn sign_bytes(&self, message: &[u8]) -> Signature {
        self.signing.sign(message)
    }
}

impl fmt::Debug for AuthorityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorityKey")
            .field("public", &self.public_multikey())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_multikeys_round_trip_and_start_with_z6mk() {
        let key = generate_key();
        let public = key.public_multikey();
        let text = public.to_string();
        assert!(text.starts_with("z6Mk"), "{text}");
        assert_eq!(text.parse::<PublicMultikey>(), Ok(public));
        assert_eq!(public.did_key().parse::<PublicMultikey>(), Ok(public));
        assert_eq!(
            PublicMultikey::from_verification_method(&public.verification_method()),
            Ok(public)
        );
    }

    #[test]
    fn other_strings_are_not_multikeys() {
        let public = generate_key().public_multikey().to_string();
        assert_eq!(
            public[1..].parse::<PublicMultikey>(),
            Err(MultikeyError::NotBase58btc)
        );
        assert_eq!(
            "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq".parse::<PublicMultikey>(),
            Err(MultikeyError::NotEd25519)
        );
        assert_eq!(
            "z0OIl".parse::<PublicMultikey>(),
            Err(MultikeyError::NotBase58btc)
        );
        for method in [
            public.clone(),
            format!("did:key:{public}"),
            format!("did:web:example.org#{public}"),
            format!("did:key:{public}#key-1"),
        ] {
            assert!(
                PublicMultikey::from_verification_method(&method).is_err(),
                "{method}"
            );
        }
    }

    #[test]
    fn key_files_round_trip_and_debug_never_shows_the_secret() {
        let key = generate_key();
        let text = key.to_key_file().unwrap();
        let secret = key.secret_multibase();
        assert!(text.contains(secret.as_str()));
        let loaded = AuthorityKey::from_key_file(&text).unwrap();
        assert_eq!(loaded.public_multikey(), key.public_multikey());
        let debug = format!("{key:?}");
        assert!(!debug.contains(secret.as_str()), "{debug}");
        assert!(debug.contains(&key.public_multikey().to_string()));
    }

    #[test]
    fn a_key_file_whose_public_key_does_not_match_is_refused() {
        let key = generate_key();
        let other = generate_key();
        let text = key.to_key_file().unwrap().replace(
            &key.public_multikey().to_string(),
            &other.public_multikey().to_string(),
        );
        assert!(matches!(
            AuthorityKey::from_key_file(&text),
            Err(KeyFileError::Malformed(_))
        ));
        assert!(matches!(
            AuthorityKey::from_key_file("{}"),
            Err(KeyFileError::Malformed(_))
        ));
    }

    #[test]
    fn save_new_writes_an_owner_only_file_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("authority.key");
        let key = generate_key();
        key.save_new(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            AuthorityKey::load(&path).unwrap().public_multikey(),
            key.public_multikey()
        );
        let before = std::fs::read_to_string(&path).unwrap();
        assert!(matches!(
            generate_key().save_new(&path),
            Err(KeyFileError::AlreadyExists(_))
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    }
}

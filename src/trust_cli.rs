//! The commands behind `preau trust …`, for trust authorities (a ministry,
//! an academy's IT service) and for admins checking what they were given:
//! make an authority key, sign an attestation, check one. They need no
//! configuration and no database; the format is in `docs/trust.md`.

use crate::cli::CliError;
use chrono::{DateTime, TimeDelta, Utc};
use preau_federation::{
    attestation::{
        generate_key, rfc3339, sign, verify, Attestation, AttestationError, AttestationFields,
        AuthorityKey, Origin, PublicMultikey,
    },
    TrustLevel,
};
use std::path::Path;
use url::Url;

/// The longest validity `preau trust attest` signs: ten years. Shorter is
/// better, since only expiry takes an attestation back.
pub const MAX_VALID_DAYS: u32 = 3660;

/// `preau trust keygen --out FILE`: writes a new secret key (mode 0600,
/// never over an existing file) and returns its public Multikey.
pub fn keygen(out: &Path) -> Result<String, CliError> {
    let key = generate_key();
    key.save_new(out)
        .map_err(|error| CliError(error.to_string()))?;
    Ok(format!(
        "public key: {}\nsecret key written to {} (readable by you only): keep it offline, never share it",
        key.public_multikey(),
        out.display()
    ))
}

/// What `preau trust attest` signs.
#[derive(Debug, Clone)]
pub struct AttestRequest<'a> {
    /// The authority's key file (from `keygen`).
    pub key_file: &'a Path,
    /// The instance attested, `https://host[:port]`.
    pub origin: &'a str,
    /// The level granted.
    pub trust_level: TrustLevel,
    /// The organisation running the instance.
    pub organisation: &'a str,
    /// Allowed e-mail domains of its verified accounts.
    pub email_domains: &'a [String],
    /// Days of validity from now.
    pub valid_days: u32,
    /// Where to write the attestation; standard output when `None`.
    pub out: Option<&'a Path>,
}

/// `preau trust attest …`: signs an attestation valid from `now` for
/// `valid_days` days; returns its JSON, or a summary when written to a file.
pub fn attest(request: &AttestRequest<'_>, now: DateTime<Utc>) -> Result<String, CliError> {
    if request.valid_days == 0 || request.valid_days > MAX_VALID_DAYS {
        return Err(CliError(format!(
            "--valid-days must be between 1 and {MAX_VALID_DAYS}"
        )));
    }
    let key = AuthorityKey::load(request.key_file).map_err(|error| CliError(error.to_string()))?;
    let origin = Origin::parse(request.origin).map_err(|error| CliError(error.to_string()))?;
    let fields = AttestationFields {
        id: None,
        origin,
        trust_level: request.trust_level,
        organisation: request.organisation.to_string(),
        email_domains: request.email_domains.to_vec(),
        valid_from: now,
        valid_until: now + TimeDelta::days(i64::from(request.valid_days)),
    };
    let attestation = sign(&fields, &key).map_err(|error| CliError(error.to_string()))?;
    let mut json = attestation
        .to_json_pretty()
        .map_err(|error| CliError(error.to_string()))?;
    match request.out {
        None => Ok(json),
        Some(out) => {
            json.push('\n');
            std::fs::write(out, json)
                .map_err(|error| CliError(format!("cannot write {}: {error}", out.display())))?;
            Ok(format!(
                "wrote to {}: {} is {} ({}) until {}, signed by {}",
                out.display(),
                attestation.origin,
                attestation.trust_level,
                attestation.organisation,
                attestation.valid_until,
                key.public_multikey()
            ))
        }
    }
}

/// What an attestation says, whether or not it verifies.
fn statement(attestation: &Attestation) -> String {
    let domains = if attestation.email_domains.is_empty() {
        "(none)".to_string()
    } else {
        attestation.email_domains.join(", ")
    };
    let signer = match attestation.claimed_authority() {
        Ok(key) => key.to_string(),
        Err(error) => format!("(unreadable: {error})"),
    };
    format!(
        "  origin:         {}\n  trust level:    {}\n  organisation:   {}\n  e-mail domains: {domains}\n  valid:          from {} until {}\n  signed by:      {signer}",
        attestation.origin,
        attestation.trust_level,
        attestation.organisation,
        attestation.valid_from,
        attestation.valid_until,
    )
}

fn refused(error: &AttestationError, attestation: Option<&Attestation>) -> CliError {
    let mut message = format!("attestation NOT verified ({}): {error}", error.code());
    if let Some(attestation) = attestation {
        message.push_str("\nit states:\n");
        message.push_str(&statement(attestation));
    }
    CliError(message)
}

/// `preau trust verify FILE [--authority KEY]... [--origin URL]`: checks the
/// proof, the authority (when keys are given), the origin (when given) and
/// the validity period at `now`. Without `--authority`, the key named in the
/// proof is used, which only shows the file was not altered since it
/// signed; the output says so.
pub fn verify_file(
    file: &Path,
    authorities: &[String],
    origin: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|error| CliError(format!("cannot read {}: {error}", file.display())))?;
    let attestation = Attestation::from_json(&text).map_err(|error| refused(&error, None))?;
    let refuse = |error: AttestationError| refused(&error, Some(&attestation));

    let (trusted, authority_note) = if authorities.is_empty() {
        let key = attestation.claimed_authority().map_err(refuse)?;
        (
            vec![key],
            "NOT checked (no --authority given): the signature only shows the holder of this key signed it",
        )
    } else {
        let keys = authorities
            .iter()
            .map(|text| {
                text.parse::<PublicMultikey>().map_err(|error| {
                    CliError(format!("--authority `{text}` is not a public key: {error}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        (keys, "trusted (given with --authority)")
    };
    let (served_by, origin_note) = match origin {
        Some(origin) => (
            Url::parse(origin)
                .map_err(|_| CliError(format!("--origin `{origin}` is not a URL")))?,
            "matches --origin",
        ),
        None => (
            Url::parse(&attestation.origin).map_err(|_| {
                refuse(AttestationError::Malformed(format!(
                    "origin `{}` is not a URL",
                    attestation.origin
                )))
            })?,
            "NOT checked (no --origin given)",
        ),
    };
    let verified = verify(&attestation, &trusted, &served_by, now).map_err(refuse)?;
    // Rounded to the nearest day, so a year-long attestation made a moment
    // ago shows 365 days.
    let days_left = ((verified.valid_until - now).num_seconds() + 43_200) / 86_400;
    Ok(format!(
        "attestation verified: the proof (eddsa-jcs-2022) is valid and it is valid now\n{}\n  authority:      {authority_note}\n  origin check:   {origin_note}\n  expires:        {} (in {days_left} days)",
        statement(&attestation),
        rfc3339(&verified.valid_until),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_attest_and_verify_work_together() {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("authority.key");
        let message = keygen(&key_file).unwrap();
        let public = message
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("public key: "))
            .unwrap()
            .to_string();
        let out = dir.path().join("attestation.json");
        let domains = ["ac-rennes.fr".to_string()];
        let now = Utc::now();
        attest(
            &AttestRequest {
                key_file: &key_file,
                origin: "https://ent.example.org",
                trust_level: TrustLevel::Institutional,
                organisation: "Académie de Rennes",
                email_domains: &domains,
                valid_days: 365,
                out: Some(&out),
            },
            now,
        )
        .unwrap();
        let report =
            verify_file(&out, &[public], Some("https://ent.example.org/actor"), now).unwrap();
        assert!(report.contains("attestation verified"), "{report}");
        assert!(
            report.contains("trusted (given with --authority)"),
            "{report}"
        );

        let other = generate_key().public_multikey().to_string();
        let error = verify_file(&out, &[other], None, now).unwrap_err();
        assert!(error.0.contains("unknown_authority"), "{error}");
        assert!(error.0.contains("Académie de Rennes"), "{error}");
    }

    #[test]
    fn attest_refuses_a_validity_of_zero_days() {
        let dir = tempfile::tempdir().unwrap();
        let error = attest(
            &AttestRequest {
                key_file: &dir.path().join("missing.key"),
                origin: "https://ent.example.org",
                trust_level: TrustLevel::Associative,
                organisation: "Association",
                email_domains: &[],
                valid_days: 0,
                out: None,
            },
            Utc::now(),
        )
        .unwrap_err();
        assert!(error.0.contains("--valid-days"), "{error}");
    }
}

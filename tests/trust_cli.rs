#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report
//! `preau trust …` as an authority and an admin use it: keygen → attest →
//! verify, a tampered file refused with exit code 1 and its code, a key
//! never overwritten.

use std::{
    path::Path,
    process::{Command, Output},
};

fn preau(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_preau"))
        .args(args)
        .env_remove("PREAU_CONFIG")
        .env_remove("PREAU_LOG")
        .output()
        .expect("run preau")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs keygen into `dir`, returns the public key it printed.
fn keygen(key_file: &Path) -> String {
    let out = preau(&["trust", "keygen", "--out", path(key_file)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("public key: "))
        .unwrap_or_else(|| panic!("no public key in {stdout}"))
        .trim()
        .to_string()
}

fn attest(key_file: &Path, out_file: &Path) {
    let out = preau(&[
        "trust",
        "attest",
        "--key",
        path(key_file),
        "--origin",
        "https://ent.ac-rennes.example",
        "--level",
        "institutional",
        "--org",
        "Académie de Rennes",
        "--email-domain",
        "ac-rennes.fr",
        "--email-domain",
        "ac-rennes.example",
        "--valid-days",
        "365",
        "--out",
        path(out_file),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn an_authority_makes_a_key_signs_and_an_admin_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("authority.key");
    let public = keygen(&key_file);
    assert!(public.starts_with("z6Mk"), "{public}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Without --out the signed JSON goes to standard output.
    let out = preau(&[
        "trust",
        "attest",
        "--key",
        path(&key_file),
        "--origin",
        "https://asso.example",
        "--level",
        "associative",
        "--org",
        "Les Profs Associés",
        "--valid-days",
        "30",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["trustLevel"], "associative");
    assert_eq!(json["proof"]["cryptosuite"], "eddsa-jcs-2022");
    let secret = std::fs::read_to_string(&key_file).unwrap();
    let secret: serde_json::Value = serde_json::from_str(&secret).unwrap();
    let secret = secret["secretKeyMultibase"].as_str().unwrap();
    assert!(!text(&out.stdout).contains(secret));

    let attestation = dir.path().join("attestation.json");
    attest(&key_file, &attestation);
    let out = preau(&[
        "trust",
        "verify",
        path(&attestation),
        "--authority",
        &public,
        "--origin",
        "https://ent.ac-rennes.example/actor",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}{}", stdout, text(&out.stderr));
    assert!(stdout.contains("attestation verified"), "{stdout}");
    assert!(stdout.contains("institutional"), "{stdout}");
    assert!(stdout.contains("Académie de Rennes"), "{stdout}");
    assert!(
        stdout.contains("ac-rennes.fr, ac-rennes.example"),
        "{stdout}"
    );

    // Served by another origin: a replay.
    let out = preau(&[
        "trust",
        "verify",
        path(&attestation),
        "--authority",
        &public,
        "--origin",
        "https://liar.example",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("origin_mismatch"),
        "{}",
        text(&out.stderr)
    );

    // Another authority's key: unknown.
    let other = keygen(&dir.path().join("other.key"));
    let out = preau(&["trust", "verify", path(&attestation), "--authority", &other]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("unknown_authority"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_tampered_attestation_is_refused_with_exit_code_1_and_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("authority.key");
    let public = keygen(&key_file);
    let attestation = dir.path().join("attestation.json");
    attest(&key_file, &attestation);

    let original = std::fs::read_to_string(&attestation).unwrap();
    let tampered = original.replace("\"ac-rennes.fr\"", "\"gmail.com\"");
    assert_ne!(tampered, original);
    let tampered_file = dir.path().join("tampered.json");
    std::fs::write(&tampered_file, tampered).unwrap();

    for args in [
        vec![
            "trust",
            "verify",
            path(&tampered_file),
            "--authority",
            &public,
        ],
        vec!["trust", "verify", path(&tampered_file)],
    ] {
        let out = preau(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("signature_invalid"), "{stderr}");
        assert!(stderr.contains("NOT verified"), "{stderr}");
        assert!(
            stderr.contains("gmail.com"),
            "the statement is shown: {stderr}"
        );
    }

    std::fs::write(&tampered_file, "{\"type\": \"TrustAttestation\"}").unwrap();
    let out = preau(&["trust", "verify", path(&tampered_file)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("malformed"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn keygen_refuses_to_overwrite_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("authority.key");
    keygen(&key_file);
    let before = std::fs::read(&key_file).unwrap();
    let out = preau(&["trust", "keygen", "--out", path(&key_file)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&key_file).unwrap(), before);
}

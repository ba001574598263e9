//! The `preau` command as an admin uses it: exit codes, messages, and the
//! e-mail domain rule applied to admin-created accounts too.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

fn preau(dir: &std::path::Path, args: &[&str], stdin: &str, extra_env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_preau"));
    command
        .args(args)
        .env_remove("PREAU_CONFIG")
        .env("PREAU_SERVER_DATA_DIR", dir)
        .env("PREAU_INSTANCE_DOMAIN", "localhost:9999")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in extra_env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("spawn preau");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn admins_create_list_approve_and_suspend_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let institutional = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/instance-config/institutional.toml"
    );
    let config = ["--config", institutional];

    let out = preau(
        dir.path(),
        &[
            &config[..],
            &[
                "admin",
                "create-user",
                "camille",
                "--email",
                "camille@gmail.com",
            ],
        ]
        .concat(),
        "a long password\n",
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("email_domain_not_allowed"),
        "{}",
        text(&out.stderr)
    );

    let out = preau(
        dir.path(),
        &[
            &config[..],
            &[
                "admin",
                "create-user",
                "camille",
                "--email",
                "camille@ac-rennes.fr",
                "--admin",
            ],
        ]
        .concat(),
        "a long password\n",
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("created camille (admin)"));

    let out = preau(
        dir.path(),
        &[
            &config[..],
            &[
                "admin",
                "create-user",
                "yann",
                "--email",
                "yann@ac-rennes.fr",
            ],
        ]
        .concat(),
        "",
        &[],
    );
    assert!(!out.status.success(), "an empty standard input is refused");
    assert!(text(&out.stderr).contains("no password"));
    let out = preau(
        dir.path(),
        &[
            &config[..],
            &[
                "admin",
                "create-user",
                "yann",
                "--email",
                "yann@ac-rennes.fr",
            ],
        ]
        .concat(),
        "short\n",
        &[],
    );
    assert!(text(&out.stderr).contains("password_too_short"));
    let out = preau(
        dir.path(),
        &[
            &config[..],
            &[
                "admin",
                "create-user",
                "camille",
                "--email",
                "c2@ac-rennes.fr",
            ],
        ]
        .concat(),
        "a long password\n",
        &[],
    );
    assert!(text(&out.stderr).contains("username_taken"));
    let out = preau(
        dir.path(),
        &[
            &config[..],
            &[
                "admin",
                "create-user",
                "yann",
                "--email",
                "yann@ac-rennes.fr",
            ],
        ]
        .concat(),
        "a long password\n",
        &[],
    );
    assert!(out.status.success());

    let out = preau(
        dir.path(),
        &[&config[..], &["admin", "suspend", "yann"]].concat(),
        "",
        &[],
    );
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("yann is now suspended"));
    let out = preau(
        dir.path(),
        &[&config[..], &["admin", "suspend", "camille"]].concat(),
        "",
        &[],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("last_admin"));
    let out = preau(
        dir.path(),
        &[&config[..], &["admin", "approve", "yann"]].concat(),
        "",
        &[],
    );
    assert!(text(&out.stdout).contains("yann is now active"));
    let out = preau(
        dir.path(),
        &[&config[..], &["admin", "approve", "nobody"]].concat(),
        "",
        &[],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("account_not_found"));
    // Only a sign-up waiting for approval can be refused, and with a reason.
    let out = preau(
        dir.path(),
        &[
            &config[..],
            &["admin", "refuse", "yann", "--reason", "Hors académie"],
        ]
        .concat(),
        "",
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("account_already_active"),
        "{}",
        text(&out.stderr)
    );
    let out = preau(
        dir.path(),
        &[&config[..], &["admin", "refuse", "yann"]].concat(),
        "",
        &[],
    );
    assert!(!out.status.success(), "--reason is required");

    let out = preau(
        dir.path(),
        &[&config[..], &["admin", "list-users", "--csv"]].concat(),
        "",
        &[],
    );
    let csv = text(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with("camille,camille@ac-rennes.fr,ac-rennes.fr,active,true,"));
    assert!(lines[2].starts_with("yann,yann@ac-rennes.fr,ac-rennes.fr,active,false,"));
    let out = preau(
        dir.path(),
        &[&config[..], &["admin", "list-users"]].concat(),
        "",
        &[],
    );
    assert!(text(&out.stdout).contains("2 account(s)"));
    let out = preau(
        dir.path(),
        &[&config[..], &["admin", "deliveries"]].concat(),
        "",
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let counts: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(
        counts,
        serde_json::json!({"pending": 0, "done": 0, "failed": 0, "refused": 0})
    );
}

#[test]
fn configuration_errors_are_clear_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[instance]\ntrust_levle = \"informal\"\n").unwrap();
    let out = preau(
        dir.path(),
        &["config", "check", file.to_str().unwrap()],
        "",
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("trust_levle"),
        "{}",
        text(&out.stderr)
    );

    let out = preau(
        dir.path(),
        &["config", "check"],
        "",
        &[("PREAU_SERVER_LISTN", "x")],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("listn"));

    let out = preau(
        dir.path(),
        &["config", "check"],
        "",
        &[("PREAU_INSTANCE_TRUST_LEVEL", "official")],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("official"));

    let out = preau(
        dir.path(),
        &[
            "config",
            "check",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/instance-config/associative.toml"
            ),
        ],
        "",
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("associative"));

    let out = preau(dir.path(), &["migrate"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("preau.db").exists());

    let out = preau(dir.path(), &["admin", "frobnicate"], "", &[]);
    assert!(!out.status.success());
}

#[test]
fn mail_receive_answers_with_exit_codes_an_mta_understands() {
    let dir = tempfile::tempdir().unwrap();
    let message = |to: &str, extra: &str| {
        format!(
            "From: Anne <anne@example.org>\r\nTo: {to}\r\nSubject: Re: x\r\n{extra}\
             Message-ID: <1@example.org>\r\n\r\nMerci !\r\n"
        )
    };
    // Not a reply address of this instance: EX_NOUSER, for the MTA to bounce.
    let out = preau(
        dir.path(),
        &[
            "mail",
            "receive",
            "--sender",
            "anne@example.org",
            "someone@elsewhere.test",
        ],
        &message("someone@elsewhere.test", ""),
        &[],
    );
    assert_eq!(out.status.code(), Some(67), "{}", text(&out.stderr));

    // A forged reply address: refused and dropped, exit 0 (no bounce from
    // the MTA either); nothing is mailed to the sender, who may be forged
    // (bounces would be written to the outbox folder: no SMTP server set).
    let forged = "reply+f1.1.0123456789abcdef0123456789abcdef@localhost";
    let out = preau(
        dir.path(),
        &["mail", "receive", "--sender", "anne@example.org", forged],
        &message(forged, ""),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("invalid_reply_address")
            && text(&out.stdout).contains("dropped"),
        "{}",
        text(&out.stdout)
    );
    let outbox = || {
        std::fs::read_dir(dir.path().join("outbox"))
            .map(|entries| entries.count())
            .unwrap_or(0)
    };
    assert_eq!(outbox(), 0, "no bounce to a sender who may be forged");

    // An automatic message (an absence notice) with no envelope given:
    // recipients from the To header; ignored, never answered.
    let out = preau(
        dir.path(),
        &["mail", "receive"],
        &message(forged, "Auto-Submitted: auto-replied\r\n"),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("automatic"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(outbox(), 0);
}

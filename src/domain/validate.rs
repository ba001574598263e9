//! Validation of names, addresses and passwords.

use super::{DomainResult, Refusal};

/// Names no account may take: they are paths, roles or the instance actor.
const RESERVED_NAMES: &[&str] = &[
    "admin",
    "administrator",
    "agenda",
    "api",
    "about",
    "actor",
    "inbox",
    "follow",
    "instance",
    "login",
    "logout",
    "lookup",
    "moderator",
    "new",
    "nodeinfo",
    "outbox",
    "postmaster",
    "preau",
    "requests",
    "root",
    "settings",
    "signup",
    "static",
    "support",
    "system",
    "users",
    "webmaster",
    "well-known",
];

/// Shortest accepted password. Length beats composition rules (NIST SP 800-63B).
pub const MIN_PASSWORD_LEN: usize = 10;
/// Longest accepted password, to bound hashing work.
pub const MAX_PASSWORD_LEN: usize = 256;

/// Checks and normalises a username: 2–30 characters among `a-z 0-9 _`,
/// starting with a letter, not reserved. Input is lowercased.
pub fn username(raw: &str) -> DomainResult<String> {
    let name = raw.trim().to_lowercase();
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if name.len() < 2 || name.len() > 30 || !valid_chars || !starts_with_letter {
        return Err(Refusal::InvalidUsername("username".into()).into());
    }
    if RESERVED_NAMES.contains(&name.as_str()) {
        return Err(Refusal::UsernameReserved("username".into()).into());
    }
    Ok(name)
}

/// Checks and normalises an e-mail address; returns it lowercased with its
/// domain. The one check of every address that enters Préau (sign-up on
/// pages and API, accounts made by an admin, and any later way): it must be
/// an address the mailer itself accepts ([`crate::mail::recipient`], lettre's
/// parser), and on top of that a plain `local@dotted.domain` with an ASCII
/// domain, so no account is created that could never get its mail.
pub fn email(raw: &str) -> DomainResult<(String, String)> {
    let invalid = || Refusal::InvalidEmail("email".into()).into();
    let address = raw.trim().to_lowercase();
    if address.len() > 254 || crate::mail::recipient(&address).is_err() {
        return Err(invalid());
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(invalid());
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    let local_ok = !local.is_empty()
        && local.len() <= 64
        // ASCII only: an internationalised address needs SMTPUTF8, which
        // the mail relay may not offer, and the account would never get
        // its link.
        && local.is_ascii()
        && !local.chars().any(|c| c.is_whitespace() || c.is_control())
        && !local.contains(['<', '>', ',', ';', '"', '\\', '@']);
    if !domain_ok || !local_ok {
        return Err(invalid());
    }
    let domain = domain.to_string();
    Ok((address, domain))
}

/// Whether `domain` is one of `allowed` or a subdomain of one. An empty
/// list allows every domain.
pub fn email_domain_allowed(domain: &str, allowed: &[String]) -> bool {
    allowed.is_empty()
        || allowed.iter().any(|entry| {
            let entry = entry.trim().trim_start_matches('@').to_lowercase();
            domain == entry || domain.ends_with(&format!(".{entry}"))
        })
}

/// Checks a new password's length.
pub fn password(raw: &str) -> DomainResult<()> {
    let length = raw.chars().count();
    if length < MIN_PASSWORD_LEN {
        return Err(Refusal::PasswordTooShort("password".into()).into());
    }
    if length > MAX_PASSWORD_LEN {
        return Err(Refusal::PasswordTooLong("password".into()).into());
    }
    Ok(())
}

/// Trims a free-text field and checks its length in characters.
pub fn text(raw: &str, max: usize, field: &str) -> DomainResult<String> {
    let value = raw.trim().to_string();
    if value.chars().count() > max {
        return Err(Refusal::FieldTooLong(field.into()).into());
    }
    Ok(value)
}

/// The last page of a list one can ask for when the list sets no bound of
/// its own (forums, threads): far beyond any real list, and small enough
/// that `(page - 1) * per_page` never overflows.
pub const MAX_PAGE: i64 = 100_000;

/// Reads a page number from a query string: absent or empty is page 1;
/// anything but a whole number from 1 to `max` is refused with
/// `422 invalid_page`, the same on pages and on the API (a page 0 or -1 is
/// a mistake to tell, not a page to guess).
pub fn page_number(raw: Option<&str>, max: i64) -> DomainResult<i64> {
    match raw.map(str::trim).unwrap_or_default() {
        "" => Ok(1),
        text => match text.parse::<i64>() {
            Ok(page) if (1..=max).contains(&page) => Ok(page),
            _ => Err(Refusal::InvalidPage("page".into()).into()),
        },
    }
}

/// Whether a character has no place in a name shown on one line: control
/// characters (U+0000 included), Unicode format characters (category Cf:
/// the bidi embeddings, overrides and isolates U+202A–U+202E and
/// U+2066–U+2069 that can make `gpj.exe` read `exe.jpg`, the zero-width
/// U+200B–U+200F, the byte-order mark U+FEFF, soft hyphen, tags…), and
/// the line and paragraph separators.
pub fn is_hidden_in_names(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
        )
}

/// The one normalisation of a name shown on one line, local or remote
/// (display names, titles of threads, forums, projects and events, file
/// names): hidden characters ([`is_hidden_in_names`]) removed, every run of
/// whitespace (tabs and line breaks included) made one space, ends trimmed.
pub fn single_line(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else if !is_hidden_in_names(c) {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// A name shown on one line, normalised by [`single_line`], at most `max`
/// characters (`422 field_too_long` beyond).
pub fn name(raw: &str, max: usize, field: &str) -> DomainResult<String> {
    let value = single_line(raw);
    if value.chars().count() > max {
        return Err(Refusal::FieldTooLong(field.into()).into());
    }
    Ok(value)
}

/// Longest `preferredUsername` accepted from another server.
pub const MAX_REMOTE_USERNAME: usize = 255;

/// Checks the `preferredUsername` of a remote actor before it is stored: it
/// is shown as `@name@host`, so a name holding `@`, `/`, whitespace, control
/// or format characters would read as another handle. Accepted: letters
/// (of any script), digits, `_`, `-` and `.` — what Mastodon, Lemmy,
/// PeerTube, Misskey, Pleroma and the fixtures in `federation/fixtures/`
/// use — 1 to 255 characters. Refused with `invalid_remote_username`.
pub fn remote_username(raw: &str) -> DomainResult<()> {
    let valid = !raw.is_empty()
        && raw.chars().count() <= MAX_REMOTE_USERNAME
        && raw
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        return Err(Refusal::InvalidRemoteUsername("preferredUsername".into()).into());
    }
    Ok(())
}

/// Splits a comma-separated list, trims entries, drops empty ones and
/// duplicates, and bounds the count and each entry's length.
pub fn list(raw: &str, max_items: usize, max_len: usize, field: &str) -> DomainResult<Vec<String>> {
    let mut items: Vec<String> = Vec::new();
    for item in raw.split([',', '\n']) {
        let item = item.trim();
        if item.is_empty() || items.iter().any(|seen| seen.eq_ignore_ascii_case(item)) {
            continue;
        }
        if item.chars().count() > max_len {
            return Err(Refusal::FieldTooLong(field.into()).into());
        }
        items.push(item.to_string());
    }
    if items.len() > max_items {
        return Err(Refusal::TooManyItems(field.into()).into());
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Refused by lettre's parser but accepted by the former check.
    const MAILER_REFUSES: [&str; 18] = [
        "a..b@c.fr",
        ".a@c.fr",
        "a.@c.fr",
        "a(b)@c.fr",
        "(x)a@c.fr",
        "a[b]@c.fr",
        "a:b@c.fr",
        "a@-c.fr",
        "a@c-.fr",
        "a@c..fr",
        "a@c.fr-",
        "a@-.fr",
        "a@xn--.fr",
        "a@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.fr",
        "a\u{0}@c.fr",
        "a\u{7}@c.fr",
        "a\u{202e}b@c.fr",
        "a\u{200b}@c.fr",
    ];

    #[test]
    fn usernames_are_lowercased_and_checked() {
        assert_eq!(username(" Camille_M ").unwrap(), "camille_m");
        for bad in [
            "a",
            "1abc",
            "ca mille",
            "camille!",
            "éloise",
            &"x".repeat(31),
        ] {
            assert!(username(bad).is_err(), "{bad}");
        }
        assert_eq!(username("admin").unwrap_err().code(), "username_reserved");
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            email(" Camille.Martin@AC-Rennes.fr ").unwrap(),
            (
                "camille.martin@ac-rennes.fr".to_string(),
                "ac-rennes.fr".to_string()
            )
        );
        for bad in [
            "nobody", "a@b", "a@.fr", "a b@c.fr", "@c.fr", "a@c.fr.", "a@b@c.fr",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    /// Addresses the former hand-written check let through and the mailer
    /// then refused, leaving accounts that never got their link.
    #[test]
    fn emails_the_mailer_refuses_are_refused() {
        for bad in MAILER_REFUSES {
            assert!(crate::mail::recipient(bad).is_err(), "lettre takes {bad:?}");
            assert_eq!(
                email(bad).map_err(|e| e.code()),
                Err("invalid_email"),
                "{bad:?}"
            );
        }
        assert!(
            email("élève@c.fr").is_err(),
            "non-ASCII local parts need SMTPUTF8"
        );
        for good in [
            "camille.martin@ac-rennes.fr",
            "a+tag@b.example",
            "o'neil@c.fr",
        ] {
            assert!(email(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn email_domains_match_exactly_or_as_subdomains() {
        let allowed = vec!["ac-rennes.fr".to_string(), "education.gouv.fr".to_string()];
        assert!(email_domain_allowed("ac-rennes.fr", &allowed));
        assert!(email_domain_allowed("lycee.ac-rennes.fr", &allowed));
        assert!(!email_domain_allowed("fake-ac-rennes.fr", &allowed));
        assert!(!email_domain_allowed("ac-rennes.fr.evil.com", &allowed));
        assert!(!email_domain_allowed("gmail.com", &allowed));
        assert!(email_domain_allowed("gmail.com", &[]));
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(password("short").is_err());
        assert!(password("long enough pass").is_ok());
        assert!(password(&"x".repeat(300)).is_err());
    }

    #[test]
    fn names_lose_format_and_control_characters() {
        assert_eq!(single_line("rapport\u{202E}fdp.exe"), "rapportfdp.exe");
        assert_eq!(
            single_line("\u{FEFF} Ca\u{200B}mille\u{2066} \n\t Martin\u{0}\u{7} "),
            "Camille Martin"
        );
        assert_eq!(single_line("Élodie Ødegård 李"), "Élodie Ødegård 李");
        for c in ['\u{202A}', '\u{202D}', '\u{2069}', '\u{200F}', '\u{E0041}'] {
            assert!(is_hidden_in_names(c), "{c:?}");
        }
        assert!(name(&"x".repeat(81), 80, "title").is_err());
        assert_eq!(name(" a\u{202E}b ", 80, "title").unwrap(), "ab");
    }

    #[test]
    fn remote_usernames_that_would_read_as_another_handle_are_refused() {
        for good in [
            "camille",
            "Jean.Dupont",
            "thelinuxexperiment_channel",
            "dbzer0.com",
            "李明",
            "élodie-m",
        ] {
            assert!(remote_username(good).is_ok(), "{good}");
        }
        let long = "a".repeat(MAX_REMOTE_USERNAME + 1);
        for bad in [
            "",
            "alice@evil.example",
            "alice bob",
            "alice\u{202E}",
            "alice\u{200B}",
            "a/b",
            "a\u{0}",
            "a\tb",
            long.as_str(),
        ] {
            let error = remote_username(bad).unwrap_err();
            assert_eq!(error.code(), "invalid_remote_username", "{bad:?}");
        }
    }

    /// Every actor of another server kept as a fixture keeps passing.
    #[test]
    fn remote_usernames_of_the_fixtures_pass() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("federation/fixtures");
        let mut pending = vec![root];
        let mut seen = 0;
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|ext| ext == "json") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let Ok(document) = serde_json::from_str::<serde_json::Value>(&text) else {
                        continue;
                    };
                    let mut stack = vec![&document];
                    while let Some(value) = stack.pop() {
                        match value {
                            serde_json::Value::Object(map) => {
                                if let Some(name) =
                                    map.get("preferredUsername").and_then(|v| v.as_str())
                                {
                                    seen += 1;
                                    assert!(
                                        remote_username(name).is_ok(),
                                        "{}: {name}",
                                        path.display()
                                    );
                                }
                                stack.extend(map.values());
                            }
                            serde_json::Value::Array(items) => stack.extend(items),
                            _ => {}
                        }
                    }
                }
            }
        }
        assert!(seen > 20, "only {seen} usernames found");
    }

    #[test]
    fn page_numbers_start_at_one_and_are_bounded() {
        assert_eq!(page_number(None, MAX_PAGE).unwrap(), 1);
        assert_eq!(page_number(Some(""), MAX_PAGE).unwrap(), 1);
        assert_eq!(page_number(Some("3"), MAX_PAGE).unwrap(), 3);
        for bad in ["0", "-1", "abc", "1.5", "99999999999999999999", "100001"] {
            let error = page_number(Some(bad), MAX_PAGE).unwrap_err();
            assert_eq!(error.code(), "invalid_page", "{bad}");
        }
    }

    #[test]
    fn lists_are_trimmed_and_deduplicated() {
        assert_eq!(
            list(" Maths, physique ,,maths\nSVT", 10, 40, "subjects").unwrap(),
            ["Maths", "physique", "SVT"]
        );
        assert!(list("a,b,c", 2, 40, "subjects").is_err());
    }
}

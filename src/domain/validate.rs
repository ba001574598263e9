//! Validation of names, addresses and passwords.

use super::{DomainError, DomainResult};

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
        return Err(DomainError::invalid("invalid_username", "username"));
    }
    if RESERVED_NAMES.contains(&name.as_str()) {
        return Err(DomainError::invalid("username_reserved", "username"));
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
    let invalid = || DomainError::invalid("invalid_email", "email");
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
        return Err(DomainError::invalid("password_too_short", "password"));
    }
    if length > MAX_PASSWORD_LEN {
        return Err(DomainError::invalid("password_too_long", "password"));
    }
    Ok(())
}

/// Trims a free-text field and checks its length in characters.
pub fn text(raw: &str, max: usize, field: &str) -> DomainResult<String> {
    let value = raw.trim().to_string();
    if value.chars().count() > max {
        return Err(DomainError::invalid("field_too_long", field));
    }
    Ok(value)
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
            return Err(DomainError::invalid("field_too_long", field));
        }
        items.push(item.to_string());
    }
    if items.len() > max_items {
        return Err(DomainError::invalid("too_many_items", field));
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
    fn lists_are_trimmed_and_deduplicated() {
        assert_eq!(
            list(" Maths, physique ,,maths\nSVT", 10, 40, "subjects").unwrap(),
            ["Maths", "physique", "SVT"]
        );
        assert!(list("a,b,c", 2, 40, "subjects").is_err());
    }
}

//! Message catalogs (Fluent), French first, English second.
//!
//! Every text a person reads comes from `locales/{fr,en}/main.ftl`; the
//! templates only hold keys. The catalogs are compiled into the binary and
//! parsed once: they are constant data, not configuration, so one shared
//! copy serves every instance in the process.

use fluent_bundle::{concurrent::FluentBundle, FluentArgs, FluentResource};
use std::collections::HashMap;
use std::sync::OnceLock;
use unic_langid::{langid, LanguageIdentifier};

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// French, the default.
    Fr,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 code, also used in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// Parses `fr`/`en` (and regional variants); anything else is French.
    pub fn from_code(code: &str) -> Lang {
        Lang::parse(code).unwrap_or(Lang::Fr)
    }

    /// Parses a language tag when it names French or English.
    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the first supported language of an `Accept-Language` header,
    /// honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let quality = pieces
                    .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                    .unwrap_or(1.0);
                Some((quality, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map(|(_, lang)| *lang)
    }
}

/// The French and English catalogs.
pub struct Catalogs {
    fr: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(id: LanguageIdentifier, source: &'static str) -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Isolation marks would end up inside e-mailed links and attributes.
    bundle.set_use_isolating(false);
    match FluentResource::try_new(source.to_string()) {
        Ok(resource) => {
            if let Err(errors) = bundle.add_resource(resource) {
                tracing::error!(?errors, "duplicate message ids in a catalog");
            }
        }
        Err((resource, errors)) => {
            tracing::error!(?errors, "syntax errors in a catalog");
            let _ = bundle.add_resource(resource);
        }
    }
    bundle
}

impl Catalogs {
    /// The catalogs, parsed on first use.
    pub fn get() -> &'static Catalogs {
        static CATALOGS: OnceLock<Catalogs> = OnceLock::new();
        CATALOGS.get_or_init(|| Catalogs {
            fr: bundle(langid!("fr"), include_str!("../locales/fr/main.ftl")),
            en: bundle(langid!("en"), include_str!("../locales/en/main.ftl")),
        })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    /// Whether a message exists in the given language.
    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundle(lang).has_message(key)
    }

    /// Formats a message with string arguments. A missing key falls back
    /// to English, then to the key itself, so a gap is visible, not fatal.
    pub fn format(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, *value);
        }
        self.format_args(lang, key, &fluent_args)
    }

    /// Formats a message with prepared arguments.
    pub fn format_args(&self, lang: Lang, key: &str, args: &FluentArgs) -> String {
        for candidate in [lang, Lang::En] {
            let bundle = self.bundle(candidate);
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(args), &mut errors);
                if !errors.is_empty() {
                    tracing::warn!(key, ?errors, "message formatting errors");
                }
                return text.into_owned();
            }
        }
        tracing::warn!(key, "missing message");
        key.to_string()
    }

    /// The English message of an error code, for the JSON API.
    pub fn english_error(code: &str) -> String {
        Catalogs::get().format(Lang::En, &format!("error-{code}"), &[])
    }

    /// A reason another server gave for refusing something (a post, a
    /// message, a joining), as a reader in `lang` should read it. A Préau
    /// peer answers `{"error": {"code", "message"}}` with the English
    /// message of the code (and ` (detail)` after it), which is what was
    /// kept; when `reason` is such a message, or a bare code, of this
    /// catalog, it is shown in `lang`. Any other text is shown as given.
    pub fn reason(&self, lang: Lang, reason: &str) -> String {
        let trimmed = reason.trim();
        let localized = |code: &str| self.format(lang, &format!("error-{code}"), &[]);
        if self.has(Lang::En, &format!("error-{trimmed}")) {
            return localized(trimmed);
        }
        let codes = english_error_codes();
        if let Some(code) = codes.get(trimmed) {
            return localized(code);
        }
        // `message (detail)`: the detail may hold parentheses too.
        if trimmed.ends_with(')') {
            for (at, _) in trimmed.match_indices(" (") {
                if let Some(code) = codes.get(&trimmed[..at]) {
                    return format!("{}{}", localized(code), &trimmed[at..]);
                }
            }
        }
        reason.to_string()
    }
}

/// Each English error message of the catalog, with its code.
fn english_error_codes() -> &'static HashMap<String, String> {
    static CODES: OnceLock<HashMap<String, String>> = OnceLock::new();
    CODES.get_or_init(|| {
        let catalogs = Catalogs::get();
        let mut codes = HashMap::new();
        for line in include_str!("../locales/en/main.ftl").lines() {
            let Some((key, _)) = line.split_once(" =") else {
                continue;
            };
            let Some(code) = key.strip_prefix("error-") else {
                continue;
            };
            if key.trim() != key || code.is_empty() {
                continue;
            }
            let message = catalogs.format(Lang::En, key, &[]);
            codes.entry(message).or_insert_with(|| code.to_string());
        }
        codes
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(source: &str) -> BTreeSet<String> {
        source
            .lines()
            .filter(|line| !line.starts_with(' ') && !line.starts_with('#'))
            .filter_map(|line| line.split_once(" =").map(|(key, _)| key.trim().to_string()))
            .filter(|key| !key.is_empty())
            .collect()
    }

    #[test]
    fn no_catalog_defines_a_message_twice() {
        // Fluent keeps one of two messages with one id and logs an error at
        // every start; which text a teacher reads should not depend on that.
        for (name, text) in [
            ("fr", include_str!("../locales/fr/main.ftl")),
            ("en", include_str!("../locales/en/main.ftl")),
        ] {
            let mut seen = std::collections::HashSet::new();
            let twice: Vec<_> = text
                .lines()
                .filter(|line| !line.starts_with(' ') && !line.starts_with('#'))
                .filter_map(|line| line.split_once(" =").map(|(key, _)| key.trim()))
                .filter(|key| !key.is_empty() && !seen.insert(*key))
                .collect();
            assert!(twice.is_empty(), "{name}: defined twice: {twice:?}");
        }
    }

    #[test]
    fn french_and_english_catalogs_have_the_same_keys() {
        let fr = keys(include_str!("../locales/fr/main.ftl"));
        let en = keys(include_str!("../locales/en/main.ftl"));
        let only_fr: Vec<_> = fr.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&fr).collect();
        assert!(
            only_fr.is_empty() && only_en.is_empty(),
            "fr only: {only_fr:?}, en only: {only_en:?}"
        );
        assert!(fr.len() > 50);
    }

    #[test]
    fn every_template_key_exists() {
        let catalogs = Catalogs::get();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap();
                if key.ends_with('-') {
                    // A family such as `level-` ~ code: checked below.
                    continue;
                }
                assert!(
                    catalogs.has(Lang::Fr, key),
                    "{}: {key} missing in fr",
                    path.display()
                );
                assert!(
                    catalogs.has(Lang::En, key),
                    "{}: {key} missing in en",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn every_key_family_used_with_a_suffix_is_complete() {
        let catalogs = Catalogs::get();
        let mut keys: Vec<String> = Vec::new();
        keys.extend(
            crate::domain::profile::SCHOOL_LEVELS
                .iter()
                .map(|c| format!("level-{c}")),
        );
        for status in [
            "pending_verification",
            "pending_approval",
            "active",
            "suspended",
        ] {
            keys.push(format!("status-{status}"));
        }
        for level in ["informal", "associative", "institutional"] {
            keys.push(format!("trust-{level}"));
            keys.push(format!("trust-explain-{level}"));
        }
        for mode in ["open", "approval", "closed"] {
            keys.push(format!("registrations-{mode}"));
        }
        for role in crate::domain::rows::Role::ALL {
            keys.push(format!("project-role-{}", role.as_str()));
        }
        for state in crate::domain::rows::MemberState::ALL {
            keys.push(format!("project-state-{}", state.as_str()));
        }
        for status in crate::domain::rows::ProjectStatus::ALL {
            keys.push(format!("project-status-{}", status.as_str()));
        }
        for mode in crate::domain::rows::JoinMode::ALL {
            keys.push(format!("project-join-{}", mode.as_str()));
        }
        for visibility in crate::domain::rows::Visibility::ALL {
            keys.push(format!("project-visibility-{}", visibility.as_str()));
        }
        for level in ["informal", "associative", "institutional"] {
            keys.push(format!("project-min-level-{level}"));
        }
        for length in crate::domain::forum_banning::BAN_LENGTHS {
            keys.push(format!("forum-bans-length-{length}"));
        }
        for kind in [
            "created",
            "invited",
            "joined",
            "refused",
            "requested",
            "accepted",
            "rejected",
            "left",
            "removed",
            "role",
        ] {
            keys.push(format!("project-log-{kind}"));
        }
        for state in ["requested", "asked_me", "contact"] {
            keys.push(format!("contact-state-{state}"));
        }
        for state in ["invited", "refused", "member"] {
            keys.push(format!("invitation-state-{state}"));
        }
        for kind in ["post", "event", "document"] {
            keys.push(format!("project-edit-{kind}-title"));
        }
        for field in ["starts", "ends"] {
            keys.push(format!("field-event-{field}"));
        }
        for kind in crate::domain::directory::DirectoryKind::ALL {
            keys.push(format!("directory-kind-{}", kind.as_str()));
        }
        for key in keys {
            for lang in [Lang::Fr, Lang::En] {
                assert!(catalogs.has(lang, &key), "{key} missing in {lang:?}");
            }
        }
    }

    /// Every source file under `dir` (code, templates, scripts).
    fn source_texts(dir: &std::path::Path, texts: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                source_texts(&path, texts);
            } else if path
                .extension()
                .is_some_and(|ext| ext == "rs" || ext == "html" || ext == "js")
            {
                texts.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    /// A message no page, mail or error can show is dead text that
    /// translators keep up for nothing. A key counts as used when it is
    /// written whole somewhere in `src/` or the wire crate, when another message refers to
    /// it, when a family it belongs to is named with its trailing hyphen
    /// (`"level-" ~ code`, `format!("level-{code}")`), or, for
    /// `notice-X`, `error-X` and `confirm-X-…`, when `X` is written.
    #[test]
    fn every_catalog_key_is_used() {
        let catalog = include_str!("../locales/fr/main.ftl");
        let mut texts = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        // The wire crate names the signature refusals.
        for dir in ["src", "federation/src"] {
            source_texts(&root.join(dir), &mut texts);
        }
        let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        let mut words: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for text in &texts {
            words.extend(text.split(|c: char| !is_word(c)).filter(|w| !w.is_empty()));
        }
        let families: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| w.len() > 3 && w.ends_with('-'))
            .filter(|w| !["error-", "notice-", "confirm-"].contains(w))
            .collect();
        let written = |word: &str| words.contains(word);
        let unused: Vec<String> = keys(catalog)
            .into_iter()
            .filter(|key| {
                let mentioned = catalog
                    .lines()
                    .filter(|line| {
                        line.split_once(" =").map(|(k, _)| k.trim()) != Some(key.as_str())
                    })
                    .any(|line| line.contains(&format!("{{ {key} }}")));
                let stem = key
                    .strip_prefix("notice-")
                    .or_else(|| key.strip_prefix("error-"))
                    .or_else(|| {
                        key.strip_prefix("confirm-").and_then(|rest| {
                            ["-title", "-question", "-detail", "-button"]
                                .iter()
                                .find_map(|end| rest.strip_suffix(end))
                        })
                    });
                !(written(key)
                    || mentioned
                    || stem.is_some_and(written)
                    || families.iter().any(|family| key.starts_with(family)))
            })
            .collect();
        assert!(unused.is_empty(), "catalog keys nothing uses: {unused:?}");
    }

    #[test]
    fn every_refusal_has_a_message() {
        let catalogs = Catalogs::get();
        let refusals = crate::domain::Refusal::all();
        assert!(refusals.len() > 50, "{} refusals", refusals.len());
        for refusal in refusals {
            let key = format!("error-{}", refusal.code());
            assert!(
                catalogs.has(Lang::Fr, &key) && catalogs.has(Lang::En, &key),
                "{refusal:?}: {key} missing"
            );
        }
    }

    #[test]
    fn every_error_code_in_the_code_has_a_message() {
        let catalogs = Catalogs::get();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut pending = vec![src];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                if path.extension().is_none_or(|ext| ext != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for marker in ["AppError::new("] {
                    for piece in text.split(marker).skip(1) {
                        let arguments = piece.split(')').next().unwrap_or_default();
                        let Some(code) = arguments.split('"').nth(1) else {
                            continue;
                        };
                        if code.is_empty() || code.contains(' ') || code.contains('{') {
                            continue;
                        }
                        let key = format!("error-{code}");
                        assert!(
                            catalogs.has(Lang::Fr, &key) && catalogs.has(Lang::En, &key),
                            "{}: {key} missing",
                            path.display()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_peers_reason_is_read_in_the_readers_language_when_it_is_ours() {
        let catalogs = Catalogs::get();
        let english = Catalogs::english_error("conversation_level_too_low");
        let french = catalogs.format(Lang::Fr, "error-conversation_level_too_low", &[]);
        assert_ne!(english, french);
        assert_eq!(catalogs.reason(Lang::Fr, &english), french);
        assert_eq!(catalogs.reason(Lang::En, &english), english);
        assert_eq!(
            catalogs.reason(Lang::Fr, "conversation_level_too_low"),
            french
        );
        // With its detail, parentheses in the detail kept.
        let detailed = format!("{english} (a (b))");
        assert_eq!(
            catalogs.reason(Lang::Fr, &detailed),
            format!("{french} (a (b))")
        );
        // Anything else (a Mastodon answer, an HTTP status) is shown as given.
        for other in ["HTTP 403", "Blocked by the administrator", "", "(x)"] {
            assert_eq!(catalogs.reason(Lang::Fr, other), other);
        }
        // Every error message of the English catalog is recognised.
        let codes = english_error_codes();
        assert!(codes.len() > 100, "{}", codes.len());
        assert_eq!(
            codes.get(&english).map(String::as_str),
            Some("conversation_level_too_low")
        );
    }

    #[test]
    fn accept_language_honours_quality() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,fr;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("de, fr;q=0.5, en;q=0.4"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("de"), None);
    }

    #[test]
    fn arguments_are_inserted_without_isolation_marks() {
        let text = Catalogs::get().format(
            Lang::Fr,
            "mail-verify-body",
            &[
                ("instance", "Préau"),
                ("name", "Camille Martin"),
                ("link", "http://x/verify?token=abc"),
            ],
        );
        assert!(
            text.contains("http://x/verify?token=abc\n")
                || text.contains("http://x/verify?token=abc")
        );
        assert!(!text.contains('\u{2068}'));
    }

    /// The prose of a Fluent catalog, one entry per source line: the line
    /// number, the message id and the text, with the syntax taken away (the
    /// `id =` head, variant keys such as `*[other]`, closing braces) and each
    /// placeable replaced by U+FFFC, so `{ $title } »` still shows what stands
    /// before the guillemet.
    fn prose_lines(source: &str) -> Vec<(usize, String, String)> {
        let mut lines = Vec::new();
        let mut id = String::new();
        for (index, line) in source.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let text = if line.starts_with(' ') {
                let rest = line.trim_start();
                if rest == "}" {
                    continue;
                }
                match rest.strip_prefix('*').unwrap_or(rest).strip_prefix('[') {
                    Some(variant) => variant.split_once(']').map_or("", |(_, text)| text),
                    None => rest,
                }
            } else {
                let Some((key, value)) = line.split_once('=') else {
                    continue;
                };
                id = key.trim().to_string();
                value
            };
            let mut prose = String::new();
            let mut depth = 0usize;
            for c in text.trim_start_matches(' ').chars() {
                match c {
                    '{' => {
                        if depth == 0 {
                            prose.push('\u{FFFC}');
                        }
                        depth += 1;
                    }
                    '}' => depth = depth.saturating_sub(1),
                    _ if depth == 0 => prose.push(c),
                    _ => {}
                }
            }
            lines.push((index + 1, id.clone(), prose));
        }
        lines
    }

    /// Where French spacing rules are broken: a narrow no-break space (U+202F)
    /// must stand before `;` `?` `!` `»` and after `«`, and a no-break space
    /// (U+00A0), not a plain one, before `:`. Otherwise a narrow screen can
    /// start a line with the mark. A `!` or `?` glued to a word (`!maths@x`,
    /// `?page=2`) is an address, not punctuation; a colon with no space before
    /// it (`https:`, `12:00`) is left alone.
    fn french_spacing_faults(source: &str) -> Vec<String> {
        const NARROW: char = '\u{202F}';
        let mut faults = Vec::new();
        for (line, id, text) in prose_lines(source) {
            let chars: Vec<char> = text.chars().collect();
            for (at, &c) in chars.iter().enumerate() {
                let before = at.checked_sub(1).map(|i| chars[i]);
                let after = chars.get(at + 1).copied();
                let fault = match c {
                    ';' | '?' | '!' if after.is_some_and(char::is_alphanumeric) => None,
                    ';' | '?' | '!' | '»' if before != Some(NARROW) => {
                        Some(format!("U+202F needed before {c}"))
                    }
                    '«' if after != Some(NARROW) => Some("U+202F needed after «".to_string()),
                    ':' if before == Some(' ') => Some("U+00A0 needed before :".to_string()),
                    _ => None,
                };
                if let Some(fault) = fault {
                    let start = at.saturating_sub(20);
                    let excerpt: String = chars[start..(at + 10).min(chars.len())].iter().collect();
                    faults.push(format!("line {line}, {id}: {fault} in “{excerpt}”"));
                }
            }
        }
        faults
    }

    #[test]
    fn french_spacing_check_reads_prose_not_fluent_syntax() {
        let n = '\u{202F}';
        let good = format!(
            "# A comment : « not prose »\n\
             a = Titre\u{A0}: «{n}{{ $title }}{n}»{n}?\n\
             b = {{ $count ->\n    [one] Un{n}!\n   *[other] {{ $count }}\u{A0}:\n}}\n\
             c = Par exemple !maths@x.fr ou https://x.fr/?page=2 à 12:00\n\
             d =\n    Ligne un{n};\n    Ligne deux\n"
        );
        assert_eq!(french_spacing_faults(&good), Vec::<String>::new());
        let bad =
            "a = Titre : « { $title } » ?\nb = { $count ->\n   *[other] Oui!\n}\nc =\n    Non;\n";
        let faults = french_spacing_faults(bad);
        assert_eq!(faults.len(), 6, "{faults:#?}");
        assert!(faults[0].starts_with("line 1, a: U+00A0 needed before :"));
        assert!(faults[4].starts_with("line 3, b: U+202F needed before !"));
        assert!(faults[5].starts_with("line 6, c: U+202F needed before ;"));
    }

    #[test]
    fn french_catalog_uses_french_spacing() {
        let faults = french_spacing_faults(include_str!("../locales/fr/main.ftl"));
        assert!(
            faults.is_empty(),
            "{} spacing faults in locales/fr/main.ftl:\n{}",
            faults.len(),
            faults.join("\n")
        );
    }
}

//! Languages shown by name in the page's language ("français, anglais,
//! breton" / "French, English, Breton"), from the ISO 639-1 names shipped
//! in data/languages.csv (built by tools/languages/build_languages.py).

use crate::i18n::Lang;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The English and French name of each two-letter code, read once.
fn names() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static NAMES: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        include_str!("../../data/languages.csv")
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut fields = line.splitn(3, ',');
                Some((fields.next()?, (fields.next()?, fields.next()?)))
            })
            .collect()
    })
}

/// The name of the language `code` in `lang`; anything that is not a known
/// code (a project's languages are free text) is shown as it was written.
pub fn language_name(lang: Lang, code: &str) -> String {
    match names().get(code.trim().to_ascii_lowercase().as_str()) {
        Some((english, french)) => match lang {
            Lang::En => (*english).to_string(),
            Lang::Fr => (*french).to_string(),
        },
        None => code.to_string(),
    }
}

/// The template filter `language_names`: a list of codes to names in the
/// page's language.
pub fn language_names_filter(state: &minijinja::State, codes: Vec<String>) -> Vec<String> {
    let lang = state
        .lookup("lang")
        .and_then(|value| value.as_str().map(Lang::from_code))
        .unwrap_or(Lang::Fr);
    codes.iter().map(|code| language_name(lang, code)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_names_in_the_page_language() {
        let shown = |lang| {
            ["fr", "EN", "br"]
                .iter()
                .map(|code| language_name(lang, code))
                .collect::<Vec<_>>()
                .join(", ")
        };
        assert_eq!(shown(Lang::Fr), "français, anglais, breton");
        assert_eq!(shown(Lang::En), "French, English, Breton");
        // Free text and unknown codes stay as written.
        assert_eq!(
            language_name(Lang::En, "langue des signes"),
            "langue des signes"
        );
        assert_eq!(language_name(Lang::Fr, "xx"), "xx");
        // Every ISO 639-1 code has both names.
        assert_eq!(names().len(), 184);
        assert!(names()
            .values()
            .all(|(en, fr)| !en.is_empty() && !fr.is_empty()));
    }
}

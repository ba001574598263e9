//! How the words of a search are widened to match what teachers type:
//! French plural and singular ([`singular`], [`forms`]), common
//! abbreviations both ways (`data/abbreviations.csv`: maths ↔
//! mathématiques, SVT, EPS, techno…) and regions standing for their
//! academies (Bretagne → Rennes). Every word is then matched as a prefix
//! by the store (`robot` finds "Robotique"; see
//! [`crate::domain::store::directory::SearchTerm`]).

use super::reference_lists::ReferenceLists;
use crate::domain::store::directory::{words, SearchTerm, MIN_PREFIX};
use std::{collections::HashMap, sync::OnceLock};

const ABBREVIATIONS_CSV: &str = include_str!("../../data/abbreviations.csv");

/// Words left out of a long form before it is searched ("sciences de la
/// vie et de la Terre" → sciences, vie, terre).
const STOP_WORDS: [&str; 14] = [
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "pour",
];

/// A few plurals no rule gives.
const IRREGULAR: [(&str, &str); 4] = [
    ("travaux", "travail"),
    ("vitraux", "vitrail"),
    ("yeux", "oeil"),
    ("cieux", "ciel"),
];

/// The singular of a folded French word, by the common rules: `-aux` →
/// `-al` (journaux → journal), `-eaux`/`-eux`/`-oux` lose their `x`,
/// a final `s` goes (élèves → eleve, maths → math). Short words and
/// words in `-ss` stay as they are.
pub fn singular(word: &str) -> String {
    if let Some((_, one)) = IRREGULAR.iter().find(|(many, _)| *many == word) {
        return one.to_string();
    }
    if word.chars().count() <= MIN_PREFIX {
        return word.to_string();
    }
    if let Some(stem) = word.strip_suffix("eaux") {
        return format!("{stem}eau");
    }
    if let Some(stem) = word.strip_suffix("aux") {
        return format!("{stem}al");
    }
    if word.ends_with("eux") || word.ends_with("oux") {
        return word[..word.len() - 1].to_string();
    }
    if word.ends_with('s') && !word.ends_with("ss") {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

/// The forms a folded word is searched under, each as a prefix: its
/// singular (which, as a prefix, finds the plural too) and, for `-al`,
/// the plural in `-aux` (cheval finds "chevaux").
pub fn forms(word: &str) -> Vec<String> {
    let one = singular(word);
    let mut forms = vec![one.clone()];
    if one.chars().count() > MIN_PREFIX {
        if let Some(stem) = one.strip_suffix("al") {
            forms.push(format!("{stem}aux"));
        }
        if let Some((many, _)) = IRREGULAR.iter().find(|(_, single)| *single == one) {
            forms.push(many.to_string());
        }
    }
    // The word as typed when its singular is not a prefix of it
    // ("travaux" → "travail").
    if !word.starts_with(&one) && !forms.iter().any(|form| form == word) {
        forms.push(word.to_string());
    }
    forms
}

/// The searched words of a text: folded, without stop words.
fn key_words(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(|word| !STOP_WORDS.contains(&word.as_str()))
        .collect()
}

/// A phrase's key: the singular of each of its words.
fn phrase_key(phrase: &[String]) -> Vec<String> {
    phrase.iter().map(|word| singular(word)).collect()
}

/// What a word or phrase may also be written as, keyed by the singulars
/// of its words.
#[derive(Debug, Default)]
pub struct Synonyms {
    table: HashMap<Vec<String>, Vec<Vec<String>>>,
    /// The longest key, in words.
    longest: usize,
}

impl Synonyms {
    fn add(&mut self, from: &[String], to: Vec<String>) {
        if from.is_empty() || to.is_empty() {
            return;
        }
        let key = phrase_key(from);
        self.longest = self.longest.max(key.len());
        let alternatives = self.table.entry(key).or_default();
        if !alternatives.contains(&to) {
            alternatives.push(to);
        }
    }

    /// The shipped abbreviations both ways, and each region standing for
    /// its academies.
    pub fn new(lists: &ReferenceLists) -> Self {
        let mut synonyms = Synonyms::default();
        for line in ABBREVIATIONS_CSV.lines().skip(1) {
            let Some((short, long)) = line.split_once(',') else {
                continue;
            };
            let (short, long) = (key_words(short), key_words(long));
            synonyms.add(&short, long.clone());
            synonyms.add(&long, short);
        }
        for (region, academies) in lists.regions() {
            let region = key_words(&region);
            for academy in academies {
                let name = key_words(&academy.name);
                if phrase_key(&name) != phrase_key(&region) {
                    synonyms.add(&region, name);
                }
            }
        }
        synonyms
    }

    /// The shipped synonyms with no local addition.
    pub fn shipped() -> &'static Synonyms {
        static SHIPPED: OnceLock<Synonyms> = OnceLock::new();
        SHIPPED.get_or_init(|| {
            Synonyms::new(&ReferenceLists::new(&crate::config::ListSettings::default()))
        })
    }

    /// The terms of a search's folded words, in order: the longest known
    /// phrase at each place becomes one term with its synonyms, other
    /// words one term each with their plural forms.
    /// Stop words are left out unless the search has nothing else.
    pub fn terms(&self, searched: &[String]) -> Vec<SearchTerm> {
        let meaningful: Vec<String> = searched
            .iter()
            .filter(|word| !STOP_WORDS.contains(&word.as_str()))
            .cloned()
            .collect();
        let searched = if meaningful.is_empty() {
            searched
        } else {
            &meaningful[..]
        };
        let mut terms = Vec::new();
        let mut at = 0;
        while at < searched.len() {
            let longest = self.longest.min(searched.len() - at);
            let found = (1..=longest).rev().find_map(|length| {
                let phrase = &searched[at..at + length];
                self.table
                    .get(&phrase_key(phrase))
                    .map(|synonyms| (length, phrase, synonyms))
            });
            match found {
                Some((length, phrase, synonyms)) => {
                    let mut any_of = vec![phrase.iter().map(|word| singular(word)).collect()];
                    for synonym in synonyms {
                        let widened: Vec<String> =
                            synonym.iter().map(|word| singular(word)).collect();
                        if !any_of.contains(&widened) {
                            any_of.push(widened);
                        }
                    }
                    terms.push(SearchTerm { any_of });
                    at += length;
                }
                None => {
                    let word = &searched[at];
                    terms.push(SearchTerm {
                        any_of: forms(word).into_iter().map(|form| vec![form]).collect(),
                    });
                    at += 1;
                }
            }
        }
        terms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn document(text: &str) -> HashSet<String> {
        words(text).into_iter().collect()
    }

    fn finds(query: &str, text: &str) -> bool {
        let terms = Synonyms::shipped().terms(&words(query));
        let document = document(text);
        terms.iter().all(|term| term.matches(&document))
    }

    #[test]
    fn french_singulars() {
        for (many, one) in [
            ("eleves", "eleve"),
            ("journaux", "journal"),
            ("chevaux", "cheval"),
            ("bateaux", "bateau"),
            ("jeux", "jeu"),
            ("choux", "chou"),
            ("maths", "math"),
            ("travaux", "travail"),
            ("classe", "classe"),
            ("bus", "bus"),
            ("stress", "stress"),
            ("ce1", "ce1"),
        ] {
            assert_eq!(singular(many), one, "{many}");
        }
        assert_eq!(forms("cheval"), ["cheval", "chevaux"]);
        assert_eq!(forms("travaux"), ["travail", "travaux"]);
    }

    #[test]
    fn searches_match_how_teachers_type() {
        assert!(finds("robot", "Club de Robotique"));
        assert!(finds("maths", "Mathématiques"));
        assert!(finds("math", "Mathématiques"));
        assert!(finds("mathématiques", "maths en 6e"));
        assert!(finds("SVT", "Sciences de la vie et de la Terre"));
        assert!(finds("sciences de la vie et de la terre", "SVT"));
        assert!(finds("EPS", "Éducation physique et sportive"));
        assert!(finds("techno", "Technologie"));
        assert!(finds("technologies", "techno"));
        assert!(finds("élèves", "un élève"));
        assert!(finds("journaux", "Journal du collège"));
        assert!(finds("journal", "les journaux scolaires"));
        assert!(finds("Bretagne", "Académie de Rennes"));
        assert!(finds("Grand Est", "Nancy-Metz"));
        assert!(finds("île-de-france", "Académie de Créteil"));
        assert!(finds("Rennes", "Académie de Rennes"));
        assert!(!finds("Bretagne", "Académie de Nantes"));
        assert!(!finds("robotique", "robot"), "a prefix, not the other way");
        assert!(!finds("la", "lac"), "short words are whole words");
        assert!(!finds("maths", "Physique-chimie"));
    }
}

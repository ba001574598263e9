//! The lists teachers choose from: the French academies with their
//! regions and the subjects of the national curriculum, shipped as data
//! (`data/academies.csv`, `data/subjects.csv`, compiled in) and open to
//! local additions in the configuration (`[lists]`). School levels are
//! codes ([`super::profile::SCHOOL_LEVELS`]) with catalog labels.
//!
//! Profiles store the label (a string, as before); older free-text values
//! keep working: [`ReferenceLists::academy_named`] finds the entry that
//! "Académie de Rennes" or "rennes" names.

use crate::{config::ListSettings, domain::store::directory::words};
use std::sync::OnceLock;

const ACADEMIES_CSV: &str = include_str!("../../data/academies.csv");
const SUBJECTS_CSV: &str = include_str!("../../data/subjects.csv");

/// One academy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Academy {
    /// Its name as shown and stored: "Rennes", "Nancy-Metz".
    pub name: String,
    /// Its region: "Bretagne".
    pub region: String,
}

/// The lines of a shipped CSV file after its header, split on commas (no
/// field holds one).
fn rows(csv: &str) -> impl Iterator<Item = Vec<&str>> {
    csv.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.split(',').map(str::trim).collect())
}

fn builtin_academies() -> &'static [Academy] {
    static LIST: OnceLock<Vec<Academy>> = OnceLock::new();
    LIST.get_or_init(|| {
        rows(ACADEMIES_CSV)
            .filter_map(|fields| match fields.as_slice() {
                [_, name, region] => Some(Academy {
                    name: name.to_string(),
                    region: region.to_string(),
                }),
                _ => None,
            })
            .collect()
    })
}

fn builtin_subjects() -> &'static [String] {
    static LIST: OnceLock<Vec<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        rows(SUBJECTS_CSV)
            .filter_map(|fields| fields.get(1).map(|name| name.to_string()))
            .collect()
    })
}

/// Words of an academy's name that do not tell it apart ("Académie de
/// Rennes", "académie de Nancy-Metz").
const ACADEMY_NOISE: [&str; 6] = ["academie", "academy", "ac", "de", "d", "l"];

fn academy_key(text: &str) -> Vec<String> {
    academy_words(&words(text))
}

/// Folded words of an academy without those every academy's name may
/// have ("académie", "de"): what tells it apart.
pub fn academy_words(words: &[String]) -> Vec<String> {
    words
        .iter()
        .filter(|word| !ACADEMY_NOISE.contains(&word.as_str()))
        .cloned()
        .collect()
}

/// The lists of one instance: shipped entries, then the configuration's.
#[derive(Debug, Clone)]
pub struct ReferenceLists {
    /// Academies, shipped first, in the file's order.
    pub academies: Vec<Academy>,
    /// Subjects, shipped first.
    pub subjects: Vec<String>,
}

impl ReferenceLists {
    /// The shipped lists with the configuration's additions (an addition
    /// naming a shipped entry is not repeated).
    pub fn new(settings: &ListSettings) -> Self {
        let mut academies = builtin_academies().to_vec();
        for extra in &settings.academies {
            if academies
                .iter()
                .all(|known| academy_key(&known.name) != academy_key(&extra.name))
            {
                academies.push(Academy {
                    name: extra.name.trim().to_string(),
                    region: extra.region.trim().to_string(),
                });
            }
        }
        let mut subjects = builtin_subjects().to_vec();
        for extra in &settings.subjects {
            if subjects.iter().all(|known| words(known) != words(extra)) {
                subjects.push(extra.trim().to_string());
            }
        }
        ReferenceLists {
            academies,
            subjects,
        }
    }

    /// The academy a free-text value names: "Académie de Rennes",
    /// "rennes", "Rennes" → Rennes. `None` when it names none.
    pub fn academy_named(&self, text: &str) -> Option<&Academy> {
        let key = academy_key(text);
        if key.is_empty() {
            return None;
        }
        self.academies
            .iter()
            .find(|academy| academy_key(&academy.name) == key)
    }

    /// The subject of the list a free-text value names ("svt " and
    /// "Sciences de la vie et de la terre" do not: only the same words,
    /// case and accents aside).
    pub fn subject_named(&self, text: &str) -> Option<&str> {
        let key = words(text);
        self.subjects
            .iter()
            .find(|subject| words(subject) == key)
            .map(String::as_str)
    }

    /// The regions, each with its academies, in the order of the list.
    pub fn regions(&self) -> Vec<(String, Vec<&Academy>)> {
        let mut regions: Vec<(String, Vec<&Academy>)> = Vec::new();
        for academy in &self.academies {
            match regions
                .iter_mut()
                .find(|(region, _)| *region == academy.region)
            {
                Some((_, list)) => list.push(academy),
                None => regions.push((academy.region.clone(), vec![academy])),
            }
        }
        regions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AcademyEntry, ListSettings};

    #[test]
    fn the_shipped_lists_are_complete() {
        let lists = ReferenceLists::new(&ListSettings::default());
        assert_eq!(lists.academies.len(), 30, "every current academy");
        for overseas in [
            "Guadeloupe",
            "Guyane",
            "La Réunion",
            "Martinique",
            "Mayotte",
        ] {
            assert!(
                lists.academies.iter().any(|a| a.name == overseas),
                "{overseas}"
            );
        }
        assert_eq!(
            lists.regions().len(),
            18,
            "13 mainland and 5 overseas regions"
        );
        assert!(lists.subjects.iter().any(|s| s == "Mathématiques"));
    }

    #[test]
    fn free_text_names_its_entry() {
        let lists = ReferenceLists::new(&ListSettings {
            academies: vec![AcademyEntry {
                name: "AEFE".into(),
                region: "Étranger".into(),
            }],
            subjects: vec!["Breton".into(), "mathématiques".into()],
        });
        for text in ["Académie de Rennes", "rennes", "Rennes", "ac-rennes"] {
            assert_eq!(lists.academy_named(text).unwrap().name, "Rennes", "{text}");
        }
        assert_eq!(
            lists
                .academy_named("académie de nancy-metz")
                .unwrap()
                .region,
            "Grand Est"
        );
        assert_eq!(lists.academy_named("AEFE").unwrap().region, "Étranger");
        assert!(lists.academy_named("Académie").is_none());
        assert!(lists.academy_named("Brest").is_none());
        assert_eq!(lists.subject_named("svt"), None);
        assert_eq!(
            lists.subject_named("physique chimie"),
            Some("Physique-chimie")
        );
        assert_eq!(lists.subject_named("breton"), Some("Breton"));
        assert_eq!(
            lists
                .subjects
                .iter()
                .filter(|s| words(s) == ["mathematiques"])
                .count(),
            1,
            "an addition naming a shipped subject is not repeated"
        );
    }
}

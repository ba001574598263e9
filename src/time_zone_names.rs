//! Time zones as people name them ("heure de Paris", "heure de La
//! Réunion", "Nouméa time") and the list a teacher chooses one from,
//! French zones first, the others by continent and name, in French and in
//! English. The names are data (data/time_zones.csv, built by
//! tools/time-zones/build_time_zones.py from the tz database's zone.tab);
//! the zone itself stays its IANA identifier everywhere else (storage,
//! API, iCalendar `TZID`).

use crate::i18n::Lang;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One row of data/time_zones.csv.
struct ZoneRow {
    zone: &'static str,
    en: &'static str,
    fr: &'static str,
    /// The French place after "heure": `de Paris`, `du Caire`, `d’Oslo`.
    fr_of: &'static str,
    /// The territory, for French zones: `New Caledonia (Nouméa)`.
    en_label: &'static str,
    fr_label: &'static str,
}

/// The rows in file order (French zones first), read once.
fn rows() -> &'static [ZoneRow] {
    static ROWS: OnceLock<Vec<ZoneRow>> = OnceLock::new();
    ROWS.get_or_init(|| {
        include_str!("../data/time_zones.csv")
            .lines()
            .skip(1)
            .filter_map(|line| {
                let fields: Vec<&'static str> = line.split(',').collect();
                match fields.as_slice() {
                    [zone, en, fr, fr_of, en_label, fr_label] => Some(ZoneRow {
                        zone,
                        en,
                        fr,
                        fr_of,
                        en_label,
                        fr_label,
                    }),
                    _ => None,
                }
            })
            .collect()
    })
}

fn row_of(zone: &str) -> Option<&'static ZoneRow> {
    static INDEX: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        rows()
            .iter()
            .enumerate()
            .map(|(at, row)| (row.zone, at))
            .collect()
    });
    index.get(zone.trim()).map(|&at| &rows()[at])
}

/// The place of a zone the data does not name (a legacy alias such as
/// `US/Eastern`): the last part of its identifier, spaced.
fn place_of_identifier(zone: &str) -> String {
    zone.rsplit('/')
        .next()
        .unwrap_or(zone)
        .replace('_', " ")
        .trim()
        .to_string()
}

fn is_utc(zone: &str) -> bool {
    matches!(
        zone.trim(),
        "UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Etc/Universal" | "Universal" | "Zulu" | "Etc/Zulu"
    )
}

/// The place a zone is named after, in `lang`: `Paris`, `La Réunion`,
/// `Le Caire` / `Cairo`; `UTC` for universal time.
pub fn zone_place(zone: &str, lang: Lang) -> String {
    if is_utc(zone) {
        return "UTC".to_string();
    }
    match (row_of(zone), lang) {
        (Some(row), Lang::En) => row.en.to_string(),
        (Some(row), Lang::Fr) => row.fr.to_string(),
        (None, _) => place_of_identifier(zone),
    }
}

/// The place as it follows "heure" in French (`de Paris`, `du Caire`,
/// `d’Oslo`); in English the place alone (catalogs write "Paris time").
pub fn zone_place_after(zone: &str, lang: Lang) -> String {
    match (lang, row_of(zone)) {
        (Lang::Fr, _) if is_utc(zone) => "UTC".to_string(),
        (Lang::Fr, Some(row)) => row.fr_of.to_string(),
        (Lang::Fr, None) => {
            let place = place_of_identifier(zone);
            match place.chars().next() {
                Some(first) if "AEIOUYÉÈÊÂÎÔÛaeiouyéèêâîôûHh".contains(first) => {
                    format!("d’{place}")
                }
                _ => format!("de {place}"),
            }
        }
        (Lang::En, _) => zone_place(zone, lang),
    }
}

/// How a zone reads in a list: the territory for French zones
/// (`Nouvelle-Calédonie (Nouméa)`), the place otherwise.
pub fn zone_label(zone: &str, lang: Lang) -> String {
    let label = row_of(zone).map(|row| match lang {
        Lang::En => row.en_label,
        Lang::Fr => row.fr_label,
    });
    match label {
        Some(label) if !label.is_empty() => label.to_string(),
        _ => zone_place(zone, lang),
    }
}

/// A zone of the list: its identifier (the value sent) and its label.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ZoneOption {
    pub zone: &'static str,
    pub label: String,
}

/// A group of the list: the catalog key of its heading and its zones.
#[derive(Debug, serde::Serialize)]
pub struct ZoneGroup {
    pub heading: &'static str,
    pub zones: Vec<ZoneOption>,
}

/// The heading of the group of a zone's continent or ocean.
fn group_heading(zone: &str) -> &'static str {
    match zone.split('/').next().unwrap_or_default() {
        "Africa" => "time-zone-group-africa",
        "America" => "time-zone-group-america",
        "Antarctica" => "time-zone-group-antarctica",
        "Arctic" => "time-zone-group-arctic",
        "Asia" => "time-zone-group-asia",
        "Atlantic" => "time-zone-group-atlantic",
        "Australia" => "time-zone-group-australia",
        "Europe" => "time-zone-group-europe",
        "Indian" => "time-zone-group-indian",
        "Pacific" => "time-zone-group-pacific",
        _ => "time-zone-group-other",
    }
}

/// The order of the groups after France.
const GROUP_ORDER: &[&str] = &[
    "time-zone-group-europe",
    "time-zone-group-africa",
    "time-zone-group-america",
    "time-zone-group-asia",
    "time-zone-group-australia",
    "time-zone-group-pacific",
    "time-zone-group-indian",
    "time-zone-group-atlantic",
    "time-zone-group-antarctica",
    "time-zone-group-arctic",
    "time-zone-group-other",
];

/// A key that sorts names as a reader expects: case and accents aside
/// ("Érevan" among the E, "île de Man" among the I).
fn sort_key(label: &str) -> String {
    const FROM: &str = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿșțœæ";
    const TO: &str = "aaaaaaceeeeiiiinooooouuuuyystoa";
    label
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match FROM.chars().position(|from| from == c) {
            Some(at) => TO.chars().nth(at).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// The zones a teacher chooses from, in `lang`: the French zones
/// (metropolitan France, the overseas departments, then the
/// collectivities), then each continent or ocean with its zones by name,
/// then UTC. Only zones this build's tz data knows are offered.
pub fn zone_groups(lang: Lang) -> Vec<ZoneGroup> {
    let known = |zone: &str| crate::dates::parse_zone(zone).is_some();
    let option = |zone: &'static str| ZoneOption {
        zone,
        label: zone_label(zone, lang),
    };
    let mut groups = vec![ZoneGroup {
        heading: "time-zone-group-france",
        zones: crate::dates::FRENCH_ZONES
            .iter()
            .copied()
            .filter(|zone| known(zone))
            .map(option)
            .collect(),
    }];
    for heading in GROUP_ORDER {
        let mut zones: Vec<ZoneOption> = rows()
            .iter()
            .filter(|row| !crate::dates::FRENCH_ZONES.contains(&row.zone))
            .filter(|row| group_heading(row.zone) == *heading && known(row.zone))
            .map(|row| option(row.zone))
            .collect();
        if *heading == "time-zone-group-other" {
            zones.push(ZoneOption {
                zone: "UTC",
                label: "UTC".to_string(),
            });
        }
        zones.sort_by_cached_key(|option| sort_key(&option.label));
        if !zones.is_empty() {
            groups.push(ZoneGroup { heading, zones });
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_read_as_places_in_each_language() {
        assert_eq!(zone_place("Europe/Paris", Lang::Fr), "Paris");
        assert_eq!(zone_place("Indian/Reunion", Lang::Fr), "La Réunion");
        assert_eq!(zone_place("Indian/Reunion", Lang::En), "Réunion");
        assert_eq!(zone_place("Pacific/Noumea", Lang::Fr), "Nouméa");
        assert_eq!(zone_place("Europe/London", Lang::Fr), "Londres");
        assert_eq!(zone_place("Europe/London", Lang::En), "London");
        assert_eq!(zone_place("America/New_York", Lang::En), "New York");
        assert_eq!(zone_place("UTC", Lang::Fr), "UTC");
        // A legacy alias the data does not name still reads as a place.
        assert_eq!(zone_place("US/Eastern", Lang::En), "Eastern");
    }

    #[test]
    fn french_places_take_the_right_article_after_heure() {
        assert_eq!(zone_place_after("Europe/Paris", Lang::Fr), "de Paris");
        assert_eq!(
            zone_place_after("Indian/Reunion", Lang::Fr),
            "de La Réunion"
        );
        assert_eq!(
            zone_place_after("America/Martinique", Lang::Fr),
            "de la Martinique"
        );
        assert_eq!(zone_place_after("Africa/Cairo", Lang::Fr), "du Caire");
        assert_eq!(zone_place_after("Europe/Oslo", Lang::Fr), "d’Oslo");
        assert_eq!(zone_place_after("Atlantic/Azores", Lang::Fr), "des Açores");
        assert_eq!(zone_place_after("Asia/Omsk", Lang::Fr), "d’Omsk");
        assert_eq!(zone_place_after("Europe/Paris", Lang::En), "Paris");
    }

    #[test]
    fn the_list_puts_every_french_zone_first_then_continents() {
        for lang in [Lang::Fr, Lang::En] {
            let groups = zone_groups(lang);
            assert_eq!(groups[0].heading, "time-zone-group-france");
            let french: Vec<&str> = groups[0].zones.iter().map(|o| o.zone).collect();
            assert_eq!(french, crate::dates::FRENCH_ZONES.to_vec());
            assert_eq!(groups[1].heading, "time-zone-group-europe");
            let all: Vec<&ZoneOption> = groups.iter().flat_map(|g| &g.zones).collect();
            // Every zone offered is known, offered once, and labelled
            // with a name, never its identifier.
            assert!(all.len() > 300, "{} zones", all.len());
            let mut seen = std::collections::HashSet::new();
            for option in &all {
                assert!(
                    crate::dates::parse_zone(option.zone).is_some(),
                    "{}",
                    option.zone
                );
                assert!(seen.insert(option.zone), "{} twice", option.zone);
                assert!(!option.label.contains('/') && !option.label.contains('_'));
            }
            assert_eq!(all.last().map(|o| o.zone), Some("UTC"));
        }
        let labels = |lang| -> Vec<String> {
            zone_groups(lang)[0]
                .zones
                .iter()
                .map(|o| o.label.clone())
                .collect()
        };
        let french = labels(Lang::Fr);
        for territory in [
            "France métropolitaine (Paris)",
            "Guadeloupe",
            "Martinique",
            "Guyane (Cayenne)",
            "La Réunion",
            "Mayotte",
            "Saint-Pierre-et-Miquelon",
            "Nouvelle-Calédonie (Nouméa)",
            "Polynésie française (Tahiti)",
            "Wallis-et-Futuna",
        ] {
            assert!(french.iter().any(|l| l == territory), "{territory}");
        }
        assert!(labels(Lang::En)
            .iter()
            .any(|l| l == "New Caledonia (Nouméa)"));
        // Within a continent, by name as read: Érevan among the E.
        let asia = zone_groups(Lang::Fr)
            .into_iter()
            .find(|g| g.heading == "time-zone-group-asia")
            .map(|g| g.zones.into_iter().map(|o| o.label).collect::<Vec<_>>())
            .unwrap_or_default();
        let at = |name: &str| asia.iter().position(|l| l == name);
        assert!(at("Dubaï") < at("Erevan") && at("Erevan") < at("Hong Kong"));
    }

    #[test]
    fn every_row_of_the_data_has_six_fields_and_a_known_zone_mostly() {
        let lines = include_str!("../data/time_zones.csv").lines().count() - 1;
        assert_eq!(rows().len(), lines, "a row with a comma in a name");
        let known = rows()
            .iter()
            .filter(|row| crate::dates::parse_zone(row.zone).is_some())
            .count();
        assert!(known + 3 >= rows().len(), "{known} of {}", rows().len());
    }
}

//! French communes: where a commune named by a person is, for the
//! directory's "near a commune" and for the position of a project's place.
//!
//! The data is `data/communes.csv` (34,915 communes and municipal
//! arrondissements; built by `tools/gazetteer/`, sources and licences in
//! `data/NOTICE`), compiled into the binary. Its index is built on first
//! use, once per process: it is constant, the same for every instance.
//! Communes borrow their text from the embedded file and the indexes are
//! sorted vectors, so the whole costs a few MB, not tens.
//!
//! A commune is found by its name (case, accents, hyphens and "St"/"Ste"
//! ignored), its INSEE code or a postal code. A name several communes
//! share is narrowed by a department ("Saint-Denis 93") or a postal code
//! ("Saint-Denis 97400", "93200 Saint-Denis"); otherwise the lookup says it
//! is ambiguous and lists the candidates.

use crate::domain::store::directory::words;
use std::sync::OnceLock;

const COMMUNES_CSV: &str = include_str!("../../data/communes.csv");

/// The communes whose municipal arrondissements are listed too: a postal
/// code of an arrondissement names the arrondissement, not the city.
const CITIES_WITH_ARRONDISSEMENTS: [&str; 3] = ["75056", "13055", "69123"];

/// One commune, or one municipal arrondissement of Paris, Lyon or
/// Marseille.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Commune {
    /// Official name, with accents.
    pub name: &'static str,
    /// INSEE code: five characters (`35238`, `2A004`).
    pub insee: &'static str,
    /// Its postal codes, joined by `;` (see [`Commune::postal_codes`]).
    pub postal: &'static str,
    /// Latitude of its point, degrees (WGS 84).
    pub latitude: f64,
    /// Longitude of its point, degrees.
    pub longitude: f64,
}

impl Commune {
    /// Its department: two characters (`35`, `2A`), three overseas (`974`).
    pub fn department(&self) -> &str {
        let length = if self.insee.starts_with("97") { 3 } else { 2 };
        self.insee.get(..length).unwrap_or_default()
    }

    /// Its postal codes.
    pub fn postal_codes(&self) -> impl Iterator<Item = &'static str> {
        self.postal.split(';').filter(|code| !code.is_empty())
    }

    /// A query that finds this commune alone: its name and department
    /// (no two communes of a department share a name).
    pub fn precise_query(&self) -> String {
        format!("{} {}", self.name, self.department())
    }
}

/// What a place query points to.
#[derive(Debug, Clone, PartialEq)]
pub enum Place<'a> {
    /// One commune.
    Commune(&'a Commune),
    /// A postal code several communes share: the middle of their points.
    PostalCode {
        /// The code.
        code: String,
        /// The communes that have it.
        communes: Vec<&'a Commune>,
        /// Mean latitude of their points.
        latitude: f64,
        /// Mean longitude of their points.
        longitude: f64,
    },
}

impl Place<'_> {
    /// Latitude and longitude, degrees.
    pub fn position(&self) -> (f64, f64) {
        match self {
            Place::Commune(commune) => (commune.latitude, commune.longitude),
            Place::PostalCode {
                latitude,
                longitude,
                ..
            } => (*latitude, *longitude),
        }
    }

    /// How to show it: "Rennes (35)", "35190 (Bécherel, Cardroc, Irodouër…)".
    pub fn label(&self) -> String {
        match self {
            Place::Commune(commune) => format!("{} ({})", commune.name, commune.department()),
            Place::PostalCode { code, communes, .. } => {
                let names: Vec<&str> = communes.iter().take(3).map(|c| c.name).collect();
                let more = if communes.len() > 3 { "…" } else { "" };
                format!("{code} ({}{more})", names.join(", "))
            }
        }
    }
}

/// Why a query names no single place.
#[derive(Debug, Clone, PartialEq)]
pub enum PlaceError<'a> {
    /// No commune has this name or code (in this department).
    Unknown,
    /// Several communes have this name; a department or postal code
    /// would tell them apart.
    Ambiguous(Vec<&'a Commune>),
}

/// A code in a place query.
#[derive(Debug, Clone, PartialEq)]
enum Code {
    /// Five digits: a postal code, else an INSEE code.
    Digits(String),
    /// An INSEE code of Corsica (`2A004`).
    Corsica(String),
    /// A department (`35`, `2A`, `974`).
    Department(String),
}

fn code_of(token: &str) -> Option<Code> {
    let token = token.to_ascii_uppercase();
    let digits = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
    match token.len() {
        5 if digits(&token) => Some(Code::Digits(token)),
        5 if (token.starts_with("2A") || token.starts_with("2B")) && digits(&token[2..]) => {
            Some(Code::Corsica(token))
        }
        2 if digits(&token) || token == "2A" || token == "2B" => Some(Code::Department(token)),
        3 if token.starts_with("97") && digits(&token) => Some(Code::Department(token)),
        _ => None,
    }
}

/// The key names are compared by: folded words, "st"/"ste" spelled out.
fn name_key(name: &str) -> String {
    words(name)
        .into_iter()
        .map(|word| match word.as_str() {
            "st" => "saint".to_string(),
            "ste" => "sainte".to_string(),
            _ => word,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The communes, indexed by name, INSEE code and postal code.
pub struct Gazetteer {
    /// Sorted by INSEE code (the file's order), for binary search.
    communes: Vec<Commune>,
    /// (folded name, commune), sorted.
    by_name: Vec<(Box<str>, u32)>,
    /// (postal code, commune), sorted.
    by_postal: Vec<(&'static str, u32)>,
}

impl Gazetteer {
    /// The communes compiled into the binary, read on first use.
    pub fn get() -> &'static Gazetteer {
        static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
        GAZETTEER.get_or_init(|| Gazetteer::parse(COMMUNES_CSV))
    }

    /// Reads a CSV of `name,insee,postal,lat,lon` (a header line, then
    /// unquoted fields); rows that do not parse are skipped with a warning
    /// (the unit tests check that none is).
    pub fn parse(text: &'static str) -> Gazetteer {
        let mut communes: Vec<Commune> = Vec::new();
        for (line, row) in text.lines().enumerate().skip(1) {
            let fields: Vec<&'static str> = row.split(',').map(str::trim).collect();
            let commune = match fields.as_slice() {
                [name, insee, postal, latitude, longitude]
                    if insee.len() == 5 && insee.is_ascii() && !row.contains('"') =>
                {
                    latitude
                        .parse::<f64>()
                        .ok()
                        .zip(longitude.parse::<f64>().ok())
                        .filter(|(lat, lon)| lat.abs() <= 90.0 && lon.abs() <= 180.0)
                        .map(|(latitude, longitude)| Commune {
                            name,
                            insee,
                            postal,
                            latitude,
                            longitude,
                        })
                }
                _ => None,
            };
            match commune {
                Some(commune) => communes.push(commune),
                None => tracing::warn!(line = line + 1, "gazetteer: row skipped"),
            }
        }
        communes.sort_by_key(|commune| commune.insee);
        let mut by_name: Vec<(Box<str>, u32)> = Vec::with_capacity(communes.len());
        let mut by_postal: Vec<(&'static str, u32)> = Vec::with_capacity(communes.len());
        for (index, commune) in (0u32..).zip(&communes) {
            by_name.push((name_key(commune.name).into_boxed_str(), index));
            by_postal.extend(commune.postal_codes().map(|code| (code, index)));
        }
        by_name.sort_unstable();
        by_postal.sort_unstable();
        Gazetteer {
            communes,
            by_name,
            by_postal,
        }
    }

    /// Every commune, by INSEE code.
    pub fn communes(&self) -> &[Commune] {
        &self.communes
    }

    /// How many communes it knows.
    pub fn len(&self) -> usize {
        self.communes.len()
    }

    /// Whether it knows none.
    pub fn is_empty(&self) -> bool {
        self.communes.is_empty()
    }

    /// The communes of the entries of a sorted index whose key is `key`.
    fn lookup<K: Ord + ?Sized, T: std::borrow::Borrow<K>>(
        &self,
        index: &[(T, u32)],
        key: &K,
    ) -> Vec<&Commune> {
        let start = index.partition_point(|(k, _)| k.borrow() < key);
        index[start..]
            .iter()
            .take_while(|(k, _)| k.borrow() == key)
            .filter_map(|(_, i)| self.communes.get(*i as usize))
            .collect()
    }

    /// The commune with this INSEE code.
    pub fn by_insee(&self, code: &str) -> Option<&Commune> {
        let code = code.to_ascii_uppercase();
        self.communes
            .binary_search_by(|commune| commune.insee.cmp(code.as_str()))
            .ok()
            .and_then(|i| self.communes.get(i))
    }

    fn by_code(&self, code: &Code) -> Result<Place<'_>, PlaceError<'_>> {
        match code {
            Code::Digits(digits) => {
                // People type postal codes far more often than INSEE
                // codes, and 2,950 codes are both (of different communes).
                let mut communes = self.lookup(&self.by_postal, digits.as_str());
                if !communes.is_empty() {
                    if communes.len() > 1 {
                        communes.retain(|c| !CITIES_WITH_ARRONDISSEMENTS.contains(&c.insee));
                    }
                    return Ok(match communes.as_slice() {
                        [one] => Place::Commune(one),
                        _ => {
                            let count = communes.len().max(1) as f64;
                            Place::PostalCode {
                                code: digits.clone(),
                                latitude: communes.iter().map(|c| c.latitude).sum::<f64>() / count,
                                longitude: communes.iter().map(|c| c.longitude).sum::<f64>()
                                    / count,
                                communes,
                            }
                        }
                    });
                }
                self.by_insee(digits)
                    .map(Place::Commune)
                    .ok_or(PlaceError::Unknown)
            }
            Code::Corsica(insee) => self
                .by_insee(insee)
                .map(Place::Commune)
                .ok_or(PlaceError::Unknown),
            // A department is no place to measure from.
            Code::Department(_) => Err(PlaceError::Unknown),
        }
    }

    /// Finds the place a person typed: a commune's name, optionally with
    /// its department or postal code before or after it, an INSEE code or
    /// a postal code.
    pub fn find(&self, query: &str) -> Result<Place<'_>, PlaceError<'_>> {
        let tokens: Vec<&str> = query
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')'))
            .filter(|token| !token.is_empty())
            .collect();
        let (qualifier, name_tokens) = match tokens.as_slice() {
            [] => return Err(PlaceError::Unknown),
            [only] => match code_of(only) {
                Some(code) => return self.by_code(&code),
                None => (None, tokens.as_slice()),
            },
            [first, rest @ ..] if code_of(first).is_some() => (code_of(first), rest),
            [rest @ .., last] if code_of(last).is_some() => (code_of(last), rest),
            _ => (None, tokens.as_slice()),
        };
        let key = name_key(&name_tokens.join(" "));
        let mut communes = self.lookup(&self.by_name, key.as_str());
        match &qualifier {
            Some(Code::Department(department)) => communes.retain(|c| c.department() == department),
            Some(Code::Digits(code)) | Some(Code::Corsica(code)) => {
                communes.retain(|c| c.insee == code || c.postal_codes().any(|p| p == code))
            }
            None => {}
        }
        match communes.as_slice() {
            [] => Err(PlaceError::Unknown),
            [one] => Ok(Place::Commune(one)),
            _ => Err(PlaceError::Ambiguous(communes)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commune(query: &str) -> &'static Commune {
        match Gazetteer::get().find(query) {
            Ok(Place::Commune(commune)) => commune,
            other => panic!("{query}: {other:?}"),
        }
    }

    #[test]
    fn every_row_is_read() {
        assert_eq!(Gazetteer::get().len(), 34_915);
    }

    #[test]
    fn communes_are_found_by_name_code_or_postal_code() {
        let rennes = commune("Rennes");
        assert_eq!(rennes.insee, "35238");
        assert_eq!(rennes.department(), "35");
        assert!((rennes.latitude - 48.11).abs() < 0.05, "{rennes:?}");
        assert!((rennes.longitude + 1.68).abs() < 0.05, "{rennes:?}");
        assert_eq!(commune("35238"), rennes, "INSEE code");
        assert_eq!(commune("35000"), rennes, "postal code");
        assert_eq!(commune("  rennes "), rennes);
        let brest = commune("BREST");
        assert_eq!(brest.insee, "29019");
        assert_eq!(commune("29200"), brest);
        assert_eq!(commune("Brest (29)"), brest);
        assert_eq!(commune("29200 Brest"), brest);
        // Accents, hyphens and abbreviations.
        assert_eq!(commune("saint malo").insee, "35288");
        assert_eq!(commune("St-Malo").insee, "35288");
        assert_eq!(commune("Besancon").insee, "25056");
        assert_eq!(commune("ajaccio").insee, "2A004");
        assert_eq!(commune("2a004").insee, "2A004");
        // A postal code of an arrondissement names it, not the city.
        assert_eq!(commune("75001").insee, "75101");
        assert_eq!(commune("Paris").insee, "75056");
    }

    #[test]
    fn a_shared_name_needs_a_department_or_postal_code() {
        let gazetteer = Gazetteer::get();
        match gazetteer.find("Saint-Denis") {
            Err(PlaceError::Ambiguous(candidates)) => {
                let codes: Vec<&str> = candidates.iter().map(|c| c.insee).collect();
                assert!(codes.contains(&"93066"), "{codes:?}");
                assert!(codes.contains(&"97411"), "{codes:?}");
                for candidate in candidates {
                    // Each suggestion finds its commune alone.
                    assert_eq!(
                        gazetteer.find(&candidate.precise_query()),
                        Ok(Place::Commune(candidate))
                    );
                }
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(commune("Saint-Denis 93").insee, "93066");
        assert_eq!(commune("saint denis (974)").insee, "97411");
        assert_eq!(commune("Saint-Denis, 97400").insee, "97411");
        assert_eq!(commune("93200 Saint-Denis").insee, "93066");
        assert_eq!(gazetteer.find("Saint-Denis 35"), Err(PlaceError::Unknown));
    }

    #[test]
    fn a_postal_code_of_several_communes_is_their_middle() {
        match Gazetteer::get().find("35190") {
            Ok(Place::PostalCode {
                communes,
                latitude,
                longitude,
                ..
            }) => {
                assert!(communes.len() > 5, "{communes:?}");
                assert!(communes.iter().any(|c| c.name == "Bécherel"));
                assert!((latitude - 48.3).abs() < 0.2 && (longitude + 1.9).abs() < 0.2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_places_are_refused() {
        let gazetteer = Gazetteer::get();
        for query in ["", "  ", "Atlantide", "35", "99999", "2A999", "Rennes 29"] {
            assert_eq!(gazetteer.find(query), Err(PlaceError::Unknown), "{query}");
        }
    }
}

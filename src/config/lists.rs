//! The `[lists]` section: local additions to the shipped lists of
//! academies and subjects (`domain::reference_lists`).

use serde::Deserialize;

/// `[lists]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ListSettings {
    /// Academies (or equivalent bodies: AEFE, a foreign network) offered
    /// after the 30 shipped ones.
    pub academies: Vec<AcademyEntry>,
    /// Subjects offered after the shipped ones (a regional language, a
    /// local option).
    pub subjects: Vec<String>,
}

/// One academy added by the admin.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AcademyEntry {
    /// Its name as shown and stored.
    pub name: String,
    /// Its region, the filters' group (free text).
    #[serde(default)]
    pub region: String,
}

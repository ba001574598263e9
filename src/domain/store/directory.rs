//! The directory of project spaces and teachers: its full-text index and
//! the queries behind `/directory`.
//!
//! `directory_index` holds one document per project and per person, keyed
//! by actor id. The triggers of migration `0007_directory.sql` rebuild a
//! document whenever its project, profile, or actor's name, display name or
//! summary is written, so every write path (local edits, remote projects
//! and profiles refreshed from their servers) keeps it current without the
//! writers knowing. SQLite indexes with FTS5 (`unicode61 remove_diacritics
//! 2`); PostgreSQL with a `tsvector` of the 'simple' configuration (no
//! stemming, no stop words) behind a GIN index, folded by the SQL function
//! `directory_fold`, the same folding as [`fold`].
//!
//! The index only narrows the search: each candidate is checked again in
//! Rust, word by word, against its text without HTML tags
//! ([`ProjectListing::words`], [`PersonListing::words`]), so that both
//! engines give the same answers and markup never matches.

use super::{
    actors::{qualified_actor_columns, ActorId, ActorRow},
    profiles::ProfileRow,
    projects::ProjectStatus,
    Engine, Store, StoreResult, StoredList,
};
use sqlx::any::AnyRow;
use std::{
    collections::{HashMap, HashSet},
    sync::OnceLock,
};

/// Letters folded to one ASCII letter, and typographic punctuation folded
/// to a space, character by character with [`FOLD_TO`]. PostgreSQL's
/// `directory_fold` uses these two strings verbatim in `translate()` (a
/// unit test checks the migration).
pub const FOLD_FROM: &str = "àáâãäåāăąÀÁÂÃÄÅĀĂĄçćĉċčÇĆĈĊČďđĎĐèéêëēĕėęěÈÉÊËĒĔĖĘĚĝğġģĜĞĠĢĥĤìíîïĩīĭįıÌÍÎÏĨĪĬĮİĵĴķĶĺļľłĹĻĽŁñńņňÑŃŅŇòóôõöøōŏőÒÓÔÕÖØŌŎŐŕŗřŔŖŘśŝşšŚŜŞŠţťŢŤùúûüũūŭůűųÙÚÛÜŨŪŬŮŰŲŵŴýÿŷÝŸŶźżžŹŻŽ’‘‚“”„«»‹›–—―…·•\u{a0}\u{202f}\u{2009}";

/// What each character of [`FOLD_FROM`] becomes.
pub const FOLD_TO: &str = "aaaaaaaaaaaaaaaaaaccccccccccddddeeeeeeeeeeeeeeeeeegggggggghhiiiiiiiiiiiiiiiiiijjkkllllllllnnnnnnnnoooooooooooooooooorrrrrrssssssssttttuuuuuuuuuuuuuuuuuuuuwwyyyyyyzzzzzz                   ";

/// Letters that become two (ligatures), before [`FOLD_FROM`] applies.
pub const FOLD_EXPANSIONS: [(char, &str); 6] = [
    ('œ', "oe"),
    ('Œ', "oe"),
    ('æ', "ae"),
    ('Æ', "ae"),
    ('ß', "ss"),
    ('ẞ', "ss"),
];

fn fold_table() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| FOLD_FROM.chars().zip(FOLD_TO.chars()).collect())
}

/// Lower case, without accents, ligatures spelled out, typographic
/// punctuation as spaces: "Cœur d’Éco" → "coeur d eco". The index and the
/// gazetteer compare words in this form.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some((_, expanded)) = FOLD_EXPANSIONS.iter().find(|(from, _)| *from == c) {
            out.push_str(expanded);
        } else if let Some(&folded) = fold_table().get(&c) {
            out.push(folded);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The folded words of a text: runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

/// The text of sanitised HTML: tags and character references become
/// spaces (sanitised HTML only escapes `& < > "` and no-break spaces, all
/// of them separators).
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(['<', '&']) {
        out.push_str(&rest[..start]);
        out.push(' ');
        let tail = &rest[start..];
        let end = if tail.starts_with('<') {
            tail.find('>').map(|i| i + 1)
        } else {
            // A character reference: `&name;` or `&#123;`.
            tail[1..]
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '#')
                .filter(|&i| tail[1 + i..].starts_with(';'))
                .map(|i| i + 2)
        };
        match end {
            Some(end) => rest = &tail[end..],
            None => rest = &tail[1..],
        }
    }
    out.push_str(rest);
    out
}

/// Words shorter than this match only whole words; longer ones also match
/// the words they begin ("robot" finds "robotique"). One and two letters
/// would match almost everything.
pub const MIN_PREFIX: usize = 3;

/// One word of a search with the forms it may take: it matches a
/// document holding every word of at least one alternative, each word
/// as a prefix (see [`MIN_PREFIX`]). "maths" is `[["maths"],
/// ["mathematiques"]]`; "svt" has `["sciences", "vie", "terre"]` among
/// its alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchTerm {
    /// Folded words (letters and digits only), every word of one
    /// alternative required.
    pub any_of: Vec<Vec<String>>,
}

impl From<&str> for SearchTerm {
    /// A term with one form: the folded word itself.
    fn from(word: &str) -> Self {
        SearchTerm {
            any_of: vec![words(word)],
        }
    }
}

/// Whether `word` (folded) is `wanted` or, when `wanted` is long enough,
/// begins with it.
pub fn word_matches(word: &str, wanted: &str) -> bool {
    if wanted.chars().count() >= MIN_PREFIX {
        word.starts_with(wanted)
    } else {
        word == wanted
    }
}

impl SearchTerm {
    /// Whether a document made of `document` words holds this term.
    pub fn matches(&self, document: &HashSet<String>) -> bool {
        self.any_of.iter().any(|alternative| {
            !alternative.is_empty()
                && alternative.iter().all(|wanted| {
                    if wanted.chars().count() < MIN_PREFIX {
                        document.contains(wanted)
                    } else {
                        document.iter().any(|word| word_matches(word, wanted))
                    }
                })
        })
    }

    /// This term in a text-search syntax: each word through `word` (told
    /// whether it is a prefix), an alternative's words joined by `and`,
    /// alternatives by `or`.
    fn query_text(&self, word: impl Fn(&str, bool) -> String, and: &str, or: &str) -> String {
        let alternatives: Vec<String> = self
            .any_of
            .iter()
            .filter(|alternative| !alternative.is_empty())
            .map(|alternative| {
                let words: Vec<String> = alternative
                    .iter()
                    .map(|wanted| word(wanted, wanted.chars().count() >= MIN_PREFIX))
                    .collect();
                format!("({})", words.join(and))
            })
            .collect();
        format!("({})", alternatives.join(or))
    }

    /// The FTS5 query of this term: words quoted (never syntax), `*` for
    /// a prefix.
    pub(crate) fn fts5(&self) -> String {
        self.query_text(
            |word, prefix| format!("\"{word}\"{}", if prefix { "*" } else { "" }),
            " AND ",
            " OR ",
        )
    }

    /// The PostgreSQL `tsquery` of this term: `:*` for a prefix (words
    /// hold only letters and digits, never operators).
    pub(crate) fn tsquery(&self) -> String {
        self.query_text(
            |word, prefix| format!("'{word}'{}", if prefix { ":*" } else { "" }),
            " & ",
            " | ",
        )
    }
}

/// A box of latitudes and longitudes, degrees, the SQL prefilter of a
/// search by distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    /// Southern edge.
    pub min_latitude: f64,
    /// Northern edge.
    pub max_latitude: f64,
    /// Western edge (may be greater than `max_longitude` across the
    /// antimeridian).
    pub min_longitude: f64,
    /// Eastern edge.
    pub max_longitude: f64,
}

/// What a directory search asks of the database. Every field narrows.
#[derive(Debug, Clone, Default)]
pub struct DirectoryQuery {
    /// Terms every result's document must hold (see [`SearchTerm`]).
    pub words: Vec<SearchTerm>,
    /// Projects in this state only.
    pub status: Option<ProjectStatus>,
    /// With this school level code.
    pub level: Option<String>,
    /// Speaking or working in this language: the primary language code
    /// (`fr` finds `fr` and `fr-CA`); candidates, checked again by
    /// [`speaks`].
    pub language: Option<String>,
    /// Projects with coordinates inside this box only.
    pub area: Option<BoundingBox>,
    /// Members-only projects come back only when this person is one of
    /// their current members; `None` returns public projects only. The
    /// domain sets it (`Domain::search_directory`).
    pub member: Option<ActorId>,
    /// At most this many rows.
    pub limit: i64,
}

/// A project as the directory lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectListing {
    /// Its Group actor (without keys).
    #[sqlx(flatten)]
    pub actor: ActorRow,
    /// Title.
    pub title: String,
    /// Sanitised HTML description.
    pub description_html: String,
    /// Subjects.
    #[sqlx(try_from = "StoredList")]
    pub subjects: Vec<String>,
    /// School level codes.
    #[sqlx(try_from = "StoredList")]
    pub school_levels: Vec<String>,
    /// Languages.
    #[sqlx(try_from = "StoredList")]
    pub languages: Vec<String>,
    /// Academy.
    pub academy: String,
    /// Country.
    pub country: String,
    /// Commune or place.
    pub place: String,
    /// Latitude, degrees.
    pub latitude: Option<f64>,
    /// Longitude, degrees.
    pub longitude: Option<f64>,
}

impl ProjectListing {
    /// The words of its index document, as [`words`] reads them.
    pub fn words(&self) -> HashSet<String> {
        let mut all = HashSet::new();
        for text in [
            self.title.as_str(),
            self.actor.name.as_str(),
            self.academy.as_str(),
            self.country.as_str(),
            self.place.as_str(),
        ] {
            all.extend(words(text));
        }
        for subject in &self.subjects {
            all.extend(words(subject));
        }
        all.extend(words(&html_text(&self.description_html)));
        all
    }
}

/// A teacher as the directory lists them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonListing {
    /// Their Person actor (without keys).
    #[sqlx(flatten)]
    pub actor: ActorRow,
    /// Their profile fields (the biography's source left empty).
    #[sqlx(flatten)]
    pub profile: ProfileRow,
}

impl PersonListing {
    /// The words of their index document, as [`words`] reads them.
    pub fn words(&self) -> HashSet<String> {
        let mut all = HashSet::new();
        for text in [
            self.actor.display_name.as_str(),
            self.actor.name.as_str(),
            self.profile.academy.as_str(),
            self.profile.school.as_str(),
        ] {
            all.extend(words(text));
        }
        for item in self.profile.subjects.iter().chain(&self.profile.interests) {
            all.extend(words(item));
        }
        all.extend(words(&html_text(&self.actor.summary_html)));
        all
    }
}

/// Whether a list of language tags has `language` (a primary code such as
/// `fr`): `fr`, `FR` and `fr-CA` do.
pub fn speaks(languages: &[String], language: &str) -> bool {
    languages.iter().any(|tag| {
        let tag = tag.trim().to_ascii_lowercase();
        tag == language
            || tag
                .strip_prefix(language)
                .is_some_and(|rest| rest.starts_with('-'))
    })
}

/// A statement's conditions and their values, numbered as they are added.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    binds: Vec<Bind>,
}

enum Bind {
    Text(String),
    Float(f64),
    Int(i64),
}

impl Conditions {
    /// The next placeholder, `$N`, bound to `value`.
    fn placeholder(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn push(&mut self, condition: String) {
        self.sql.push(condition);
    }

    fn where_clause(&self) -> String {
        if self.sql.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.sql.join(" AND "))
        }
    }

    async fn fetch_all<T>(self, store: &Store, sql: &str) -> StoreResult<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
    {
        let mut query = sqlx::query_as::<_, T>(sql);
        for bind in self.binds {
            query = match bind {
                Bind::Text(text) => query.bind(text),
                Bind::Float(value) => query.bind(value),
                Bind::Int(value) => query.bind(value),
            };
        }
        Ok(query.fetch_all(store.pool()).await?)
    }

    async fn count(self, store: &Store, sql: &str) -> StoreResult<i64> {
        let mut query = sqlx::query_scalar::<_, i64>(sql);
        for bind in self.binds {
            query = match bind {
                Bind::Text(text) => query.bind(text),
                Bind::Float(value) => query.bind(value),
                Bind::Int(value) => query.bind(value),
            };
        }
        Ok(query.fetch_one(store.pool()).await?)
    }
}

/// The condition "the document of `actor_column` holds every term": the
/// one statement that differs between the engines. Both answer prefixes
/// from their index (FTS5's term b-tree, the GIN index of the `tsvector`),
/// never by reading every document.
fn words_condition(
    engine: Engine,
    conditions: &mut Conditions,
    actor_column: &str,
    terms: &[SearchTerm],
) -> String {
    match engine {
        Engine::Sqlite => {
            let query = terms
                .iter()
                .map(SearchTerm::fts5)
                .collect::<Vec<_>>()
                .join(" AND ");
            let placeholder = conditions.placeholder(Bind::Text(query));
            format!(
                "{actor_column} IN (SELECT rowid FROM directory_index \
                 WHERE directory_index MATCH {placeholder})"
            )
        }
        Engine::Postgres => {
            let query = terms
                .iter()
                .map(SearchTerm::tsquery)
                .collect::<Vec<_>>()
                .join(" & ");
            let placeholder = conditions.placeholder(Bind::Text(query));
            format!(
                "{actor_column} IN (SELECT actor_id FROM directory_index \
                 WHERE document @@ to_tsquery('simple', {placeholder}))"
            )
        }
    }
}

/// A JSON-list column holding `item` (exactly, as `"item"`).
fn list_contains(conditions: &mut Conditions, column: &str, item: &str) -> String {
    let placeholder = conditions.placeholder(Bind::Text(format!("%\"{item}\"%")));
    format!("{column} LIKE {placeholder}")
}

/// A JSON-list column possibly holding language `code` or one of its
/// regional forms (checked again by [`speaks`]).
fn list_has_language(conditions: &mut Conditions, column: &str, code: &str) -> String {
    let placeholder = conditions.placeholder(Bind::Text(format!("%\"{code}%")));
    format!("lower({column}) LIKE {placeholder}")
}

/// The actor columns of a listing, without the keys: a search reads
/// thousands of rows and shows none of them (listed actors carry empty
/// keys).
fn listing_actor_columns() -> String {
    qualified_actor_columns()
        .replace("actors.public_key_pem", "'' AS public_key_pem")
        .replace(
            "actors.private_key_pem",
            "CAST(NULL AS TEXT) AS private_key_pem",
        )
}

const PROJECTS_FROM: &str = " FROM projects JOIN actors ON actors.id = projects.actor_id";
const PROJECTS_ORDER: &str = " ORDER BY projects.last_activity_at DESC, actors.id DESC";
const PEOPLE_FROM: &str = " FROM profiles JOIN actors ON actors.id = profiles.actor_id";
/// This instance's teachers first, then the most recently updated.
const PEOPLE_ORDER: &str = " ORDER BY CASE WHEN actors.domain = '' THEN 0 ELSE 1 END, \
     actors.updated_at DESC, actors.id DESC";

impl Store {
    fn project_conditions(&self, query: &DirectoryQuery) -> Conditions {
        let mut conditions = Conditions::default();
        if !query.words.is_empty() {
            let condition =
                words_condition(self.engine(), &mut conditions, "actors.id", &query.words);
            conditions.push(condition);
        }
        if let Some(status) = query.status {
            let placeholder = conditions.placeholder(Bind::Text(status.as_str().to_string()));
            conditions.push(format!("projects.status = {placeholder}"));
        }
        if let Some(level) = &query.level {
            let condition = list_contains(&mut conditions, "projects.school_levels", level);
            conditions.push(condition);
        }
        if let Some(language) = &query.language {
            let condition = list_has_language(&mut conditions, "projects.languages", language);
            conditions.push(condition);
        }
        if let Some(area) = query.area {
            let south = conditions.placeholder(Bind::Float(area.min_latitude));
            let north = conditions.placeholder(Bind::Float(area.max_latitude));
            conditions.push(format!("projects.latitude BETWEEN {south} AND {north}"));
            let west = conditions.placeholder(Bind::Float(area.min_longitude));
            let east = conditions.placeholder(Bind::Float(area.max_longitude));
            conditions.push(if area.min_longitude <= area.max_longitude {
                format!("projects.longitude BETWEEN {west} AND {east}")
            } else {
                format!("(projects.longitude >= {west} OR projects.longitude <= {east})")
            });
        }
        let member = conditions.placeholder(Bind::Int(query.member.map_or(-1, |id| id.0)));
        conditions.push(format!(
            "(projects.visibility = 'public' OR EXISTS (SELECT 1 FROM project_members \
             WHERE project_members.project_id = projects.actor_id \
             AND project_members.actor_id = {member} AND project_members.state = 'member'))"
        ));
        conditions
    }

    fn people_conditions(&self, query: &DirectoryQuery) -> Conditions {
        let mut conditions = Conditions::default();
        // The profiles of unverified, unapproved or suspended accounts are
        // shown to no one (`Domain::public_person`).
        conditions.push(
            "actors.kind = 'person' AND (actors.domain <> '' OR EXISTS (SELECT 1 FROM accounts \
             WHERE accounts.actor_id = actors.id AND accounts.status = 'active'))"
                .to_string(),
        );
        if !query.words.is_empty() {
            let condition =
                words_condition(self.engine(), &mut conditions, "actors.id", &query.words);
            conditions.push(condition);
        }
        if let Some(level) = &query.level {
            let condition = list_contains(&mut conditions, "profiles.school_levels", level);
            conditions.push(condition);
        }
        if let Some(language) = &query.language {
            let condition = list_has_language(&mut conditions, "profiles.languages", language);
            conditions.push(condition);
        }
        conditions
    }

    /// Projects (local and known remote) matching a directory query, most
    /// recently active first, from row `offset`.
    pub async fn directory_projects(
        &self,
        query: &DirectoryQuery,
        offset: i64,
    ) -> StoreResult<Vec<ProjectListing>> {
        let mut conditions = self.project_conditions(query);
        let limit = conditions.placeholder(Bind::Int(query.limit));
        let offset = conditions.placeholder(Bind::Int(offset));
        let sql = format!(
            "SELECT {}, projects.title, projects.description_html, projects.subjects, \
             projects.school_levels, projects.languages, projects.academy, projects.country, \
             projects.place, projects.latitude, projects.longitude, projects.visibility, \
             projects.status, projects.last_activity_at{PROJECTS_FROM}{}{PROJECTS_ORDER} \
             LIMIT {limit} OFFSET {offset}",
            listing_actor_columns(),
            conditions.where_clause(),
        );
        conditions.fetch_all(self, &sql).await
    }

    /// How many projects match a directory query (its `limit` aside).
    pub async fn count_directory_projects(&self, query: &DirectoryQuery) -> StoreResult<i64> {
        let conditions = self.project_conditions(query);
        let sql = format!(
            "SELECT COUNT(*){PROJECTS_FROM}{}",
            conditions.where_clause()
        );
        conditions.count(self, &sql).await
    }

    /// Teachers (local people with an active account, and known remote
    /// people) matching a directory query, this instance's first, then the
    /// most recently updated, from row `offset`. The query's project-only
    /// fields (`status`, `area`, `member`) are ignored.
    pub async fn directory_people(
        &self,
        query: &DirectoryQuery,
        offset: i64,
    ) -> StoreResult<Vec<PersonListing>> {
        let mut conditions = self.people_conditions(query);
        let limit = conditions.placeholder(Bind::Int(query.limit));
        let offset = conditions.placeholder(Bind::Int(offset));
        let sql = format!(
            "SELECT {}, profiles.subjects, profiles.school_levels, profiles.languages, \
             profiles.academy, profiles.school, profiles.interests, \
             '' AS bio_source{PEOPLE_FROM}{}{PEOPLE_ORDER} \
             LIMIT {limit} OFFSET {offset}",
            listing_actor_columns(),
            conditions.where_clause(),
        );
        conditions.fetch_all(self, &sql).await
    }

    /// How many teachers match a directory query (its `limit` aside).
    pub async fn count_directory_people(&self, query: &DirectoryQuery) -> StoreResult<i64> {
        let conditions = self.people_conditions(query);
        let sql = format!("SELECT COUNT(*){PEOPLE_FROM}{}", conditions.where_clause());
        conditions.count(self, &sql).await
    }

    #[cfg(feature = "test-support")]
    /// How many documents the directory index holds (for tests and
    /// checks: one per project and per profile).
    pub async fn directory_index_size(&self) -> StoreResult<i64> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM directory_index")
            .fetch_one(self.pool())
            .await?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_case_accents_and_ligatures() {
        assert_eq!(FOLD_FROM.chars().count(), FOLD_TO.chars().count());
        assert_eq!(fold("Cœur d’Éco-DÉLÉGUÉS"), "coeur d eco-delegues");
        assert_eq!(fold("Łódź, Ærø, Straße"), "lodz, aero, strasse");
        assert_eq!(
            words("L’école « Jules-Ferry » — CM1/CM2"),
            ["l", "ecole", "jules", "ferry", "cm1", "cm2"]
        );
        assert!(words(" ,;- ").is_empty());
    }

    #[test]
    fn html_text_drops_tags_and_references() {
        assert_eq!(
            words(&html_text(
                "<p>Robotique &amp; <strong>code</strong> l&#39;été <a href=\"https://x.fr\">lien</a></p>"
            )),
            ["robotique", "code", "l", "ete", "lien"]
        );
        assert_eq!(words(&html_text("a < b & c")), ["a", "b", "c"]);
    }

    #[test]
    fn languages_match_by_primary_code() {
        let tags = vec!["FR-ca".to_string(), "br".to_string()];
        assert!(speaks(&tags, "fr"));
        assert!(speaks(&tags, "br"));
        assert!(!speaks(&tags, "f"));
        assert!(!speaks(&tags, "en"));
    }

    #[test]
    fn the_postgres_migration_folds_as_rust_does() {
        let sql = include_str!("../../../migrations/postgres/0007_directory.sql");
        assert!(
            sql.contains(&format!("'{FOLD_FROM}'")),
            "translate() source differs"
        );
        assert!(
            sql.contains(&format!("'{FOLD_TO}'")),
            "translate() target differs"
        );
        for (from, to) in FOLD_EXPANSIONS {
            assert!(sql.contains(&format!("'{from}', '{to}'")), "{from}");
        }
        // FTS5 folds accents itself, not these letters.
        let sqlite = include_str!("../../../migrations/sqlite/0007_directory.sql");
        for (from, to) in FOLD_EXPANSIONS
            .iter()
            .map(|(from, to)| (*from, to.to_string()))
            .chain("łŁøØđĐı".chars().map(|c| (c, fold(&c.to_string()))))
        {
            assert!(sqlite.contains(&format!("'{from}', '{to}'")), "{from}");
        }
    }
}

//! Schema parity: after every migration, SQLite and PostgreSQL have the same
//! tables, columns (type family, nullability, default), indexes and
//! constraints (primary keys, unique, foreign keys). Each schema is read
//! from the engine's own catalog into readable lines; a difference prints
//! the lines one engine has and the other lacks.
//!
//! The PostgreSQL half runs when `PREAU_TEST_POSTGRES_URL` is set (a fresh,
//! uniquely named database, dropped after), as in the store tests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use preau::domain::{clock::Clock, store::Store};
use sqlx::{postgres::PgPool, sqlite::SqlitePool, Row};
use std::collections::{BTreeMap, BTreeSet};

/// Objects that differ on purpose: the directory's full-text index is an
/// FTS5 virtual table (with its shadow tables) on SQLite and a `tsvector`
/// table behind a GIN index on PostgreSQL (migrations 0007); so is the
/// forums' search index (migrations 0020) and the project spaces' forums'
/// (migrations 0027).
const ENGINE_SPECIFIC_TABLES: &[&str] = &["directory_index", "post_search", "project_post_search"];

fn engine_specific(table: &str) -> bool {
    ENGINE_SPECIFIC_TABLES
        .iter()
        .any(|name| table == *name || table.starts_with(&format!("{name}_")))
}

fn compared(table: &str) -> bool {
    table != "_sqlx_migrations" && !table.starts_with("sqlite_") && !engine_specific(table)
}

/// The type family of a declared type: the engines spell the same storage
/// differently (`INTEGER`/`BIGINT`, `REAL`/`DOUBLE PRECISION`).
fn type_family(declared: &str) -> String {
    let upper = declared.to_ascii_uppercase();
    let family = if upper.contains("INT") {
        "integer"
    } else if upper.contains("CHAR") || upper.contains("TEXT") || upper.contains("CLOB") {
        "text"
    } else if upper.contains("BLOB") || upper.contains("BYTEA") {
        "blob"
    } else if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") {
        "real"
    } else if upper.contains("BOOL") {
        "boolean"
    } else {
        return declared.to_ascii_lowercase();
    };
    family.to_string()
}

/// A default as written, without PostgreSQL's casts (`'fr'::text`).
fn normalised_default(default: Option<String>) -> String {
    let Some(default) = default else {
        return "-".to_string();
    };
    let mut text = default.trim().to_string();
    while text.starts_with('(') && text.ends_with(')') {
        text = text[1..text.len() - 1].trim().to_string();
    }
    if let Some(cast) = text.rfind("::") {
        if !text[cast..].contains('\'') {
            text.truncate(cast);
        }
    }
    text
}

fn column_line(table: &str, name: &str, declared: &str, not_null: bool, default: String) -> String {
    let null = if not_null { "not null" } else { "null" };
    format!(
        "column {table}.{name} {} {null} default {default}",
        type_family(declared)
    )
}

/// What one engine's catalog says, one readable line per fact.
type Schema = BTreeSet<String>;

async fn sqlite_schema(pool: &SqlitePool) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(pool)
            .await
            .unwrap();
    for table in tables.iter().filter(|table| compared(table)) {
        schema.insert(format!("table {table}"));
        sqlite_columns(pool, table, &mut schema).await;
        sqlite_indexes(pool, table, &mut schema).await;
        sqlite_foreign_keys(pool, table, &mut schema).await;
    }
    schema
}

async fn sqlite_columns(pool: &SqlitePool, table: &str, schema: &mut Schema) {
    let rows = sqlx::query(
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1) ORDER BY cid",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut primary_key = BTreeMap::new();
    for row in rows {
        let name: String = row.get("name");
        let pk: i64 = row.get("pk");
        // A primary key column is never null (PostgreSQL says so, SQLite
        // only for INTEGER PRIMARY KEY, but the store never writes one).
        let not_null = row.get::<i64, _>("notnull") == 1 || pk > 0;
        let default = normalised_default(row.get("dflt_value"));
        let declared: String = row.get("type");
        schema.insert(column_line(table, &name, &declared, not_null, default));
        if pk > 0 {
            primary_key.insert(pk, name);
        }
    }
    if !primary_key.is_empty() {
        let columns: Vec<String> = primary_key.into_values().collect();
        schema.insert(format!("primary key {table} ({})", columns.join(", ")));
    }
}

async fn sqlite_indexes(pool: &SqlitePool, table: &str, schema: &mut Schema) {
    let indexes = sqlx::query(
        "SELECT name, \"unique\", origin, partial FROM pragma_index_list($1) ORDER BY name",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap();
    for index in indexes {
        let name: String = index.get("name");
        let columns: Vec<Option<String>> =
            sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap();
        let columns: Vec<String> = columns
            .into_iter()
            .map(|column| column.unwrap_or_else(|| "(expression)".to_string()))
            .collect();
        let origin: String = index.get("origin");
        let unique = index.get::<i64, _>("unique") == 1;
        let partial = index.get::<i64, _>("partial") == 1;
        match origin.as_str() {
            "pk" => {} // read from the columns
            "u" => {
                schema.insert(format!("unique {table} ({})", columns.join(", ")));
            }
            _ => {
                schema.insert(index_line(table, &name, &columns, unique, partial));
            }
        }
    }
}

fn index_line(table: &str, name: &str, columns: &[String], unique: bool, partial: bool) -> String {
    format!(
        "index {name} on {table} ({}){}{}",
        columns.join(", "),
        if unique { " unique" } else { "" },
        if partial { " partial" } else { "" }
    )
}

/// One SQLite foreign key: target table, columns, referenced columns (none
/// when the target's primary key is meant), `ON DELETE` action.
type SqliteForeignKey = (String, Vec<String>, Vec<Option<String>>, String);

async fn sqlite_foreign_keys(pool: &SqlitePool, table: &str, schema: &mut Schema) {
    let rows = sqlx::query(
        "SELECT id, \"table\" AS target, \"from\" AS source, \"to\" AS referenced, on_delete \
         FROM pragma_foreign_key_list($1) ORDER BY id, seq",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut keys: BTreeMap<i64, SqliteForeignKey> = BTreeMap::new();
    for row in rows {
        let entry = keys.entry(row.get("id")).or_insert_with(|| {
            (
                row.get("target"),
                Vec::new(),
                Vec::new(),
                row.get("on_delete"),
            )
        });
        entry.1.push(row.get("source"));
        entry.2.push(row.get("referenced"));
    }
    for (target, columns, referenced, on_delete) in keys.into_values() {
        // `REFERENCES t` without columns names t's primary key.
        let referenced = if referenced.iter().all(Option::is_none) {
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk")
                .bind(&target)
                .fetch_all(pool)
                .await
                .unwrap()
        } else {
            referenced
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect()
        };
        schema.insert(foreign_key_line(
            table,
            &columns,
            &target,
            &referenced,
            &on_delete,
        ));
    }
}

fn foreign_key_line(
    table: &str,
    columns: &[String],
    target: &str,
    referenced: &[String],
    on_delete: &str,
) -> String {
    format!(
        "foreign key {table} ({}) references {target} ({}) on delete {}",
        columns.join(", "),
        referenced.join(", "),
        on_delete.to_ascii_lowercase()
    )
}

async fn postgres_schema(pool: &PgPool) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for table in tables.iter().filter(|table| compared(table)) {
        schema.insert(format!("table {table}"));
    }
    postgres_columns(pool, &mut schema).await;
    postgres_indexes(pool, &mut schema).await;
    postgres_constraints(pool, &mut schema).await;
    schema
}

async fn postgres_columns(pool: &PgPool, schema: &mut Schema) {
    let rows = sqlx::query(
        "SELECT table_name::text AS tbl, column_name::text AS name, data_type::text AS declared, \
         is_nullable::text AS nullable, column_default::text AS dflt \
         FROM information_schema.columns JOIN information_schema.tables USING (table_schema, table_name) \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for row in rows {
        let table: String = row.get("tbl");
        if !compared(&table) {
            continue;
        }
        let not_null = row.get::<String, _>("nullable") == "NO";
        schema.insert(column_line(
            &table,
            &row.get::<String, _>("name"),
            &row.get::<String, _>("declared"),
            not_null,
            normalised_default(row.get("dflt")),
        ));
    }
}

/// The columns of `key` (an `int2[]` of attribute numbers of `relation`),
/// in order, as one comma-separated string.
const KEY_COLUMNS: &str = "array_to_string(ARRAY(SELECT a.attname::text \
     FROM unnest(KEY) WITH ORDINALITY AS k(attnum, ord) \
     JOIN pg_attribute a ON a.attrelid = RELATION AND a.attnum = k.attnum \
     ORDER BY k.ord), ',')";

fn key_columns(key: &str, relation: &str) -> String {
    KEY_COLUMNS
        .replace("KEY", key)
        .replace("RELATION", relation)
}

fn split_columns(columns: &str) -> Vec<String> {
    columns.split(',').map(str::to_string).collect()
}

async fn postgres_indexes(pool: &PgPool, schema: &mut Schema) {
    // Indexes behind a primary key or unique constraint are constraints.
    let query = format!(
        "SELECT t.relname::text AS tbl, i.relname::text AS name, ix.indisunique AS is_unique, \
         ix.indpred IS NOT NULL AS partial, {} AS columns \
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
             WHERE c.conindid = ix.indexrelid AND c.contype IN ('p', 'u'))",
        key_columns("ix.indkey::int2[]", "t.oid")
    );
    for row in sqlx::query(&query).fetch_all(pool).await.unwrap() {
        let table: String = row.get("tbl");
        if !compared(&table) {
            continue;
        }
        schema.insert(index_line(
            &table,
            &row.get::<String, _>("name"),
            &split_columns(&row.get::<String, _>("columns")),
            row.get("is_unique"),
            row.get("partial"),
        ));
    }
}

async fn postgres_constraints(pool: &PgPool, schema: &mut Schema) {
    let query = format!(
        "SELECT c.conrelid::regclass::text AS tbl, c.contype::text AS kind, {} AS columns, \
         CASE WHEN c.contype = 'f' THEN c.confrelid::regclass::text ELSE '' END AS target, \
         CASE WHEN c.contype = 'f' THEN {} ELSE '' END AS referenced, \
         c.confdeltype::text AS on_delete \
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f')",
        key_columns("c.conkey", "c.conrelid"),
        key_columns("c.confkey", "c.confrelid")
    );
    for row in sqlx::query(&query).fetch_all(pool).await.unwrap() {
        let table: String = row.get("tbl");
        if !compared(&table) {
            continue;
        }
        let columns = split_columns(&row.get::<String, _>("columns"));
        let line = match row.get::<String, _>("kind").as_str() {
            "p" => format!("primary key {table} ({})", columns.join(", ")),
            "u" => format!("unique {table} ({})", columns.join(", ")),
            _ => {
                let on_delete = match row.get::<String, _>("on_delete").as_str() {
                    "r" => "restrict",
                    "c" => "cascade",
                    "n" => "set null",
                    "d" => "set default",
                    _ => "no action",
                };
                foreign_key_line(
                    &table,
                    &columns,
                    &row.get::<String, _>("target"),
                    &split_columns(&row.get::<String, _>("referenced")),
                    on_delete,
                )
            }
        };
        schema.insert(line);
    }
}

/// Both schemas' differences, readable: what only one engine has.
fn differences(sqlite: &Schema, postgres: &Schema) -> String {
    let mut report = String::new();
    for line in sqlite.difference(postgres) {
        report.push_str(&format!("  only on SQLite:     {line}\n"));
    }
    for line in postgres.difference(sqlite) {
        report.push_str(&format!("  only on PostgreSQL: {line}\n"));
    }
    report
}

async fn migrated_sqlite() -> (Schema, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("parity.db").display());
    let store = Store::connect(&url, 2).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    let pool = SqlitePool::connect(&url).await.unwrap();
    let schema = sqlite_schema(&pool).await;
    pool.close().await;
    (schema, dir)
}

async fn migrated_postgres(base: &str) -> Schema {
    let mut url = url::Url::parse(base).unwrap();
    let name = format!(
        "preau_parity_{}_{}",
        std::process::id(),
        Clock::system().now_ms()
    );
    url.set_path(&format!("/{name}"));
    let store = Store::connect(url.as_str(), 2).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    let pool = PgPool::connect(url.as_str()).await.unwrap();
    let schema = postgres_schema(&pool).await;
    pool.close().await;
    let admin = PgPool::connect(base).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    schema
}

/// The catalog readers see each kind of fact (so that two empty readings
/// cannot pass for equal schemas).
fn assert_reads_every_kind_of_fact(schema: &Schema) {
    for expected in [
        "table actors",
        "column actors.domain text not null default ''",
        "primary key actors (id)",
        "unique actors (name, domain)",
        "index sessions_account on sessions (account_id)",
        "foreign key accounts (actor_id) references actors (id) on delete no action",
    ] {
        assert!(
            schema.contains(expected),
            "{expected} not read: {schema:#?}"
        );
    }
}

#[tokio::test]
async fn both_engines_have_the_same_schema_after_all_migrations() {
    let (sqlite, _dir) = migrated_sqlite().await;
    assert_reads_every_kind_of_fact(&sqlite);
    let base = match std::env::var("PREAU_TEST_POSTGRES_URL") {
        Ok(base) if !base.is_empty() => base,
        _ => {
            eprintln!(
                "notice: PREAU_TEST_POSTGRES_URL is not set: the schema parity check is skipped"
            );
            return;
        }
    };
    let postgres = migrated_postgres(&base).await;
    assert_reads_every_kind_of_fact(&postgres);
    let report = differences(&sqlite, &postgres);
    eprintln!("schema parity: {} facts compared", sqlite.len());
    assert!(
        report.is_empty(),
        "the SQLite and PostgreSQL schemas differ after all migrations:\n{report}"
    );
}

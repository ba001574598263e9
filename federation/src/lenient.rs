//! Deserialisers that tolerate the many shapes other servers give a field.
//!
//! A remote actor with an odd `url` or `icon` must still be usable, so fields
//! we only display are parsed leniently: a value of an unexpected shape
//! becomes `None` (or an empty list) instead of failing the whole document.

use serde::{de::DeserializeOwned, Deserialize, Deserializer};
use serde_json::Value;

/// Parses `T`, or gives `None` when the value has another shape.
pub fn optional<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

/// Parses a list of strings written either as one string or as an array;
/// entries that are not strings are skipped.
pub fn string_list<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::String(one) => vec![one],
        Value::Array(many) => many
            .into_iter()
            .filter_map(|item| match item {
                Value::String(text) => Some(text),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// Parses a list of JSON values written either as one value or as an array.
pub fn value_list<'de, D>(deserializer: D) -> Result<Vec<Value>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::Array(many) => many,
        Value::Null => Vec::new(),
        one => vec![one],
    })
}

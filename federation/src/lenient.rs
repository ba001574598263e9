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

/// The URL a JSON value stands for: a string, an object's `id` (or a
/// `Link`'s `href`), or the first entry of an array that names one.
///
/// Servers write references in all these shapes (Prismo puts the actor in
/// an array of objects, Lemmy in a string), so every reference-valued field
/// goes through here.
pub fn id_of(value: &Value) -> Option<url::Url> {
    match value {
        Value::String(text) => text.parse().ok(),
        Value::Object(object) => object
            .get("id")
            .or_else(|| object.get("href"))
            .and_then(Value::as_str)
            .and_then(|text| text.parse().ok()),
        Value::Array(many) => many.iter().find_map(id_of),
        _ => None,
    }
}

/// The URL of the actor a JSON value names. Like [`id_of`], but in an array
/// it prefers a string or a `Person`: PeerTube attributes a video to its
/// author and its channel (`[Person, Group]`), and the author is wanted.
pub fn actor_id_of(value: &Value) -> Option<url::Url> {
    match value {
        Value::Array(many) => many
            .iter()
            .find(|item| {
                item.is_string() || item.get("type").and_then(Value::as_str) == Some("Person")
            })
            .and_then(id_of)
            .or_else(|| many.iter().find_map(id_of)),
        one => id_of(one),
    }
}

/// Parses a required reference (see [`id_of`]); fails when no URL is found,
/// because an activity without a usable `id` or `actor` cannot be checked.
pub fn required_id<'de, D>(deserializer: D) -> Result<url::Url, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    id_of(&value).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "expected a URL or an object with an id, got {value}"
        ))
    })
}

/// Parses an optional reference (see [`id_of`]); anything that names no
/// URL is read as absent.
pub fn optional_id<'de, D>(deserializer: D) -> Result<Option<url::Url>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    Ok(id_of(&value))
}

/// Parses an optional actor reference (see [`actor_id_of`]).
pub fn optional_actor_id<'de, D>(deserializer: D) -> Result<Option<url::Url>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    Ok(actor_id_of(&value))
}

/// Parses a JSON value that may be `null`, reading `null` as absent so that
/// re-serialising does not write `"replies": null`.
pub fn non_null<'de, D>(deserializer: D) -> Result<Option<Value>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::Null => None,
        other => Some(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_are_read_in_every_shape() {
        let want = "https://a.example/u/x";
        for value in [
            json!(want),
            json!({ "type": "Person", "id": want }),
            json!([{ "type": "Person", "id": want }]),
            json!([want, "https://a.example/c/y"]),
            json!({ "type": "Link", "href": want }),
        ] {
            assert_eq!(
                id_of(&value).map(String::from).as_deref(),
                Some(want),
                "{value}"
            );
        }
        assert_eq!(id_of(&json!("not a url")), None);
        assert_eq!(id_of(&json!(null)), None);
    }

    #[test]
    fn the_person_of_a_mixed_attribution_is_the_author() {
        let value = json!([
            { "type": "Group", "id": "https://v.example/c/channel" },
            { "type": "Person", "id": "https://v.example/a/author" }
        ]);
        assert_eq!(
            actor_id_of(&value).map(String::from).as_deref(),
            Some("https://v.example/a/author")
        );
    }
}

//! The three trust levels an instance can declare and a reader can verify.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// How far a reader can trust where content comes from, lowest first.
///
/// The order matters: the effective level of a remote instance is the lowest
/// of several levels, so `Ord` follows informal < associative < institutional.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum TrustLevel {
    /// Anyone; statements bind only their author.
    #[default]
    Informal,
    /// An association's instance.
    Associative,
    /// An academy's node where every account has a verified academic address.
    Institutional,
}

impl TrustLevel {
    /// The stable lowercase name used in config files, JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TrustLevel::Informal => "informal",
            TrustLevel::Associative => "associative",
            TrustLevel::Institutional => "institutional",
        }
    }
}

impl fmt::Display for TrustLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a trust level name that is not one of the three.
#[derive(Debug, thiserror::Error)]
#[error("unknown trust level `{0}`: expected informal, associative or institutional")]
pub struct UnknownTrustLevel(pub String);

impl FromStr for TrustLevel {
    type Err = UnknownTrustLevel;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "informal" => Ok(TrustLevel::Informal),
            "associative" => Ok(TrustLevel::Associative),
            "institutional" => Ok(TrustLevel::Institutional),
            other => Err(UnknownTrustLevel(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_from_informal_to_institutional() {
        assert!(TrustLevel::Informal < TrustLevel::Associative);
        assert!(TrustLevel::Associative < TrustLevel::Institutional);
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for level in [
            TrustLevel::Informal,
            TrustLevel::Associative,
            TrustLevel::Institutional,
        ] {
            assert_eq!(level.as_str().parse::<TrustLevel>().ok(), Some(level));
        }
        assert!("official".parse::<TrustLevel>().is_err());
    }
}

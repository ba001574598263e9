//! The `[projects]` section: shared documents (largest size, accepted
//! types) and its checks.

use super::{ConfigError, Settings};
use serde::Deserialize;

/// `[projects]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProjectSettings {
    /// Largest shared document, in bytes.
    pub max_document_bytes: u64,
    /// Media types a shared document may have; a file's type is taken
    /// from its name's extension.
    pub document_types: Vec<String>,
}

impl Default for ProjectSettings {
    fn default() -> Self {
        ProjectSettings {
            max_document_bytes: 10 * 1024 * 1024,
            document_types: [
                "application/pdf",
                "application/vnd.oasis.opendocument.text",
                "application/vnd.oasis.opendocument.spreadsheet",
                "application/vnd.oasis.opendocument.presentation",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "text/plain",
                "text/markdown",
                "text/csv",
                "image/png",
                "image/jpeg",
                "image/svg+xml",
                "application/zip",
            ]
            .iter()
            .map(|t| t.to_string())
            .collect(),
        }
    }
}

impl Settings {
    /// Checks `[projects]`: the document size bound and known types.
    pub(super) fn check_projects(&self) -> Result<(), ConfigError> {
        if self.projects.max_document_bytes == 0 || self.projects.max_document_bytes > 1 << 30 {
            return Err(ConfigError::Inconsistent(
                "projects.max_document_bytes must be between 1 and 1073741824 (1 GiB)".to_string(),
            ));
        }
        for media_type in &self.projects.document_types {
            if !crate::domain::project_content::DOCUMENT_TYPES
                .iter()
                .any(|(_, known)| known == media_type)
            {
                return Err(ConfigError::Inconsistent(format!(
                    "projects.document_types: `{media_type}` is not a type Préau recognises by extension"
                )));
            }
        }
        Ok(())
    }
}

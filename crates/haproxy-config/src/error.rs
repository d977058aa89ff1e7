//! The crate's error type.

use std::path::PathBuf;
use std::sync::Arc;

/// What can go wrong while loading templates or rendering.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A template's text is not a valid marathon-lb template.
    #[error("{origin}: {reason}")]
    Template {
        /// Where the text came from: a template, variable, file or label.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A template file could not be read.
    #[error("reading template {}", path.display())]
    ReadTemplate {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// Two servers of one backend would have the same name.
    #[error("backend {backend}: two servers would be named {server}")]
    DuplicateServer {
        /// The backend.
        backend: String,
        /// The server name.
        server: String,
    },
    /// A service's labels do not fit together.
    #[error("label {label}: {reason}")]
    Label {
        /// The label at fault.
        label: String,
        /// What is wrong.
        reason: String,
    },
}

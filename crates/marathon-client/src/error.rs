//! The crate's error type.

/// What can go wrong while talking to Marathon or reading its answers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is not JSON, or not an apps document at all.
    #[error("invalid apps document: {message} at line {line}, column {column}")]
    Document {
        /// What serde_json said was wrong.
        message: String,
        /// The 1-based line where decoding stopped.
        line: usize,
        /// The 1-based column where decoding stopped.
        column: usize,
    },
}

impl Error {
    pub(crate) fn document(err: &serde_json::Error) -> Self {
        // serde_json's Display appends " at line L column C"; keep only the
        // message since the position has fields of its own.
        let text = err.to_string();
        let message = match text.rfind(" at line ") {
            Some(cut) => text[..cut].to_owned(),
            None => text,
        };
        Error::Document { message, line: err.line(), column: err.column() }
    }
}

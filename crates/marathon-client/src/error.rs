//! The crate's error type.

#[cfg(feature = "http")]
use std::{path::PathBuf, time::Duration};

/// What can go wrong while talking to Marathon or reading its answers.
///
/// Messages never carry a password, token or private key, and every URL in
/// them has its user-info part removed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is not JSON, or not an apps document at all.
    #[error("invalid apps document: {message} at line {line}, column {column}")]
    Document {
        /// What `serde_json` said was wrong.
        message: String,
        /// The 1-based line where decoding stopped.
        line: usize,
        /// The 1-based column where decoding stopped.
        column: usize,
    },

    /// One server-sent event grew past the parser's size limit.
    #[error("server-sent event too large: more than {limit} bytes")]
    EventTooLarge {
        /// The limit in bytes that was exceeded.
        limit: usize,
    },

    /// The client was built without any Marathon URL.
    #[cfg(feature = "http")]
    #[error("no marathon url given")]
    NoUrls,

    /// A Marathon URL or a redirect target is not a usable absolute
    /// `http(s)://host[:port]` URL.
    #[cfg(feature = "http")]
    #[error("invalid marathon url: {url}: {reason}")]
    InvalidUrl {
        /// The URL, with any user-info part removed.
        url: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// Credentials could not be parsed; the text never contains them.
    #[cfg(feature = "http")]
    #[error("invalid credentials: {reason}")]
    Credentials {
        /// What is wrong with them.
        reason: String,
    },

    /// A credential or certificate file could not be read.
    #[cfg(feature = "http")]
    #[error("cannot read file: {path}")]
    File {
        /// The file that was being read.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The CA certificate file holds no usable PEM certificate.
    #[cfg(feature = "http")]
    #[error("invalid ca certificate file: {path}: {reason}")]
    CaCertificate {
        /// The file that was read.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// The request did not get an HTTP answer: connection refused, DNS,
    /// TLS, a timeout or a broken connection.
    #[cfg(feature = "http")]
    #[error("request failed: {url}")]
    Transport {
        /// The URL asked, with any user-info part removed.
        url: String,
        /// What the HTTP client reported.
        #[source]
        source: ureq::Error,
    },

    /// Marathon (or the DC/OS login endpoint) answered with a status that
    /// is not a success.
    #[cfg(feature = "http")]
    #[error("unexpected http status {status}: {url}{}", detail_suffix(.message.as_deref()))]
    Status {
        /// The URL asked, with any user-info part removed.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The `message` field of a JSON error body, when there is one.
        message: Option<String>,
    },

    /// The answer arrived but could not be used.
    #[cfg(feature = "http")]
    #[error("invalid answer: {url}")]
    InvalidAnswer {
        /// The URL asked, with any user-info part removed.
        url: String,
        /// Why the answer was refused.
        #[source]
        source: Box<Error>,
    },

    /// An answer body was not valid for another reason than its JSON
    /// structure, for example a missing field.
    #[cfg(feature = "http")]
    #[error("{reason}")]
    Body {
        /// What is wrong with the body.
        reason: String,
    },

    /// Redirects went on for longer than allowed, or pointed nowhere.
    #[cfg(feature = "http")]
    #[error("bad redirect: {url}: {reason}")]
    Redirect {
        /// The URL that answered with the redirect.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// Signing the DC/OS login token failed.
    #[cfg(feature = "http")]
    #[error("cannot sign dc/os login token: {reason}")]
    Signing {
        /// What the crypto library reported (never key material).
        reason: String,
    },

    /// The event stream sent no byte, not even a keepalive, for too long.
    #[cfg(feature = "http")]
    #[error("event stream idle for {idle:?}: {url}")]
    StreamIdle {
        /// The stream URL, with any user-info part removed.
        url: String,
        /// How long the stream was silent.
        idle: Duration,
    },

    /// The server closed the event stream.
    #[cfg(feature = "http")]
    #[error("event stream closed by server: {url}")]
    StreamClosed {
        /// The stream URL, with any user-info part removed.
        url: String,
    },
}

#[cfg(feature = "http")]
fn detail_suffix(message: Option<&str>) -> String {
    message.map(|m| format!(" ({m})")).unwrap_or_default()
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
        Error::Document {
            message,
            line: err.line(),
            column: err.column(),
        }
    }

    /// The HTTP status of a [`Error::Status`] error, or of the error behind
    /// an [`Error::InvalidAnswer`]; `None` for every other error.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            #[cfg(feature = "http")]
            Error::Status { status, .. } => Some(*status),
            #[cfg(feature = "http")]
            Error::InvalidAnswer { source, .. } => source.status(),
            _ => None,
        }
    }
}

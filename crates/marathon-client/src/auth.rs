//! Credentials for Marathon: HTTP Basic and DC/OS service accounts, kept out of every log line.

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::Error;
use crate::dcos::ServiceAccount;

/// A secret string (password, token, private key) that never shows itself
/// in `Debug` or `Display` output.
///
/// The only way to the value is [`Secret::expose`], which makes every place
/// that handles the plain text easy to find.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The plain value, for the few places that must send it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A user name and password for HTTP Basic authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicCredentials {
    /// The user name; not secret, so it may appear in logs.
    pub user: String,
    /// The password.
    pub password: Secret,
}

impl BasicCredentials {
    /// Parses `user:pass`, splitting at the first colon so that the password
    /// may itself contain colons.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let Some((user, password)) = value.split_once(':') else {
            return Err(Error::Credentials {
                reason: "expected user:password".to_owned(),
            });
        };
        if user.is_empty() {
            return Err(Error::Credentials {
                reason: "empty user name".to_owned(),
            });
        }
        Ok(BasicCredentials {
            user: user.to_owned(),
            password: Secret::new(password),
        })
    }

    /// The value of an `Authorization` header for these credentials.
    pub(crate) fn header_value(&self) -> Secret {
        let pair = format!("{}:{}", self.user, self.password.expose());
        Secret::new(format!("Basic {}", STANDARD.encode(pair)))
    }
}

/// Reads HTTP Basic credentials from the first line of a file
/// (`--marathon-auth-credential-file`), which holds `user:pass`.
///
/// Trailing CR/LF is removed; nothing else is trimmed, since a password may
/// end in a space.
pub fn read_credential_file(path: &Path) -> Result<BasicCredentials, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::File {
        path: path.to_owned(),
        source,
    })?;
    let first = text.lines().next().unwrap_or_default();
    BasicCredentials::parse(first).map_err(|err| match err {
        Error::Credentials { reason } => Error::Credentials {
            reason: format!("{reason} in {}", path.display()),
        },
        other => other,
    })
}

/// How the client proves who it is to Marathon.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// HTTP Basic on every request.
    Basic(BasicCredentials),
    /// A DC/OS service account: log in with a signed token, then send
    /// `Authorization: token=...`.
    DcosServiceAccount(ServiceAccount),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_redacted_in_debug_and_display() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(secret.to_string(), "[redacted]");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn basic_credentials_debug_shows_user_but_not_password() {
        let creds = BasicCredentials::parse("alice:s3cr:et").unwrap();
        assert_eq!(creds.user, "alice");
        assert_eq!(creds.password.expose(), "s3cr:et");
        let debug = format!("{creds:?}");
        assert!(debug.contains("alice"), "{debug}");
        assert!(!debug.contains("s3cr"), "{debug}");
    }

    #[test]
    fn basic_credentials_without_colon_are_refused_without_echoing_them() {
        let err = BasicCredentials::parse("justapassword").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid credentials: expected user:password"
        );
    }

    #[test]
    fn basic_credentials_with_empty_user_are_refused() {
        assert!(BasicCredentials::parse(":pw").is_err());
    }

    #[test]
    fn basic_header_is_base64_of_user_and_password() {
        let creds = BasicCredentials::parse("user:pass").unwrap();
        assert_eq!(creds.header_value().expose(), "Basic dXNlcjpwYXNz");
    }

    #[test]
    fn credential_file_uses_first_line_without_line_end() {
        let dir = std::env::temp_dir().join(format!("mlb-cred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("creds");
        std::fs::write(&path, "bob:pa ss\r\nignored:line\n").unwrap();
        let creds = read_credential_file(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(creds.user, "bob");
        assert_eq!(creds.password.expose(), "pa ss");
    }

    #[test]
    fn missing_credential_file_names_the_path() {
        let err = read_credential_file(Path::new("/nonexistent/mlb-creds")).unwrap_err();
        assert_eq!(err.to_string(), "cannot read file: /nonexistent/mlb-creds");
    }
}

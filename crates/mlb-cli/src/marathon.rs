//! Reaching Marathon: the connection flags of `poll` and `sse` and the client they build.

use std::path::PathBuf;
use std::time::Duration;

use marathon_client::{
    Auth, BasicCredentials, Client, ServiceAccount, read_credential_file, split_urls,
};

use crate::daemon::parse_seconds;

/// How to reach and log in to Marathon, named as marathon-lb names them.
#[derive(Debug, Clone, clap::Args)]
pub struct MarathonFlags {
    /// Marathon URLs, tried in order until one answers; repeat the flag or
    /// separate URLs with spaces.
    #[arg(
        short = 'm',
        long = "marathon",
        value_name = "URL",
        num_args = 1..,
        default_value = "http://master.mesos:8080"
    )]
    pub marathon: Vec<String>,

    /// HTTP Basic credentials `user:password`. Visible to anyone who can
    /// list processes: prefer --marathon-auth-credential-file.
    #[arg(
        long,
        value_name = "USER:PASSWORD",
        conflicts_with = "marathon_auth_credential_file"
    )]
    pub auth_credentials: Option<String>,

    /// A file whose first line is `user:password` for HTTP Basic.
    #[arg(long, value_name = "PATH")]
    pub marathon_auth_credential_file: Option<PathBuf>,

    /// Trust only the CA certificates in this PEM file for https:// URLs.
    #[arg(long, value_name = "PATH")]
    pub marathon_ca_cert: Option<PathBuf>,

    /// A DC/OS service account credential `{"uid", "private_key",
    /// "login_endpoint"}`; default: the `DCOS_SERVICE_ACCOUNT_CREDENTIAL`
    /// environment variable.
    #[arg(long, value_name = "JSON")]
    pub dcos_auth_credentials: Option<String>,

    /// Seconds to wait for a connection to a Marathon URL before trying
    /// the next one.
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = parse_timeout)]
    pub marathon_connect_timeout: Duration,

    /// Seconds a request to Marathon may take in all (for the event stream:
    /// until its headers come). A Marathon that accepts and then says
    /// nothing holds an update, and a stop, this long at most.
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = parse_timeout)]
    pub marathon_request_timeout: Duration,
}

/// Parses a timeout in seconds: a number of seconds more than zero, as
/// a timeout of zero would fail every request.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let timeout = parse_seconds(text)?;
    if timeout.is_zero() {
        return Err("a timeout must be more than 0 seconds".to_owned());
    }
    Ok(timeout)
}

/// Why no Marathon client could be built from the flags.
#[derive(Debug, thiserror::Error)]
pub enum MarathonFlagsError {
    /// Both HTTP Basic credentials and a DC/OS service account are given.
    #[error(
        "conflicting credentials: give http basic credentials or a dc/os service account, not both"
    )]
    BothCredentials,

    /// The credentials, the CA file or a URL are not usable.
    #[error("marathon settings")]
    Client(#[from] marathon_client::Error),
}

impl MarathonFlags {
    /// The authentication the flags ask for.
    pub fn auth(&self) -> Result<Auth, MarathonFlagsError> {
        let basic = match (&self.marathon_auth_credential_file, &self.auth_credentials) {
            (Some(path), _) => Some(read_credential_file(path)?),
            (None, Some(pair)) => Some(BasicCredentials::parse(pair)?),
            (None, None) => None,
        };
        let dcos = match &self.dcos_auth_credentials {
            Some(json) => Some(ServiceAccount::from_json(json)?),
            None => ServiceAccount::from_env()?,
        };
        match (basic, dcos) {
            (Some(_), Some(_)) => Err(MarathonFlagsError::BothCredentials),
            (Some(basic), None) => Ok(Auth::Basic(basic)),
            (None, Some(account)) => Ok(Auth::DcosServiceAccount(account)),
            (None, None) => Ok(Auth::None),
        }
    }

    /// A client for the given URLs with the given credentials.
    pub fn client(&self) -> Result<Client, MarathonFlagsError> {
        let mut builder = Client::builder(split_urls(&self.marathon))
            .auth(self.auth()?)
            .connect_timeout(self.marathon_connect_timeout)
            .request_timeout(self.marathon_request_timeout);
        if let Some(path) = &self.marathon_ca_cert {
            builder = builder.ca_cert_file(path);
        }
        Ok(builder.build()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_seconds_more_than_zero() {
        assert_eq!(parse_timeout("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_timeout("60"), Ok(Duration::from_secs(60)));
        assert!(parse_timeout("0").unwrap_err().contains("more than 0"));
        assert!(parse_timeout("-1").is_err());
        assert!(parse_timeout("soon").is_err());
    }
}

//! Typed access to Marathon's REST API and event stream.
//!
//! The [`wire`] module holds serde types for the parts of
//! `GET /v2/apps?embed=apps.tasks` that a load balancer needs, in both the
//! Marathon 1.4 shape (`ipAddress`, `container.docker.network`) and the
//! 1.5+ shape (`networks`, `container.portMappings`). Unknown fields are
//! ignored and documented defaults apply where Marathon omits a field.
//!
//! Decoding is forgiving per app: one app with a field of the wrong type is
//! reported and left out, the others decode.
//!
//! ```
//! let doc = br#"{"apps": [{"id": "/web", "tasks": []}, {"id": 7}]}"#;
//! let decoded = marathon_client::wire::decode_apps(doc).unwrap();
//! assert_eq!(decoded.apps.len(), 1);
//! assert_eq!(decoded.rejected.len(), 1);
//! ```
//!
//! The [`sse`] parser and the [`Backoff`] schedule are pure and always
//! built.
//!
//! With the default `http` feature the crate also speaks HTTP to Marathon,
//! synchronously (ureq, no async runtime):
//!
//! - [`Client`] spreads requests over several Marathon URLs, sticking to the
//!   last one that answered and failing over on connection errors, timeouts
//!   and 5xx answers. It authenticates with HTTP Basic or a DC/OS service
//!   account ([`Auth`]) and can trust a private CA.
//! - [`EventStream`] reads `/v2/events`, follows a standby's redirect to the
//!   leader and reconnects by itself with jittered backoff, telling the
//!   caller about every (re)connection so that it can resynchronise.
//!
//! ```no_run
//! # #[cfg(feature = "http")]
//! # fn main() -> Result<(), marathon_client::Error> {
//! use std::time::Duration;
//! use marathon_client::{Auth, BasicCredentials, Client, split_urls};
//!
//! let client = Client::builder(split_urls(["http://m1:8080 http://m2:8080"]))
//!     .auth(Auth::Basic(BasicCredentials::parse("user:pass")?))
//!     .connect_timeout(Duration::from_secs(2))
//!     .build()?;
//! let apps = client.fetch_decoded_apps()?;
//! println!("{} apps", apps.apps.len());
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "http"))]
//! # fn main() {}
//! ```
//!
//! The crate never logs: whatever an operator should hear about (a
//! disconnection, a refused answer) comes back to the caller as a value.
//! Without the `http` feature it pulls in no HTTP client or crypto, which is
//! how the domain model depends on it. The `test-support` feature adds
//! [`test_support::FakeMarathon`], a fake server for integration tests.

pub mod backoff;
pub mod sse;
pub mod wire;

#[cfg(feature = "http")]
mod auth;
#[cfg(feature = "http")]
mod dcos;
mod error;
#[cfg(feature = "http")]
mod events;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "test-support")]
pub mod test_support;
#[cfg(feature = "http")]
mod urls;

#[cfg(feature = "http")]
pub use auth::{Auth, BasicCredentials, Secret, read_credential_file};
pub use backoff::Backoff;
#[cfg(feature = "http")]
pub use dcos::{SERVICE_ACCOUNT_ENV, ServiceAccount};
pub use error::Error;
#[cfg(feature = "http")]
pub use events::{
    DEFAULT_BACKOFF_INITIAL, DEFAULT_BACKOFF_MAX, DEFAULT_EVENT_TYPES, DEFAULT_IDLE_TIMEOUT,
    EventStream, EventStreamConfig, MarathonEvent, StreamItem,
};
#[cfg(feature = "http")]
pub use http::{
    APPS_PATH, Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_REQUEST_TIMEOUT,
};
#[cfg(feature = "http")]
pub use urls::split_urls;

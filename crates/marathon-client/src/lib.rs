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
//! Without the `http` feature the crate pulls in no HTTP client, which is
//! how the domain model depends on it.

pub mod backoff;
pub mod sse;
pub mod wire;

mod error;

pub use backoff::Backoff;
pub use error::Error;

//! Marathon apps as load-balancer services.
//!
//! This crate turns the apps of `GET /v2/apps?embed=apps.tasks` into
//! [`Service`]s: one per service port, each with its settings (from the
//! `HAPROXY_{n}_*` labels) and its [`Backend`]s (the tasks that serve it).
//! It implements marathon-lb's rules for blue/green deployment groups,
//! networking modes, IP-per-task service ports, health-check selection and
//! task filtering, so that the same Marathon state gives the same services.
//!
//! It does no I/O: host names are resolved through the [`Resolver`] the
//! caller passes, and health-check answers are remembered in a
//! [`HealthMemory`] the caller keeps between runs. Problems with single apps
//! (a label that does not parse, a task without an address) never fail the
//! whole build: the service is left out and a [`Warning`] says why.
//!
//! ```
//! let apps = marathon_client::wire::decode_apps(br#"[{
//!     "id": "/web", "labels": {"HAPROXY_0_VHOST": "Web.Example.com"},
//!     "portDefinitions": [{"port": 10000}],
//!     "tasks": [{"id": "t1", "host": "10.0.0.1", "ports": [31000], "state": "TASK_RUNNING"}]
//! }]"#).unwrap().apps;
//! let model = lb_model::build(apps, &lb_model::Options::default(), &lb_model::IpLiteralResolver, &mut lb_model::HealthMemory::default());
//! let web = &model.services[0];
//! assert_eq!(web.hostname.as_deref(), Some("web.example.com"));
//! assert_eq!((web.service_port, web.backends[0].port), (10000, 31000));
//! ```

mod bluegreen;
mod build;
mod claims;
mod health;
mod labels;
mod ports;
mod resolve;
mod screen;
mod service;
mod time;
mod validate;

pub use build::{Model, ModelBuilder, Options, build};
pub use health::HealthMemory;
pub use labels::{APP_LABELS, LABELS, Label};
pub use resolve::{IpLiteralResolver, Resolver};
pub use service::{Auth, Backend, HealthCheck, Service, Warning};

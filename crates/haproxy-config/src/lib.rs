//! HAProxy configuration from load-balancer services.
//!
//! This crate renders the [`lb_model::Service`]s of a cluster into an
//! HAProxy config with marathon-lb's templates, names and rules, so that
//! clusters switching from marathon-lb keep their labels, their template
//! overrides and the same frontends, backends, ACLs and server ids.
//!
//! Rendering is deterministic: the same services, options and templates
//! give the same bytes. Templates are written in marathon-lb's syntax
//! (`{placeholder}`, `{{` and `}}` for braces), compiled once into
//! [handlebars](handlebars) templates. The crate does not talk to Marathon,
//! write files or run HAProxy: it takes the model and returns text.
//!
//! ```
//! use haproxy_config::{RenderOptions, Templates, render};
//!
//! let mut web = lb_model::Service::default_for("/web", 10000);
//! web.app_groups = vec!["external".to_owned()];
//! web.backends.push(lb_model::Backend {
//!     host: "10.0.0.1".to_owned(),
//!     ip: "10.0.0.1".to_owned(),
//!     port: 31000,
//!     draining: false,
//! });
//! let rendered = render(&[web], &RenderOptions::default(), &Templates::default()).unwrap();
//! assert!(rendered.config.contains("frontend web_10000\n  bind *:10000\n  mode tcp\n"));
//! assert!(rendered.config.contains("  server 10_0_0_1_31000 10.0.0.1:31000 id "));
//! ```

mod catalog;
mod clashes;
mod error;
mod names;
mod order;
mod render;
mod staged;
mod template;
mod templates;
mod vhost;

pub use catalog::{TEMPLATES, TemplateSpec, spec};
pub use error::Error;
pub use names::{backend_name, sanitize, server_cookie, server_id, server_name};
pub use render::{RenderOptions, Rendered, SkippedService, render, stage};
pub use staged::{Staged, StagedConfig};
pub use template::Template;
pub use templates::{Source, Templates};

//! The pieces of the `mlb-cli` binary: rendering from a file or from
//! Marathon, and applying a rendered config to a running HAProxy safely.
//!
//! The binary in `main.rs` only parses flags and calls into these modules.

pub mod admin;
pub mod apply;
pub mod bisect;
pub mod culprits;
pub mod daemon;
pub mod docs;
pub mod log;
pub mod marathon;
pub mod render;
pub mod schedule;
pub mod signals;
pub mod update;
pub mod warnings;

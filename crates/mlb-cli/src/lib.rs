//! The pieces of the `mlb-cli` binary: rendering from a file or from
//! Marathon, and applying a rendered config to a running HAProxy safely.
//!
//! The binary in `main.rs` only parses flags and calls into these modules.

pub mod apply;
pub mod bisect;
pub mod render;

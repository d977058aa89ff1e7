//! Integration tests of `mlb-cli`, one module per topic.

mod apply;
mod bisect;
mod cli;
mod docs;
mod haproxy_check;
mod hostile;
mod hostile_properties;
mod live;
mod properties;
mod rig;

//! Integration tests of `mlb-cli`, one module per topic.

mod apply;
mod bisect;
mod haproxy_check;
mod live;
mod rig;

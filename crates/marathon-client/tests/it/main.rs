//! Integration tests for marathon-client: real HTTP against a fake Marathon on 127.0.0.1.

mod apps;
mod auth;
mod events;
mod failover;
mod fake_marathon;
mod tls;

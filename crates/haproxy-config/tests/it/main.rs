//! Integration tests of haproxy-config: the fixtures of `fixtures/` go
//! through the Marathon decoder, the model and the renderer, and the
//! configs and map files they give are pinned as insta snapshots.

mod blue_green;
mod clusters;
mod groups;
mod health_checks;
mod invariants;
mod labels;
mod networking;
mod support;
mod task_states;
mod vhosts;

//! Integration tests of `lb-model`, one module per topic.

mod cluster;
mod properties;

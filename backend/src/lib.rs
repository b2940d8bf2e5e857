//! Tweets: a small microblog API.
//!
//! The crate is a library plus a thin `tweets` binary (`main.rs`): the binary
//! parses the command line and calls into [`cli`]; the integration tests build
//! the same application through [`startup::Application`].

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod limits;
pub mod media;
pub mod metrics;
pub mod ratelimit;
pub mod routes;
pub mod schema;
pub mod seed;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use config::Settings;
pub use error::ApiError;

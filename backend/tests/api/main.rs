#![allow(clippy::unwrap_used, clippy::expect_used)]

//! HTTP tests against the real application on port 0, each on its own fresh
//! PostgreSQL database cloned from a migrated template.

mod helpers;

mod admin;
mod auth;
mod cli;
mod errors;
mod health;
mod images;
mod me;
mod metrics;
mod openapi;
mod pagination;
mod ratelimit;
mod reliability;
mod replicas;
mod s3;
mod schema;
mod search;
mod security;
mod sessions;
mod social;
mod static_files;
mod streaming;
mod timeline;
mod tweets;
mod users;

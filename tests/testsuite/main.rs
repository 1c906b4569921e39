//! milepost's integration tests: each module builds small fixture sites from
//! `tests/fixtures/` (copied to a temporary folder) with the real binary or
//! the library, and asserts on the files written.

mod build;
mod commands;
mod crash;
mod errors;
mod fixture;
mod hashtags;
mod hostile;
mod import;
mod links;
mod offline;
mod photos;
mod properties;
mod rebuild;
mod routes;
mod search;
mod serve;
mod serve_abuse;
mod structure;
mod video;

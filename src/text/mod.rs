//! Recognisers for the small units of report text that every later stage
//! needs: padding, heading markers ([`numbering`]) and dates ([`dates`]).
//!
//! This is the bottom layer: it imports nothing else from the crate, so
//! cleaning ([`crate::ingest`]) and parsing ([`crate::report`]) can both use
//! it without importing each other.

pub mod dates;
pub mod numbering;

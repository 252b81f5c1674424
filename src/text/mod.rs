//! Recognisers for the small units of report text that every later stage
//! needs: padding, heading markers ([`numbering`]), dates ([`dates`]) and the
//! traditional → simplified character fold ([`script`]).
//!
//! This is the bottom layer: it imports nothing else from the crate, so
//! cleaning (`ingest`) and parsing (`report`) can both use
//! it without importing each other.

pub mod dates;
pub mod numbering;
pub mod printable;
pub mod script;

//! fazhi — full-text search for Chinese government rule-of-law reports
//! (法治政府建设年度报告 / 工作报告 / 工作总结).
//!
//! The pipeline follows the data, each layer importing only those before
//! it: [`text`] recognises padding, heading markers, dates and script;
//! [`ingest`] crawls, decodes, extracts and cleans; [`report`] parses metadata and the heading tree; [`region`] maps a
//! bureau to the GB/T 2260 gazetteer down to townships; [`bureau_id`] gives
//! each body one identity across spellings and years; [`analysis`]
//! normalises and tokenises; [`index`] writes one tantivy document per
//! section; [`query`] parses, searches and snippets; [`topics`] scores
//! sections by area of work; [`reuse`] finds text copied between reports
//! and copies of whole reports; [`bureaus`] aggregates hits per reporting body;
//! [`export`] streams every hit to CSV, XLSX, JSON or `_bulk` lines;
//! [`output`] renders results for terminals and scripts; [`serve`] is the
//! web page and JSON API; [`cmd`] holds one module per subcommand.

pub mod analysis;
pub mod bureau_id;
pub mod bureaus;
pub mod cmd;
pub mod engine;
pub mod export;
pub mod index;
pub mod ingest;
pub mod output;
pub mod parallel;
pub mod query;
pub mod region;
pub mod report;
pub mod reuse;
pub mod serve;
pub mod text;
pub mod topics;
pub mod trends;

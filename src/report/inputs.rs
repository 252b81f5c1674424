//! What shapes a report's metadata besides its own text: the bureau alias
//! table (built in, plus a `bureaus.toml` in the corpus folder) and the
//! user's metadata file (`metadata.csv` / `metadata.jsonl` in the corpus
//! folder, or `--metadata FILE`).
//!
//! Indexing parses every changed file through [`ParseInputs::parse`], and
//! records two fingerprints so that a change is never missed: the alias
//! table's ([`ParseInputs::aliases_fingerprint`], a change re-reads every
//! report) and each file's metadata row's (folded into the file's content
//! hash by [`ParseInputs::file_fingerprint`], a change re-reads that file).

use std::path::Path;

use super::{Report, apply_user_metadata, parse_report_with};
use crate::bureau_id::BureauAliases;
use crate::ingest::LoadedText;
use crate::ingest::user_metadata::UserMetadata;

/// The alias table and the user's metadata for one corpus.
#[derive(Debug, Clone)]
pub struct ParseInputs {
    pub aliases: BureauAliases,
    pub user: UserMetadata,
}

impl Default for ParseInputs {
    fn default() -> ParseInputs {
        ParseInputs {
            aliases: BureauAliases::builtin(),
            user: UserMetadata::default(),
        }
    }
}

impl ParseInputs {
    /// The inputs of the corpus at `corpus`: its `bureaus.toml` if any, and
    /// `metadata` or its own metadata file if any. A broken alias table or
    /// an unreadable metadata file is an error (`FILE: cause`); bad rows come
    /// back as warnings.
    pub fn load_for_corpus(
        corpus: &Path,
        metadata: Option<&Path>,
    ) -> Result<(ParseInputs, Vec<String>), String> {
        let mut inputs = ParseInputs {
            aliases: BureauAliases::load_for_corpus(corpus)?,
            ..ParseInputs::default()
        };
        let mut warnings = Vec::new();
        if let Some(file) = UserMetadata::locate(metadata, corpus) {
            let (user, problems) = UserMetadata::load(&file)?;
            inputs.user = user;
            warnings = problems;
        }
        Ok((inputs, warnings))
    }

    /// Fingerprint of the alias table: a change means every report's bureau
    /// may read differently.
    pub fn aliases_fingerprint(&self) -> String {
        self.aliases.fingerprint()
    }

    /// The change detector of one file: its content hash, and its metadata
    /// row's when it has one.
    pub fn file_fingerprint(&self, rel_path: &str, content_hash: &str) -> String {
        match self.user.get(rel_path) {
            Some(row) => {
                let row = serde_json::to_string(row).unwrap_or_default();
                format!(
                    "{content_hash}+{:016x}",
                    xxhash_rust::xxh3::xxh3_64(row.as_bytes())
                )
            }
            None => content_hash.to_string(),
        }
    }

    /// Parse one file's text with these inputs. `rel_path` finds its
    /// metadata row; `path` is the path the report cites.
    pub fn parse(&self, rel_path: &str, path: &str, doc_id: &str, loaded: &LoadedText) -> Report {
        let mut report = parse_report_with(path, doc_id, loaded, &self.aliases);
        if let Some(row) = self.user.get(rel_path) {
            apply_user_metadata(&mut report, row, &self.aliases);
        }
        report
    }
}

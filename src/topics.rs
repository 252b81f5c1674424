//! Topic taxonomy and section scoring (placeholder interface; filled in by the topics work).

use std::path::Path;

/// A section's topic scores, one per taxonomy topic (slot order), and its main topics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionTopics {
    pub scores: Vec<f64>,
    pub main: Vec<usize>,
}

/// The topic taxonomy.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    pub names: Vec<String>,
}

impl Taxonomy {
    /// The taxonomy to use for a corpus: `explicit` file, else `topics.toml` beside the corpus, else built in.
    pub fn load_for_corpus(_corpus: &Path, _explicit: Option<&Path>) -> anyhow::Result<Taxonomy> {
        Ok(Taxonomy::default())
    }

    /// Stable fingerprint of the taxonomy's content.
    pub fn fingerprint(&self) -> String {
        String::new()
    }

    /// Score one section.
    pub fn score_section(&self, _heading: &str, _body: &str) -> SectionTopics {
        SectionTopics::default()
    }
}

impl Taxonomy {
    /// The known variants of `term` (the synonym group containing it, compared
    /// after normalisation), `term` itself first; just `[term]` when unknown.
    pub fn synonyms_of(&self, term: &str) -> Vec<String> {
        vec![term.to_string()]
    }
}

//! Topics: recognised areas of rule-of-law work (普法, 行政执法, 合法性审查 …)
//! and how much each section talks about them.
//!
//! Users rarely ask "where does the word X occur?" but "where do reports talk
//! about X?", where X is an area of work that the genre names in many ways
//! (合法性审查 / 合法性审核 / 法制审核; 普法 / 法治宣传教育 / 谁执法谁普法 …).
//! A [`Taxonomy`] lists those areas with weighted terms; every section is
//! scored against every topic once, at index time, and the scores are stored
//! in fast fields so that ranking a topic never re-reads text.
//!
//! # The taxonomy file
//!
//! TOML, embedded from `data/topics.toml` (which documents the format);
//! replaced by `--taxonomy FILE` or by a `topics.toml` beside the corpus. A
//! broken file is reported as `FILE: line N: message`.
//!
//! # Scoring
//!
//! Heading and body are normalised exactly as for search
//! ([`crate::analysis::normalize`]: no punctuation, spaces or width
//! differences). Each topic's terms are matched left to right, longest term
//! first, each match consuming its characters — so 谁执法谁普法 counts once,
//! not also as 执法 and 普法, and a weight-0 term can shield a stock phrase.
//! For topic `t` with terms `i` of weight `w_i`:
//!
//! ```text
//! f_i   = body_count_i + H · heading_count_i          (H = heading_weight, 2)
//! K     = k1 · (1 − b + b · L / L0)                    (L = normalised body length,
//!                                                       L0 = ref_len 250, k1 1.2, b 0.75)
//! score = Σ_i  w_i · (k1 + 1) · f_i / (f_i + K)
//! ```
//!
//! This is BM25's term-frequency part with the taxonomy weight in place of
//! IDF: repeating one term saturates, so breadth of the topic's vocabulary
//! counts more than repetition; long sections that touch everything are
//! normalised down against short focused ones; a term in the heading counts
//! as two in the body, but a section with no body of its own scores 0 — the
//! heading only ever adds to evidence in the text, since headings are often
//! templates whose sections talk about something else. The reference length
//! is fixed (not the corpus average) so that a section's score does not change
//! when other reports are added.
//!
//! A section *discusses* a topic when its score reaches `main_min` (6: about
//! two distinct strong terms in a typical paragraph) — `search --topic`
//! restricts to these sections and `matrix` counts them. Its *main* topics are
//! those it discusses that also reach `main_ratio` of its best score, at most
//! `max_main`, best first; they fill the index's `topic` field (the
//! `Filters::topic` filter).
//!
//! Matching all topics costs one pass over a section: a table from first
//! character to every topic's terms gives each topic its own longest-match
//! counts (see `score::Scanner`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use xxhash_rust::xxh3::xxh3_64;

use crate::analysis::normalize;

mod score;

pub use score::{Explanation, TermContribution};
use score::{Matcher, Scanner, Term};

/// The built-in taxonomy.
pub const BUILTIN_TOPICS: &str = include_str!("../../data/topics.toml");

/// Name of the taxonomy file looked for beside the corpus.
pub const CORPUS_TOPICS_FILE: &str = "topics.toml";

/// Number of topic score slots in the index schema (a taxonomy may use
/// fewer). Defined here, below the index, because a taxonomy must not
/// have more topics than the schema has slots.
pub const MAX_TOPICS: usize = 32;

/// The name of the index's fast field holding each section's score for
/// topic `slot` (the schema declares [`MAX_TOPICS`] of them).
pub fn score_field(slot: usize) -> String {
    format!("topic_score_{slot}")
}

/// Bumped whenever the scoring code changes, so that indexes re-score.
const SCORER_VERSION: u32 = 1;

/// A section's topic scores, one per taxonomy topic (slot order), and its main topics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionTopics {
    pub scores: Vec<f64>,
    /// Slots of the main topics, best first.
    pub main: Vec<usize>,
}

/// Parameters of the scoring formula (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scoring {
    pub k1: f64,
    pub b: f64,
    pub ref_len: f64,
    pub heading_weight: f64,
    pub main_min: f64,
    pub main_ratio: f64,
    pub max_main: usize,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            k1: 1.2,
            b: 0.75,
            ref_len: 250.0,
            heading_weight: 2.0,
            main_min: 6.0,
            main_ratio: 0.5,
            max_main: 3,
        }
    }
}

/// One topic of the taxonomy.
#[derive(Debug, Clone)]
pub struct Topic {
    pub name: String,
    pub aliases: Vec<String>,
    pub description: String,
    /// Synonym groups, as written.
    pub variants: Vec<Vec<String>>,
    matcher: Matcher,
}

impl Topic {
    /// The scoring terms (weight > 0) with their weights, heaviest first.
    pub fn terms(&self) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = self
            .matcher
            .terms
            .iter()
            .filter(|t| t.weight > 0.0)
            .map(|t| (t.text.clone(), t.weight))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}

/// The topic taxonomy.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    /// Topic names, in slot order.
    pub names: Vec<String>,
    topics: Vec<Topic>,
    scoring: Scoring,
    /// Where it came from: `built-in` or a file path.
    source: String,
    /// All topics' terms, for scoring a section in one pass.
    scanner: Scanner,
}

// ---------------------------------------------------------------------------
// The file format

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    scoring: Option<Spanned<ScoringFile>>,
    #[serde(default)]
    topic: Vec<Spanned<TopicFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoringFile {
    k1: Option<f64>,
    b: Option<f64>,
    ref_len: Option<f64>,
    heading_weight: Option<f64>,
    main_min: Option<f64>,
    main_ratio: Option<f64>,
    max_main: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicFile {
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    variants: Vec<Vec<Spanned<String>>>,
    #[serde(default)]
    terms: BTreeMap<String, Spanned<f64>>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// An error at a byte offset of a taxonomy file.
struct Located {
    offset: usize,
    message: String,
}

fn at<T>(offset: usize, message: impl Into<String>) -> Result<T, Located> {
    Err(Located {
        offset,
        message: message.into(),
    })
}

/// The `[scoring]` table: each value checked against its rule, defaults for the rest.
fn scoring_from(spanned: Spanned<ScoringFile>) -> Result<Scoring, Located> {
    let off = spanned.span().start;
    let s = spanned.into_inner();
    let check = |v: Option<f64>, name: &str, ok: fn(f64) -> bool, rule: &str| match v {
        Some(x) if !x.is_finite() || !ok(x) => at(off, format!("[scoring] {name} must be {rule}")),
        other => Ok(other),
    };
    let unit = |x: f64| (0.0..=1.0).contains(&x);
    let d = Scoring::default();
    Ok(Scoring {
        k1: check(s.k1, "k1", |x| x > 0.0, "> 0")?.unwrap_or(d.k1),
        b: check(s.b, "b", unit, "between 0 and 1")?.unwrap_or(d.b),
        ref_len: check(s.ref_len, "ref_len", |x| x > 0.0, "> 0")?.unwrap_or(d.ref_len),
        heading_weight: check(s.heading_weight, "heading_weight", |x| x >= 0.0, ">= 0")?
            .unwrap_or(d.heading_weight),
        main_min: check(s.main_min, "main_min", |x| x >= 0.0, ">= 0")?.unwrap_or(d.main_min),
        main_ratio: check(s.main_ratio, "main_ratio", unit, "between 0 and 1")?
            .unwrap_or(d.main_ratio),
        max_main: match s.max_main {
            Some(0) => return at(off, "[scoring] max_main must be at least 1"),
            Some(n) => n,
            None => d.max_main,
        },
    })
}

/// One `[[topic]]`: its name and aliases (unique across the file, recorded
/// in `known`), weighted terms and variant groups.
fn topic_from(
    spanned: Spanned<TopicFile>,
    known: &mut BTreeMap<String, String>,
) -> Result<Topic, Located> {
    let topic_off = spanned.span().start;
    let tf = spanned.into_inner();
    let name = tf.name.get_ref().trim().to_string();
    if normalize(&name).is_empty() {
        return at(tf.name.span().start, "topic name is empty");
    }
    let mut aliases = Vec::new();
    for label in std::iter::once(&tf.name).chain(tf.aliases.iter()) {
        let key = normalize(label.get_ref());
        if key.is_empty() {
            return at(label.span().start, format!("empty alias in topic {name}"));
        }
        if let Some(owner) = known.get(&key) {
            return at(
                label.span().start,
                format!("'{}' already names topic {owner}", label.get_ref()),
            );
        }
        known.insert(key, name.clone());
        if !std::ptr::eq(label, &tf.name) {
            aliases.push(label.get_ref().trim().to_string());
        }
    }
    let mut terms = weighted_terms(&tf.terms)?;
    let variants = variant_groups(&tf.variants, &name, topic_off, &mut terms)?;
    if !terms.values().any(|t| t.weight > 0.0) {
        return at(
            topic_off,
            format!("topic {name} has no terms with a weight above 0"),
        );
    }
    Ok(Topic {
        name,
        aliases,
        description: tf.description.trim().to_string(),
        variants,
        matcher: Matcher::new(terms.into_values().collect()),
    })
}

/// A topic's `terms` table, keyed by normalised form (two spellings that
/// normalise alike are an error).
fn weighted_terms(
    table: &BTreeMap<String, Spanned<f64>>,
) -> Result<BTreeMap<String, Term>, Located> {
    let mut terms: BTreeMap<String, Term> = BTreeMap::new();
    for (text, weight) in table {
        let off = weight.span().start;
        let w = *weight.get_ref();
        if !w.is_finite() || !(0.0..=100.0).contains(&w) {
            return at(off, format!("weight of '{text}' must be between 0 and 100"));
        }
        let norm = normalize(text);
        if norm.is_empty() {
            return at(off, format!("term '{text}' has no letters or digits"));
        }
        if let Some(other) = terms.get(&norm) {
            return at(
                off,
                format!(
                    "term '{text}' is the same as '{}' once punctuation is ignored",
                    other.text
                ),
            );
        }
        let chars = norm.chars().collect();
        terms.insert(
            norm,
            Term {
                text: text.clone(),
                chars,
                weight: w,
            },
        );
    }
    Ok(terms)
}

/// Variant groups: unweighted members join `terms` with the group's highest weight.
fn variant_groups(
    groups: &[Vec<Spanned<String>>],
    topic: &str,
    topic_off: usize,
    terms: &mut BTreeMap<String, Term>,
) -> Result<Vec<Vec<String>>, Located> {
    let mut variants = Vec::new();
    for group in groups {
        let mut members: Vec<String> = Vec::new();
        for m in group {
            if normalize(m.get_ref()).is_empty() {
                return at(m.span().start, format!("empty variant in topic {topic}"));
            }
            members.push(m.get_ref().trim().to_string());
        }
        if members.len() < 2 {
            let off = group.first().map_or(topic_off, |m| m.span().start);
            return at(
                off,
                format!("a variant group of topic {topic} needs at least two members"),
            );
        }
        let group_weight = members
            .iter()
            .filter_map(|m| terms.get(&normalize(m)).map(|t| t.weight))
            .reduce(f64::max);
        if let Some(w) = group_weight {
            for m in &members {
                let norm = normalize(m);
                terms.entry(norm.clone()).or_insert_with(|| Term {
                    text: m.clone(),
                    chars: norm.chars().collect(),
                    weight: w,
                });
            }
        }
        variants.push(members);
    }
    Ok(variants)
}

impl Taxonomy {
    /// The taxonomy shipped with fazhi.
    pub fn builtin() -> Taxonomy {
        Taxonomy::parse(BUILTIN_TOPICS, "built-in")
            .unwrap_or_else(|e| panic!("the built-in data/topics.toml is broken: {e:#}"))
    }

    /// Parse a taxonomy file's text; `origin` names it in errors (`origin: line N: …`).
    pub fn parse(text: &str, origin: &str) -> anyhow::Result<Taxonomy> {
        let doc: FileDoc = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            let message = e.message().trim().to_string();
            match line {
                Some(n) => anyhow::anyhow!("{origin}: line {n}: {message}"),
                None => anyhow::anyhow!("{origin}: {message}"),
            }
        })?;
        Taxonomy::from_doc(doc, origin).map_err(|e| {
            anyhow::anyhow!("{origin}: line {}: {}", line_of(text, e.offset), e.message)
        })
    }

    /// Read and parse a taxonomy file.
    pub fn load_file(path: &Path) -> anyhow::Result<Taxonomy> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the topic taxonomy", path.display()))?;
        Taxonomy::parse(&text, &path.display().to_string())
    }

    /// Where the taxonomy for `corpus` comes from: `explicit`, else
    /// `topics.toml` beside the corpus (inside the corpus folder), else built in.
    pub fn source_for_corpus(corpus: &Path, explicit: Option<&Path>) -> Option<PathBuf> {
        if let Some(p) = explicit {
            return Some(p.to_path_buf());
        }
        let beside = corpus.join(CORPUS_TOPICS_FILE);
        beside.is_file().then_some(beside)
    }

    /// The taxonomy to use for a corpus: `explicit` file, else `topics.toml` beside the corpus, else built in.
    pub fn load_for_corpus(corpus: &Path, explicit: Option<&Path>) -> anyhow::Result<Taxonomy> {
        match Taxonomy::source_for_corpus(corpus, explicit) {
            Some(path) => Taxonomy::load_file(&path),
            None => Ok(Taxonomy::builtin()),
        }
    }

    fn from_doc(doc: FileDoc, origin: &str) -> Result<Taxonomy, Located> {
        let scoring = match doc.scoring {
            Some(s) => scoring_from(s)?,
            None => Scoring::default(),
        };
        if doc.topic.is_empty() {
            return at(0, "no [[topic]] defined");
        }
        // Normalised name or alias → owning topic's name, for uniqueness.
        let mut known: BTreeMap<String, String> = BTreeMap::new();
        let mut topics = Vec::new();
        for spanned in doc.topic {
            if topics.len() == MAX_TOPICS {
                return at(
                    spanned.span().start,
                    format!("too many topics (at most {})", MAX_TOPICS),
                );
            }
            topics.push(topic_from(spanned, &mut known)?);
        }
        let scanner = Scanner::new(&topics.iter().map(|t| &t.matcher).collect::<Vec<_>>());
        Ok(Taxonomy {
            names: topics.iter().map(|t| t.name.clone()).collect(),
            topics,
            scoring,
            source: origin.to_string(),
            scanner,
        })
    }

    /// Stable fingerprint of everything that affects stored scores and topic
    /// names (not aliases or descriptions).
    pub fn fingerprint(&self) -> String {
        if self.topics.is_empty() {
            return String::new();
        }
        let mut canon = format!("fazhi-topics/{SCORER_VERSION}\n{:?}\n", self.scoring);
        for t in &self.topics {
            canon.push_str(&format!("[{}]\n", t.name));
            for term in &t.matcher.terms {
                canon.push_str(&format!(
                    "{}={}\n",
                    term.chars.iter().collect::<String>(),
                    term.weight
                ));
            }
        }
        format!("{:016x}", xxh3_64(canon.as_bytes()))
    }

    /// The topics, in slot order.
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// The scoring parameters.
    pub fn scoring(&self) -> &Scoring {
        &self.scoring
    }

    /// `built-in` or the file the taxonomy was read from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The slot of a topic given by name or alias (normalised comparison).
    pub fn resolve(&self, name: &str) -> Option<usize> {
        let key = normalize(name);
        if key.is_empty() {
            return None;
        }
        self.topics
            .iter()
            .position(|t| normalize(&t.name) == key)
            .or_else(|| {
                self.topics
                    .iter()
                    .position(|t| t.aliases.iter().any(|a| normalize(a) == key))
            })
    }

    /// The known variants of `term` (the synonym group containing it, compared
    /// after normalisation), `term` itself first; just `[term]` when unknown.
    pub fn synonyms_of(&self, term: &str) -> Vec<String> {
        let key = normalize(term);
        let mut out = vec![term.to_string()];
        let mut seen = vec![key.clone()];
        for topic in &self.topics {
            for group in &topic.variants {
                if !group.iter().any(|m| normalize(m) == key) {
                    continue;
                }
                for m in group {
                    let n = normalize(m);
                    if !seen.contains(&n) {
                        seen.push(n);
                        out.push(m.clone());
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_with_required_topics() {
        let t = Taxonomy::builtin();
        for name in [
            "普法",
            "行政执法",
            "合法性审查",
            "重大行政决策",
            "法律顾问",
            "政务公开",
            "行政复议与应诉",
            "放管服与审批",
            "依法治校",
            "矛盾纠纷化解",
            "第一责任人",
            "营商环境",
            "疫情防控",
            "未成年人保护",
        ] {
            assert!(t.resolve(name).is_some(), "missing topic {name}");
        }
        assert!(t.names.len() <= MAX_TOPICS);
        assert_eq!(t.fingerprint().len(), 16);
    }

    #[test]
    fn synonyms_group_term_first() {
        let t = Taxonomy::builtin();
        let s = t.synonyms_of("法制审核");
        assert_eq!(s[0], "法制审核");
        assert!(s.iter().any(|x| x == "合法性审查"));
        assert!(s.iter().any(|x| x == "合法性审核"));
        assert_eq!(s.iter().filter(|x| normalize(x) == "法制审核").count(), 1);
        let s = t.synonyms_of("双随机一公开");
        assert_eq!(s[0], "双随机一公开");
        assert!(s.len() > 1);
        assert_eq!(t.synonyms_of("无关词"), vec!["无关词".to_string()]);
    }

    #[test]
    fn aliases_resolve() {
        let t = Taxonomy::builtin();
        assert_eq!(t.resolve("法制审核"), t.resolve("合法性审查"));
        assert_eq!(t.resolve(" 普法 "), t.resolve("普法"));
        assert_eq!(t.resolve("nothing"), None);
    }

    #[test]
    fn heading_only_sections_score_zero() {
        let t = Taxonomy::builtin();
        let s = t.score_section("（三）强化法治教育，提升普法宣传实效", "");
        assert!(s.scores.iter().all(|&x| x == 0.0));
        assert!(s.main.is_empty());
    }

    #[test]
    fn heading_counts_more_but_body_decides() {
        let t = Taxonomy::builtin();
        let slot = t.resolve("普法").unwrap();
        let body = "落实谁执法谁普法普法责任制，开展宪法宣传周活动。";
        let plain = t.score_section("（一）其他工作", body).scores[slot];
        let titled = t.score_section("（一）深化普法宣传", body).scores[slot];
        assert!(plain > 0.0 && titled > plain, "{plain} {titled}");
        let unrelated = t
            .score_section("（一）深化普法宣传", "完成年度预算编制。")
            .scores[slot];
        assert!(
            unrelated < plain,
            "heading alone must not outrank text: {unrelated} vs {plain}"
        );
    }

    #[test]
    fn saturation_and_length() {
        let t = Taxonomy::builtin();
        let slot = t.resolve("政务公开").unwrap();
        let once = t.score_section("", "推进政务公开。").scores[slot];
        let many = t.score_section("", &"推进政务公开。".repeat(20)).scores[slot];
        let broad = t
            .score_section("", "推进政务公开，做好依申请公开和政策解读。")
            .scores[slot];
        assert!(many < 1.5 * once, "repetition saturates: {once} {many}");
        assert!(broad > once);
        let diluted = t
            .score_section(
                "",
                &format!("推进政务公开。{}", "完成年度预算编制。".repeat(60)),
            )
            .scores[slot];
        assert!(
            diluted < once,
            "long text is normalised: {diluted} vs {once}"
        );
    }
}

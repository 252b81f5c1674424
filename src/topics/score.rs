//! Term matching and the scoring formula (see the parent module's docs).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

use super::{Scoring, SectionTopics, Taxonomy};
use crate::analysis::normalize;

/// A hasher for `char` keys: the scanners look up a map at every character
/// of every section, where SipHash cost more than the matching itself.
#[derive(Default)]
pub(super) struct CharHasher(u64);

impl Hasher for CharHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u32(&mut self, n: u32) {
        // Fibonacci hashing: one multiply spreads code points over the table.
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Map keyed by the first character of terms.
type CharMap<V> = HashMap<char, V, BuildHasherDefault<CharHasher>>;

/// One weighted term of a topic, as matched.
#[derive(Debug, Clone)]
pub(super) struct Term {
    /// The term as written in the taxonomy.
    pub text: String,
    /// Its normalised characters.
    pub chars: Vec<char>,
    /// Its weight; 0 marks a stock phrase that only blocks shorter terms.
    pub weight: f64,
}

/// Longest-match scanner over one topic's terms.
#[derive(Debug, Clone, Default)]
pub(super) struct Matcher {
    pub terms: Vec<Term>,
    /// First character → term indexes, longest first.
    by_first: CharMap<Vec<usize>>,
}

impl Matcher {
    pub fn new(terms: Vec<Term>) -> Matcher {
        let mut by_first: CharMap<Vec<usize>> = CharMap::default();
        for (i, t) in terms.iter().enumerate() {
            by_first.entry(t.chars[0]).or_default().push(i);
        }
        for list in by_first.values_mut() {
            list.sort_by(|&a, &b| {
                terms[b]
                    .chars
                    .len()
                    .cmp(&terms[a].chars.len())
                    .then(a.cmp(&b))
            });
        }
        Matcher { terms, by_first }
    }

    /// Occurrences of each term in normalised `text`: left to right, the
    /// longest term starting at a position wins and consumes its characters.
    pub fn count(&self, text: &[char]) -> Vec<u32> {
        let mut counts = vec![0u32; self.terms.len()];
        let mut i = 0;
        while i < text.len() {
            let found = self.by_first.get(&text[i]).and_then(|cands| {
                cands
                    .iter()
                    .copied()
                    .find(|&k| text[i..].starts_with(&self.terms[k].chars))
            });
            match found {
                Some(k) => {
                    counts[k] += 1;
                    i += self.terms[k].chars.len();
                }
                None => i += 1,
            }
        }
        counts
    }
}

/// All topics' terms in one first-character table, so that scoring a
/// section against every topic reads its text once. Gives, per topic, exactly
/// the counts of that topic's [`Matcher`].
#[derive(Debug, Clone, Default)]
pub(super) struct Scanner {
    /// First character → (topic, term) pairs, by topic, then longest first.
    by_first: CharMap<Vec<(usize, usize)>>,
    /// Normalised characters of each term, per topic.
    chars: Vec<Vec<Vec<char>>>,
}

impl Scanner {
    pub fn new(matchers: &[&Matcher]) -> Scanner {
        let chars: Vec<Vec<Vec<char>>> = matchers
            .iter()
            .map(|m| m.terms.iter().map(|t| t.chars.clone()).collect())
            .collect();
        let mut by_first: CharMap<Vec<(usize, usize)>> = CharMap::default();
        for (t, terms) in chars.iter().enumerate() {
            for (k, term) in terms.iter().enumerate() {
                by_first.entry(term[0]).or_default().push((t, k));
            }
        }
        for list in by_first.values_mut() {
            list.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(chars[b.0][b.1].len().cmp(&chars[a.0][a.1].len()))
                    .then(a.1.cmp(&b.1))
            });
        }
        Scanner { by_first, chars }
    }

    /// Per topic, occurrences of each of its terms (longest match per topic,
    /// matches consuming their characters, as [`Matcher::count`]).
    pub fn count_all(&self, text: &[char]) -> Vec<Vec<u32>> {
        let mut counts: Vec<Vec<u32>> = self
            .chars
            .iter()
            .map(|terms| vec![0; terms.len()])
            .collect();
        // Per topic: text before this position is consumed by a match.
        let mut cursor = vec![0usize; self.chars.len()];
        for i in 0..text.len() {
            let Some(cands) = self.by_first.get(&text[i]) else {
                continue;
            };
            for &(t, k) in cands {
                // Candidates of a topic come longest first: the first that
                // matches wins and moves the topic's cursor past position i.
                if i >= cursor[t] && text[i..].starts_with(&self.chars[t][k]) {
                    counts[t][k] += 1;
                    cursor[t] = i + self.chars[t][k].len();
                }
            }
        }
        counts
    }
}

/// How one term contributed to a section's topic score.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TermContribution {
    /// The term as written in the taxonomy.
    pub term: String,
    pub weight: f64,
    /// Occurrences in the body.
    pub body: u32,
    /// Occurrences in the heading.
    pub heading: u32,
    /// `weight × saturated frequency`: this term's share of the score.
    pub contribution: f64,
}

/// The full breakdown of one section's score for one topic (`--explain`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explanation {
    pub topic: String,
    pub score: f64,
    /// Normalised length of the body, in characters.
    pub body_len: usize,
    /// The length-normalised saturation constant `K = k1·(1 − b + b·len/ref_len)`.
    pub k: f64,
    pub k1: f64,
    pub heading_weight: f64,
    /// Matched terms, largest contribution first.
    pub terms: Vec<TermContribution>,
}

/// Normalised text of a section, ready for matching.
pub(super) struct Prepared {
    heading: Vec<char>,
    body: Vec<char>,
}

impl Prepared {
    pub fn new(heading: &str, body: &str) -> Prepared {
        Prepared {
            heading: normalize(heading).chars().collect(),
            body: normalize(body).chars().collect(),
        }
    }
}

/// `K` of the formula for a body of `len` normalised characters.
fn saturation_k(s: &Scoring, len: usize) -> f64 {
    s.k1 * (1.0 - s.b + s.b * len as f64 / s.ref_len)
}

/// `(k1 + 1)·f / (f + K)`.
fn saturate(s: &Scoring, f: f64, k: f64) -> f64 {
    if f <= 0.0 {
        0.0
    } else {
        (s.k1 + 1.0) * f / (f + k)
    }
}

impl Taxonomy {
    /// Per-term contributions of topic `slot` (terms that matched, weight > 0).
    fn contributions(
        &self,
        slot: usize,
        body_len: usize,
        body: &[u32],
        heading: &[u32],
    ) -> (f64, Vec<TermContribution>) {
        let s = &self.scoring;
        let k = saturation_k(s, body_len);
        let m = &self.topics[slot].matcher;
        if body_len == 0 {
            // A bare heading (a parent whose text lives in its children):
            // its heading alone must not rank it.
            return (k, Vec::new());
        }
        let mut out = Vec::new();
        for (i, t) in m.terms.iter().enumerate() {
            if t.weight <= 0.0 || body[i] + heading[i] == 0 {
                continue;
            }
            let f = f64::from(body[i]) + s.heading_weight * f64::from(heading[i]);
            out.push(TermContribution {
                term: t.text.clone(),
                weight: t.weight,
                body: body[i],
                heading: heading[i],
                contribution: t.weight * saturate(s, f, k),
            });
        }
        out.sort_by(|a, b| {
            b.contribution
                .total_cmp(&a.contribution)
                .then_with(|| a.term.cmp(&b.term))
        });
        (k, out)
    }

    /// Score one section: a score per topic (slot order) and its main topics.
    pub fn score_section(&self, heading: &str, body: &str) -> SectionTopics {
        let p = Prepared::new(heading, body);
        let body_counts = self.scanner.count_all(&p.body);
        let heading_counts = self.scanner.count_all(&p.heading);
        let scores: Vec<f64> = (0..self.topics.len())
            .map(|slot| {
                let (_, terms) = self.contributions(
                    slot,
                    p.body.len(),
                    &body_counts[slot],
                    &heading_counts[slot],
                );
                round(terms.iter().map(|c| c.contribution).sum())
            })
            .collect();
        let main = self.main_topics(&scores);
        SectionTopics { scores, main }
    }

    /// The main topics of a section with these scores: at least `main_min`,
    /// at least `main_ratio` of the best, at most `max_main`, best first.
    pub fn main_topics(&self, scores: &[f64]) -> Vec<usize> {
        let s = &self.scoring;
        let best = scores.iter().copied().fold(0.0, f64::max);
        let mut main: Vec<usize> = (0..scores.len().min(self.topics.len()))
            .filter(|&i| scores[i] >= s.main_min && scores[i] >= s.main_ratio * best)
            .collect();
        main.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        main.truncate(s.max_main);
        main
    }

    /// Call `f` with each of [`Taxonomy::main_topics`], without allocating
    /// when there are at most `max_main` candidates (the common case); the
    /// same slots, in slot order rather than best first.
    pub fn for_each_main_topic(&self, scores: &[f64], mut f: impl FnMut(usize)) {
        let s = &self.scoring;
        let best = scores.iter().copied().fold(0.0, f64::max);
        if best < s.main_min {
            return;
        }
        let is_main = |x: f64| x >= s.main_min && x >= s.main_ratio * best;
        let candidates = &scores[..scores.len().min(self.topics.len())];
        if candidates.iter().filter(|&&x| is_main(x)).count() > s.max_main {
            self.main_topics(scores).into_iter().for_each(f);
            return;
        }
        for (slot, &x) in candidates.iter().enumerate() {
            if is_main(x) {
                f(slot);
            }
        }
    }

    /// Whether a section with this score discusses the topic substantively
    /// (at least `main_min`), whether or not it is one of its main topics.
    pub fn covers(&self, score: f64) -> bool {
        score > 0.0 && score >= self.scoring.main_min
    }

    /// The breakdown of one section's score for topic `slot`.
    pub fn explain(&self, slot: usize, heading: &str, body: &str) -> Explanation {
        let p = Prepared::new(heading, body);
        let m = &self.topics[slot].matcher;
        let (k, terms) =
            self.contributions(slot, p.body.len(), &m.count(&p.body), &m.count(&p.heading));
        Explanation {
            topic: self.names[slot].clone(),
            score: round(terms.iter().map(|c| c.contribution).sum()),
            body_len: p.body.len(),
            k: round(k),
            k1: self.scoring.k1,
            heading_weight: self.scoring.heading_weight,
            terms: terms
                .into_iter()
                .map(|c| TermContribution {
                    contribution: round(c.contribution),
                    ..c
                })
                .collect(),
        }
    }
}

/// Scores are stored rounded so that they print and compare stably.
fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(terms: &[(&str, f64)]) -> Matcher {
        Matcher::new(
            terms
                .iter()
                .map(|(t, w)| Term {
                    text: t.to_string(),
                    chars: normalize(t).chars().collect(),
                    weight: *w,
                })
                .collect(),
        )
    }

    fn chars(s: &str) -> Vec<char> {
        normalize(s).chars().collect()
    }

    #[test]
    fn longest_match_consumes() {
        let m = matcher(&[("普法", 3.0), ("谁执法谁普法", 3.0), ("执法", 2.0)]);
        assert_eq!(
            m.count(&chars("落实“谁执法谁普法”普法责任制，严格执法")),
            vec![1, 1, 1]
        );
    }

    #[test]
    fn punctuation_is_ignored() {
        let m = matcher(&[("双随机、一公开", 3.0)]);
        assert_eq!(
            m.count(&chars("落实双随机一公开和“双随机、一公开”")),
            vec![2]
        );
    }

    #[test]
    fn scanner_agrees_with_per_topic_matchers() {
        let t = Taxonomy::builtin();
        let matchers: Vec<&Matcher> = t.topics.iter().map(|x| &x.matcher).collect();
        let scanner = Scanner::new(&matchers);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        texts.push(
            "落实“谁执法谁普法”普法责任制，严格执法，双随机、一公开，合法性审核机制".to_string(),
        );
        for text in &texts {
            let text = chars(text);
            let all = scanner.count_all(&text);
            for (slot, m) in matchers.iter().enumerate() {
                assert_eq!(all[slot], m.count(&text), "topic {}", t.names[slot]);
            }
        }
    }

    #[test]
    fn blocking_term_hides_shorter_ones() {
        let m = matcher(&[("执法", 2.0), ("谁执法谁普法", 0.0)]);
        assert_eq!(m.count(&chars("谁执法谁普法")), vec![0, 1]);
    }
}

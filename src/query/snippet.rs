//! Snippets: the best fragment of a section for a query, with the matched
//! text highlighted — [`snippet`] for one hit, [`Snippeter`] (same output)
//! for the hundreds of thousands of an export.

use std::collections::BTreeSet;

use crate::analysis::{
    RUN_SEPARATOR, fold_text_char, join_runs, normalize, normalize_with_offsets,
};

/// How a char of the text shows in a snippet: line breaks and run
/// separators as spaces.
fn shown(c: char) -> char {
    if c == '\n' || c == '\r' || c == RUN_SEPARATOR {
        ' '
    } else {
        c
    }
}

/// A display fragment with highlighted ranges (char offsets into `text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

/// The best fragment of `text` (about `width` chars) for the normalised
/// `needles`: the window holding the most distinct needles, first such.
pub fn snippet(text: &str, needles: &[&str], width: usize) -> Snippet {
    let (norm, offsets) = normalize_with_offsets(text);
    // Occurrences as (start byte, end byte, needle index) in the original text.
    let mut occ: Vec<(usize, usize, usize)> = Vec::new();
    for (k, needle) in needles.iter().enumerate() {
        let nd: Vec<char> = needle.chars().collect();
        if nd.is_empty() || nd.len() > norm.len() {
            continue;
        }
        let mut i = 0;
        while i + nd.len() <= norm.len() {
            if norm[i..i + nd.len()] == nd[..] {
                occ.push((offsets[i].0, offsets[i + nd.len() - 1].1, k));
                i += nd.len();
            } else {
                i += 1;
            }
        }
    }
    occ.sort();
    let char_starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let total = char_starts.len();
    let char_index = |byte: usize| char_starts.partition_point(|&b| b < byte);
    // Pick the occurrence whose window covers the most distinct needles.
    let mut best: Option<(usize, usize)> = None; // (distinct count, occ index)
    for (i, &(s, _, _)) in occ.iter().enumerate() {
        let cs = char_index(s);
        let distinct: BTreeSet<usize> = occ[i..]
            .iter()
            .take_while(|(s2, _, _)| char_index(*s2) < cs + width)
            .map(|(_, _, k)| *k)
            .collect();
        if best.is_none_or(|(n, _)| distinct.len() > n) {
            best = Some((distinct.len(), i));
        }
    }
    let start_char = match best {
        Some((_, i)) => char_index(occ[i].0).saturating_sub(width / 5),
        None => 0,
    };
    let end_char = (start_char + width).min(total);
    let start_char = end_char.saturating_sub(width).min(start_char);
    let byte_at = |c: usize| char_starts.get(c).copied().unwrap_or(text.len());
    let (sb, eb) = (byte_at(start_char), byte_at(end_char));
    let mut out = String::new();
    let mut highlights = Vec::new();
    if start_char > 0 {
        out.push('…');
    }
    let prefix = out.chars().count();
    out.extend(text[sb..eb].chars().map(shown));
    for &(s, e, _) in &occ {
        if s >= sb && e <= eb {
            let hs = prefix + char_index(s) - start_char;
            let he = prefix + char_index(e) - start_char;
            if highlights
                .last()
                .is_none_or(|&(_, last_end)| hs >= last_end)
            {
                highlights.push((hs, he));
            }
        }
    }
    if end_char < total {
        out.push('…');
    }
    Snippet {
        text: out,
        highlights,
    }
}

/// Snippet width in characters.
pub const SNIPPET_WIDTH: usize = 90;

/// Normalise `c` (see [`crate::analysis::fold_char`]; a run separator
/// becomes a barrier) onto `norm`, recording for each pushed char the index
/// `at` of the original char.
#[inline]
fn fold_at(c: char, at: u32, norm: &mut Vec<char>, orig: &mut Vec<u32>) {
    fold_text_char(c, |d| {
        norm.push(d);
        orig.push(at);
    });
}

/// [`snippet`] and [`make_hit`]'s matched strings in one pass over the text,
/// with buffers reused from hit to hit (exports build hundreds of thousands
/// of snippets). Output is identical to [`snippet`]'s; the text is
/// normalised once, and occurrences are kept as char indices, so no
/// per-char offset table of the original text is built.
#[derive(Debug, Default)]
pub struct Snippeter {
    needles: Vec<Vec<char>>,
    /// Normalised chars of the current text.
    norm: Vec<char>,
    /// For each normalised char, the index of the original char it came from.
    orig: Vec<u32>,
    /// Occurrences: (first char, char after the last, needle index).
    occ: Vec<(u32, u32, u32)>,
    found: Vec<bool>,
    distinct: BTreeSet<u32>,
    /// A section's heading and body, joined (reused).
    joined: String,
    /// The fragment of the last [`Snippeter::run`].
    pub text: String,
    /// Highlighted char ranges inside [`Snippeter::text`].
    pub highlights: Vec<(usize, usize)>,
}

impl Snippeter {
    /// A snippeter for normalised `needles` (the query's positive atoms).
    pub fn new(needles: &[&str]) -> Self {
        Snippeter {
            needles: needles.iter().map(|n| n.chars().collect()).collect(),
            found: vec![false; needles.len()],
            ..Snippeter::default()
        }
    }

    /// Whether needle `k` occurs in the last text (as `normalize(text)
    /// .contains(needle)`: an empty needle always does).
    pub fn found(&self, k: usize) -> bool {
        self.found[k]
    }

    /// A section's snippet, as `section_snippet` of the hit module makes
    /// it: from heading and body, or from the title the section carries on
    /// when only the title holds a needle; [`Snippeter::found`] covers the
    /// title too.
    pub fn run_section(&mut self, title: Option<&str>, heading: &str, body: &str, width: usize) {
        let mut own = std::mem::take(&mut self.joined);
        own.clear();
        own.push_str(heading);
        if !heading.is_empty() && !body.is_empty() {
            own.push(RUN_SEPARATOR);
        }
        own.push_str(body);
        self.run(&own, width);
        if let Some(title) = title {
            let in_title = normalize(title);
            let needles: Vec<String> = self.needles.iter().map(|n| n.iter().collect()).collect();
            if !self.found.iter().any(|&f| f)
                && needles.iter().any(|n| in_title.contains(n.as_str()))
            {
                self.run(&join_runs([title, &own]), width);
            } else {
                for (k, n) in needles.iter().enumerate() {
                    self.found[k] |= in_title.contains(n.as_str());
                }
            }
        }
        self.joined = own;
    }

    /// Compute the snippet of `text` (about `width` chars) into
    /// [`Snippeter::text`] and [`Snippeter::highlights`].
    pub fn run(&mut self, text: &str, width: usize) {
        if self.needles.len() == 1 && !self.needles[0].is_empty() {
            return self.run_one(text, width);
        }
        // Locals, not fields, in the hot loop: their lengths stay in registers.
        let mut norm = std::mem::take(&mut self.norm);
        let mut orig = std::mem::take(&mut self.orig);
        norm.clear();
        orig.clear();
        norm.reserve(text.len());
        orig.reserve(text.len());
        let mut total = 0u32;
        for c in text.chars() {
            fold_at(c, total, &mut norm, &mut orig);
            total += 1;
        }
        self.norm = norm;
        self.orig = orig;
        let total = total as usize;
        self.occ.clear();
        for (k, nd) in self.needles.iter().enumerate() {
            self.found[k] = nd.is_empty();
            if nd.is_empty() || nd.len() > self.norm.len() {
                continue;
            }
            let (first, len) = (nd[0], nd.len());
            let norm = &self.norm;
            let mut i = 0;
            while i + len <= norm.len() {
                if norm[i] == first && norm[i..i + len] == nd[..] {
                    self.occ
                        .push((self.orig[i], self.orig[i + len - 1] + 1, k as u32));
                    i += len;
                } else {
                    i += 1;
                }
            }
            if self.occ.last().is_some_and(|o| o.2 == k as u32) {
                self.found[k] = true;
            }
        }
        self.occ.sort_unstable();
        let occ = &self.occ;
        // The occurrence whose window covers the most distinct needles, first such.
        let mut best: Option<(usize, usize)> = None;
        for (i, &(cs, _, _)) in occ.iter().enumerate() {
            let limit = cs as usize + width;
            let window = occ[i..]
                .iter()
                .take_while(|o| (o.0 as usize) < limit)
                .map(|o| o.2);
            let n = if self.needles.len() <= 64 {
                window.fold(0u64, |m, k| m | 1 << k).count_ones() as usize
            } else {
                self.distinct.clear();
                self.distinct.extend(window);
                self.distinct.len()
            };
            if best.is_none_or(|(m, _)| n > m) {
                best = Some((n, i));
            }
        }
        let first = best.map(|(_, i)| occ[i].0 as usize);
        self.emit(text, width, total, first);
    }

    /// One needle: every window holds one distinct needle, so the best is
    /// the first occurrence, and only the text up to the end of its window
    /// needs normalising (the rest is only counted).
    fn run_one(&mut self, text: &str, width: usize) {
        let mut norm = std::mem::take(&mut self.norm);
        let mut orig = std::mem::take(&mut self.orig);
        norm.clear();
        orig.clear();
        self.occ.clear();
        let nd = &self.needles[0];
        let len = nd.len();
        let mut chars = text.chars();
        let mut seen = 0u32;
        let mut i = 0;
        // Once the first occurrence is known: no occurrence starting at or
        // after this char can be inside the snippet.
        let mut limit = usize::MAX;
        loop {
            while norm.len() < i + len {
                let Some(c) = chars.next() else { break };
                fold_at(c, seen, &mut norm, &mut orig);
                seen += 1;
            }
            if norm.len() < i + len || orig[i] as usize >= limit {
                break;
            }
            if norm[i] == nd[0] && norm[i..i + len] == nd[..] {
                if self.occ.is_empty() {
                    limit = (orig[i] as usize).saturating_sub(width / 5) + width;
                }
                self.occ.push((orig[i], orig[i + len - 1] + 1, 0));
                i += len;
            } else {
                i += 1;
            }
        }
        let total = seen as usize + chars.as_str().chars().count();
        self.found[0] = !self.occ.is_empty();
        let first = self.occ.first().map(|o| o.0 as usize);
        self.norm = norm;
        self.orig = orig;
        self.emit(text, width, total, first);
    }

    /// The fragment around the occurrence starting at char `first` (or the
    /// start of the text), with highlights from `self.occ`.
    fn emit(&mut self, text: &str, width: usize, total: usize, first: Option<usize>) {
        let occ = &self.occ;
        let start_char = match first {
            Some(c) => c.saturating_sub(width / 5),
            None => 0,
        };
        let end_char = (start_char + width).min(total);
        let start_char = end_char.saturating_sub(width).min(start_char);
        self.text.clear();
        self.highlights.clear();
        if start_char > 0 {
            self.text.push('…');
        }
        let prefix = usize::from(start_char > 0);
        for c in text.chars().skip(start_char).take(end_char - start_char) {
            self.text.push(shown(c));
        }
        for &(s, e, _) in occ {
            let (s, e) = (s as usize, e as usize);
            if s >= start_char && e <= end_char {
                let (hs, he) = (prefix + s - start_char, prefix + e - start_char);
                if self
                    .highlights
                    .last()
                    .is_none_or(|&(_, last_end)| hs >= last_end)
                {
                    self.highlights.push((hs, he));
                }
            }
        }
        if end_char < total {
            self.text.push('…');
        }
    }
}

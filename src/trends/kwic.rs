//! Concordance lines (keyword in context): every occurrence of a query's
//! strings with the text to its left and right, as the report writes it.
//!
//! Matching works on normalised text (width folded, punctuation and spaces
//! dropped), so an occurrence is found there and mapped back through the
//! byte range of each normalised char to the *original* text: the match
//! column shows `ＡＢＣ` or `府院聯動` exactly as written, and the
//! contexts are the original characters around it (line breaks shown as
//! spaces, so a line is one line). Occurrences follow the rule of
//! mentions: non-overlapping, leftmost first.
//!
//! Only this view reads stored text. The occurrences of each matching
//! section are first counted from the index's positions (as mentions are),
//! so only the sections holding the first `limit` occurrences (in index
//! order) are loaded, on all cores; the lines are then sorted (`--sort`).

use clap::ValueEnum;
use serde::Serialize;
use tantivy::{DocAddress, Searcher};

use super::matching_sections;
use crate::analysis::normalize_with_offsets;
use crate::bureaus::mention_counts;
use crate::index::Fields;
use crate::query::{Filters, Query, StoredSection, map_sections};

/// Order of the lines (`--sort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KwicSort {
    /// By the left context, read from the match leftwards.
    Left,
    /// By the right context.
    Right,
    /// By report year, then file.
    Year,
    /// By bureau, then year.
    Bureau,
}

/// Settings of [`kwic`].
#[derive(Debug, Clone, Copy)]
pub struct KwicOptions {
    /// Terminal columns of each context (a CJK char takes 2).
    pub width: usize,
    /// Stop after this many lines (`None`: all).
    pub limit: Option<usize>,
    /// `None`: index order.
    pub sort: Option<KwicSort>,
}

/// One occurrence in its context. Field names are the JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KwicLine {
    pub left: String,
    /// The occurrence as written.
    pub matched: String,
    pub right: String,
    pub bureau: Option<String>,
    pub province: Option<String>,
    pub year: Option<u64>,
    pub path: String,
    /// The file line: the section's first line plus the paragraphs before
    /// the occurrence (exact unless the page had blank or broken lines).
    pub line: u64,
}

/// What [`kwic`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Kwic {
    pub lines: Vec<KwicLine>,
    /// Sections matching the query.
    pub sections: usize,
    /// Occurrences in them (counted from the index).
    pub occurrences: usize,
    /// Sections read (fewer when the limit was reached).
    pub sections_read: usize,
    /// Whether the limit cut the list short.
    pub truncated: bool,
}

pub use crate::text::printable::{char_width, display_width};

/// A char as a context shows it: line breaks and tabs as spaces.
fn shown(c: char) -> char {
    if matches!(c, '\n' | '\r' | '\t') {
        ' '
    } else {
        c
    }
}

/// The occurrences of the normalised `needles` in `text`, as byte ranges of
/// the original text, sorted, none overlapping another.
pub fn occurrences(text: &str, needles: &[Vec<char>]) -> Vec<(usize, usize)> {
    let (norm, offsets) = normalize_with_offsets(text);
    let mut found: Vec<(usize, usize)> = Vec::new();
    for nd in needles {
        if nd.is_empty() || nd.len() > norm.len() {
            continue;
        }
        let mut i = 0;
        while i + nd.len() <= norm.len() {
            if norm[i] == nd[0] && norm[i..i + nd.len()] == nd[..] {
                found.push((offsets[i].0, offsets[i + nd.len() - 1].1));
                i += nd.len();
            } else {
                i += 1;
            }
        }
    }
    found.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(found.len());
    for occ in found {
        if out.last().is_none_or(|last| occ.0 >= last.1) {
            out.push(occ);
        }
    }
    out
}

/// The lines of one section.
fn section_lines(s: &StoredSection, needles: &[Vec<char>], width: usize) -> Vec<KwicLine> {
    let text = s.text();
    let mut out = Vec::new();
    for (start, end) in occurrences(&text, needles) {
        let mut left: Vec<char> = Vec::new();
        let mut used = 0;
        for c in text[..start].chars().rev() {
            used += char_width(c);
            if used > width {
                break;
            }
            left.push(shown(c));
        }
        left.reverse();
        let mut right = String::new();
        let mut used = 0;
        for c in text[end..].chars() {
            used += char_width(c);
            if used > width {
                break;
            }
            right.push(shown(c));
        }
        let breaks = text[..start].matches('\n').count() as u64;
        let line = s.line_start + breaks;
        out.push(KwicLine {
            left: left.into_iter().collect(),
            matched: text[start..end].chars().map(shown).collect(),
            right,
            bureau: s.bureau.clone(),
            province: s.province.clone(),
            year: s.report_year,
            path: s.path.clone(),
            line: if s.line_end >= s.line_start {
                line.min(s.line_end)
            } else {
                line
            },
        });
    }
    out
}

/// Every occurrence of `query`'s positive strings in the sections matching
/// it under `filters` (up to `opts.limit`), in context.
pub fn kwic(
    searcher: &Searcher,
    f: &Fields,
    query: &Query,
    filters: &Filters,
    opts: &KwicOptions,
) -> anyhow::Result<Kwic> {
    let docs = matching_sections(searcher, f, query, filters)?;
    let needles: Vec<Vec<char>> = query
        .positive_atoms()
        .map(|a| a.normalized.chars().collect())
        .collect();
    let limit = opts.limit.unwrap_or(usize::MAX);
    // Occurrences per section, from the postings: only the sections the
    // limit needs are loaded (each load may decompress a doc-store block).
    let strs: Vec<&str> = query
        .positive_atoms()
        .map(|a| a.normalized.as_str())
        .collect();
    let counts = mention_counts(searcher, f, &strs, &docs)?;
    let per_section: Vec<usize> = counts
        .chunks(strs.len().max(1))
        .map(|c| c.iter().map(|&n| n as usize).sum())
        .collect();
    let mut out = Kwic {
        sections: docs.len(),
        occurrences: per_section.iter().sum(),
        ..Kwic::default()
    };
    let mut next = 0;
    while next < docs.len() && out.lines.len() < limit {
        // Enough sections for the lines still wanted (occurrences of two
        // strings may overlap and count once: then another round).
        let wanted = limit - out.lines.len();
        let (mut end, mut sum) = (next, 0);
        while end < docs.len() && sum < wanted {
            sum += per_section[end].max(1);
            end += 1;
        }
        let part: &[DocAddress] = &docs[next..end];
        let lines = map_sections(searcher, f, part, |_, s| {
            section_lines(&s, &needles, opts.width)
        })?;
        next = end;
        for l in lines {
            out.lines.extend(l);
        }
    }
    out.sections_read = next;
    if out.lines.len() > limit {
        out.lines.truncate(limit);
    }
    out.truncated = out.lines.len() < out.occurrences;
    if let Some(sort) = opts.sort {
        sort_lines(&mut out.lines, sort);
    }
    Ok(out)
}

/// Sort concordance lines (stable: equal keys keep index order).
pub fn sort_lines(lines: &mut [KwicLine], sort: KwicSort) {
    match sort {
        KwicSort::Left => lines.sort_by(|a, b| a.left.chars().rev().cmp(b.left.chars().rev())),
        KwicSort::Right => lines.sort_by(|a, b| a.right.cmp(&b.right)),
        KwicSort::Year => {
            lines.sort_by(|a, b| (a.year, &a.path, a.line).cmp(&(b.year, &b.path, b.line)))
        }
        KwicSort::Bureau => lines.sort_by(|a, b| {
            (a.bureau.is_none(), &a.bureau, a.year).cmp(&(b.bureau.is_none(), &b.bureau, b.year))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needles(words: &[&str]) -> Vec<Vec<char>> {
        words
            .iter()
            .map(|w| crate::analysis::normalize(w).chars().collect())
            .collect()
    }

    #[test]
    fn occurrences_map_back_to_the_original_text() {
        let text = "推行ＡＢＣ工作，abc 再次；A B C。";
        let occ = occurrences(text, &needles(&["abc"]));
        let found: Vec<&str> = occ.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(found, ["ＡＢＣ", "abc", "A B C"]);
    }

    #[test]
    fn occurrences_do_not_overlap() {
        let text = "哈哈哈哈哈";
        assert_eq!(occurrences(text, &needles(&["哈哈"])).len(), 2);
        // Of two needles overlapping, the leftmost wins.
        let occ = occurrences("府院联动机制", &needles(&["院联", "府院联动"]));
        assert_eq!(occ, vec![(0, 12)]);
    }

    #[test]
    fn contexts_are_cut_by_display_width() {
        let s = StoredSection {
            heading: "一、总体情况".into(),
            body: "我们建立府院联动机制abc，效果明显。\n第二段".into(),
            path: "a.txt".into(),
            line_start: 3,
            line_end: 9,
            ..StoredSection::default()
        };
        let lines = section_lines(&s, &needles(&["府院联动"]), 6);
        assert_eq!(lines.len(), 1);
        let l = &lines[0];
        assert_eq!(
            (l.left.as_str(), l.matched.as_str()),
            ("们建立", "府院联动")
        );
        // "机制" is 4 columns, "ab" 2 more.
        assert_eq!(l.right, "机制ab");
        assert_eq!(l.line, 4);
        assert_eq!(display_width("机制ab"), 6);
    }

    #[test]
    fn left_sort_reads_leftwards() {
        let line = |left: &str| KwicLine {
            left: left.into(),
            matched: "x".into(),
            right: String::new(),
            bureau: None,
            province: None,
            year: None,
            path: String::new(),
            line: 0,
        };
        let mut lines = vec![line("ab"), line("ba"), line("ca")];
        sort_lines(&mut lines, KwicSort::Left);
        let lefts: Vec<&str> = lines.iter().map(|l| l.left.as_str()).collect();
        assert_eq!(lefts, ["ba", "ca", "ab"]);
    }
}

//! Mentions: occurrences of the query's strings in each matching section,
//! counted from the `exact` field's postings (see the module docs of
//! [`super`]), and the same rule on plain text ([`count_occurrences`]).

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocAddress, DocId, DocSet, Searcher, TERMINATED};

/// Non-overlapping occurrences of `needle` in `haystack`.
pub fn count_occurrences(haystack: &str, needle: &str) -> usize {
    if needle.is_empty() {
        0
    } else {
        haystack.matches(needle).count()
    }
}

/// How one atom's mentions are counted in a segment's `exact` field.
enum AtomCounter {
    /// The atom cannot occur here (empty, or a bigram the segment lacks).
    Absent,
    /// Occurrences per document, precomputed for every document of the
    /// segment (one-char atoms: the sum of the term frequencies of every
    /// term starting with the char).
    Dense(Vec<u32>),
    /// A bigram that cannot overlap itself: its term frequency.
    TermFreq(Box<SegmentPostings>),
    /// The covering bigrams `(offset in the atom, postings)` of an atom of
    /// `len` chars: aligned positions give the starts, counted without
    /// overlap.
    Phrase {
        terms: Vec<(u32, SegmentPostings)>,
        len: u32,
    },
}

/// Whether `chars` has a proper border (a prefix that is also a suffix),
/// i.e. whether two occurrences of it can overlap.
pub(super) fn self_overlapping(chars: &[char]) -> bool {
    (1..chars.len()).any(|k| chars[..k] == chars[chars.len() - k..])
}

/// Move `postings` to `doc` if it holds it.
fn on_doc(postings: &mut SegmentPostings, doc: DocId) -> bool {
    if postings.doc() < doc {
        postings.seek(doc);
    }
    postings.doc() == doc
}

impl AtomCounter {
    fn new(
        inverted: &tantivy::InvertedIndexReader,
        field: tantivy::schema::Field,
        max_doc: DocId,
        needle: &str,
    ) -> anyhow::Result<AtomCounter> {
        let chars: Vec<char> = needle.chars().collect();
        match chars.len() {
            0 => Ok(AtomCounter::Absent),
            1 => {
                // The exact tokenizer emits one token per char, starting with
                // that char (a bigram, or the final char alone), so the char's
                // occurrences are the summed frequencies of the terms it
                // starts — the terms `atom_query`'s prefix regex matches.
                let mut prefix = [0u8; 4];
                let prefix = chars[0].encode_utf8(&mut prefix).as_bytes().to_vec();
                let mut end = prefix.clone();
                *end.last_mut().expect("non-empty") += 1; // never 0xFF in UTF-8
                let mut dense = vec![0u32; max_doc as usize];
                let mut stream = inverted
                    .terms()
                    .range()
                    .ge(&prefix)
                    .lt(&end)
                    .into_stream()?;
                while stream.advance() {
                    let mut p = inverted.read_postings_from_terminfo(
                        stream.value(),
                        IndexRecordOption::WithFreqs,
                    )?;
                    while p.doc() != TERMINATED {
                        dense[p.doc() as usize] += p.term_freq();
                        p.advance();
                    }
                }
                Ok(AtomCounter::Dense(dense))
            }
            n => {
                // Bigrams at even offsets cover the atom, the last one
                // overlapping when the length is odd (as in exact_query_terms).
                let mut starts: Vec<usize> = (0..n - 1).step_by(2).collect();
                if n % 2 == 1 {
                    starts.push(n - 2);
                }
                let option = if n == 2 && !self_overlapping(&chars) {
                    IndexRecordOption::WithFreqs
                } else {
                    IndexRecordOption::WithFreqsAndPositions
                };
                let mut terms = Vec::with_capacity(starts.len());
                for i in starts {
                    let bigram: String = chars[i..i + 2].iter().collect();
                    let term = Term::from_field_text(field, &bigram);
                    match inverted.read_postings(&term, option)? {
                        Some(p) => terms.push((i as u32, p)),
                        None => return Ok(AtomCounter::Absent),
                    }
                }
                if option == IndexRecordOption::WithFreqs {
                    let (_, p) = terms.pop().expect("one bigram");
                    Ok(AtomCounter::TermFreq(Box::new(p)))
                } else {
                    Ok(AtomCounter::Phrase {
                        terms,
                        len: n as u32,
                    })
                }
            }
        }
    }

    /// Non-overlapping occurrences in `doc`; documents must be asked in
    /// increasing order. `a`, `b`: scratch buffers.
    fn count(&mut self, doc: DocId, a: &mut Vec<u32>, b: &mut Vec<u32>) -> u32 {
        match self {
            AtomCounter::Absent => 0,
            AtomCounter::Dense(counts) => counts[doc as usize],
            AtomCounter::TermFreq(p) => {
                if on_doc(p, doc) {
                    p.term_freq()
                } else {
                    0
                }
            }
            AtomCounter::Phrase { terms, len } => {
                for (_, p) in terms.iter_mut() {
                    if !on_doc(p, doc) {
                        return 0;
                    }
                }
                // Start positions where every bigram sits at its offset:
                // intersect the shifted position lists, rarest first.
                let rarest = (0..terms.len())
                    .min_by_key(|&k| terms[k].1.term_freq())
                    .expect("at least one bigram");
                let (offset, p) = &mut terms[rarest];
                p.positions(a);
                let offset = *offset;
                // A bigram at offset k of an occurrence sits at start + k
                // (an earlier one starts no occurrence).
                a.retain_mut(|pos| match pos.checked_sub(offset) {
                    Some(start) => {
                        *pos = start;
                        true
                    }
                    None => false,
                });
                for (k, (offset, p)) in terms.iter_mut().enumerate() {
                    if k == rarest || a.is_empty() {
                        continue;
                    }
                    p.positions(b);
                    let offset = *offset;
                    let mut j = 0;
                    a.retain(|&start| {
                        let want = start.wrapping_add(offset);
                        while j < b.len() && b[j] < want {
                            j += 1;
                        }
                        j < b.len() && b[j] == want
                    });
                }
                // Greedy left to right, like `str::matches`.
                let mut count = 0;
                let mut next = 0u32;
                for &start in a.iter() {
                    if start >= next {
                        count += 1;
                        next = start + *len;
                    }
                }
                count
            }
        }
    }
}

/// The mentions of each of a list of needles in the documents of one
/// segment, asked in increasing document order (one counter per needle).
pub(super) struct SegmentCounters {
    counters: Vec<AtomCounter>,
    a: Vec<u32>,
    b: Vec<u32>,
}

impl SegmentCounters {
    pub(super) fn new(
        reader: &tantivy::SegmentReader,
        field: tantivy::schema::Field,
        needles: &[&str],
    ) -> anyhow::Result<SegmentCounters> {
        let inverted = reader.inverted_index(field)?;
        let counters = needles
            .iter()
            .map(|needle| AtomCounter::new(&inverted, field, reader.max_doc(), needle))
            .collect::<anyhow::Result<_>>()?;
        Ok(SegmentCounters {
            counters,
            a: Vec::new(),
            b: Vec::new(),
        })
    }

    /// Non-overlapping occurrences of needle `i` in `doc`.
    pub(super) fn count(&mut self, i: usize, doc: DocId) -> u32 {
        self.counters[i].count(doc, &mut self.a, &mut self.b)
    }
}

/// Mentions of each of `needles` (normalised strings) in each of `docs`,
/// counted from the `exact` field's postings: `out[d * needles.len() + i]`
/// is the number of non-overlapping occurrences of needle `i` in the
/// normalised text of section `docs[d]` — what [`count_occurrences`] gives
/// on the stored text, without loading it. `docs` must be sorted.
pub fn mention_counts(
    searcher: &Searcher,
    f: &crate::index::Fields,
    needles: &[&str],
    docs: &[DocAddress],
) -> anyhow::Result<Vec<u32>> {
    debug_assert!(docs.windows(2).all(|w| w[0] < w[1]), "docs sorted");
    let mut out = vec![0u32; docs.len() * needles.len()];
    let mut start = 0;
    while start < docs.len() {
        let segment = docs[start].segment_ord;
        let end = start + docs[start..].partition_point(|d| d.segment_ord == segment);
        let reader = searcher.segment_reader(segment);
        let mut counters = SegmentCounters::new(reader, f.exact, needles)?;
        for i in 0..needles.len() {
            if matches!(counters.counters[i], AtomCounter::Absent) {
                continue;
            }
            for (d, addr) in docs[start..end].iter().enumerate() {
                out[(start + d) * needles.len() + i] = counters.count(i, addr.doc_id);
            }
        }
        start = end;
    }
    Ok(out)
}

//! Searching: from a parsed [`Query`] and filters to ranked [`Hit`]s.
//!
//! Matching and ranking are separate. A section matches when its normalised
//! text contains the query's strings — answered by phrase queries on the
//! `exact` bigram field, which is grep on normalised text, run by run (the
//! title on the section it stands over, the heading, the body). Among the
//! matches, BM25 on the jieba fields ranks (headings, and a title on its
//! section, count double). The query's jieba
//! terms come from the index's own term dictionary by longest match, so a
//! search never loads jieba's dictionary (~100 ms of a cold query).
//!
//! By concern: [`parse`] (the query language), [`filters`], [`matching`]
//! (tantivy queries), [`rank`] (tie-breaks, whole match lists), [`topk`]
//! (pruned pages), [`load`] (stored sections in index order), [`hit`] (the
//! records) and [`snippet`]; this file runs a search with them.

use tantivy::collector::TopDocs;
use tantivy::{DocAddress, Searcher};

use crate::index::{Fields, IndexHandle};

pub mod filters;
pub mod hit;
pub mod load;
pub mod matching;
pub mod parse;
pub mod rank;
pub mod snippet;
pub mod topk;

pub use filters::{
    AdminLevel, FilterError, Filters, TopicFilter, field_values, filter_queries, filter_query,
    key_department, parse_years,
};
pub use hit::{Hit, StoredSection, load_section, make_hit, section_snippet, sections_with};
pub use load::{
    INDEX_ORDER_MIN, LIST_CHUNK, list_parts, map_ranked_parts, map_sections, worker_threads,
};
pub use matching::{
    NearQuery, atom_query, full_query, match_query, matches_within, ranking_query, units,
};
pub use parse::{Atom, Expr, Query, QueryError};
pub use rank::{RankScore, all_matches, rescore_by_topic, sort_ranked};
pub use snippet::{SNIPPET_WIDTH, Snippet, Snippeter, snippet};

/// Match units for `--within`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    /// 同句: all terms in one sentence (split at 。！？；!?; and line breaks).
    Sentence,
    /// 同段: all terms in one paragraph.
    Paragraph,
}

/// Search settings.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    pub filters: Filters,
    /// Maximum hits; `None` for all.
    pub limit: Option<usize>,
    pub within: Option<Within>,
}

/// Run a search and return ranked hits.
pub fn search(
    handle: &IndexHandle,
    query: &Query,
    opts: &SearchOptions,
) -> anyhow::Result<Vec<Hit>> {
    search_with_topic(handle, query, opts, None)
}

/// Boost a search by one topic (`search --topic`; the restriction to the
/// topic's sections is [`Filters::topic`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicBoost {
    /// Slot of the topic (see [`crate::topics::score_field`]).
    pub slot: usize,
    /// Added to each hit's BM25 score: `weight × topic score`.
    pub weight: f32,
}

/// [`search`], optionally boosted by a topic's stored score.
pub fn search_with_topic(
    handle: &IndexHandle,
    query: &Query,
    opts: &SearchOptions,
    topic: Option<TopicBoost>,
) -> anyhow::Result<Vec<Hit>> {
    let mut hits = Vec::new();
    search_chunked(handle, query, opts, topic, usize::MAX, &mut |chunk| {
        hits.extend(chunk);
        Ok(())
    })?;
    Ok(hits)
}

/// [`search_with_topic`], handing the hits to `sink` in rank order, at most
/// `chunk` at a time (a page comes as one chunk); returns how many there
/// were. Only the ranked `(score, address)` list (12 bytes a match) is held
/// for the whole result.
pub fn search_chunked(
    handle: &IndexHandle,
    query: &Query,
    opts: &SearchOptions,
    topic: Option<TopicBoost>,
    chunk: usize,
    sink: &mut dyn FnMut(Vec<Hit>) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let run = SearchRun {
        searcher: handle.reader.searcher(),
        f: &handle.fields,
        query,
        opts,
        needles: query
            .positive_atoms()
            .map(|a| a.normalized.as_str())
            .collect(),
        chunk,
    };
    if let Some(hits) = run.pruned_page(topic)? {
        let n = hits.len();
        sink(hits)?;
        return Ok(n);
    }
    let top = run.ranked(topic)?;
    run.deliver(&top, sink)
}

/// One search under way: what each of its stages needs.
struct SearchRun<'a> {
    searcher: Searcher,
    f: &'a Fields,
    query: &'a Query,
    opts: &'a SearchOptions,
    /// The query's positive strings, normalised (for snippets).
    needles: Vec<&'a str>,
    chunk: usize,
}

impl SearchRun<'_> {
    /// Sections in the index (at least 1): the "all" of a limit.
    fn all(&self) -> usize {
        (self.searcher.num_docs() as usize).max(1)
    }

    /// A ranked candidate as a hit, or `None` when it fails `--within`.
    fn to_hit(&self, score: f32, s: StoredSection) -> Option<Hit> {
        let text = s.match_text();
        let within = (self.opts.within).is_none_or(|w| matches_within(self.query, &text, w));
        within.then(|| make_hit(0, score, s, &text, self.query, &self.needles))
    }

    /// A page: candidates loaded one by one in rank order, up to the limit.
    fn page(&self, top: &[(f32, DocAddress)]) -> anyhow::Result<Vec<Hit>> {
        let mut hits = Vec::new();
        for &(score, addr) in top {
            if self.opts.limit.is_some_and(|n| n > 0 && hits.len() >= n) {
                break;
            }
            if let Some(mut hit) = self.to_hit(score, load_section(&self.searcher, self.f, addr)?) {
                hit.rank = hits.len() + 1;
                hits.push(hit);
            }
        }
        Ok(hits)
    }

    /// Hand the hits of ranked candidates `top` to `sink`: a short page (or
    /// one that stops before the end of the list) one by one, otherwise
    /// every candidate in index order (see `map_sections`), a chunk at a
    /// time. Returns how many.
    fn deliver(
        &self,
        top: &[(f32, DocAddress)],
        sink: &mut dyn FnMut(Vec<Hit>) -> anyhow::Result<()>,
    ) -> anyhow::Result<usize> {
        let page_only =
            (self.opts.limit).is_some_and(|n| n > 0 && (n < top.len() || n < INDEX_ORDER_MIN));
        if page_only {
            let hits = self.page(top)?;
            let n = hits.len();
            sink(hits)?;
            return Ok(n);
        }
        let addrs: Vec<DocAddress> = top.iter().map(|&(_, a)| a).collect();
        let mut delivered = 0;
        let map = |i: usize, s: StoredSection| self.to_hit(top[i].0, s);
        map_ranked_parts(
            &self.searcher,
            self.f,
            &addrs,
            self.chunk,
            map,
            &mut |mut hits| {
                // Candidates rejected by `--within` leave no gap in the ranks.
                for hit in &mut hits {
                    delivered += 1;
                    hit.rank = delivered;
                }
                sink(hits)
            },
        )
    }

    /// A page of results for strings that match very many sections, with
    /// the ranking driving (see `topk`); `None` when that does not apply
    /// or did not fill the page. Filters usually make the matches few, and
    /// then the plain evaluation, driven by the smallest posting list, is
    /// faster. `--within` rejects some candidates after loading them: one
    /// try with a few candidates more, then every candidate.
    fn pruned_page(&self, topic: Option<TopicBoost>) -> anyhow::Result<Option<Vec<Hit>>> {
        let (opts, all) = (self.opts, self.all());
        let Some(limit) = opts.limit.filter(|&n| n > 0 && n < all) else {
            return Ok(None);
        };
        if topic.is_some()
            || !opts.filters.is_empty()
            || !topk::worth_pruning(&self.searcher, self.f, self.query)
        {
            return Ok(None);
        }
        let k = if opts.within.is_some() {
            limit.saturating_mul(4).min(all)
        } else {
            limit
        };
        let top = topk::top_k(&self.searcher, self.f, self.query, &opts.filters, k)?;
        let exhausted = top.len() < k;
        let hits = if opts.within.is_some() {
            self.page(&top)?
        } else {
            let mut hits = Vec::new();
            self.deliver(&top, &mut |chunk| {
                hits.extend(chunk);
                Ok(())
            })?;
            hits
        };
        Ok((hits.len() >= limit || exhausted).then_some(hits))
    }

    /// Every candidate worth loading, best first: the page asked for, or
    /// all matches (`--limit 0`, and `--within`, which filters after
    /// matching); with a topic, BM25 plus the boost.
    fn ranked(&self, topic: Option<TopicBoost>) -> anyhow::Result<Vec<(f32, DocAddress)>> {
        let q = full_query(&self.searcher, self.f, self.query, &self.opts.filters)?;
        let fetch = match (self.opts.within, self.opts.limit) {
            (None, Some(n)) if n > 0 => n.min(self.all()),
            _ => self.all(),
        };
        let mut top = match topic {
            None => (self.searcher).search(&q, &TopDocs::with_limit(fetch).order_by_score())?,
            Some(t) => {
                let name = crate::topics::score_field(t.slot);
                let boosted = TopDocs::with_limit(fetch).tweak_score(
                    move |segment: &tantivy::SegmentReader| {
                        let column = segment.fast_fields().f64(&name).ok();
                        move |doc: tantivy::DocId, score: tantivy::Score| {
                            let topic = column.as_ref().and_then(|c| c.first(doc));
                            score + t.weight * topic.unwrap_or(0.0) as f32
                        }
                    },
                );
                self.searcher.search(&q, &boosted)?
            }
        };
        sort_ranked(&mut top);
        Ok(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize;

    #[test]
    fn list_parts_cover_the_list_in_order() {
        for (len, chunk) in [
            (0, 5),
            (1, 5),
            (7, 3),
            (5000, 2000),
            (3000, 65_536),
            (3000, usize::MAX),
            (10, 0),
        ] {
            let parts: Vec<_> = list_parts(len, chunk).collect();
            let mut next = 0;
            for p in &parts {
                assert_eq!(p.start, next, "{len}/{chunk}: {parts:?}");
                assert!(
                    !p.is_empty() && p.len() <= chunk.max(1),
                    "{len}/{chunk}: {parts:?}"
                );
                next = p.end;
            }
            assert_eq!(next, len, "{len}/{chunk}: {parts:?}");
        }
        assert_eq!(list_parts(5000, 2000).next(), Some(0..1024));
    }

    /// [`Snippeter`] must reproduce [`snippet`] and `make_hit`'s matched
    /// strings exactly (exports rely on it for byte-identical files).
    fn same_as_reference(text: &str, needles: &[&str], width: usize) {
        let reference = snippet(text, needles, width);
        let mut s = Snippeter::new(needles);
        s.run(text, width);
        assert_eq!(s.text, reference.text, "text {text:?} needles {needles:?}");
        assert_eq!(s.highlights, reference.highlights, "text {text:?}");
        let norm = normalize(text);
        for (k, n) in needles.iter().enumerate() {
            assert_eq!(s.found(k), norm.contains(n), "needle {n:?} in {text:?}");
        }
    }

    #[test]
    fn snippeter_matches_reference_on_examples() {
        let long = "一二三四五六七八九十".repeat(30);
        let cases: Vec<(String, Vec<&str>)> = vec![
            (String::new(), vec!["执法"]),
            ("执法".into(), vec!["执法", ""]),
            (
                format!("{long}行政执法{long}合法性审查{long}"),
                vec!["执法", "合法性审查"],
            ),
            (
                format!("执法\r\n{long}执法执法 Ａｂ ＡＢ ab"),
                vec!["执法", "ab", "法执"],
            ),
            (
                "㈠ＦＩＬＥ ﬁle 第①条 执-法".into(),
                vec!["file", "执法", "1"],
            ),
            (format!("{long}\n{long}"), vec![]),
            ("执法执法执法".into(), vec!["执法执法", "法"]),
        ];
        for (text, needles) in &cases {
            for width in [0, 1, 5, 90, 1000] {
                same_as_reference(text, needles, width);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn snippeter_matches_reference(
            text in "[执法行政审查 \n\r,.Ａa1①ﬁ]{0,300}",
            n1 in "[执法行政a1]{0,3}",
            n2 in "[执法审查]{1,2}",
            width in 0usize..120,
        ) {
            let needles = [normalize(&n1), normalize(&n2)];
            let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
            same_as_reference(&text, &needles, width);
        }

        #[test]
        fn snippeter_matches_reference_one_needle(
            text in "[执法行政审查 \n\r,.Ａa1①ﬁ]{0,400}",
            n in "[执法a1Ａ]{0,3}",
            width in 0usize..120,
        ) {
            let needle = normalize(&n);
            same_as_reference(&text, &[needle.as_str()], width);
        }
    }

    #[test]
    fn years() {
        assert_eq!(parse_years("2021"), Ok((Some(2021), Some(2021))));
        assert_eq!(parse_years("2020..2023"), Ok((Some(2020), Some(2023))));
        assert_eq!(parse_years("2020.."), Ok((Some(2020), None)));
        assert_eq!(parse_years("..2023"), Ok((None, Some(2023))));
        assert!(parse_years("2023..2020").is_err());
        assert!(parse_years("..").is_err());
        assert!(parse_years("abc").is_err());
    }

    #[test]
    fn sentence_and_paragraph_units() {
        let q = parse::parse("法律顾问 合法性审查").unwrap();
        let text = "聘请法律顾问。开展合法性审查。\n法律顾问参与合法性审查工作";
        assert!(matches_within(&q, text, Within::Sentence));
        let text = "聘请法律顾问。开展合法性审查。";
        assert!(!matches_within(&q, text, Within::Sentence));
        assert!(matches_within(&q, text, Within::Paragraph));
        assert!(!matches_within(
            &q,
            "聘请法律顾问。\n开展合法性审查。",
            Within::Paragraph
        ));
    }

    #[test]
    fn snippet_highlights_original_text() {
        let text = "前文。落实“双随机、一公开”制度，后文。";
        let s = snippet(text, &["双随机一公开"], 90);
        let chars: Vec<char> = s.text.chars().collect();
        let (a, b) = s.highlights[0];
        assert_eq!(chars[a..b].iter().collect::<String>(), "双随机、一公开");
    }

    #[test]
    fn snippet_window_prefers_more_needles() {
        let filler = "无关内容".repeat(40);
        let text = format!("法律顾问{filler}法律顾问和合法性审查{filler}");
        let s = snippet(&text, &["法律顾问", "合法性审查"], 30);
        assert!(s.text.contains("合法性审查"), "{}", s.text);
        assert!(s.text.starts_with('…'));
        assert_eq!(s.highlights.len(), 2);
    }
}

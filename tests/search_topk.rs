//! The ranking-driven top-k (`query::topk`) returns the same page as scoring
//! every match with the full query: same length, same scores position by
//! position, and every hit a real match with the score the full query gives
//! it. (Ties may come in another order only if float sums differ in the
//! last bit, so positions are compared by score, hits by membership.)

mod common;

use std::collections::HashMap;

use fazhi::query::{Filters, full_query, parse::parse, topk};
use tantivy::DocAddress;
use tantivy::collector::TopDocs;

#[test]
fn top_k_equals_full_evaluation() {
    check_top_k(common::shared_index());
}

/// After an incremental run the replaced sections are deleted documents:
/// top-k must skip them as the full evaluation does.
#[test]
fn top_k_equals_full_evaluation_with_deleted_sections() {
    let fixture = common::Fixture::indexed();
    fixture.append_to_a_report("\n六、其他\n坚持法治政府建设，推进依法行政，落实法律顾问制度。\n");
    fixture.cmd().args(["index", "--quiet"]).assert().success();
    let handle = fazhi::index::open(&fixture.index()).expect("open index");
    let deleted: u32 = handle
        .reader
        .searcher()
        .segment_readers()
        .iter()
        .map(|r| r.num_deleted_docs())
        .sum();
    assert!(deleted > 0, "the incremental run left no deleted sections");
    check_top_k(&fixture.index());
}

fn check_top_k(index: &std::path::Path) {
    let handle = fazhi::index::open(index).expect("open index");
    let searcher = handle.reader.searcher();
    let f = &handle.fields;
    let filters = Filters::default();
    let queries = [
        "法治",
        "行政",
        "执法",
        "法",
        "法行政",
        "法律顾问 合法性审查",
        "普法 -宪法",
        "\"双随机、一公开\"",
        "依法 OR 法制",
        "2021",
        "公平竞争审查",
        "年度",
        "不存在的字符串甲乙丙",
    ];
    let mut compared = 0;
    for text in queries {
        let query = parse(text).expect("query parses");
        let full = full_query(&searcher, f, &query, &filters).expect("full query");
        let all = searcher.num_docs() as usize;
        let every: HashMap<DocAddress, f32> = searcher
            .search(&full, &TopDocs::with_limit(all).order_by_score())
            .expect("search")
            .into_iter()
            .map(|(s, a)| (a, s))
            .collect();
        let mut plain: Vec<f32> = every.values().copied().collect();
        plain.sort_by(|a, b| b.total_cmp(a));
        for k in [1, 3, 10, 50] {
            let top = topk::top_k(&searcher, f, &query, &filters, k).expect("top_k");
            assert_eq!(top.len(), k.min(every.len()), "{text} k={k}: page length");
            for (i, (score, addr)) in top.iter().enumerate() {
                let truth = every
                    .get(addr)
                    .unwrap_or_else(|| panic!("{text} k={k}: {addr:?} does not match"));
                assert!(
                    (truth - score).abs() < 1e-4,
                    "{text} k={k}: score {score} vs full {truth}"
                );
                assert!(
                    (plain[i] - score).abs() < 1e-4,
                    "{text} k={k}: rank {i} has {score}, full evaluation {}",
                    plain[i]
                );
            }
            let mut seen = top.iter().map(|h| h.1).collect::<Vec<_>>();
            seen.dedup();
            assert_eq!(seen.len(), top.len(), "{text} k={k}: duplicate hits");
            compared += top.len();
        }
    }
    assert!(compared > 200, "too few hits compared: {compared}");
}

#[test]
fn match_upper_bound_bounds_the_matches() {
    let handle = fazhi::index::open(common::shared_index()).expect("open index");
    let searcher = handle.reader.searcher();
    let f = &handle.fields;
    for text in [
        "法治",
        "法行政",
        "法律顾问 合法性审查",
        "依法 OR 法制",
        "普法 -宪法",
    ] {
        let query = parse(text).expect("query parses");
        let full = full_query(&searcher, f, &query, &Filters::default()).expect("full query");
        let count = searcher
            .search(&full, &tantivy::collector::Count)
            .expect("count") as u64;
        let bound = topk::match_upper_bound(&searcher, f, &query);
        assert!(count <= bound, "{text}: {count} matches > bound {bound}");
        assert!(count > 0, "{text}: no match in the bundled corpus");
    }
}

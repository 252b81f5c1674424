//! Whole hit lists (`--limit 0`) are loaded and printed a chunk at a time so
//! that memory stays bounded: the chunks, put together, are the list that
//! one pass gives (same hits, ranks, scores and snippets), and no chunk is
//! longer than asked.

mod common;

use fazhi::engine::{TopicRanking, rank_topic};
use fazhi::query::{
    Filters, Hit, SearchOptions, Within, parse::parse, search_chunked, search_with_topic,
};
use fazhi::topics::Taxonomy;

fn chunks_of<T>(
    chunk: usize,
    run: impl FnOnce(&mut dyn FnMut(Vec<T>) -> anyhow::Result<()>) -> anyhow::Result<usize>,
) -> Vec<Vec<T>> {
    let mut chunks = Vec::new();
    let n = run(&mut |c| {
        chunks.push(c);
        Ok(())
    })
    .expect("run");
    assert_eq!(
        n,
        chunks.iter().map(Vec::len).sum::<usize>(),
        "count returned"
    );
    assert!(chunks.iter().all(|c| !c.is_empty() && c.len() <= chunk));
    chunks
}

#[test]
fn search_chunks_make_up_the_whole_list() {
    let handle = fazhi::index::open(common::shared_index()).expect("open index");
    let mut compared = 0;
    for (text, within) in [
        ("法", None),
        ("法治 OR 执法", None),
        ("普法 -宪法", None),
        // Candidates rejected by --within shift the ranks of the rest.
        ("法律 制度", Some(Within::Sentence)),
        ("依法 行政", Some(Within::Paragraph)),
    ] {
        let query = parse(text).expect("query");
        let opts = SearchOptions {
            limit: None,
            within,
            ..Default::default()
        };
        let whole: Vec<Hit> = search_with_topic(&handle, &query, &opts, None).expect("search");
        assert!(whole.len() > 3, "{text}: {}", whole.len());
        for chunk in [1, 7, 64] {
            let chunks = chunks_of(chunk, |sink| {
                search_chunked(&handle, &query, &opts, None, chunk, sink)
            });
            let joined: Vec<Hit> = chunks.into_iter().flatten().collect();
            assert_eq!(joined, whole, "{text} in chunks of {chunk}");
            compared += 1;
        }
        for (i, h) in whole.iter().enumerate() {
            assert_eq!(h.rank, i + 1, "{text}");
        }
    }
    assert_eq!(compared, 15);
}

#[test]
fn topic_chunks_make_up_the_whole_list() {
    let handle = fazhi::index::open(common::shared_index()).expect("open index");
    let taxonomy = Taxonomy::builtin();
    let filters = Filters::default();
    let mut ranked = 0;
    for slot in 0..taxonomy.topics().len() {
        let whole = rank_topic(&handle, &taxonomy, slot, &filters, None, false).expect("rank");
        let ranking = TopicRanking {
            handle: &handle,
            taxonomy: &taxonomy,
            topic: fazhi::query::TopicFilter {
                slot,
                min_score: taxonomy.scoring().main_min,
            },
            explain: false,
        };
        let chunks = chunks_of(3, |sink| ranking.run(&filters, None, 3, sink));
        let joined: Vec<_> = chunks.into_iter().flatten().collect();
        let key = |h: &fazhi::engine::TopicHit| {
            (
                h.hit.rank,
                h.hit.section_id.clone(),
                h.topic_score,
                h.hit.snippet.clone(),
            )
        };
        assert_eq!(
            joined.iter().map(key).collect::<Vec<_>>(),
            whole.iter().map(key).collect::<Vec<_>>(),
            "topic {slot}"
        );
        ranked += usize::from(whole.len() > 3);
    }
    assert!(ranked >= 3, "topics with a few hits: {ranked}");
}

//! Time `search` in process on an existing index, for profiling one query:
//! `cargo run --release --example query_time -- INDEX ROUNDS QUERY...`
//! (each QUERY one argument; prints the median and best of ROUNDS runs).
//! A QUERY starting with `bureaus:` runs `bureaus` (50 rows, snippets) on the rest.

use std::path::Path;
use std::time::Instant;

use fazhi::engine::{BureauRequest, Engine, SearchRequest};
use fazhi::query::parse::parse;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [index, rounds, queries @ ..] = args.as_slice() else {
        anyhow::bail!("usage: query_time INDEX ROUNDS QUERY...");
    };
    let rounds: usize = rounds.parse()?;
    // An existing index only (never built here); the built-in taxonomy.
    anyhow::ensure!(
        fazhi::index::exists(Path::new(index)),
        "no index at {index}"
    );
    let engine = Engine::open(Path::new(index), Path::new(index), None, None)?;
    for text in queries {
        let (grouped, query_text) = match text.strip_prefix("bureaus:") {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        let query = parse(query_text).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let bureau_req = BureauRequest {
            query: query.clone(),
            filters: Default::default(),
            topic: None,
            synonyms: false,
            all: false,
            limit: Some(50),
            snippets: true,
        };
        let search_req = SearchRequest {
            query,
            filters: Default::default(),
            topic: None,
            within: None,
            limit: Some(10),
        };
        let run = || -> usize {
            if grouped {
                engine.bureaus(&bureau_req).expect("bureaus").rows.len()
            } else {
                let mut hits = 0;
                engine
                    .search(&search_req, 10, &mut |page| {
                        hits += page.len();
                        Ok(())
                    })
                    .expect("search");
                hits
            }
        };
        run(); // warm-up
        let mut times: Vec<f64> = (0..rounds.max(1))
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(run());
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "{text}: median {:.2} ms, best {:.2} ms",
            times[times.len() / 2],
            times[0]
        );
    }
    Ok(())
}

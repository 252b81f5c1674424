//! Time `search` in process on an existing index, for profiling one query:
//! `cargo run --release --example query_time -- INDEX ROUNDS QUERY...`
//! (each QUERY one argument; prints the median and best of ROUNDS runs).

use std::path::Path;
use std::time::Instant;

use fazhi::query::{SearchOptions, parse::parse, search};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [index, rounds, queries @ ..] = args.as_slice() else {
        anyhow::bail!("usage: query_time INDEX ROUNDS QUERY...");
    };
    let rounds: usize = rounds.parse()?;
    let handle = fazhi::index::open(Path::new(index))?;
    let opts = SearchOptions {
        limit: Some(10),
        ..Default::default()
    };
    for text in queries {
        let query = parse(text).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        search(&handle, &query, &opts)?; // warm-up
        let mut times: Vec<f64> = (0..rounds.max(1))
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(search(&handle, &query, &opts).expect("search"));
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

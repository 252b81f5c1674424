//! Where an index's bytes go, per file kind and per field:
//! `cargo run --release --example space_usage -- INDEX`
//! (tantivy's own space accounting; the `reuse/` sidecar and the manifest
//! are listed as files). Used to decide what the build stores and indexes
//! (docs/performance.md, issue 20).

use std::collections::BTreeMap;
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: space_usage INDEX"))?;
    let handle = fazhi::index::open(Path::new(&dir))?;
    let searcher = handle.reader.searcher();
    let usage = searcher.space_usage()?;
    // kind -> field -> bytes, summed over segments.
    let mut table: BTreeMap<&str, BTreeMap<String, u64>> = BTreeMap::new();
    let mut store = 0u64;
    for segment in usage.segments() {
        let parts = [
            ("termdict", segment.termdict()),
            ("postings", segment.postings()),
            ("positions", segment.positions()),
            ("fast", segment.fast_fields()),
            ("fieldnorms", segment.fieldnorms()),
        ];
        for (kind, per_field) in parts {
            for field in per_field.fields() {
                *table
                    .entry(kind)
                    .or_default()
                    .entry(field.field_name().to_string())
                    .or_default() += field.total().get_bytes();
            }
        }
        store += segment.store().total().get_bytes();
    }
    let mut total = store;
    println!("{:<12} {:<24} {:>12}", "kind", "field", "bytes");
    for (kind, fields) in &table {
        let mut rows: Vec<_> = fields.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1));
        for (field, bytes) in rows {
            if *bytes > 0 {
                println!("{kind:<12} {field:<24} {bytes:>12}");
            }
            total += bytes;
        }
    }
    println!("{:<12} {:<24} {store:>12}", "store", "(all stored fields)");
    println!("{:<12} {:<24} {total:>12}", "tantivy", "(total)");
    let reuse = Path::new(&dir).join("reuse");
    if let Ok(entries) = std::fs::read_dir(&reuse) {
        for entry in entries.flatten() {
            let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
            println!(
                "{:<12} {:<24} {len:>12}",
                "reuse",
                entry.file_name().to_string_lossy()
            );
        }
    }
    Ok(())
}

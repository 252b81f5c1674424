//! Whole-index scans over fast fields: per-report facts without reading
//! stored documents (used by `stats` and by listings of all bureaus).

use std::collections::BTreeMap;

use tantivy::Searcher;
use tantivy::columnar::StrColumn;

/// What the index knows about one report, gathered from its sections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFacts {
    pub doc_id: String,
    pub path: String,
    pub bureau: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub report_year: Option<u64>,
    pub sections: usize,
}

fn first_str(col: &Option<StrColumn>, doc: u32, buf: &mut String) -> Option<String> {
    let col = col.as_ref()?;
    let ord = col.term_ords(doc).next()?;
    buf.clear();
    match col.ord_to_str(ord, buf) {
        Ok(true) => Some(buf.clone()),
        _ => None,
    }
}

/// Sections read from the `doc_id` column at once.
const BLOCK: usize = 4096;

/// One entry per indexed report, keyed and sorted by doc id.
///
/// A report's facts are read once, at its first section in a segment;
/// the other sections only count, by their `doc_id` ordinal (no string is
/// built per section: at 1.75 M sections that was most of `fazhi stats`).
pub fn reports(searcher: &Searcher) -> anyhow::Result<BTreeMap<String, ReportFacts>> {
    let mut out: BTreeMap<String, ReportFacts> = BTreeMap::new();
    let mut buf = String::new();
    let mut ords = vec![None; BLOCK];
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let Some(doc_id) = ff.str("doc_id")? else {
            continue;
        };
        let path = ff.str("path")?;
        let bureau = ff.str("bureau")?;
        let province = ff.str("province")?;
        let city = ff.str("city")?;
        let county = ff.str("county")?;
        let year = ff.u64("report_year").ok();
        // Per doc_id ordinal: sections in this segment, and a first doc.
        let mut sections = vec![0usize; doc_id.num_terms()];
        let mut first = vec![u32::MAX; doc_id.num_terms()];
        let docs: Vec<u32> = segment.doc_ids_alive().collect();
        for block in docs.chunks(BLOCK) {
            let ords = &mut ords[..block.len()];
            doc_id.ords().first_vals(block, ords);
            for (&doc, ord) in block.iter().zip(ords.iter()) {
                if let Some(ord) = *ord {
                    sections[ord as usize] += 1;
                    first[ord as usize] = first[ord as usize].min(doc);
                }
            }
        }
        for (ord, (&n, &doc)) in sections.iter().zip(&first).enumerate() {
            if n == 0 {
                continue;
            }
            buf.clear();
            if !doc_id.ord_to_str(ord as u64, &mut buf)? {
                continue;
            }
            if let Some(facts) = out.get_mut(&buf) {
                facts.sections += n;
                continue;
            }
            let facts = ReportFacts {
                doc_id: buf.clone(),
                path: first_str(&path, doc, &mut buf).unwrap_or_default(),
                bureau: first_str(&bureau, doc, &mut buf),
                province: first_str(&province, doc, &mut buf),
                city: first_str(&city, doc, &mut buf),
                county: first_str(&county, doc, &mut buf),
                report_year: year.as_ref().and_then(|c| c.first(doc)),
                sections: n,
            };
            out.insert(facts.doc_id.clone(), facts);
        }
    }
    Ok(out)
}

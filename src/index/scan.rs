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

/// One entry per indexed report, keyed and sorted by doc id.
pub fn reports(searcher: &Searcher) -> anyhow::Result<BTreeMap<String, ReportFacts>> {
    let mut out: BTreeMap<String, ReportFacts> = BTreeMap::new();
    let mut buf = String::new();
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let doc_id = ff.str("doc_id")?;
        let path = ff.str("path")?;
        let bureau = ff.str("bureau")?;
        let province = ff.str("province")?;
        let city = ff.str("city")?;
        let county = ff.str("county")?;
        let year = ff.u64("report_year").ok();
        for doc in segment.doc_ids_alive() {
            let Some(id) = first_str(&doc_id, doc, &mut buf) else {
                continue;
            };
            if let Some(facts) = out.get_mut(&id) {
                facts.sections += 1;
                continue;
            }
            let facts = ReportFacts {
                doc_id: id.clone(),
                path: first_str(&path, doc, &mut buf).unwrap_or_default(),
                bureau: first_str(&bureau, doc, &mut buf),
                province: first_str(&province, doc, &mut buf),
                city: first_str(&city, doc, &mut buf),
                county: first_str(&county, doc, &mut buf),
                report_year: year.as_ref().and_then(|c| c.first(doc)),
                sections: 1,
            };
            out.insert(id, facts);
        }
    }
    Ok(out)
}

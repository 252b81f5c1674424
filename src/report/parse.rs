//! From a file's text to a [`Report`]: clean into paragraphs, read the
//! metadata (which also marks header/signature furniture), build the heading
//! tree from the remaining text paragraphs, and place the bureau in the
//! gazetteer.
//!
//! Every stage is linear in the input and free of panics on any text, so a
//! damaged or huge file yields a (possibly empty) report rather than an error.

use super::{Report, metadata, sections};
use crate::ingest::LoadedText;
use crate::ingest::clean::{self, Paragraph};

/// Parse one file's text. Never panics; unknown fields stay `None`.
pub fn parse_report(rel_path: &str, doc_id: &str, loaded: &LoadedText) -> Report {
    let paras = clean::paragraphs(&loaded.text);
    let meta = metadata::extract(&paras);
    let text_paras: Vec<&Paragraph> = paras
        .iter()
        .zip(&meta.furniture)
        .filter(|(_, furniture)| !**furniture)
        .map(|(p, _)| p)
        .collect();
    let tree = sections::build(doc_id, &text_paras);
    let region = meta
        .bureau
        .as_deref()
        .or(meta.title.as_deref())
        .map(|b| crate::region::resolve(b, &loaded.text))
        .unwrap_or_default();
    Report {
        path: rel_path.to_string(),
        doc_id: doc_id.to_string(),
        encoding: loaded.encoding.clone(),
        title: meta.title,
        bureau: meta.bureau,
        report_year: meta.report_year,
        publish_date: meta.publish_date,
        doc_number: meta.doc_number,
        addressee: meta.addressee,
        region,
        preamble: tree.preamble,
        sections: tree.sections,
        closing: tree.closing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(text: &str) -> LoadedText {
        LoadedText {
            text: text.to_string(),
            encoding: "UTF-8".into(),
            content_hash: String::new(),
        }
    }

    #[test]
    fn small_report_end_to_end() {
        let text = "您当前的位置:首页 > 信息公开\n某某县教育局2022年度法治政府建设工作报告\n县政府：\n2022年，我局推进依法行政。\n一、主要工作\n（一）加强领导。我局高度重视，\n\n成立领导小组。\n二、下一步打算\n继续推进。\n某某县教育局\n2023年1月5日\n立即注册\n";
        let r = parse_report("a.txt", "a", &loaded(text));
        assert_eq!(
            r.title.as_deref(),
            Some("某某县教育局2022年度法治政府建设工作报告")
        );
        assert_eq!(r.bureau.as_deref(), Some("某某县教育局"));
        assert_eq!(r.report_year, Some(2022));
        assert_eq!(r.publish_date.as_deref(), Some("2023-01-05"));
        assert_eq!(r.addressee.as_deref(), Some("县政府"));
        assert_eq!(
            r.preamble.as_ref().map(|p| p.body.as_str()),
            Some("2022年，我局推进依法行政。")
        );
        assert_eq!(r.sections.len(), 3);
        assert_eq!(r.sections[1].body, "我局高度重视，成立领导小组。");
        assert_eq!((r.sections[1].line_start, r.sections[1].line_end), (6, 8));
        assert_eq!(r.sections[2].body, "继续推进。");
    }

    #[test]
    fn empty_and_garbage_inputs() {
        for t in [
            "",
            "\n\n",
            "一、",
            "（一）",
            "。。。",
            "\u{a0}",
            "1.\n2.\n(1)",
        ] {
            let _ = parse_report("x", "x", &loaded(t));
        }
    }
}

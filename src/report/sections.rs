//! The heading tree: from the text paragraphs of a report (furniture already
//! removed) to preamble, sections and closing.
//!
//! Why by context and not by style: reports nest `一、` › `（一）` › `1.` ›
//! `（1）` by convention, but real ones skip levels (`1.` directly under
//! `三、`), number a level with the wrong style (`（1）（2）（三）`), repeat
//! numbers (`一、二、二、三、`) and restart sub-numbering for an unnumbered
//! part. So the parser keeps a stack of the *open* numbering styles:
//!
//! * a style already open closes back to it: a sibling at that level
//!   (also when the number repeats or jumps — numbering mistakes stay
//!   separate sections);
//! * a style in the same *family* as the innermost open one (same
//!   punctuation, Chinese vs Arabic digits: `（2）`→`（三）`, `2、`→`三、`)
//!   whose number continues that run is a sibling, not a child;
//! * `一、` when not open starts a new top level (it is never nested);
//! * any other new style opens one level deeper.
//!
//! Run-in headings (`（一）加强组织领导。我局…`) are split at the first
//! sentence end (。！？, never a comma) when the part before it is short.
//!
//! Unnumbered text is attached to the innermost open section, with two
//! exceptions: an **implicit section** — when sub-numbering restarts at 1
//! right after an unnumbered paragraph that follows other body text, that
//! paragraph opened a new part (`一年来，我局…重点做好以下五方面工作：`
//! then `（一）…（五）`); it becomes a section one level above the restarted
//! style, labelled by the sentence introducing the list (or its first
//! clause); and a **closing** — trailing paragraphs after the last section
//! that start like a conclusion (回顾/总之/今后/综上/一年来 …) when that
//! section already has a body of its own (run-in or sub-level), which go to
//! [`Tree::closing`] instead of the last section.

use crate::ingest::clean::Paragraph;
use crate::report::Section;
use crate::text::numbering::{MarkerStyle, parse_marker, trim_padding};

/// Sections of one report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    pub preamble: Option<Section>,
    pub sections: Vec<Section>,
    pub closing: Option<Section>,
    /// Set when the text had more than [`MAX_HEADINGS`] headings and was
    /// kept as plain text: the reason, for a warning.
    pub plain_text: Option<String>,
}

/// Most headings a report may have before it is read as plain text (one
/// level-0 section). Real reports have tens, the longest a few hundred; a
/// file of nothing but `1.法` lines would otherwise become millions of
/// sections, each an index document repeating the report's metadata (a
/// 12 MB file took 3 GB). Bounded here, the sections of one file cost at
/// most about 100 MB beyond its text (some 1.5 KB each, index document
/// included).
pub const MAX_HEADINGS: usize = 50_000;

/// Longest heading text before a run-in body (characters, marker excluded).
const MAX_RUN_IN_HEADING: usize = 40;
/// Longest standalone heading line (characters, marker excluded).
const MAX_STANDALONE_HEADING: usize = 60;

/// A heading recognised in a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadingLine {
    pub style: MarkerStyle,
    pub number: u32,
    /// The heading as printed, marker included, without a run-in body.
    pub heading: String,
    /// Text after the run-in heading's sentence end (may be empty).
    pub run_in_body: Option<String>,
}

/// Recognise a heading at the start of a paragraph.
pub fn heading_line(text: &str) -> Option<HeadingLine> {
    let text = trim_padding(text);
    let marker = parse_marker(text)?;
    let rest = &text[marker.rest_start..];
    if rest.is_empty() {
        return None;
    }
    let end = rest.find(['。', '！', '？', '!', '?']);
    match end {
        Some(b) => {
            let head = &rest[..b];
            let n = head.chars().take(MAX_RUN_IN_HEADING + 1).count();
            if n == 0 || n > MAX_RUN_IN_HEADING {
                return None;
            }
            let sep_len = rest[b..].chars().next().map_or(0, char::len_utf8);
            let body = trim_padding(&rest[b + sep_len..]);
            Some(HeadingLine {
                style: marker.style,
                number: marker.number,
                heading: trim_padding(&text[..marker.rest_start + b]).to_string(),
                run_in_body: Some(body.to_string()),
            })
        }
        None => {
            if rest.chars().take(MAX_STANDALONE_HEADING + 1).count() > MAX_STANDALONE_HEADING {
                return None;
            }
            Some(HeadingLine {
                style: marker.style,
                number: marker.number,
                heading: text.to_string(),
                run_in_body: None,
            })
        }
    }
}

/// Same punctuation, different digits: a likely slip of the numbering style.
fn same_family(a: MarkerStyle, b: MarkerStyle) -> bool {
    use MarkerStyle::*;
    matches!(
        (a, b),
        (ChineseParen, ArabicParen)
            | (ArabicParen, ChineseParen)
            | (ChineseComma, ArabicDot)
            | (ArabicDot, ChineseComma)
    )
}

/// Words that open a concluding paragraph.
const CLOSING_OPENERS: &[&str] = &[
    "回顾",
    "总之",
    "总的来说",
    "总的来看",
    "总体来看",
    "综上",
    "今后",
    "下一步",
    "一年来",
    "新的一年",
    "展望",
    "面向未来",
    "最后",
    "特此报告",
];

/// A section under construction.
#[derive(Debug)]
struct Builder {
    level: u8,
    heading: String,
    path: Vec<String>,
    line_start: usize,
    heading_end: usize,
    run_in: Option<String>,
    /// Unnumbered paragraphs: text, first and last line.
    paras: Vec<(String, usize, usize)>,
}

impl Builder {
    fn has_own_text_besides_last(&self) -> bool {
        self.run_in.as_deref().is_some_and(|b| !b.is_empty()) || self.paras.len() >= 2
    }
}

/// An open numbering style on the stack.
#[derive(Debug, Clone, Copy)]
struct Open {
    style: MarkerStyle,
    number: u32,
    section: usize,
}

/// Build the tree from the text paragraphs (header and signature removed).
pub fn build(doc_id: &str, paras: &[&Paragraph]) -> Tree {
    let mut preamble: Vec<(String, usize, usize)> = Vec::new();
    let mut built: Vec<Builder> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    // Was the previous paragraph unnumbered text attached to the last section?
    let mut last_was_text = false;

    for p in paras {
        let Some(h) = heading_line(&p.text) else {
            match built.last_mut() {
                Some(b) => b.paras.push((p.text.clone(), p.line_start, p.line_end)),
                None => preamble.push((p.text.clone(), p.line_start, p.line_end)),
            }
            last_was_text = !built.is_empty();
            continue;
        };

        if let Some(pos) = stack.iter().position(|o| o.style == h.style) {
            let restarted = pos >= 1 && h.number == 1 && stack[pos].number >= 2;
            let implicit_ok = restarted
                && last_was_text
                && built.last().is_some_and(|b| b.has_own_text_besides_last());
            if implicit_ok {
                open_implicit(&mut built, &mut stack, pos);
            } else {
                stack.truncate(pos);
            }
        } else if let Some(top) = stack.last()
            && same_family(top.style, h.style)
            && h.number > 1
            && h.number == top.number + 1
        {
            stack.pop();
        } else if h.style == MarkerStyle::ChineseComma {
            // `一、` is the top level wherever it appears.
            stack.clear();
        }

        let path = stack
            .last()
            .map(|o| built[o.section].path.clone())
            .unwrap_or_default();
        let level = u8::try_from(stack.len() + 1).unwrap_or(u8::MAX);
        let mut path = path;
        path.push(h.heading.clone());
        stack.push(Open {
            style: h.style,
            number: h.number,
            section: built.len(),
        });
        built.push(Builder {
            level,
            heading: h.heading,
            path,
            line_start: p.line_start,
            heading_end: p.line_end,
            run_in: h.run_in_body,
            paras: Vec::new(),
        });
        last_was_text = false;
        if built.len() > MAX_HEADINGS {
            return plain_text(doc_id, paras);
        }
    }

    // Closing: trailing concluding paragraphs of the last section.
    let mut closing_paras = Vec::new();
    if let Some(last) = built.last_mut() {
        let has_children_style = last.level >= 2 || last.run_in.is_some();
        if has_children_style
            && let Some(j) = last
                .paras
                .iter()
                .position(|(t, _, _)| CLOSING_OPENERS.iter().any(|o| t.starts_with(o)))
        {
            let own_before = j > 0 || last.run_in.as_deref().is_some_and(|b| !b.is_empty());
            if own_before {
                closing_paras = last.paras.split_off(j);
            }
        }
    }

    let mut tree = Tree::default();
    if !preamble.is_empty() {
        tree.preamble = Some(level0(doc_id, 0, &preamble));
    }
    for (k, b) in built.into_iter().enumerate() {
        let ordinal = k + 1;
        let line_end = b
            .paras
            .iter()
            .map(|p| p.2)
            .chain([b.heading_end])
            .max()
            .unwrap_or(b.line_start);
        let mut body: Vec<&str> = Vec::new();
        if let Some(r) = b.run_in.as_deref().filter(|r| !r.is_empty()) {
            body.push(r);
        }
        body.extend(b.paras.iter().map(|p| p.0.as_str()));
        tree.sections.push(Section {
            id: format!("{doc_id}-{ordinal}"),
            ordinal,
            level: b.level,
            heading: b.heading,
            heading_path: b.path,
            line_start: b.line_start,
            line_end,
            body: body.join("\n"),
        });
    }
    if !closing_paras.is_empty() {
        tree.closing = Some(level0(doc_id, tree.sections.len() + 1, &closing_paras));
    }
    tree
}

/// The whole text as one level-0 section, for a file with more than
/// [`MAX_HEADINGS`] headings.
fn plain_text(doc_id: &str, paras: &[&Paragraph]) -> Tree {
    let mut body = String::with_capacity(paras.iter().map(|p| p.text.len() + 1).sum());
    for (k, p) in paras.iter().enumerate() {
        if k > 0 {
            body.push('\n');
        }
        body.push_str(&p.text);
    }
    Tree {
        preamble: Some(Section {
            id: format!("{doc_id}-0"),
            ordinal: 0,
            level: 0,
            heading: String::new(),
            heading_path: Vec::new(),
            line_start: paras.first().map_or(0, |p| p.line_start),
            line_end: paras.iter().map(|p| p.line_end).max().unwrap_or(0),
            body,
        }),
        sections: Vec::new(),
        closing: None,
        plain_text: Some(format!(
            "more than {MAX_HEADINGS} headings; indexed as plain text (one section)"
        )),
    }
}

/// Turn the last paragraph of the current leaf into an implicit section one
/// level above the restarted style at stack position `pos`.
fn open_implicit(built: &mut Vec<Builder>, stack: &mut Vec<Open>, pos: usize) {
    let Some((text, start, end)) = built.last_mut().and_then(|b| b.paras.pop()) else {
        stack.truncate(pos);
        return;
    };
    let parent = stack[pos - 1];
    stack.truncate(pos - 1);
    let label = implicit_label(&text);
    let mut path = stack
        .last()
        .map(|o| built[o.section].path.clone())
        .unwrap_or_default();
    path.push(label.clone());
    let level = u8::try_from(stack.len() + 1).unwrap_or(u8::MAX);
    stack.push(Open {
        style: parent.style,
        number: parent.number,
        section: built.len(),
    });
    built.push(Builder {
        level,
        heading: label,
        path,
        line_start: start,
        heading_end: start,
        run_in: None,
        paras: vec![(text, start, end)],
    });
}

/// Label for an unnumbered part: the sentence that introduces the list when
/// the paragraph ends with a colon (`重点做好以下五方面工作`), else its first
/// clause, at most 20 characters.
pub fn implicit_label(text: &str) -> String {
    let text = trim_padding(text);
    let ends_colon = text.ends_with(['：', ':']);
    let stripped = text.trim_end_matches(['：', ':']);
    if ends_colon {
        let last = stripped
            .rsplit(['。', '！', '？', '；', ';'])
            .next()
            .map(trim_padding)
            .unwrap_or("");
        let n = last.chars().count();
        if (2..=30).contains(&n) {
            return last.to_string();
        }
    }
    let first = text
        .split(['，', ',', '。', '：', ':', '；', ';', '！', '？'])
        .next()
        .map(trim_padding)
        .unwrap_or("");
    first.chars().take(20).collect()
}

fn level0(doc_id: &str, ordinal: usize, paras: &[(String, usize, usize)]) -> Section {
    Section {
        id: format!("{doc_id}-{ordinal}"),
        ordinal,
        level: 0,
        heading: String::new(),
        heading_path: Vec::new(),
        line_start: paras.first().map_or(0, |p| p.1),
        line_end: paras.iter().map(|p| p.2).max().unwrap_or(0),
        body: paras
            .iter()
            .map(|p| p.0.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(lines: &[&str]) -> Tree {
        let paras: Vec<Paragraph> = lines
            .iter()
            .enumerate()
            .map(|(i, t)| Paragraph {
                line_start: i + 1,
                line_end: i + 1,
                text: t.to_string(),
            })
            .collect();
        let refs: Vec<&Paragraph> = paras.iter().collect();
        build("d", &refs)
    }

    fn outline(t: &Tree) -> Vec<(u8, &str)> {
        t.sections
            .iter()
            .map(|s| (s.level, s.heading.as_str()))
            .collect()
    }

    #[test]
    fn conventional_styles_nest() {
        let t = tree(&["一、甲", "（一）乙", "1.丙", "（1）丁", "正文。", "二、戊"]);
        assert_eq!(
            outline(&t),
            [
                (1, "一、甲"),
                (2, "（一）乙"),
                (3, "1.丙"),
                (4, "（1）丁"),
                (1, "二、戊")
            ]
        );
        assert_eq!(
            t.sections[3].heading_path,
            ["一、甲", "（一）乙", "1.丙", "（1）丁"]
        );
        assert_eq!(t.sections[3].body, "正文。");
        assert_eq!(t.sections[3].id, "d-4");
    }

    #[test]
    fn half_width_and_arabic_variants() {
        let t = tree(&["一、甲", "(一)乙,丙", "1、丁", "2．戊", "(1)己"]);
        assert_eq!(
            outline(&t),
            [
                (1, "一、甲"),
                (2, "(一)乙,丙"),
                (3, "1、丁"),
                (3, "2．戊"),
                (4, "(1)己")
            ]
        );
    }

    #[test]
    fn run_in_heading_splits_at_first_full_stop_not_comma() {
        let t = tree(&[
            "三、下一步工作打算",
            "1.深化依法决策,提升行政水平。以规划为引领，推进工作。再一句。",
        ]);
        assert_eq!(t.sections[1].heading, "1.深化依法决策,提升行政水平");
        assert_eq!(t.sections[1].body, "以规划为引领，推进工作。再一句。");
        assert_eq!(
            t.sections[1].level, 2,
            "1. directly under 三、 is level 2 (skipped level)"
        );
    }

    #[test]
    fn long_numbered_sentence_is_body() {
        let long = format!("1.{}。", "很".repeat(50));
        assert!(heading_line(&long).is_none());
        assert!(heading_line("一是加强领导。").is_none());
    }

    #[test]
    fn numbering_mistake_keeps_two_sections() {
        let t = tree(&[
            "一、甲",
            "正文。",
            "二、乙",
            "正文。",
            "二、丙",
            "正文。",
            "三、丁",
        ]);
        assert_eq!(
            outline(&t),
            [(1, "一、甲"), (1, "二、乙"), (1, "二、丙"), (1, "三、丁")]
        );
    }

    #[test]
    fn wrong_style_in_a_run_stays_sibling() {
        let t = tree(&[
            "四、安排",
            "（1） 强化思维。正文。",
            "（2） 提高水平。正文。",
            "（三）开展活动。正文。",
        ]);
        assert_eq!(
            outline(&t),
            [
                (1, "四、安排"),
                (2, "（1） 强化思维"),
                (2, "（2） 提高水平"),
                (2, "（三）开展活动")
            ]
        );
    }

    #[test]
    fn preamble_and_signature_free_body() {
        let t = tree(&["2023年，我局推进工作。", "一、甲", "正文。"]);
        let pre = t.preamble.as_ref().unwrap();
        assert_eq!(
            (pre.level, pre.ordinal, pre.body.as_str(), pre.id.as_str()),
            (0, 0, "2023年，我局推进工作。", "d-0")
        );
        assert_eq!(t.sections[0].line_start, 2);
        assert_eq!(t.sections[0].line_end, 3);
    }

    #[test]
    fn implicit_section_when_sub_numbering_restarts() {
        let t = tree(&[
            "四、政务公开",
            "（一）甲。正文。",
            "（二）乙。正文。",
            "一年来，我局取得了一定成绩。重点做好以下两方面工作：",
            "（一）丙。正文。",
            "（二）丁。正文。",
        ]);
        assert_eq!(
            outline(&t),
            [
                (1, "四、政务公开"),
                (2, "（一）甲"),
                (2, "（二）乙"),
                (1, "重点做好以下两方面工作"),
                (2, "（一）丙"),
                (2, "（二）丁")
            ]
        );
        assert_eq!(t.sections[2].body, "正文。");
        assert_eq!(
            t.sections[3].body,
            "一年来，我局取得了一定成绩。重点做好以下两方面工作："
        );
        assert_eq!(t.sections[3].line_start, 4);
        assert_eq!(
            t.sections[4].heading_path,
            ["重点做好以下两方面工作", "（一）丙"]
        );
        assert_eq!(t.closing, None);
    }

    #[test]
    fn closing_paragraph_after_last_run_in_leaf() {
        let t = tree(&[
            "一、甲",
            "（一）乙。正文。",
            "回顾今年以来的工作，虽然取得了成绩。",
        ]);
        assert_eq!(t.sections.len(), 2);
        assert_eq!(t.sections[1].body, "正文。");
        let c = t.closing.unwrap();
        assert_eq!((c.level, c.ordinal, c.line_start), (0, 3, 3));
    }

    #[test]
    fn flat_document_keeps_unnumbered_paragraphs_as_body() {
        let t = tree(&[
            "一、甲",
            "正文一。",
            "二、乙",
            "正文二。",
            "正文三。",
            "一年来的经验是重要的。",
        ]);
        assert_eq!(t.sections.len(), 2);
        assert_eq!(
            t.sections[1].body,
            "正文二。\n正文三。\n一年来的经验是重要的。"
        );
        assert_eq!(t.closing, None);
    }

    #[test]
    fn inline_enumerations_are_not_headings() {
        let t = tree(&["一、问题", "一是意识不强。二是能力不足。"]);
        assert_eq!(t.sections.len(), 1);
        assert_eq!(t.sections[0].body, "一是意识不强。二是能力不足。");
    }

    #[test]
    fn senior_style_after_junior_starts_top_level() {
        let t = tree(&["（一）甲", "（二）乙", "二、丙", "（一）丁"]);
        assert_eq!(
            outline(&t),
            [
                (1, "（一）甲"),
                (1, "（二）乙"),
                (1, "二、丙"),
                (2, "（一）丁")
            ]
        );
    }

    #[test]
    fn headings_are_bounded_by_count() {
        let at_limit: Vec<String> = (0..MAX_HEADINGS).map(|_| "1.法".to_string()).collect();
        let refs: Vec<&str> = at_limit.iter().map(String::as_str).collect();
        let t = tree(&refs);
        assert_eq!(t.sections.len(), MAX_HEADINGS);
        assert_eq!(t.plain_text, None);

        let mut over = at_limit.clone();
        over.insert(0, "前言。".to_string());
        over.push("1.法".to_string());
        over.push("结尾。".to_string());
        let refs: Vec<&str> = over.iter().map(String::as_str).collect();
        let t = tree(&refs);
        assert!(t.sections.is_empty(), "{}", t.sections.len());
        assert_eq!(t.closing, None);
        let pre = t.preamble.as_ref().unwrap();
        assert_eq!(
            (pre.level, pre.line_start, pre.line_end),
            (0, 1, over.len())
        );
        assert_eq!(pre.body.lines().count(), over.len());
        assert!(t.plain_text.unwrap().contains("plain text"));
    }

    #[test]
    fn implicit_label_forms() {
        assert_eq!(
            implicit_label("一年来，我局取得成绩。重点做好以下五方面工作："),
            "重点做好以下五方面工作"
        );
        assert_eq!(implicit_label("今后，我局将继续努力，推进工作。"), "今后");
    }
}

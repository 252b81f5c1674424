//! Report metadata: title, bureau, year covered, date, 文号 and addressee,
//! each with the place it was read from.
//!
//! Reports state their metadata in places that vary from site to site, so
//! every field is gathered as *candidates* from all of them and chosen in a
//! fixed order of trust:
//!
//! * the **header**: page chrome (dropped), web metadata tables
//!   (`发布机构: | … |`), source lines (`2026-01-20 17:01 | 某某市水务局`), the
//!   red-header masthead (`许昌市教育局文件`), the document's own 文号,
//!   `签发人`, the title ([`title`]: searched for, possibly split over two
//!   lines or printed twice), a byline, the addressee (`市委、市政府：`);
//! * the **signature**: the trailing run of the bureau's name, the date and
//!   contact lines;
//! * the **opening sentences** ([`orgs`]): `2022年，某某市司法局始终坚持…`;
//! * **breadcrumbs and footers** (`首页 > 某某市水务局 > …`, `主办单位：…`),
//!   which name the site's owner: trusted least.
//!
//! A short self-reference (`市水务局`, `部党组`) is completed from a fuller
//! candidate of the same department; the place the parser cannot complete
//! here is completed against the gazetteer by [`crate::report::parse_report`].
//!
//! Everything recognised in the header and signature is *furniture*:
//! [`Metadata::furniture`] marks those paragraphs so that the section parser
//! never puts them into a section body. Fields are `None` rather than
//! guessed: a web page's posting time (`时间:2020-12-30 09:42`) is not the
//! report's date, a crawl date (`今天是…`) is chrome, and a 文号 cited in the
//! body (`长发〔2017〕37号`) is not the report's own.

pub mod orgs;
pub mod title;

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::ingest::clean::{self, Paragraph, is_breadcrumb, is_metadata_line, is_org_name_only};
use crate::text::dates::{find_date, parse_date_only};
use crate::text::numbering::{is_padding, parse_marker, trim_padding, without_padding};
pub use title::normalize_title;
use title::{FoundTitle, title_like};

/// Metadata found in a report's paragraphs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub title: Option<String>,
    pub bureau: Option<String>,
    pub report_year: Option<i32>,
    pub publish_date: Option<String>,
    pub doc_number: Option<String>,
    pub addressee: Option<String>,
    /// Where each field was read.
    pub sources: Sources,
    /// The paragraph(s) of the title: first line and the second of a split title.
    pub title_paragraphs: Option<(usize, Option<usize>)>,
    /// Every body named in the header, signature, fields and opening, most
    /// trusted first: the places they name help place a short bureau name.
    pub named_bodies: Vec<String>,
    /// Per paragraph: true when it is header/signature furniture, not text.
    pub furniture: Vec<bool>,
}

/// Where each metadata field was read (`"title line 3"`, `"来源 field line 2"`,
/// `"first sentence line 5"`, `"signature line 40"`, `"metadata file"` …);
/// `None` where the field is unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sources {
    pub title: Option<String>,
    pub bureau: Option<String>,
    pub report_year: Option<String>,
    pub publish_date: Option<String>,
    pub region: Option<String>,
}

/// What a header or signature paragraph is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Furniture {
    /// A web metadata table row, a breadcrumb or a `签发人：` line.
    Field,
    /// Page chrome before the title: nav bars, site names, widgets.
    Chrome,
    /// `XXX文件`: the red-header masthead.
    Masthead(String),
    /// The document's own 文号.
    DocNumber(String),
    /// `2026-01-20 17:01 | 某某市水务局`: a posting date and the body that posted.
    SourceLine(Option<String>, String),
    /// The title (with the index of a second line when it is split).
    Title(FoundTitle),
    /// An organisation's name alone.
    OrgName(String),
    /// `市委、市政府：`
    Addressee(String),
    /// A date alone.
    Date(String),
    /// 联系人 / 联系电话.
    Contact,
}

/// Where a bureau name was read, most trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    Title,
    Masthead,
    Byline,
    Signature,
    PublisherField,
    SourceField,
    SourceLine,
    FirstSentence,
    Breadcrumb,
    HostField,
    /// A body named further into the text: only ever completes a short
    /// self-reference, never the author by itself.
    Mention,
}

/// One reading of the bureau's name.
#[derive(Debug, Clone)]
struct Candidate {
    origin: Origin,
    /// Where it was read, for [`Sources`].
    label: String,
    name: String,
}

/// Longest header or signature we scan (paragraphs).
const MAX_FURNITURE_RUN: usize = 20;

/// Opening paragraphs of text read for a name or a year.
const OPENING_PARAGRAPHS: usize = 8;

/// Extract metadata from cleaned paragraphs.
pub fn extract(paras: &[Paragraph]) -> Metadata {
    let mut meta = Metadata {
        furniture: vec![false; paras.len()],
        ..Default::default()
    };
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut dates: Vec<(String, String)> = Vec::new();
    let header_end = read_header(paras, &mut meta, &mut candidates, &mut dates);
    let signature_date = read_signature(paras, header_end, &mut meta, &mut candidates);
    let posted = read_fields_anywhere(paras, header_end, &mut meta, &mut candidates, &mut dates);

    meta.publish_date = signature_date
        .or_else(|| dates.into_iter().next())
        .or(posted)
        .map(|(d, label)| {
            meta.sources.publish_date = Some(label);
            d
        });
    if needs_opening(&candidates) {
        candidates.extend(opening_names(paras, &meta.furniture, false));
    }
    if needs_mentions(&candidates) {
        candidates.retain(|c| c.origin != Origin::FirstSentence);
        candidates.extend(opening_names(paras, &meta.furniture, true));
        if let Some(c) = named_by_pronoun(paras, &meta.furniture, &candidates) {
            candidates.push(c);
        }
    }
    if let Some((name, label)) = choose_bureau(&mut candidates) {
        meta.bureau = Some(name);
        meta.sources.bureau = Some(label);
    }
    meta.named_bodies = candidates.into_iter().map(|c| c.name).collect();
    if let Some((year, label)) = report_year(paras, &meta) {
        meta.report_year = Some(year);
        meta.sources.report_year = Some(label);
    }
    meta
}

/// "`what` line N" for paragraph `i`.
fn at_line(what: &str, paras: &[Paragraph], i: usize) -> String {
    format!("{what} line {}", paras[i].line_start)
}

/// Read the header: chrome before the title, the title, and the furniture
/// around it. Returns the index of the first paragraph of text.
fn read_header(
    paras: &[Paragraph],
    meta: &mut Metadata,
    candidates: &mut Vec<Candidate>,
    dates: &mut Vec<(String, String)>,
) -> usize {
    let found = title::find_title(paras);
    let title_at = found.as_ref().map(|t| t.at);
    let limit = title_at.unwrap_or(0) + MAX_FURNITURE_RUN;
    let mut seen_title = false;
    let mut i = 0;
    while i < paras.len() && i < limit {
        let kind = if Some(i) == title_at {
            found.clone().map(Furniture::Title)
        } else {
            classify_header(paras, i, seen_title, title_at.is_none())
        };
        let kind = match kind {
            Some(k) => k,
            // Everything before the title is page chrome; without a title,
            // short lines before the first sentence are too.
            None if title_at.is_some_and(|t| i < t) => Furniture::Chrome,
            None if title_at.is_none() && is_chrome_shaped(&paras[i].text) => Furniture::Chrome,
            None => break,
        };
        meta.furniture[i] = true;
        match kind {
            Furniture::Field | Furniture::Chrome | Furniture::Contact => {}
            Furniture::Masthead(org) => candidates.push(Candidate {
                origin: Origin::Masthead,
                label: at_line("masthead", paras, i),
                name: org,
            }),
            Furniture::DocNumber(n) => {
                meta.doc_number.get_or_insert(n);
            }
            Furniture::SourceLine(date, org) => {
                candidates.push(Candidate {
                    origin: Origin::SourceLine,
                    label: at_line("source line", paras, i),
                    name: org,
                });
                if let Some(d) = date {
                    dates.push((d, at_line("source line", paras, i)));
                }
            }
            Furniture::Title(t) => {
                if meta.title.is_none() {
                    take_title(&t, paras, meta, candidates);
                }
                seen_title = true;
                if let Some(j) = t.second {
                    meta.furniture[j] = true;
                    i = j;
                }
            }
            Furniture::OrgName(org) => candidates.push(Candidate {
                origin: Origin::Byline,
                label: at_line("byline", paras, i),
                name: org,
            }),
            Furniture::Addressee(a) => {
                meta.addressee.get_or_insert(a);
            }
            Furniture::Date(d) => dates.push((d, at_line("date", paras, i))),
        }
        i += 1;
    }
    i
}

/// Record the title and the author its opening names.
fn take_title(
    t: &FoundTitle,
    paras: &[Paragraph],
    meta: &mut Metadata,
    cands: &mut Vec<Candidate>,
) {
    meta.title = Some(t.text.clone());
    meta.title_paragraphs = Some((t.at, t.second));
    meta.sources.title = Some(at_line("title", paras, t.at));
    if let Some(name) = orgs::title_author(&t.text) {
        cands.push(Candidate {
            origin: Origin::Title,
            label: at_line("title", paras, t.at),
            name: clean_org(&name),
        });
    }
}

/// A short line without sentence punctuation before any text: page chrome,
/// a site name, a widget row.
fn is_chrome_shaped(text: &str) -> bool {
    text.chars().take(51).count() <= 50
        && !text.contains(['。', '，', '；', '！', '？'])
        && !text.ends_with(['：', ':'])
        && parse_marker(text).is_none()
}

/// Read the signature: the trailing run of names, dates and contact lines.
/// Returns the signature's date.
fn read_signature(
    paras: &[Paragraph],
    header_end: usize,
    meta: &mut Metadata,
    candidates: &mut Vec<Candidate>,
) -> Option<(String, String)> {
    let mut sig_org = None;
    let mut sig_date = None;
    let mut j = paras.len();
    while j > header_end && paras.len() - j < MAX_FURNITURE_RUN {
        let text = paras[j - 1].text.as_str();
        if let Some(d) = parse_date_only(text) {
            sig_date = sig_date.or(Some((d, at_line("signature", paras, j - 1))));
        } else if is_org_name_only(text) {
            // The topmost name wins.
            sig_org = Some((clean_org(text), at_line("signature", paras, j - 1)));
        } else if !clean::is_contact_line(text) && !is_metadata_line(text) {
            break;
        }
        meta.furniture[j - 1] = true;
        j -= 1;
    }
    if let Some((name, label)) = sig_org {
        candidates.push(Candidate {
            origin: Origin::Signature,
            label,
            name,
        });
    }
    sig_date
}

/// Metadata fields anywhere (tables are sometimes printed after the text),
/// breadcrumbs, and repeated titles. Returns the page's posting date.
fn read_fields_anywhere(
    paras: &[Paragraph],
    header_end: usize,
    meta: &mut Metadata,
    candidates: &mut Vec<Candidate>,
    dates: &mut Vec<(String, String)>,
) -> Option<(String, String)> {
    let mut posted = None;
    let mut doc_number = None;
    for (k, p) in paras.iter().enumerate() {
        if is_breadcrumb(&p.text) {
            meta.furniture[k] = true;
            candidates.extend(breadcrumb_bodies(&p.text).map(|name| Candidate {
                origin: Origin::Breadcrumb,
                label: at_line("breadcrumb", paras, k),
                name,
            }));
        } else if is_metadata_line(&p.text) {
            meta.furniture[k] = true;
            for (label, value) in fields(&p.text) {
                let here = || at_line(&format!("{label} field"), paras, k);
                if let Some(origin) = field_origin(label)
                    && is_org_name_only(&value)
                {
                    candidates.push(Candidate {
                        origin,
                        label: here(),
                        name: clean_org(&value),
                    });
                } else if matches!(label, "文号" | "发文字号") && doc_number.is_none() {
                    doc_number = find_doc_number(&value);
                } else if matches!(
                    label,
                    "生效日期" | "发布日期" | "成文日期" | "发文日期" | "印发日期"
                ) && let Some(d) = find_date(&value)
                {
                    dates.push((d, here()));
                } else if label == "发布时间"
                    && posted.is_none()
                    && let Some(d) = find_date(&value)
                {
                    posted = Some((d, here()));
                }
            }
        }
        if let Some(t) = &meta.title
            && !meta.furniture[k]
            && k < header_end + MAX_FURNITURE_RUN
            && p.text.len() <= 400
            && normalize_title(title::strip_site_suffix(&p.text)) == *t
        {
            meta.furniture[k] = true;
        }
    }
    if meta.doc_number.is_none() {
        meta.doc_number = doc_number;
    }
    posted
}

/// What a metadata field's value says about the author, if anything.
fn field_origin(label: &str) -> Option<Origin> {
    match label {
        "发布机构" | "发文机关" | "发文机构" | "发文单位" | "发布单位" | "所属机构" => {
            Some(Origin::PublisherField)
        }
        "来源" | "信息来源" => Some(Origin::SourceField),
        "主办单位" => Some(Origin::HostField),
        _ => None,
    }
}

/// The bodies a breadcrumb names (`首页 > 某某市水务局 > 政务公开`).
fn breadcrumb_bodies(line: &str) -> impl Iterator<Item = String> + '_ {
    line.split(['>', '›', '»', '＞', '→', '/', '|', '｜'])
        .map(trim_padding)
        .filter(|s| is_org_name_only(s))
        .map(clean_org)
}

/// Bodies named in the opening paragraphs of the text: the first names of
/// the first three paragraphs are the author's candidates; every other name
/// in the opening is a [`Origin::Mention`].
/// Without `with_mentions`, only the authors' candidates are read (the
/// first three paragraphs): mentions are needed only to complete a short
/// name, and reading them costs time on every report.
fn opening_names(paras: &[Paragraph], furniture: &[bool], with_mentions: bool) -> Vec<Candidate> {
    let mut out = Vec::new();
    let text_paras = paras
        .iter()
        .enumerate()
        .filter(|(k, p)| !furniture[*k] && parse_marker(&p.text).is_none())
        .take(if with_mentions { OPENING_PARAGRAPHS } else { 3 });
    for (n, (k, p)) in text_paras.enumerate() {
        let head: String = p
            .text
            .chars()
            .take(if with_mentions { 600 } else { 300 })
            .collect();
        let names = orgs::names_in(&head);
        // The first name outside a cited title (`《…》`) is the author's;
        // a place standing as the subject (`南昌县全面贯彻…`) is too.
        let first_at = names
            .iter()
            .map(|(at, _)| *at)
            .find(|at| !orgs::inside_book_title(&head, *at));
        if n < 3
            && first_at.is_none()
            && let Some(place) = orgs::place_as_subject(&head)
        {
            out.push(Candidate {
                origin: Origin::FirstSentence,
                label: at_line("first sentence", paras, k),
                name: place,
            });
        }
        for (at, name) in names {
            let first = n < 3 && Some(at) == first_at;
            if !first && !with_mentions {
                continue;
            }
            out.push(Candidate {
                origin: if first {
                    Origin::FirstSentence
                } else {
                    Origin::Mention
                },
                label: at_line(if first { "first sentence" } else { "text" }, paras, k),
                name: clean_org(&name),
            });
        }
    }
    out
}

/// A report that calls itself only `我局` (`本厅`, `我镇`): the first body of
/// that kind the opening names further on (`…上城区人力资源和社会保障局…`).
fn named_by_pronoun(
    paras: &[Paragraph],
    furniture: &[bool],
    candidates: &[Candidate],
) -> Option<Candidate> {
    if candidates.iter().any(|c| c.origin < Origin::Mention) {
        return None;
    }
    let opening = paras
        .iter()
        .enumerate()
        .find(|(k, p)| !furniture[*k] && parse_marker(&p.text).is_none())?;
    let ending = orgs::pronoun_self_reference(&opening.1.text)?;
    let mention = candidates.iter().find(|c| {
        c.origin == Origin::Mention
            && c.name.ends_with(ending)
            && !orgs::is_short_self_reference(&c.name)
    })?;
    Some(Candidate {
        origin: Origin::FirstSentence,
        label: format!(
            "{} ({})",
            at_line("first sentence", paras, opening.0),
            mention.label
        ),
        name: mention.name.clone(),
    })
}

/// A government as a whole (`某某市人民政府`, `…政府办公室`): when a field or
/// breadcrumb names one, it is usually the site's owner, not the author.
fn is_site_owner_shaped(name: &str) -> bool {
    [
        "人民政府",
        "人民政府办公室",
        "政府办公室",
        "政府办",
        "人民政府网",
    ]
    .iter()
    .any(|s| name.ends_with(s))
}

/// How far a candidate is trusted (lower is better): a field or breadcrumb
/// naming a government as a whole (the site's owner) ranks with breadcrumbs.
fn rank(c: &Candidate) -> (Origin, bool) {
    let weak_owner = c.origin >= Origin::PublisherField && is_site_owner_shaped(&c.name);
    (
        if weak_owner {
            Origin::Breadcrumb
        } else {
            c.origin
        },
        weak_owner,
    )
}

/// Does choosing need the opening sentences: no candidate trusted more
/// than they are, or a best one that is only a short self-reference? (Most
/// reports name their author in the title; reading the opening then costs
/// time for nothing.)
fn needs_opening(candidates: &[Candidate]) -> bool {
    candidates
        .iter()
        .min_by_key(|c| rank(c))
        .is_none_or(|best| {
            rank(best).0 > Origin::FirstSentence || orgs::is_short_self_reference(&best.name)
        })
}

/// Does choosing need the bodies the text mentions: no author candidate,
/// or a best one that is only a short self-reference?
fn needs_mentions(candidates: &[Candidate]) -> bool {
    candidates
        .iter()
        .min_by_key(|c| rank(c))
        .is_none_or(|best| orgs::is_short_self_reference(&best.name))
}

/// The bureau: the most trusted candidate, its short self-reference
/// completed from a fuller one of the same department.
fn choose_bureau(candidates: &mut [Candidate]) -> Option<(String, String)> {
    candidates.sort_by_key(rank);
    let best = candidates.first().filter(|c| c.origin != Origin::Mention)?;
    if orgs::is_short_self_reference(&best.name) {
        let department = orgs::department_of_short(&best.name);
        if let Some(full) = candidates.iter().find(|c| {
            !orgs::is_short_self_reference(&c.name)
                && c.name.ends_with(department)
                && orgs::plausible_author(&c.name)
        }) {
            let label = format!("{} (full name: {})", best.label, full.label);
            return Some((full.name.clone(), label));
        }
    }
    Some((best.name.clone(), best.label.clone()))
}

/// The year the report covers: from the title, else the opening sentences,
/// else an early heading that is not about plans.
fn report_year(paras: &[Paragraph], meta: &Metadata) -> Option<(i32, String)> {
    if let Some(t) = &meta.title
        && let Some(y) = year_in_title(t)
    {
        return Some((y, meta.sources.title.clone().unwrap_or_default()));
    }
    let opening: Vec<(usize, &Paragraph)> = paras
        .iter()
        .enumerate()
        .filter(|(k, _)| !meta.furniture[*k])
        .take(OPENING_PARAGRAPHS)
        .collect();
    let sentences = || {
        opening
            .iter()
            .filter(|(_, p)| parse_marker(&p.text).is_none())
    };
    let headings = || {
        opening
            .iter()
            .filter(|(_, p)| parse_marker(&p.text).is_some())
    };
    sentences()
        .find_map(|(k, p)| {
            Some((
                year_in_body(&p.text, false)?,
                at_line("first sentence", paras, *k),
            ))
        })
        .or_else(|| {
            sentences().find_map(|(k, p)| {
                Some((
                    year_in_body(&p.text, true)?,
                    at_line("first sentence", paras, *k),
                ))
            })
        })
        .or_else(|| {
            headings()
                .filter(|(_, p)| !is_about_plans(&p.text))
                .find_map(|(k, p)| {
                    Some((year_in_body(&p.text, false)?, at_line("heading", paras, *k)))
                })
        })
}

/// A heading or sentence about next year's plans (`2024年工作打算`).
fn is_about_plans(text: &str) -> bool {
    ["打算", "计划", "思路", "下一步", "明年", "安排"]
        .iter()
        .any(|w| text.contains(w))
}

/// Classify paragraph `i` of the header, or `None` when it is not furniture.
/// `may_be_title`: no title was found up front, so none is looked for here.
fn classify_header(
    paras: &[Paragraph],
    i: usize,
    seen_title: bool,
    may_be_title: bool,
) -> Option<Furniture> {
    let text = paras[i].text.as_str();
    if text.len() > 300 {
        return None;
    }
    if let Some((date, org)) = source_line(text) {
        return Some(Furniture::SourceLine(date, org));
    }
    if is_metadata_line(text) || is_breadcrumb(text) {
        return Some(Furniture::Field);
    }
    if parse_marker(text).is_some() {
        return None;
    }
    if let Some(n) = find_doc_number(text)
        && text.chars().count() <= 40
        && DOC_NUMBER_RE
            .find(text)
            .is_some_and(|m| m.start() == 0 || text[..m.start()].chars().all(is_padding))
    {
        return Some(Furniture::DocNumber(n));
    }
    if let Some(d) = parse_date_only(text) {
        return Some(Furniture::Date(d));
    }
    if clean::is_contact_line(text) {
        return Some(Furniture::Contact);
    }
    if let Some(org) = text.strip_suffix("文件").map(trim_padding)
        && is_org_name_only(org)
    {
        return Some(Furniture::Masthead(clean_org(org)));
    }
    if !seen_title
        && may_be_title
        && let Some(t) = title::title_at(paras, i)
    {
        return Some(Furniture::Title(t));
    }
    if seen_title && let Some(a) = addressee(text) {
        return Some(Furniture::Addressee(a));
    }
    if is_org_name_only(text) {
        return Some(Furniture::OrgName(clean_org(text)));
    }
    if seen_title && title_like(title::strip_site_suffix(text)) {
        // A repeated title (page title, then document title).
        return Some(Furniture::Field);
    }
    if !seen_title && let Some(a) = addressee(text) {
        return Some(Furniture::Addressee(a));
    }
    None
}

/// `2026-01-20 17:01 | 某某市水务局`, `某某市水务局 2026-01-20`: a posting
/// date (or time) next to the body that posted, and nothing else.
fn source_line(text: &str) -> Option<(Option<String>, String)> {
    if text.chars().take(61).count() > 60 || is_metadata_line(text) {
        return None;
    }
    let parts: Vec<&str> = text
        .split(['|', '｜', '丨', '\u{3000}', '\u{a0}'])
        .flat_map(|p| p.split("  "))
        .map(trim_padding)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return None;
    }
    let is_time = |p: &str| {
        p.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '：' | ' '))
    };
    let mut date = None;
    let mut org = None;
    for p in &parts {
        if let Some(d) = find_date(p).filter(|_| p.chars().count() <= 25) {
            date = date.or(Some(d));
        } else if is_org_name_only(p) && org.is_none() {
            org = Some(clean_org(p));
        } else if !is_time(p) {
            return None;
        }
    }
    date.as_ref()?;
    Some((date, org?))
}

/// The addressee line: short, names bodies, ends with a colon.
fn addressee(text: &str) -> Option<String> {
    let body = text.strip_suffix(['：', ':'])?;
    let body = trim_padding(body);
    let n = body.chars().count();
    if !(2..=40).contains(&n) || body.contains(['，', ',', '。', '；', ';', '：', ':', '|']) {
        return None;
    }
    // `现将…报告如下：` introduces the text; it addresses nobody.
    if body.contains("如下") || body.contains("报告") {
        return None;
    }
    const BODIES: &[&str] = &[
        "委", "政府", "办", "局", "厅", "部", "院", "会", "处", "领导", "同志", "单位", "组",
    ];
    BODIES
        .iter()
        .any(|b| body.contains(b))
        .then(|| body.to_string())
}

/// An organisation name without padding or internal spaces, and without
/// the party group that often signs for it (`司法部党组` → `司法部`).
fn clean_org(text: &str) -> String {
    let name = without_padding(text);
    for group in ["党组", "党委"] {
        if let Some(body) = name.strip_suffix(group)
            && body.chars().count() >= 2
            && is_org_name_only(body)
        {
            return body.to_string();
        }
    }
    name
}

/// `(label, value)` pairs of a metadata line: `发布机构: | 宁县教育局 |` or
/// `时间:2020-12-30 09:42 来源:`.
fn fields(line: &str) -> Vec<(&'static str, String)> {
    // Spaces go: labels are printed spaced out (`文 号:`), values need none.
    let compact = without_padding(line);
    let mut hits: Vec<(usize, usize, &'static str)> = Vec::new();
    for label in clean::METADATA_LABELS {
        for (pos, _) in compact.match_indices(label) {
            let after = pos + label.len();
            if let Some(sep) = compact[after..]
                .chars()
                .next()
                .filter(|c| matches!(c, ':' | '：'))
            {
                hits.push((pos, after + sep.len_utf8(), label));
            }
        }
    }
    hits.sort();
    // Drop labels contained in longer ones ("来源" inside "信息来源").
    hits.dedup_by(|b, a| b.0 < a.1 && b.0 >= a.0);
    let mut out = Vec::new();
    for (k, &(_, value_start, label)) in hits.iter().enumerate() {
        let value_end = hits.get(k + 1).map_or(compact.len(), |h| h.0);
        let value = compact[value_start..value_end.max(value_start)]
            .split('|')
            .map(trim_padding)
            .find(|v| !v.is_empty())
            .unwrap_or("");
        out.push((label, value.to_string()));
    }
    out
}

static DOC_NUMBER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[\p{Han}A-Za-z]{1,12}[ \u{3000}]*[〔\[［【(（][ \u{3000}]*(?:19|20)\d{2}[ \u{3000}]*[〕\]］】)）][ \u{3000}]*第?[ \u{3000}]*\d{1,5}[ \u{3000}]*号",
    )
    .expect("doc number regex")
});

/// A 文号 like `许教〔2022〕5号` in `text`, spaces removed.
pub fn find_doc_number(text: &str) -> Option<String> {
    if text.len() > 2000 {
        return None;
    }
    DOC_NUMBER_RE
        .find(text)
        .map(|m| without_padding(m.as_str()))
}

/// The year a title says the report covers: `2021年度`, `2023年`, `二〇二〇年`.
fn year_in_title(title: &str) -> Option<i32> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"((?:19|20)\d{2})\s*年|([〇零○一二三四五六七八九]{4})\s*年").expect("year")
    });
    let c = RE.captures(title)?;
    if let Some(y) = c.get(1) {
        return y.as_str().parse().ok();
    }
    crate::text::dates::chinese_year(&c[2])
}

/// A year the opening text reports on: `2023年，`, `2020年度`, `2023年全年`;
/// with `weak`, also `2021年以来` (which may open a later year's report).
fn year_in_body(text: &str, weak: bool) -> Option<i32> {
    static STRONG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"((?:19|20)\d{2})\s*年(?:度|[，,、]|全年|我|是|在|上半年)").expect("body year")
    });
    static WEAK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年以来").expect("weak body year"));
    let head: String = text.chars().take(200).collect();
    let re = if weak { &*WEAK } else { &*STRONG };
    re.captures(&head)?[1].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::clean::paragraphs;

    fn meta(text: &str) -> Metadata {
        extract(&paragraphs(text))
    }

    #[test]
    fn doc_number_forms() {
        assert_eq!(
            find_doc_number("许教〔2022〕5号").as_deref(),
            Some("许教〔2022〕5号")
        );
        assert_eq!(
            find_doc_number("某政办发[2021] 12 号").as_deref(),
            Some("某政办发[2021]12号")
        );
        assert_eq!(find_doc_number("无文号"), None);
    }

    #[test]
    fn doc_number_only_from_header() {
        let m = meta(
            "许昌市教育局文件\n许教〔2022〕5号\n签发人：某某\n许昌市教育局关于2021年度法治政府建设工作报告\n市委、市政府：\n全面落实《某某方案》（长发〔2017〕37号）要求，推进工作。\n",
        );
        assert_eq!(m.doc_number.as_deref(), Some("许教〔2022〕5号"));
        let m = meta(
            "某局2021年度法治政府建设工作报告\n全面落实《某某方案》（长发〔2017〕37号）要求。\n",
        );
        assert_eq!(m.doc_number, None);
    }

    #[test]
    fn title_join_and_space() {
        let m = meta(
            "\n呼兰区教育局2023年法治政府建设\n年度报告\n区政府：\n2023年，区教育局深入推进。",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("呼兰区教育局2023年法治政府建设年度报告")
        );
        assert_eq!(m.addressee.as_deref(), Some("区政府"));
        assert_eq!(m.bureau.as_deref(), Some("呼兰区教育局"));
        assert_eq!(m.report_year, Some(2023));
        let m = meta(
            "许昌市教育局 关于2021年度法治政府建设工作报告\n市委、市政府：\n今年以来，我局推进工作。",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("许昌市教育局关于2021年度法治政府建设工作报告")
        );
        let m = meta("某某市教育局\n关于2021年度法治政府建设情况的报告\n今年以来，我局推进工作。");
        assert_eq!(
            m.title.as_deref(),
            Some("某某市教育局关于2021年度法治政府建设情况的报告")
        );
        assert_eq!(m.bureau.as_deref(), Some("某某市教育局"));
    }

    #[test]
    fn duplicated_title_collapses_and_breadcrumb_is_not_title() {
        let text = "您当前的位置:首页 > 信息公开 > 规划计划\n长春市教育局关于2020年法治政府建设的工作报告\n时间:2020-12-30 09:42 来源:\n长春市教育局关于2020年法治政府建设的工作报告\n市委依法治市委员会办公室:\n2020年,市教育局认真贯彻落实中央决策部署。\n一、主要工作\n正文。\n长春市教育局\n20201228\n";
        let ps = paragraphs(text);
        let m = extract(&ps);
        assert_eq!(
            m.title.as_deref(),
            Some("长春市教育局关于2020年法治政府建设的工作报告")
        );
        assert_eq!(m.addressee.as_deref(), Some("市委依法治市委员会办公室"));
        assert_eq!(
            m.publish_date.as_deref(),
            Some("2020-12-28"),
            "signature date, not posting time"
        );
        assert_eq!(m.report_year, Some(2020));
        assert_eq!(
            m.furniture,
            [
                true, true, true, true, true, false, false, false, true, true
            ],
            "the breadcrumb is kept as furniture"
        );
    }

    #[test]
    fn bureau_from_byline_field_or_signature() {
        let m = meta("2020年度法治政府建设工作总结\n龙泉市教育局\n2020年，我局认真贯彻落实。");
        assert_eq!(m.bureau.as_deref(), Some("龙泉市教育局"));
        assert_eq!(m.report_year, Some(2020));
        assert_eq!(m.publish_date, None);
        let m = meta(
            "索引号: | 1 | 发布机构: | 宁县教育局 |\n生效日期: | 2024-04-03 | 废止日期: | |\n法治政府建设工作报告\n近年来，我局推进工作。",
        );
        assert_eq!(m.bureau.as_deref(), Some("宁县教育局"));
        assert_eq!(m.publish_date.as_deref(), Some("2024-04-03"));
        let m = meta("法治政府建设工作报告\n近年来，我局推进工作。\n某某县司法局\n2024年4月3日");
        assert_eq!(m.bureau.as_deref(), Some("某某县司法局"));
        assert_eq!(m.publish_date.as_deref(), Some("2024-04-03"));
    }

    #[test]
    fn report_year_is_not_publication_year() {
        let m = meta(
            "宁县教育局2023年度法治政府建设工作报告\n近年来，我局推进工作。\n宁县教育局\n2024年4月3日",
        );
        assert_eq!(m.report_year, Some(2023));
        let m = meta("法治政府建设工作报告\n2023年，我局推进工作。\n2024年1月3日");
        assert_eq!(m.report_year, Some(2023));
    }

    #[test]
    fn addressee_rules() {
        assert_eq!(addressee("市委、市政府：").as_deref(), Some("市委、市政府"));
        assert_eq!(
            addressee("市委依法治市委员会办公室:").as_deref(),
            Some("市委依法治市委员会办公室")
        );
        assert_eq!(addressee("现将有关情况报告如下，请审阅："), None);
        assert_eq!(addressee("时间:"), None);
    }

    // --- Patterns of real pages (issue 12), one fixture each, in our own words.

    #[test]
    fn body_only_names_the_author_in_the_first_sentence() {
        let m = meta(
            "2022年，庆阳市司法局始终坚持以习近平法治思想为指导，全面推进依法行政，现将有关情况报告如下：\n一、主要做法\n推进工作。",
        );
        assert_eq!(m.bureau.as_deref(), Some("庆阳市司法局"));
        assert_eq!(m.report_year, Some(2022));
        assert_eq!(m.title, None);
        assert_eq!(m.sources.bureau.as_deref(), Some("first sentence line 1"));
        let m = meta(
            "2021年以来，许昌市公安局按照市委、市政府的部署，扎实推进法治政府建设工作，成效明显。\n一、主要工作",
        );
        assert_eq!(m.bureau.as_deref(), Some("许昌市公安局"));
        assert_eq!(
            m.report_year,
            Some(2021),
            "以来 counts when nothing stronger is said"
        );
        let m = meta(
            "现将长春市人力资源和社会保障局2019年度法治政府建设工作报告如下：\n一、工作开展情况\n推进工作。",
        );
        assert_eq!(m.bureau.as_deref(), Some("长春市人力资源和社会保障局"));
        assert_eq!(m.report_year, Some(2019));
    }

    #[test]
    fn short_self_reference_is_completed_from_a_source_line() {
        let m = meta(
            "市水务局2025年法治政府建设年度报告\n2026-01-20 17:01 | 庆阳市水务局\n2025年，市水务局坚持依法行政，各项工作取得了新进展，现报告如下。\n一、主要工作",
        );
        assert_eq!(m.bureau.as_deref(), Some("庆阳市水务局"));
        assert_eq!(
            m.sources.bureau.as_deref(),
            Some("title line 1 (full name: source line line 2)")
        );
        assert_eq!(m.report_year, Some(2025));
        assert_eq!(m.publish_date.as_deref(), Some("2026-01-20"));
        assert!(m.furniture[1], "the source line is furniture");
    }

    #[test]
    fn short_self_reference_is_completed_from_fields_and_signature() {
        let m = meta(
            "区教育局关于2022年度法治政府建设情况的报告\n信息来源：许昌市魏都区教育局\n2022年，区教育局认真贯彻落实上级部署，依法治教水平持续提升，现将情况报告如下。",
        );
        assert_eq!(m.bureau.as_deref(), Some("许昌市魏都区教育局"));
        let m = meta(
            "部党组关于2021年法治政府建设情况的报告\n2021年，部党组坚持以习近平法治思想为指导，推进法治政府建设。\n一、主要工作\n推进工作。\n中华人民共和国司法部\n2022年3月1日",
        );
        assert_eq!(m.bureau.as_deref(), Some("中华人民共和国司法部"));
        assert_eq!(m.publish_date.as_deref(), Some("2022-03-01"));
        assert_eq!(m.report_year, Some(2021));
    }

    #[test]
    fn page_chrome_before_the_title_is_furniture() {
        let m = meta(
            "今天是：2026年1月20日 星期二\n中国政府网|甘肃省政府网|繁体|无障碍\n用户登录\n首页→网站公告\n宁县司法局2023年度法治政府建设工作报告\n发布时间：2024-01-20\n【字体：大 中 小】\n2023年，县司法局坚持以习近平法治思想为指导，全面推进依法行政，取得了明显成效。\n一、主要工作\n推进工作。",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("宁县司法局2023年度法治政府建设工作报告")
        );
        assert_eq!(m.bureau.as_deref(), Some("宁县司法局"));
        assert_eq!(m.report_year, Some(2023));
        assert_eq!(
            m.publish_date.as_deref(),
            Some("2024-01-20"),
            "posting date, not the crawl date"
        );
        assert_eq!(m.furniture.iter().filter(|f| **f).count(), 3);
        assert!(!m.furniture[3], "the first sentence is text");
    }

    #[test]
    fn title_forms() {
        let m = meta(
            "许昌市民政局关于2016年度法治政府建设情况的报告\n市政府：\n2016年，我局推进依法行政。",
        );
        assert_eq!(m.bureau.as_deref(), Some("许昌市民政局"));
        assert_eq!(m.report_year, Some(2016));
        let m = meta(
            "长春市水务局发布2023年法治政府建设年度报告\n近日，长春市水务局发布了2023年法治政府建设年度报告，全文如下。",
        );
        assert_eq!(m.bureau.as_deref(), Some("长春市水务局"));
        assert_eq!(m.report_year, Some(2023));
        let m = meta(
            "关于2025年度法治政府建设情况的报告\n宁县市场监督管理局\n2025年，我局坚持依法行政，全面推进法治政府建设，取得积极成效。",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("关于2025年度法治政府建设情况的报告")
        );
        assert_eq!(m.bureau.as_deref(), Some("宁县市场监督管理局"));
        assert_eq!(m.sources.bureau.as_deref(), Some("byline line 2"));
        let m = meta(
            "早胜镇2020年度法治政府建设工作总结\n2020年，在县委、县政府的坚强领导下，我镇坚持依法行政，各项工作有序推进。",
        );
        assert_eq!(m.bureau.as_deref(), Some("早胜镇"));
        assert_eq!(m.report_year, Some(2020));
    }

    #[test]
    fn metadata_tables_in_several_layouts() {
        let m = meta(
            "索引号: | 62/2024-1 | 发布机构: | |\n来源：宁县教育局\n法治政府建设工作报告\n近年来，我局推进工作。",
        );
        assert_eq!(
            m.bureau.as_deref(),
            Some("宁县教育局"),
            "an empty field is skipped"
        );
        assert_eq!(m.sources.bureau.as_deref(), Some("来源 field line 2"));
        let m = meta(
            "法治政府建设工作报告\n发文机关：甘肃省司法厅\n成文日期：2022-02-10\n2021年，全省司法行政系统推进工作，成效明显，现将有关情况报告如下。",
        );
        assert_eq!(m.bureau.as_deref(), Some("甘肃省司法厅"));
        assert_eq!(m.publish_date.as_deref(), Some("2022-02-10"));
        assert_eq!(m.report_year, Some(2021));
    }

    #[test]
    fn site_owner_in_a_field_yields_to_the_department_in_the_text() {
        let m = meta(
            "法治政府建设年度报告\n发布机构：庆阳市人民政府办公室\n2023年，庆阳市生态环境局坚持依法行政，扎实推进法治政府建设，现将情况报告如下。",
        );
        assert_eq!(m.bureau.as_deref(), Some("庆阳市生态环境局"));
    }

    #[test]
    fn reposts_keep_the_report_s_author() {
        // A mirror's spam after the title and a WeChat source are not the author.
        let m = meta(
            "司法部2021年法治政府建设年度报告_某某娱乐平台\n来源：微信公众号\n2021年，司法部坚持以习近平新时代中国特色社会主义思想为指导，推进法治政府建设。",
        );
        assert_eq!(m.title.as_deref(), Some("司法部2021年法治政府建设年度报告"));
        assert_eq!(m.bureau.as_deref(), Some("司法部"));
        assert_eq!(m.report_year, Some(2021));
        // A traditional-script repost.
        let m = meta(
            "2021年，司法部堅持以習近平新時代中國特色社會主義思想為指導，推動法治政府建設。\n一、加強黨的領導",
        );
        assert_eq!(m.bureau.as_deref(), Some("司法部"));
        assert_eq!(m.report_year, Some(2021));
    }

    #[test]
    fn year_traps() {
        // A first heading copied from last year's report.
        let m = meta(
            "宁县教育局2025年法治政府建设年度报告\n一、2024年法治政府建设基本情况\n推进工作。",
        );
        assert_eq!(m.report_year, Some(2025));
        // Without a title: the opening sentence beats the headings and the plans.
        let m = meta(
            "2025年，宁县教育局坚持依法治教，成效明显，现报告如下。\n一、2024年法治政府建设基本情况\n二、2026年工作打算",
        );
        assert_eq!(m.report_year, Some(2025));
        let m = meta("工作情况\n一、2026年工作打算\n推进工作。\n二、2022年度主要成效\n推进工作。");
        assert_eq!(
            m.report_year,
            Some(2022),
            "plans for next year are not the report's year"
        );
        // A publication date a year later is not the report year.
        let m =
            meta("法治政府建设工作报告\n发布日期：2024-02-01\n今年以来，我局推进工作，成效明显。");
        assert_eq!(m.report_year, None);
        assert_eq!(m.publish_date.as_deref(), Some("2024-02-01"));
    }
}

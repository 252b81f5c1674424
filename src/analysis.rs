//! Text analysis: the matching normalisation and the two tokenizers.
//!
//! Matching contract (index and query alike): text is compared after NFKC
//! folding, Latin lower-casing, traditional → simplified script (character
//! by character, [`crate::text::script`]), and removal of whitespace,
//! punctuation, symbols and control characters (Unicode categories Z*, P*, S*,
//! C*). So 双随机一公开 finds 双随机、一公开, half- and full-width forms are
//! equal, and 法治政府建设 finds 法治政府建設. Every step maps one character
//! to zero or more, never several to one, so displayed text always stays
//! original; [`normalize_with_offsets`] maps back to it.
//!
//! Two tokenizers feed the index:
//! - [`ExactTokenizer`] emits overlapping character bigrams of the normalised
//!   text (the last character alone), one position per character. Any string
//!   is then a phrase of bigrams, so search equals grep on normalised text.
//! - [`JiebaTokenizer`] segments with jieba (search mode) plus the domain
//!   dictionary in `data/dict.txt`; it feeds BM25 ranking only. One `Jieba`
//!   is loaded per process, lazily, in a static that every tokenizer clone
//!   shares: tantivy clones tokenizers per segment writer, and cloning a
//!   dictionary costs milliseconds.

use std::sync::LazyLock;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy_jieba::jieba_rs::{Jieba, TokenizeMode};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

use crate::text::script::simplify_char;

/// The domain dictionary shipped with fazhi: one term per line, `#` comments.
pub const DOMAIN_DICTIONARY: &str = include_str!("../data/dict.txt");

/// Name under which [`ExactTokenizer`] is registered in the index.
pub const EXACT_TOKENIZER: &str = "fazhi_exact";
/// Name under which [`JiebaTokenizer`] is registered in the index.
pub const JIEBA_TOKENIZER: &str = "fazhi_jieba";

/// Fold one character to its normalised form, pushing zero or more chars
/// ([`normalize`] is this over every char).
#[inline]
pub fn fold_char(c: char, mut push: impl FnMut(char)) {
    // Fast paths: CJK ideographs and ASCII cover almost all of the text,
    // and Chinese punctuation most of the rest.
    if ('\u{4e00}'..='\u{9fff}').contains(&c) {
        push(simplify_char(c));
        return;
    }
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() {
            push(c.to_ascii_lowercase());
        }
        return;
    }
    if ('\u{ff01}'..='\u{ff5e}').contains(&c) {
        // Full-width ASCII: NFKC is the ASCII char (tested below).
        let a = char::from_u32(c as u32 - 0xfee0).unwrap_or(' ');
        if a.is_ascii_alphanumeric() {
            push(a.to_ascii_lowercase());
        }
        return;
    }
    if is_dropped_punctuation(c) {
        return;
    }
    fold_slow(c, push)
}

/// Common CJK punctuation that normalisation drops (tested against
/// [`fold_slow`]): 、。〈〉《》「」『』【】〔〕… ‘’“” — … ·
#[inline]
fn is_dropped_punctuation(c: char) -> bool {
    matches!(
        c,
        '\u{3000}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301f}'
            | '\u{2010}'..='\u{2016}'
            | '\u{2018}'..='\u{2027}'
            | '\u{00b7}'
    )
}

/// The general case of [`fold_char`]: NFKC, drop what [`keeps`] rejects,
/// lower-case, simplify (NFKC turns compatibility ideographs such as U+F9D1
/// into unified ones, which may be traditional).
fn fold_slow(c: char, mut push: impl FnMut(char)) {
    let mut buf = [0u8; 4];
    for d in c.encode_utf8(&mut buf).nfkc() {
        if keeps(d) {
            for l in d.to_lowercase() {
                push(simplify_char(l));
            }
        }
    }
}

/// Whether a (already NFKC-folded) char survives normalisation.
#[inline]
fn keeps(c: char) -> bool {
    !matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Separator
            | GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol
            | GeneralCategoryGroup::Other
    ) && !c.is_whitespace()
}

/// Separates the runs of one section's text — its report's title (on the
/// section the title stands over), its heading, its body — in the strings
/// handed to the exact tokenizer and to the snippet and `--within` code: no
/// match spans it. A Unicode noncharacter (reserved for a program's internal
/// use), so no text to display is meant to hold one.
pub const RUN_SEPARATOR: char = '\u{fdd0}';

/// What [`RUN_SEPARATOR`] becomes in normalised text: a char that no
/// normalised query string holds, so `contains` never matches across it.
pub const RUN_BARRIER: char = '\0';

/// The runs joined with [`RUN_SEPARATOR`], empty ones left out.
pub fn join_runs<'a>(runs: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for run in runs.into_iter().filter(|r| !r.is_empty()) {
        if !out.is_empty() {
            out.push(RUN_SEPARATOR);
        }
        out.push_str(run);
    }
    out
}

/// [`fold_char`], with a [`RUN_SEPARATOR`] kept as a [`RUN_BARRIER`].
#[inline]
pub fn fold_text_char(c: char, push: impl FnMut(char)) {
    if c == RUN_SEPARATOR {
        let mut push = push;
        push(RUN_BARRIER);
    } else {
        fold_char(c, push);
    }
}

/// Normalise text for matching (see the module docs for the contract); run
/// separators become [`RUN_BARRIER`]s.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_text_char(c, |d| out.push(d));
    }
    out
}

/// Normalise and keep, for every normalised char, the byte range of the
/// original char it came from (for snippets and highlighting).
pub fn normalize_with_offsets(text: &str) -> (Vec<char>, Vec<(usize, usize)>) {
    let mut chars = Vec::with_capacity(text.len() / 3);
    let mut offsets = Vec::with_capacity(text.len() / 3);
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        fold_text_char(c, |d| {
            chars.push(d);
            offsets.push((i, end));
        });
    }
    (chars, offsets)
}

/// Whether a string contains at least one CJK ideograph or other letter/digit
/// that survives normalisation.
pub fn has_searchable_chars(text: &str) -> bool {
    normalize(text).chars().any(|c| c != RUN_BARRIER)
}

// ---------------------------------------------------------------------------
// Exact (bigram) tokenizer

/// Overlapping bigrams of the normalised text; see the module docs. At a
/// [`RUN_SEPARATOR`] the bigrams stop (the run's last char is a token alone)
/// and one position is skipped, so no phrase query matches across it.
#[derive(Clone, Default)]
pub struct ExactTokenizer;

/// Token stream of [`ExactTokenizer`].
pub struct ExactTokenStream {
    chars: Vec<char>,
    next: usize,
    token: Token,
}

impl Tokenizer for ExactTokenizer {
    type TokenStream<'a> = ExactTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ExactTokenStream {
        let mut chars = Vec::with_capacity(text.len() / 3 + 1);
        for c in text.chars() {
            fold_text_char(c, |d| chars.push(d));
        }
        ExactTokenStream {
            chars,
            next: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for ExactTokenStream {
    fn advance(&mut self) -> bool {
        let mut i = self.next;
        while self.chars.get(i) == Some(&RUN_BARRIER) {
            i += 1;
        }
        if i >= self.chars.len() {
            return false;
        }
        self.next = i + 1;
        self.token.text.clear();
        self.token.text.push(self.chars[i]);
        if let Some(&c) = self.chars.get(i + 1).filter(|&&c| c != RUN_BARRIER) {
            self.token.text.push(c);
        }
        self.token.position = i;
        self.token.position_length = 1;
        self.token.offset_from = 0;
        self.token.offset_to = 0;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The exact-field terms of a query string: `(position, term)` pairs whose
/// phrase matches exactly where the normalised string occurs. Bigrams at
/// even positions cover the string (the last one overlaps when the length is
/// odd), halving the phrase length. A one-char string returns that char alone,
/// to be matched as a term prefix. Empty when nothing survives normalisation.
pub fn exact_query_terms(query: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = normalize(query)
        .chars()
        .filter(|&c| c != RUN_BARRIER)
        .collect();
    match chars.len() {
        0 => Vec::new(),
        1 => vec![(0, chars[0].to_string())],
        n => {
            let mut starts: Vec<usize> = (0..n - 1).step_by(2).collect();
            if n % 2 == 1 {
                starts.push(n - 2);
            }
            starts
                .into_iter()
                .map(|i| (i, chars[i..i + 2].iter().collect()))
                .collect()
        }
    }
}

// ---------------------------------------------------------------------------
// Jieba tokenizer

static JIEBA: LazyLock<Jieba> = LazyLock::new(|| build_jieba(DOMAIN_DICTIONARY));

/// Jieba with its default dictionary plus the domain terms in `dictionary`.
pub fn build_jieba(dictionary: &str) -> Jieba {
    let mut jieba = Jieba::new();
    for line in dictionary.lines() {
        let word = line.split('#').next().unwrap_or("").trim();
        if let Some(word) = word.split_whitespace().next() {
            // A high frequency makes jieba keep the domain term whole.
            jieba.add_word(word, Some(50_000), None);
        }
    }
    jieba
}

/// The process-wide jieba instance (loaded on first use, ~100 ms).
pub fn shared_jieba() -> &'static Jieba {
    &JIEBA
}

/// Jieba segmentation for ranking; punctuation and spaces are dropped and
/// each token is normalised like the exact field. The dictionary is loaded on
/// the first tokenisation, not when the tokenizer is registered: searches
/// never tokenise with jieba, so they never pay for loading it.
#[derive(Clone)]
pub struct JiebaTokenizer {
    mode: TokenizeMode,
}

impl JiebaTokenizer {
    /// Search mode (words plus their dictionary sub-words): for indexing.
    /// Default mode would save 16% of a build's CPU, but a query for a
    /// sub-word (法治 inside 法治政府) would then rank most sections at
    /// 0: BM25 only sees the whole words (docs/performance.md, issue 20).
    pub fn for_indexing() -> Self {
        JiebaTokenizer {
            mode: TokenizeMode::Search,
        }
    }
}

/// Token stream of [`JiebaTokenizer`]: jieba segments the text eagerly (it
/// must see whole sentences); each word is normalised into one reused token
/// as the stream advances, so indexing allocates no string per token. Text
/// holding traditional characters is segmented in its simplified form (jieba's
/// dictionary is simplified); the words are byte ranges of what was segmented.
pub struct JiebaTokenStream<'a> {
    source: std::borrow::Cow<'a, str>,
    words: std::vec::IntoIter<(usize, usize)>,
    token: Token,
    position: usize,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream<'a> {
        let source = if crate::text::script::has_traditional(text) {
            std::borrow::Cow::Owned(crate::text::script::simplify(text))
        } else {
            std::borrow::Cow::Borrowed(text)
        };
        let words: Vec<(usize, usize)> = JIEBA
            .tokenize(&source, self.mode, true)
            .into_iter()
            .map(|w| (w.byte_start, w.byte_end))
            .collect();
        JiebaTokenStream {
            source,
            words: words.into_iter(),
            token: Token::default(),
            position: 0,
        }
    }
}

impl TokenStream for JiebaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        for (start, end) in self.words.by_ref() {
            self.token.text.clear();
            for c in self.source[start..end].chars() {
                fold_char(c, |d| self.token.text.push(d));
            }
            if self.token.text.is_empty() {
                continue; // punctuation and spaces
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = self.position;
            self.token.position_length = 1;
            self.position += 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Register both tokenizers on an index.
pub fn register_tokenizers(index: &tantivy::Index) {
    index.tokenizers().register(EXACT_TOKENIZER, ExactTokenizer);
    index
        .tokenizers()
        .register(JIEBA_TOKENIZER, JiebaTokenizer::for_indexing());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast paths of `fold_char` agree with the general case.
    #[test]
    fn fold_fast_paths_match_nfkc() {
        let fast = ('\u{ff01}'..='\u{ff5e}')
            .chain('\u{3000}'..='\u{303f}')
            .chain('\u{2000}'..='\u{206f}')
            .chain(['\u{00b7}']);
        for c in fast {
            let (mut a, mut b) = (String::new(), String::new());
            fold_char(c, |d| a.push(d));
            fold_slow(c, |d| b.push(d));
            assert_eq!(a, b, "U+{:04X}", c as u32);
        }
    }

    fn tokens(mut tok: impl Tokenizer, text: &str) -> Vec<(usize, String)> {
        let mut stream = tok.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.position, t.text.clone()));
        }
        out
    }

    #[test]
    fn normalize_folds_width_case_and_punctuation() {
        assert_eq!(normalize("双随机、一公开"), "双随机一公开");
        assert_eq!(normalize("行政执法“三项制度”"), "行政执法三项制度");
        assert_eq!(normalize("ＡＢＣ１２３ abc"), "abc123abc");
        assert_eq!(normalize("（一）加强,领导。\u{3000}\u{a0}\n"), "一加强领导");
        assert_eq!(normalize("《行政\n审批服务 授权书》"), "行政审批服务授权书");
        assert_eq!(normalize("①②"), "12");
        assert_eq!(normalize("\u{200b}零宽"), "零宽");
    }

    #[test]
    fn offsets_point_into_original() {
        let text = "双随机、一公开";
        let (chars, offsets) = normalize_with_offsets(text);
        assert_eq!(chars.iter().collect::<String>(), "双随机一公开");
        let (s, e) = offsets[3];
        assert_eq!(&text[s..e], "一");
    }

    #[test]
    fn exact_tokens_are_bigrams_with_char_positions() {
        assert_eq!(
            tokens(ExactTokenizer, "法治、政府"),
            vec![
                (0, "法治".to_string()),
                (1, "治政".to_string()),
                (2, "政府".to_string()),
                (3, "府".to_string())
            ]
        );
        assert!(tokens(ExactTokenizer, "、，。 ").is_empty());
    }

    #[test]
    fn traditional_script_folds_one_char_to_one() {
        assert_eq!(normalize("法治政府建設"), "法治政府建设");
        assert_eq!(normalize("湘潭縣衛生健康局"), "湘潭县卫生健康局");
        let text = "關於2021年度法治政府建設";
        let (chars, offsets) = normalize_with_offsets(text);
        assert_eq!(chars.iter().collect::<String>(), "关于2021年度法治政府建设");
        let (s, e) = offsets[chars.len() - 1];
        assert_eq!(&text[s..e], "設");
        // Jieba segments the simplified form: the same words either way.
        let words = |t: &str| -> Vec<String> {
            tokens(JiebaTokenizer::for_indexing(), t)
                .into_iter()
                .map(|(_, w)| w)
                .collect()
        };
        assert_eq!(words("推進法治政府建設"), words("推进法治政府建设"));
    }

    #[test]
    fn runs_are_never_joined() {
        let text = join_runs(["法治", "", "政府"]);
        assert_eq!(text, format!("法治{RUN_SEPARATOR}政府"));
        assert_eq!(
            tokens(ExactTokenizer, &text),
            vec![
                (0, "法治".to_string()),
                (1, "治".to_string()),
                (3, "政府".to_string()),
                (4, "府".to_string())
            ]
        );
        assert!(!normalize(&text).contains("治政"));
        assert!(normalize(&text).contains("法治"));
        assert!(!has_searchable_chars(&RUN_SEPARATOR.to_string()));
    }

    #[test]
    fn exact_query_terms_cover_the_string() {
        assert_eq!(exact_query_terms("法"), vec![(0, "法".to_string())]);
        assert_eq!(exact_query_terms("法治"), vec![(0, "法治".to_string())]);
        assert_eq!(
            exact_query_terms("双随机、一公开"),
            vec![(0, "双随".into()), (2, "机一".into()), (4, "公开".into())]
        );
        assert_eq!(
            exact_query_terms("合法性审查"),
            vec![(0, "合法".into()), (2, "性审".into()), (3, "审查".into())]
        );
        assert!(exact_query_terms("、").is_empty());
    }

    #[test]
    fn jieba_keeps_domain_terms_and_drops_punctuation() {
        let toks: Vec<String> = tokens(
            JiebaTokenizer::for_indexing(),
            "建立重大行政决策合法性审查制度，聘请法律顾问。",
        )
        .into_iter()
        .map(|(_, t)| t)
        .collect();
        assert!(toks.contains(&"合法性审查".to_string()), "{toks:?}");
        assert!(toks.contains(&"法律顾问".to_string()), "{toks:?}");
        assert!(!toks.iter().any(|t| t == "，" || t == "。"));
    }
}

//! The query language.
//!
//! ```text
//! 法律顾问 合法性审查             both terms (AND; also `AND`, `，`, `；`)
//! 法律顾问 OR 公职律师             either (also `ＯＲ`, `|`, `｜`)
//! 普法 -宪法                      普法 but not 宪法 (also `NOT 宪法`)
//! "双随机、一公开"                 an exact phrase (`"` or `＂`)
//! (法律顾问 OR 公职律师) 合法性审查  parentheses group (also `（ ）`)
//! 法律顾问 NEAR/10 合法性审查       both within 10 characters, either order
//! ```
//!
//! Precedence, tightest first: `NEAR/n`, then `-`/`NOT`, then `OR`, then
//! AND — so `A OR B C` is `(A OR B) AND C` and `A NEAR/5 B OR C` is
//! `(A NEAR/5 B) OR C`. Terms are separated by spaces (ASCII or full-width)
//! and by the full-width comma and semicolon `，；`; `、` stays inside a term
//! (`双随机、一公开` is one string). `OR`, `AND`, `NOT` and `NEAR/n` are
//! operators in capitals (full-width forms too); quote them to search the
//! word. A parenthesis groups where a term could start (`规划(2021)` is one
//! term); quote a string to search it with its brackets.
//!
//! Every term, bare or quoted, matches as the string typed, compared under
//! the normalisation of [`crate::analysis`]: a bare 合法性审查 never matches
//! 合法 and 审查 apart, and no match spans two runs of text (title, heading,
//! body). `A NEAR/n B` holds when occurrences of A and B in one run are at
//! most `n` normalised characters apart (punctuation and spaces do not
//! count; overlapping occurrences are 0 apart).
//!
//! Bounds: at most [`MAX_QUERY_CHARS`] characters, [`MAX_TERMS`] distinct
//! terms (repeated terms are merged first) and [`MAX_DEPTH`] nested
//! parentheses; `NEAR/n` up to [`MAX_NEAR`]. A malformed or oversized query is
//! a [`QueryError`] with the character position of the fault.

use std::fmt;

use crate::analysis::{RUN_BARRIER, RUN_SEPARATOR, normalize};

/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most distinct terms in a query (after merging repeated ones).
pub const MAX_TERMS: usize = 64;
/// Deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 8;
/// Largest distance of `NEAR/n`.
pub const MAX_NEAR: usize = 10_000;

/// A string to find: as typed, and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    pub text: String,
    pub normalized: String,
    /// Whether it was quoted.
    pub phrase: bool,
}

/// A query's logical structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// The section contains the string.
    Atom(Atom),
    /// Both strings occur in one run at most `distance` characters apart.
    Near(Atom, Atom, usize),
    /// Every part holds (exclusions are [`Expr::Not`] parts; at least one
    /// part is not an exclusion).
    All(Vec<Expr>),
    /// At least one part holds (no part is an exclusion).
    Any(Vec<Expr>),
    /// The part does not hold (only as a part of [`Expr::All`]).
    Not(Box<Expr>),
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub expr: Expr,
}

/// A malformed query: what is wrong and where (0-based char position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub position: usize,
    pub message: String,
    pub query: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad query at character {}: {}",
            self.position + 1,
            self.message
        )
    }
}

impl std::error::Error for QueryError {}

impl QueryError {
    /// The query with a caret under the faulty position (for terminals).
    pub fn pointer(&self) -> String {
        let pad: usize = self
            .query
            .chars()
            .take(self.position)
            .map(|c| if is_wide(c) { 2 } else { 1 })
            .sum();
        // Control characters (tabs, line breaks) would shift the caret.
        let shown: String = self
            .query
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!("  {shown}\n  {}^", " ".repeat(pad))
    }
}

/// `text` with control characters escaped, so that messages stay on one line.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().collect()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn is_wide(c: char) -> bool {
    ('\u{1100}'..='\u{115f}').contains(&c)
        || ('\u{2e80}'..='\u{a4cf}').contains(&c)
        || ('\u{ac00}'..='\u{d7a3}').contains(&c)
        || ('\u{f900}'..='\u{faff}').contains(&c)
        || ('\u{fe30}'..='\u{fe4f}').contains(&c)
        || ('\u{ff00}'..='\u{ff60}').contains(&c)
        || ('\u{ffe0}'..='\u{ffe6}').contains(&c)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word { text: String, phrase: bool },
    Or,
    And,
    Not,
    Near(usize),
    Open,
    Close,
}

/// Phrase quotes: ASCII and full-width straight quotes. Curly quotes “ ” are
/// text (行政执法“三项制度” is a term) and vanish in normalisation.
fn is_quote(c: char) -> bool {
    c == '"' || c == '＂'
}

/// What separates terms: spaces, the full-width comma and semicolon.
fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{3000}' | '，' | '；' | RUN_SEPARATOR)
}

fn is_or_bar(c: char) -> bool {
    c == '|' || c == '｜'
}

fn is_open(c: char) -> bool {
    c == '(' || c == '（'
}

fn is_close(c: char) -> bool {
    c == ')' || c == '）'
}

/// The operator a bare word spells (NFKC, so `ＯＲ` is `OR`).
fn operator(word: &str) -> Option<Tok> {
    use unicode_normalization::UnicodeNormalization;
    let w: String = word.nfkc().collect();
    match w.as_str() {
        "OR" => Some(Tok::Or),
        "AND" => Some(Tok::And),
        "NOT" => Some(Tok::Not),
        _ => {
            let n = w.strip_prefix("NEAR/")?;
            if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            Some(Tok::Near(n.parse().unwrap_or(usize::MAX)))
        }
    }
}

fn tokenize(query: &str) -> Result<Vec<(usize, Tok)>, QueryError> {
    let err = |position, message: &str| QueryError {
        position,
        message: message.to_string(),
        query: query.to_string(),
    };
    let chars: Vec<char> = query.chars().collect();
    let mut toks = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if is_space(c) {
            i += 1;
        } else if is_or_bar(c) {
            toks.push((start, Tok::Or));
            i += 1;
        } else if is_open(c) {
            toks.push((start, Tok::Open));
            depth += 1;
            i += 1;
        } else if is_close(c) {
            toks.push((start, Tok::Close));
            depth = depth.saturating_sub(1);
            i += 1;
        } else if c == '-' || c == '－' {
            if chars.get(i + 1).is_none_or(|&n| is_space(n)) {
                return Err(err(start, "'-' must be followed by a term"));
            }
            toks.push((start, Tok::Not));
            i += 1;
        } else if is_quote(c) {
            let close = (i + 1..chars.len()).find(|&j| is_quote(chars[j]));
            let Some(close) = close else {
                return Err(err(i, "unbalanced quote"));
            };
            let text: String = chars[i + 1..close].iter().collect();
            if text.trim().is_empty() {
                return Err(err(i, "empty phrase"));
            }
            toks.push((start, Tok::Word { text, phrase: true }));
            i = close + 1;
        } else {
            // A bare word: up to a separator, quote or bar, or a closing
            // parenthesis while a group is open (an opening one inside a
            // word is text).
            let ends_word =
                |c: char| is_space(c) || is_quote(c) || is_or_bar(c) || (depth > 0 && is_close(c));
            let mut j = i;
            while j < chars.len() && !ends_word(chars[j]) {
                j += 1;
            }
            let text: String = chars[i..j].iter().collect();
            toks.push((
                start,
                operator(&text).unwrap_or(Tok::Word {
                    text,
                    phrase: false,
                }),
            ));
            i = j;
        }
    }
    Ok(toks)
}

/// Recursive descent over the tokens (see the module docs for the grammar's
/// precedence).
struct Parser<'q> {
    query: &'q str,
    toks: Vec<(usize, Tok)>,
    next: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, position: usize, message: impl Into<String>) -> QueryError {
        QueryError {
            position,
            message: message.into(),
            query: self.query.to_string(),
        }
    }

    fn peek(&self) -> Option<&(usize, Tok)> {
        self.toks.get(self.next)
    }

    /// Position of the next token, or the end of the query.
    fn here(&self) -> usize {
        self.peek()
            .map_or(self.query.chars().count(), |(pos, _)| *pos)
    }

    /// Fail unless an operand follows the operator at `pos`; the error
    /// points at what follows instead, or at the operator at the end.
    fn operand_after(&self, pos: usize, message: &str) -> Result<(), QueryError> {
        match self.peek() {
            Some((_, t)) if starts_operand(t) => Ok(()),
            Some(&(next, _)) => Err(self.err(next, message)),
            None => Err(self.err(pos, message)),
        }
    }

    /// AND of OR groups, up to a closing parenthesis or the end.
    fn and_expr(&mut self) -> Result<(usize, Expr), QueryError> {
        let start = self.here();
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some((_, Tok::Close)) => break,
                Some(&(pos, Tok::And)) => {
                    self.next += 1;
                    if parts.is_empty() {
                        return Err(self.err(pos, "AND needs a term on each side"));
                    }
                    self.operand_after(pos, "AND needs a term on each side")?;
                }
                Some(_) => parts.push(self.or_expr()?),
            }
        }
        if parts.is_empty() {
            return Err(self.err(start, "empty query"));
        }
        if !parts.iter().any(|(_, e)| !matches!(e, Expr::Not(_))) {
            return Err(self.err(
                start,
                "a query needs at least one term that is not excluded",
            ));
        }
        let parts = parts.into_iter().map(|(_, e)| e).collect();
        Ok((start, simplify(Expr::All(parts))))
    }

    fn or_expr(&mut self) -> Result<(usize, Expr), QueryError> {
        let (start, first) = self.not_expr()?;
        let mut parts = vec![(start, first)];
        while let Some(&(pos, Tok::Or)) = self.peek() {
            self.next += 1;
            self.operand_after(pos, "OR needs a term on each side")?;
            parts.push(self.not_expr()?);
        }
        if parts.len() == 1 {
            return Ok(parts.pop().expect("one part"));
        }
        if let Some((pos, _)) = parts.iter().find(|(_, e)| matches!(e, Expr::Not(_))) {
            return Err(self.err(*pos, "cannot exclude a term inside an OR group"));
        }
        Ok((
            start,
            simplify(Expr::Any(parts.into_iter().map(|(_, e)| e).collect())),
        ))
    }

    fn not_expr(&mut self) -> Result<(usize, Expr), QueryError> {
        match self.peek() {
            Some(&(pos, Tok::Not)) => {
                self.next += 1;
                self.operand_after(pos, "NOT needs a term after it")?;
                let (_, e) = self.not_expr()?;
                if matches!(e, Expr::Not(_)) {
                    return Err(self.err(pos, "a term cannot be excluded twice"));
                }
                Ok((pos, Expr::Not(Box::new(e))))
            }
            _ => self.near_expr(),
        }
    }

    fn near_expr(&mut self) -> Result<(usize, Expr), QueryError> {
        let (start, left) = self.primary()?;
        let Some(&(pos, Tok::Near(distance))) = self.peek() else {
            return Ok((start, left));
        };
        self.next += 1;
        if distance > MAX_NEAR {
            return Err(self.err(pos, format!("NEAR/n allows n up to {MAX_NEAR}")));
        }
        let right_pos = self.here();
        self.operand_after(pos, "NEAR/n needs a term on each side")?;
        let (_, right) = self.primary()?;
        let (Expr::Atom(a), Expr::Atom(b)) = (left, right) else {
            let at = if matches!(self.toks[self.next - 1].1, Tok::Close) {
                right_pos
            } else {
                start
            };
            return Err(self.err(at, "NEAR/n joins two terms, not groups"));
        };
        if let Some(&(pos, Tok::Near(_))) = self.peek() {
            return Err(self.err(pos, "NEAR/n joins two terms; combine several with AND"));
        }
        Ok((start, Expr::Near(a, b, distance)))
    }

    fn primary(&mut self) -> Result<(usize, Expr), QueryError> {
        let Some((pos, tok)) = self.peek().cloned() else {
            return Err(self.err(self.here(), "a term is missing"));
        };
        self.next += 1;
        match tok {
            Tok::Word { text, phrase } => {
                let normalized = normalize(&text);
                if normalized.is_empty() {
                    return Err(self.err(
                        pos,
                        format!("'{}' has no searchable characters", printable(&text)),
                    ));
                }
                Ok((
                    pos,
                    Expr::Atom(Atom {
                        text,
                        normalized,
                        phrase,
                    }),
                ))
            }
            Tok::Open => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.err(pos, format!("more than {MAX_DEPTH} nested parentheses")));
                }
                if matches!(self.peek(), Some((_, Tok::Close))) {
                    return Err(self.err(pos, "empty parentheses"));
                }
                let (_, e) = self.and_expr()?;
                match self.peek() {
                    Some((_, Tok::Close)) => self.next += 1,
                    _ => return Err(self.err(pos, "unbalanced parenthesis")),
                }
                self.depth -= 1;
                Ok((pos, e))
            }
            Tok::Close => Err(self.err(pos, "unbalanced parenthesis")),
            Tok::Or => Err(self.err(pos, "OR needs a term on each side")),
            Tok::And => Err(self.err(pos, "AND needs a term on each side")),
            Tok::Near(_) => Err(self.err(pos, "NEAR/n needs a term on each side")),
            Tok::Not => Err(self.err(pos, "misplaced NOT")),
        }
    }
}

/// Whether a token can start an operand (a term, a group, an exclusion).
fn starts_operand(t: &Tok) -> bool {
    matches!(t, Tok::Word { .. } | Tok::Open | Tok::Not)
}

/// Flatten nested groups of the same kind, merge repeated parts (the first
/// kept), and unwrap a group of one.
fn simplify(expr: Expr) -> Expr {
    match expr {
        Expr::All(parts) | Expr::Any(parts) if parts.is_empty() => Expr::All(parts),
        Expr::All(parts) => {
            let mut out: Vec<Expr> = Vec::new();
            for p in parts {
                match p {
                    Expr::All(inner) => out.extend(inner),
                    p => out.push(p),
                }
            }
            dedup(&mut out);
            if out.len() == 1 {
                out.pop().expect("one part")
            } else {
                Expr::All(out)
            }
        }
        Expr::Any(parts) => {
            let mut out: Vec<Expr> = Vec::new();
            for p in parts {
                match p {
                    Expr::Any(inner) => out.extend(inner),
                    p => out.push(p),
                }
            }
            dedup(&mut out);
            if out.len() == 1 {
                out.pop().expect("one part")
            } else {
                Expr::Any(out)
            }
        }
        e => e,
    }
}

/// Drop the parts equal (under normalisation) to an earlier one.
fn dedup(parts: &mut Vec<Expr>) {
    let mut kept: Vec<Expr> = Vec::with_capacity(parts.len());
    for p in parts.drain(..) {
        if !kept.iter().any(|k| same(k, &p)) {
            kept.push(p);
        }
    }
    *parts = kept;
}

/// Whether two expressions match the same sections by construction.
fn same(a: &Expr, b: &Expr) -> bool {
    match (a, b) {
        (Expr::Atom(x), Expr::Atom(y)) => x.normalized == y.normalized,
        (Expr::Near(x1, y1, n1), Expr::Near(x2, y2, n2)) => {
            n1 == n2
                && ((x1.normalized == x2.normalized && y1.normalized == y2.normalized)
                    || (x1.normalized == y2.normalized && y1.normalized == x2.normalized))
        }
        (Expr::All(x), Expr::All(y)) | (Expr::Any(x), Expr::Any(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Expr::Not(x), Expr::Not(y)) => same(x, y),
        _ => false,
    }
}

/// Parse a query string.
pub fn parse(query: &str) -> Result<Query, QueryError> {
    let err = |position, message: String| QueryError {
        position,
        message,
        query: query.to_string(),
    };
    let length = query.chars().count();
    if length > MAX_QUERY_CHARS {
        return Err(err(
            MAX_QUERY_CHARS,
            format!("the query is too long ({length} characters, at most {MAX_QUERY_CHARS})"),
        ));
    }
    let toks = tokenize(query)?;
    if toks.is_empty() {
        return Err(err(0, "empty query".to_string()));
    }
    let mut parser = Parser {
        query,
        toks,
        next: 0,
        depth: 0,
    };
    let (_, expr) = parser.and_expr()?;
    if let Some(&(pos, _)) = parser.peek() {
        return Err(err(pos, "unbalanced parenthesis".to_string()));
    }
    let q = Query { expr };
    let mut distinct: Vec<&str> = Vec::new();
    for (k, atom) in q.atoms().into_iter().enumerate() {
        if !distinct.contains(&atom.normalized.as_str()) {
            distinct.push(&atom.normalized);
        }
        if distinct.len() > MAX_TERMS {
            let pos = parser
                .toks
                .iter()
                .filter(|(_, t)| matches!(t, Tok::Word { .. }))
                .nth(k)
                .map_or(0, |(p, _)| *p);
            return Err(err(
                pos,
                format!("too many terms (at most {MAX_TERMS} different ones)"),
            ));
        }
    }
    Ok(q)
}

/// Where `needle` occurs in `chars` (start indices, overlaps included).
fn occurrences(chars: &[char], needle: &[char]) -> Vec<usize> {
    if needle.is_empty() || needle.len() > chars.len() {
        return Vec::new();
    }
    (0..=chars.len() - needle.len())
        .filter(|&i| chars[i] == needle[0] && chars[i..i + needle.len()] == *needle)
        .collect()
}

/// Whether `a` and `b` occur in normalised `text` at most `distance`
/// characters apart (either order, overlaps 0 apart), with no run barrier
/// between them.
pub fn near(text: &str, a: &str, b: &str, distance: usize) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (sa, sb) = (occurrences(&chars, &a), occurrences(&chars, &b));
    if sa.is_empty() || sb.is_empty() {
        return false;
    }
    // Run number of every char: barriers between two occurrences differ.
    let mut run = Vec::with_capacity(chars.len());
    let mut r = 0u32;
    for &c in &chars {
        r += u32::from(c == RUN_BARRIER);
        run.push(r);
    }
    let (la, lb) = (a.len(), b.len());
    sa.iter().any(|&i| {
        // b starting in [i - lb - distance, i + la + distance].
        let lo = i.saturating_sub(lb + distance);
        let hi = i + la + distance;
        let from = sb.partition_point(|&j| j < lo);
        sb[from..]
            .iter()
            .take_while(|&&j| j <= hi)
            .any(|&j| run[i] == run[j])
    })
}

impl Expr {
    fn visit_atoms<'a>(&'a self, only_positive: bool, out: &mut Vec<&'a Atom>) {
        match self {
            Expr::Atom(a) => out.push(a),
            Expr::Near(a, b, _) => out.extend([a, b]),
            Expr::All(parts) | Expr::Any(parts) => {
                for p in parts {
                    p.visit_atoms(only_positive, out);
                }
            }
            Expr::Not(inner) => {
                if !only_positive {
                    inner.visit_atoms(only_positive, out);
                }
            }
        }
    }

    /// Whether normalised `text` satisfies this expression; with
    /// `ignore_exclusions`, exclusions hold everywhere.
    pub fn eval(&self, text: &str, ignore_exclusions: bool) -> bool {
        match self {
            Expr::Atom(a) => text.contains(&a.normalized),
            Expr::Near(a, b, n) => near(text, &a.normalized, &b.normalized, *n),
            Expr::All(parts) => parts.iter().all(|p| p.eval(text, ignore_exclusions)),
            Expr::Any(parts) => parts.iter().any(|p| p.eval(text, ignore_exclusions)),
            Expr::Not(inner) => ignore_exclusions || !inner.eval(text, false),
        }
    }

    /// The expression with every atom replaced by the OR of `variants(atom)`
    /// (one NEAR per pair of variants).
    pub fn map_atoms(&self, variants: &dyn Fn(&Atom) -> Vec<Atom>) -> Expr {
        let any = |mut parts: Vec<Expr>| {
            if parts.len() == 1 {
                parts.pop().expect("one part")
            } else {
                simplify(Expr::Any(parts))
            }
        };
        match self {
            Expr::Atom(a) => any(variants(a).into_iter().map(Expr::Atom).collect()),
            Expr::Near(a, b, n) => {
                let (va, vb) = (variants(a), variants(b));
                any(va
                    .iter()
                    .flat_map(|x| vb.iter().map(move |y| Expr::Near(x.clone(), y.clone(), *n)))
                    .collect())
            }
            Expr::All(parts) => simplify(Expr::All(
                parts.iter().map(|p| p.map_atoms(variants)).collect(),
            )),
            Expr::Any(parts) => simplify(Expr::Any(
                parts.iter().map(|p| p.map_atoms(variants)).collect(),
            )),
            Expr::Not(inner) => Expr::Not(Box::new(inner.map_atoms(variants))),
        }
    }
}

impl Query {
    /// All positive atoms (not under an exclusion), in query order, each
    /// normalised string once.
    pub fn positive_atoms(&self) -> impl Iterator<Item = &Atom> {
        let mut out = Vec::new();
        self.expr.visit_atoms(true, &mut out);
        let mut seen: Vec<&str> = Vec::new();
        out.retain(|a| {
            let new = !seen.contains(&a.normalized.as_str());
            seen.push(&a.normalized);
            new
        });
        out.into_iter()
    }

    /// Every atom, excluded ones too, in query order.
    pub fn atoms(&self) -> Vec<&Atom> {
        let mut out = Vec::new();
        self.expr.visit_atoms(false, &mut out);
        out
    }

    /// Whether normalised `text` satisfies the query, exclusions ignored.
    pub fn positives_match(&self, normalized_text: &str) -> bool {
        self.expr.eval(normalized_text, true)
    }

    /// Whether normalised `text` satisfies the whole query.
    pub fn matches(&self, normalized_text: &str) -> bool {
        self.expr.eval(normalized_text, false)
    }

    /// The query with every atom replaced by the OR of `variants(atom)`.
    pub fn map_atoms(&self, variants: &dyn Fn(&Atom) -> Vec<Atom>) -> Query {
        Query {
            expr: self.expr.map_atoms(variants),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expression as text: `[a b]` for AND, `{a b}` for OR, `-x`,
    /// `a~n~b` for NEAR.
    fn show(e: &Expr) -> String {
        let list = |parts: &[Expr]| parts.iter().map(show).collect::<Vec<_>>().join(" ");
        match e {
            Expr::Atom(a) => a.text.clone(),
            Expr::Near(a, b, n) => format!("{}~{n}~{}", a.text, b.text),
            Expr::All(parts) => format!("[{}]", list(parts)),
            Expr::Any(parts) => format!("{{{}}}", list(parts)),
            Expr::Not(inner) => format!("-{}", show(inner)),
        }
    }

    fn tree(q: &str) -> String {
        show(&parse(q).unwrap_or_else(|e| panic!("{q}: {e}")).expr)
    }

    #[test]
    fn and_or_not_phrase() {
        assert_eq!(tree("法律顾问 合法性审查"), "[法律顾问 合法性审查]");
        assert_eq!(tree("A OR B | C"), "{A B C}");
        assert_eq!(tree("普法 -宪法"), "[普法 -宪法]");
        assert_eq!(tree("\"双随机、一公开\" 执法"), "[双随机、一公开 执法]");
        assert_eq!(tree("行政执法“三项制度”"), "行政执法“三项制度”");
        assert_eq!(tree("＂三项制度＂"), "三项制度");
        assert_eq!(tree("普法\u{3000}宪法"), "[普法 宪法]");
        assert_eq!(tree("A OR B C"), "[{A B} C]");
    }

    #[test]
    fn full_width_separators_and_operators() {
        assert_eq!(tree("法律顾问，合法性审查"), "[法律顾问 合法性审查]");
        assert_eq!(tree("法律顾问；合法性审查"), "[法律顾问 合法性审查]");
        assert_eq!(tree("双随机、一公开"), "双随机、一公开");
        assert_eq!(tree("A AND B"), "[A B]");
        assert_eq!(tree("A NOT B"), "[A -B]");
        assert_eq!(tree("A ＯＲ B"), "{A B}");
        assert_eq!(tree("A ＡＮＤ B ＮＯＴ C"), "[A B -C]");
        // Lower case and quoted operators are terms.
        assert_eq!(tree("A or B"), "[A or B]");
        assert_eq!(tree("A \"OR\" B"), "[A OR B]");
    }

    #[test]
    fn parentheses_group() {
        assert_eq!(
            tree("(法律顾问 OR 公职律师) 合法性审查"),
            "[{法律顾问 公职律师} 合法性审查]"
        );
        assert_eq!(
            tree("（法律顾问 OR 公职律师）合法性审查"),
            "[{法律顾问 公职律师} 合法性审查]"
        );
        assert_eq!(tree("A OR (B C)"), "{A [B C]}");
        assert_eq!(tree("A -(B OR C)"), "[A -{B C}]");
        assert_eq!(tree("A NOT (B C)"), "[A -[B C]]");
        assert_eq!(tree("((A))"), "A");
        // An opening parenthesis inside a word is text.
        assert_eq!(tree("规划(2021"), "规划(2021");
        let q = parse("(法律顾问 OR 公职律师) 合法性审查").unwrap();
        let texts: Vec<&str> = q.positive_atoms().map(|a| a.text.as_str()).collect();
        assert_eq!(texts, vec!["法律顾问", "公职律师", "合法性审查"]);
    }

    #[test]
    fn near() {
        assert_eq!(tree("A NEAR/5 B"), "A~5~B");
        assert_eq!(tree("A ＮＥＡＲ／５ B"), "A~5~B");
        assert_eq!(tree("A NEAR/5 B OR C"), "{A~5~B C}");
        assert_eq!(tree("A NEAR/5 B -C"), "[A~5~B -C]");
        assert_eq!(tree("\"A B\" NEAR/0 C"), "A B~0~C");
        assert!(parse("(A B) NEAR/5 C").is_err());
        assert!(parse("A NEAR/5 (B C)").is_err());
        assert!(parse("A NEAR/5 B NEAR/5 C").is_err());
        assert!(parse("A NEAR/5").is_err());
        assert!(parse("NEAR/5 A").is_err());
        assert!(parse("A NEAR/99999 B").is_err());
        // `NEAR` without a distance is a term.
        assert_eq!(tree("A NEAR B"), "[A NEAR B]");
    }

    #[test]
    fn near_on_normalised_text() {
        let text = normalize("聘请法律顾问，参与重大决策的合法性审查");
        // 参与重大决策的: 7 characters between them.
        assert!(super::near(&text, "法律顾问", "合法性审查", 7));
        assert!(!super::near(&text, "法律顾问", "合法性审查", 6));
        assert!(super::near(&text, "合法性审查", "法律顾问", 7));
        assert!(!super::near(&text, "合法性审查", "法律顾问", 6));
        assert!(super::near("法治政府建设", "法治政府", "政府建设", 0));
        // Never across a run barrier.
        let runs = normalize(&crate::analysis::join_runs(["法律顾问", "合法性审查"]));
        assert!(!super::near(&runs, "法律顾问", "合法性审查", 100));
    }

    #[test]
    fn repeated_terms_merge_and_bounds_hold() {
        assert_eq!(tree("普法 普法 普法"), "普法");
        assert_eq!(tree("A OR A OR Ａ"), "A");
        assert_eq!(tree("普法 (普法 OR 普法) 宪法"), "[普法 宪法]");
        let many = vec!["法"; 400].join(" ");
        assert_eq!(tree(&many), "法");
        let distinct: String = (0..MAX_TERMS + 1).map(|i| format!("词{i} ")).collect();
        let e = parse(&distinct).unwrap_err();
        assert!(e.message.contains("too many terms"), "{e}");
        let e = parse(&"法".repeat(MAX_QUERY_CHARS + 1)).unwrap_err();
        assert!(e.message.contains("too long"), "{e}");
        let deep = format!(
            "{}A{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&deep).unwrap_err().message.contains("nested"));
    }

    #[test]
    fn phrases_with_spaces_and_or() {
        let q = parse("\"法律 顾问\" OR \"公职律师\"").unwrap();
        assert_eq!(
            q.positive_atoms()
                .map(|a| a.normalized.as_str())
                .collect::<Vec<_>>(),
            vec!["法律顾问", "公职律师"]
        );
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("普法 \"宪法").unwrap_err();
        assert_eq!(e.position, 3);
        assert!(e.message.contains("unbalanced"));
        assert_eq!(parse("OR 普法").unwrap_err().position, 0);
        assert_eq!(parse("普法 OR").unwrap_err().position, 3);
        assert_eq!(parse("普法 OR OR 宪法").unwrap_err().position, 6);
        assert_eq!(parse("(普法 宪法").unwrap_err().position, 0);
        assert_eq!(parse("普法 ) 宪法").unwrap_err().position, 3);
        assert_eq!(parse("普法 AND").unwrap_err().position, 3);
        assert!(parse("()").is_err());
        assert!(parse("").is_err());
        assert!(parse("   ").is_err());
        assert!(parse("，；").is_err());
        assert!(parse("-普法").is_err());
        assert!(parse("NOT 普法").is_err());
        assert!(parse("普法 - 宪法").is_err());
        assert!(parse("、，").unwrap_err().message.contains("no searchable"));
        assert!(parse("\"\"").is_err());
        assert!(parse("A OR -B").is_err());
        assert!(parse("A OR NOT B").is_err());
        assert!(parse("|").is_err());
    }

    #[test]
    fn matching_on_normalised_text() {
        let q = parse("双随机一公开 -宪法").unwrap();
        assert!(q.matches(&normalize("落实“双随机、一公开”制度")));
        assert!(!q.matches(&normalize("双随机、一公开和宪法")));
        assert!(q.positives_match(&normalize("双随机、一公开和宪法")));
        let q = parse("(法律顾问 OR 公职律师) 合法性审查").unwrap();
        assert!(q.matches(&normalize("公职律师开展合法性审查")));
        assert!(!q.matches(&normalize("公职律师和法律顾问")));
        // Traditional script folds.
        assert!(
            parse("法治政府建设")
                .unwrap()
                .matches(&normalize("法治政府建設"))
        );
        assert!(
            parse("法治政府建設")
                .unwrap()
                .matches(&normalize("法治政府建设"))
        );
    }

    #[test]
    fn pointer_marks_the_position() {
        let e = parse("普法 \"宪法").unwrap_err();
        assert_eq!(e.pointer().lines().nth(1).unwrap(), "       ^");
    }
}

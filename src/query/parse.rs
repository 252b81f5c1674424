//! The query language.
//!
//! ```text
//! 法律顾问 合法性审查        both terms (AND)
//! 法律顾问 OR 公职律师        either (also `|`)
//! 普法 -宪法                 普法 but not 宪法
//! "双随机、一公开"            an exact phrase
//! ```
//! Every term, bare or quoted, matches as the string typed, compared under
//! the normalisation of [`crate::analysis`]: a bare 合法性审查 never matches
//! 合法 and 审查 apart. A malformed query is a [`QueryError`] with the
//! character position of the fault.

use std::fmt;

use crate::analysis::normalize;

/// A string to find: as typed, and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    pub text: String,
    pub normalized: String,
    /// Whether it was quoted.
    pub phrase: bool,
}

/// One ANDed part of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// At least one of these atoms (a single atom, or an OR group).
    Any(Vec<Atom>),
    /// None of the section may contain this atom.
    Not(Atom),
}

/// A parsed query: clauses joined by AND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub clauses: Vec<Clause>,
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
    Word {
        text: String,
        negated: bool,
        phrase: bool,
    },
    Or,
}

/// Phrase quotes: ASCII and full-width straight quotes. Curly quotes “ ” are
/// text (行政执法“三项制度” is a term) and vanish in normalisation.
fn is_quote(c: char) -> bool {
    c == '"' || c == '＂'
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

fn tokenize(query: &str) -> Result<Vec<(usize, Tok)>, QueryError> {
    let err = |position, message: &str| QueryError {
        position,
        message: message.to_string(),
        query: query.to_string(),
    };
    let chars: Vec<char> = query.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_space(c) {
            i += 1;
            continue;
        }
        let start = i;
        if c == '|' || c == '｜' {
            toks.push((start, Tok::Or));
            i += 1;
            continue;
        }
        let negated = (c == '-' || c == '－') && chars.get(i + 1).is_some_and(|n| !is_space(*n));
        if c == '-' || c == '－' {
            if !negated {
                return Err(err(start, "'-' must be followed by a term"));
            }
            i += 1;
        }
        if is_quote(chars[i]) {
            let close = (i + 1..chars.len()).find(|&j| is_quote(chars[j]));
            let Some(close) = close else {
                return Err(err(i, "unbalanced quote"));
            };
            let text: String = chars[i + 1..close].iter().collect();
            if text.trim().is_empty() {
                return Err(err(i, "empty phrase"));
            }
            toks.push((
                start,
                Tok::Word {
                    text,
                    negated,
                    phrase: true,
                },
            ));
            i = close + 1;
            continue;
        }
        let mut j = i;
        while j < chars.len()
            && !is_space(chars[j])
            && !is_quote(chars[j])
            && !matches!(chars[j], '|' | '｜')
        {
            j += 1;
        }
        let text: String = chars[i..j].iter().collect();
        if text == "OR" && !negated {
            toks.push((start, Tok::Or));
        } else {
            toks.push((
                start,
                Tok::Word {
                    text,
                    negated,
                    phrase: false,
                },
            ));
        }
        i = j;
    }
    Ok(toks)
}

/// Parse a query string.
pub fn parse(query: &str) -> Result<Query, QueryError> {
    let err = |position, message: String| QueryError {
        position,
        message,
        query: query.to_string(),
    };
    let toks = tokenize(query)?;
    if toks.is_empty() {
        return Err(err(0, "empty query".to_string()));
    }
    let mut clauses: Vec<Clause> = Vec::new();
    let mut pending_or: Option<usize> = None;
    for (k, (pos, tok)) in toks.iter().enumerate() {
        match tok {
            Tok::Or => {
                let after_word = k > 0 && matches!(toks[k - 1].1, Tok::Word { negated: false, .. });
                if !after_word || pending_or.is_some() {
                    return Err(err(*pos, "OR needs a term on each side".to_string()));
                }
                pending_or = Some(*pos);
            }
            Tok::Word {
                text,
                negated,
                phrase,
            } => {
                let normalized = normalize(text);
                if normalized.is_empty() {
                    return Err(err(
                        *pos,
                        format!("'{}' has no searchable characters", printable(text)),
                    ));
                }
                let atom = Atom {
                    text: text.clone(),
                    normalized,
                    phrase: *phrase,
                };
                if pending_or.take().is_some() {
                    if *negated {
                        return Err(err(
                            *pos,
                            "cannot exclude a term inside an OR group".to_string(),
                        ));
                    }
                    match clauses.last_mut() {
                        Some(Clause::Any(atoms)) => atoms.push(atom),
                        _ => return Err(err(*pos, "OR needs a term on each side".to_string())),
                    }
                } else if *negated {
                    clauses.push(Clause::Not(atom));
                } else {
                    clauses.push(Clause::Any(vec![atom]));
                }
            }
        }
    }
    if let Some(pos) = pending_or {
        return Err(err(pos, "OR needs a term on each side".to_string()));
    }
    if !clauses.iter().any(|c| matches!(c, Clause::Any(_))) {
        return Err(err(
            0,
            "a query needs at least one term that is not excluded".to_string(),
        ));
    }
    Ok(Query { clauses })
}

impl Query {
    /// All positive atoms, in query order.
    pub fn positive_atoms(&self) -> impl Iterator<Item = &Atom> {
        self.clauses.iter().flat_map(|c| match c {
            Clause::Any(atoms) => atoms.as_slice(),
            Clause::Not(_) => &[],
        })
    }

    /// Whether normalised `text` satisfies every positive clause (exclusions ignored).
    pub fn positives_match(&self, normalized_text: &str) -> bool {
        self.clauses.iter().all(|c| match c {
            Clause::Any(atoms) => atoms
                .iter()
                .any(|a| normalized_text.contains(&a.normalized)),
            Clause::Not(_) => true,
        })
    }

    /// Whether normalised `text` satisfies the whole query.
    pub fn matches(&self, normalized_text: &str) -> bool {
        self.clauses.iter().all(|c| match c {
            Clause::Any(atoms) => atoms
                .iter()
                .any(|a| normalized_text.contains(&a.normalized)),
            Clause::Not(a) => !normalized_text.contains(&a.normalized),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atoms(q: &str) -> Vec<Vec<String>> {
        parse(q)
            .unwrap()
            .clauses
            .into_iter()
            .map(|c| match c {
                Clause::Any(a) => a.into_iter().map(|a| a.text).collect(),
                Clause::Not(a) => vec![format!("-{}", a.text)],
            })
            .collect()
    }

    #[test]
    fn and_or_not_phrase() {
        assert_eq!(
            atoms("法律顾问 合法性审查"),
            vec![vec!["法律顾问"], vec!["合法性审查"]]
        );
        assert_eq!(atoms("A OR B | C"), vec![vec!["A", "B", "C"]]);
        assert_eq!(
            atoms("普法 -宪法"),
            vec![vec!["普法".to_string()], vec!["-宪法".to_string()]]
        );
        assert_eq!(
            atoms("\"双随机、一公开\" 执法"),
            vec![vec!["双随机、一公开"], vec!["执法"]]
        );
        assert_eq!(
            atoms("行政执法“三项制度”"),
            vec![vec!["行政执法“三项制度”"]]
        );
        assert_eq!(atoms("＂三项制度＂"), vec![vec!["三项制度"]]);
        assert_eq!(atoms("普法\u{3000}宪法"), vec![vec!["普法"], vec!["宪法"]]);
    }

    #[test]
    fn phrases_with_spaces_and_or() {
        let q = parse("\"法律 顾问\" OR \"公职律师\"").unwrap();
        assert_eq!(q.clauses.len(), 1);
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
        assert!(parse("").is_err());
        assert!(parse("   ").is_err());
        assert!(parse("-普法").is_err());
        assert!(parse("普法 - 宪法").is_err());
        assert!(parse("、，").unwrap_err().message.contains("no searchable"));
        assert!(parse("\"\"").is_err());
        assert!(parse("A OR -B").is_err());
        assert!(parse("|").is_err());
    }

    #[test]
    fn matching_on_normalised_text() {
        let q = parse("双随机一公开 -宪法").unwrap();
        assert!(q.matches(&normalize("落实“双随机、一公开”制度")));
        assert!(!q.matches(&normalize("双随机、一公开和宪法")));
        assert!(q.positives_match(&normalize("双随机、一公开和宪法")));
    }

    #[test]
    fn pointer_marks_the_position() {
        let e = parse("普法 \"宪法").unwrap_err();
        assert_eq!(e.pointer().lines().nth(1).unwrap(), "       ^");
    }
}

//! Exact alignment of two folded reports: the passages they share.
//!
//! Every [`SHINGLE`]-char window of the later text is hashed into a table;
//! the earlier text is walked left to right, and where a window matches,
//! the match is extended as far as the chars agree (the longest of the
//! places that window occurs), then the walk jumps past it. Matches
//! anywhere in either text are found, so reordered paragraphs align.
//! Matches close together on both sides (at most [`GAP`] chars apart, in
//! order) are merged into one passage: a swapped name or a changed word
//! splits a match but not the passage.
//!
//! Each place of the later text is matched at most once: a sentence the
//! earlier report repeats is shared once.
//!
//! A passage is reuse when it is at least [`MIN_PASSAGE`] chars and not
//! formulaic: at least half of the sampled fingerprints inside it are not
//! on the formulaic list. A passage of stock phrases does not count, nor
//! does a stock sentence that only differs from everyone else's by the
//! writer's own name in it.

use std::collections::HashMap;

use super::fold::{SHINGLE, fingerprint, is_sampled, shingle_hashes};

/// Most chars between two matches of one passage (on each side).
pub const GAP: usize = 24;
/// Shortest passage reported (folded chars actually shared).
pub const MIN_PASSAGE: usize = 30;
/// Places of one window looked at in the later text (repeated phrases).
const MAX_PLACES: usize = 16;

/// A shared passage, as folded char ranges of both texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passage {
    pub a_start: usize,
    pub a_end: usize,
    pub b_start: usize,
    pub b_end: usize,
    /// Chars that are equal on both sides (gaps not counted).
    pub shared: usize,
}

/// One maximal exact match.
#[derive(Debug, Clone, Copy)]
struct Match {
    a: usize,
    b: usize,
    len: usize,
}

/// The maximal exact matches of `a` in `b`, in the order of `a`, each
/// place of `b` used once.
fn matches(a: &[char], b: &[char]) -> Vec<Match> {
    let hb = shingle_hashes(b);
    let mut places: HashMap<u64, Vec<u32>> = HashMap::with_capacity(hb.len());
    for (j, h) in hb.iter().enumerate() {
        let v = places.entry(*h).or_default();
        if v.len() < MAX_PLACES {
            v.push(j as u32);
        }
    }
    let ha = shingle_hashes(a);
    let mut out = Vec::new();
    let mut i = 0;
    while i < ha.len() {
        let best = places.get(&ha[i]).and_then(|js| {
            js.iter()
                .map(|&j| {
                    let j = j as usize;
                    let len = a[i..]
                        .iter()
                        .zip(&b[j..])
                        .take_while(|(x, y)| x == y)
                        .count();
                    (len, j)
                })
                .max_by_key(|&(len, j)| (len, std::cmp::Reverse(j)))
        });
        match best {
            Some((len, j)) if len >= SHINGLE => {
                out.push(Match { a: i, b: j, len });
                i += len;
            }
            _ => i += 1,
        }
    }
    out
}

/// The passages `a` and `b` share that are reuse (see the module docs),
/// in the order of `a`.
pub fn align(a: &[char], b: &[char], formulaic: &[u32]) -> Vec<Passage> {
    let ha = shingle_hashes(a);
    // (sampled fingerprints, of which not formulaic) inside a match.
    let prints = |m: &Match| {
        ha[m.a..=m.a + m.len - SHINGLE]
            .iter()
            .filter(|h| is_sampled(**h))
            .fold(Prints::default(), |p, h| Prints {
                all: p.all + 1,
                own: p.own + usize::from(formulaic.binary_search(&fingerprint(*h)).is_err()),
            })
    };
    let mut out = Vec::new();
    let mut current: Option<(Passage, Prints)> = None;
    for m in matches(a, b) {
        let own = prints(&m);
        current = match current {
            Some((p, o))
                if m.a >= p.a_end
                    && m.a - p.a_end <= GAP
                    && m.b >= p.b_end
                    && m.b - p.b_end <= GAP =>
            {
                let p = Passage {
                    a_end: m.a + m.len,
                    b_end: m.b + m.len,
                    shared: p.shared + m.len,
                    ..p
                };
                Some((p, o.add(own)))
            }
            other => {
                out.extend(keep(other));
                let p = Passage {
                    a_start: m.a,
                    a_end: m.a + m.len,
                    b_start: m.b,
                    b_end: m.b + m.len,
                    shared: m.len,
                };
                Some((p, own))
            }
        };
    }
    out.extend(keep(current));
    out
}

/// Sampled fingerprints of a passage, and how many are not formulaic.
#[derive(Debug, Clone, Copy, Default)]
struct Prints {
    all: usize,
    own: usize,
}

impl Prints {
    fn add(self, o: Prints) -> Prints {
        Prints {
            all: self.all + o.all,
            own: self.own + o.own,
        }
    }

    /// Mostly text of its own, not stock phrases.
    fn is_own(self) -> bool {
        self.own > 0 && self.own * 2 >= self.all
    }
}

fn keep(p: Option<(Passage, Prints)>) -> Option<Passage> {
    p.filter(|(p, prints)| prints.is_own() && p.shared >= MIN_PASSAGE)
        .map(|(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    const P1: &str = "县司法局组织全县行政执法人员开展执法资格考试共有一百二十名人员参加考试合格率达到百分之九十五";
    const P2: &str = "建立重大行政决策合法性审查机制聘请三名专职律师担任政府法律顾问全年审查文件四十余件提出意见七十条";

    #[test]
    fn finds_reordered_passages_across_a_swapped_name() {
        let a = chars(&format!("{P1}甲乙丙丁{P2}"));
        let b_text = format!("其他内容{}{}", P2, P1.replacen("县司法局", "区民政局", 1));
        let b = chars(&b_text);
        let passages = align(&a, &b, &[]);
        assert_eq!(passages.len(), 2, "{passages:?}");
        let total: usize = passages.iter().map(|p| p.shared).sum();
        let p1 = P1.chars().count();
        let p2 = P2.chars().count();
        assert!(total >= p1 + p2 - 4 && total <= p1 + p2, "{total}");
    }

    #[test]
    fn formulaic_passages_are_not_reuse() {
        let a = chars(P1);
        let b = chars(P1);
        let every: Vec<u32> = {
            let mut v: Vec<u32> = shingle_hashes(&a)
                .into_iter()
                .filter(|h| is_sampled(*h))
                .map(fingerprint)
                .collect();
            v.sort_unstable();
            v
        };
        assert_eq!(align(&a, &b, &[]).len(), 1);
        assert!(align(&a, &b, &every).is_empty());
    }

    #[test]
    fn short_shared_phrases_are_not_passages() {
        let a = chars("深入学习贯彻习近平法治思想然后完全不同的一些文字内容");
        let b = chars("深入学习贯彻习近平法治思想另外一段毫不相干的文本在此");
        assert!(align(&a, &b, &[]).is_empty());
    }
}

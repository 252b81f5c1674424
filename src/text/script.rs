//! Traditional → simplified script, character by character.
//!
//! Real corpora hold traditional-script reposts (`湘潭縣衛生健康局`); the
//! gazetteer and the bureau table are simplified. Folding maps each
//! character to its first simplified form in OpenCC's `TSCharacters.txt`
//! (data/opencc, Apache-2.0), so a folded text has exactly as many
//! characters as the original and positions still line up. Phrase-level
//! conversions (OpenCC's `TSPhrases`) are not applied: a character table is
//! what both scripts of a government name need.

use std::collections::HashMap;
use std::sync::LazyLock;

const TS_CHARACTERS: &str = include_str!("../../data/opencc/TSCharacters.txt");

/// The table, and a bitmap over the Basic Multilingual Plane that says which
/// characters it maps, so the common case (a simplified character) costs a
/// bit test rather than a hash lookup.
struct Table {
    map: HashMap<char, char>,
    mapped_bmp: Vec<u64>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut map = HashMap::new();
    let mut mapped_bmp = vec![0u64; 0x10000 / 64];
    for line in TS_CHARACTERS.lines() {
        let mut cols = line.split('\t');
        let (Some(from), Some(to)) = (cols.next(), cols.next()) else {
            continue;
        };
        let mut from_chars = from.chars();
        let (Some(t), None) = (from_chars.next(), from_chars.next()) else {
            continue;
        };
        let Some(s) = to.split(' ').next().and_then(|first| first.chars().next()) else {
            continue;
        };
        if s != t {
            map.insert(t, s);
            if (t as u32) < 0x10000 {
                mapped_bmp[t as usize / 64] |= 1 << (t as usize % 64);
            }
        }
    }
    Table { map, mapped_bmp }
});

/// The simplified form of `c` (itself when it has none).
pub fn simplify_char(c: char) -> char {
    let table = &*TABLE;
    let code = c as u32;
    if code < 0x10000 && table.mapped_bmp[code as usize / 64] & (1 << (code % 64)) == 0 {
        return c;
    }
    table.map.get(&c).copied().unwrap_or(c)
}

/// Does `text` contain a character that folding would change?
pub fn has_traditional(text: &str) -> bool {
    text.chars().any(|c| simplify_char(c) != c)
}

/// `text` with every traditional character replaced by its simplified form.
pub fn simplify(text: &str) -> String {
    text.chars().map(simplify_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_character_by_character() {
        assert_eq!(simplify("湘潭縣衛生健康局"), "湘潭县卫生健康局");
        assert_eq!(simplify("法治政府建設年度報告"), "法治政府建设年度报告");
        assert_eq!(simplify("已是简体 ASCII 123"), "已是简体 ASCII 123");
        let t = "廣東省司法廳關於2022年度法治政府建設情況的報告";
        assert_eq!(simplify(t).chars().count(), t.chars().count());
        assert!(has_traditional(t));
        assert!(!has_traditional("广东省司法厅"));
    }
}

//! The text reuse compares: a report folded to a stream of characters, and
//! the sampled fingerprints of its character shingles.
//!
//! Folding is the matching normalisation (`analysis::fold_char`: NFKC width
//! folding, lower case, no whitespace, punctuation or symbols) plus the
//! simplified script (`text::script`), and every run of ASCII digits becomes
//! one `0`: a copier who swaps the year or a count still matches. Each
//! folded char keeps the byte offset of the original char, so a passage
//! maps back to its lines.
//!
//! Fingerprints: a polynomial rolling hash of every [`SHINGLE`]-char window,
//! mixed, kept when it is 0 modulo [`SAMPLE`] (about one window in eight).
//! The choice depends on the window alone, so two copies of a passage keep
//! the same fingerprints wherever the passage sits; a shared run of 100
//! chars has 89 windows and misses every sample with probability
//! (7/8)^89 < 10⁻⁵.

use xxhash_rust::xxh3::xxh3_64;

use crate::analysis::fold_char;
use crate::text::script::simplify_char;

/// Characters per shingle: a dozen Chinese characters is a phrase, longer
/// than most names a copier swaps, shorter than a clause.
pub const SHINGLE: usize = 12;
/// One shingle in `SAMPLE` (by hash) is kept as a fingerprint.
pub const SAMPLE: u64 = 8;

/// A report's folded text.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    /// Folded chars (digit runs as one `0`).
    pub chars: Vec<char>,
    /// Byte offset in the original text of each folded char.
    pub offsets: Vec<u32>,
    /// xxh3 of the folded text with its digits kept: equal for exact copies
    /// (the same report decoded from two encodings or two sites).
    pub exact_hash: u64,
}

/// Fold `text` (see the module docs).
pub fn fold(text: &str) -> Folded {
    let mut chars = Vec::with_capacity(text.len() / 3);
    let mut offsets = Vec::with_capacity(text.len() / 3);
    let mut exact = String::with_capacity(text.len());
    let mut in_digits = false;
    for (at, c) in text.char_indices() {
        fold_char(c, |d| {
            let d = simplify_char(d);
            exact.push(d);
            if d.is_ascii_digit() {
                if in_digits {
                    return;
                }
                in_digits = true;
                chars.push('0');
            } else {
                in_digits = false;
                chars.push(d);
            }
            offsets.push(at as u32);
        });
    }
    Folded {
        chars,
        offsets,
        exact_hash: xxh3_64(exact.as_bytes()),
    }
}

/// Multiplier of the rolling hash (odd, large).
const BASE: u64 = 0x100_0000_01b3;

/// The splitmix64 finaliser: spreads the rolling hash over all bits.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The mixed hash of every [`SHINGLE`]-char window, by start position.
pub fn shingle_hashes(chars: &[char]) -> Vec<u64> {
    if chars.len() < SHINGLE {
        return Vec::new();
    }
    let top = (1..SHINGLE).fold(1u64, |p, _| p.wrapping_mul(BASE));
    let mut h = 0u64;
    let mut out = Vec::with_capacity(chars.len() + 1 - SHINGLE);
    for (i, &c) in chars.iter().enumerate() {
        if i >= SHINGLE {
            h = h.wrapping_sub((chars[i - SHINGLE] as u64 + 1).wrapping_mul(top));
        }
        h = h.wrapping_mul(BASE).wrapping_add(c as u64 + 1);
        if i + 1 >= SHINGLE {
            out.push(mix(h));
        }
    }
    out
}

/// Whether a shingle hash is sampled as a fingerprint.
#[inline]
pub fn is_sampled(hash: u64) -> bool {
    hash.is_multiple_of(SAMPLE)
}

/// The fingerprint stored for a sampled shingle hash (its high 32 bits).
#[inline]
pub fn fingerprint(hash: u64) -> u32 {
    (hash >> 32) as u32
}

/// `(fingerprint, position)` of the sampled shingles, sorted, one per
/// fingerprint (its first position).
pub fn fingerprints(chars: &[char]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = shingle_hashes(chars)
        .into_iter()
        .enumerate()
        .filter(|(_, h)| is_sampled(*h))
        .map(|(i, h)| (fingerprint(h), i as u32))
        .collect();
    out.sort_unstable();
    out.dedup_by_key(|p| p.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(s: &str) -> String {
        fold(s).chars.into_iter().collect()
    }

    #[test]
    fn width_punctuation_script_and_digits_vanish() {
        assert_eq!(
            folded("２０２２年，我局認真貫徹。"),
            folded("2021年,我局认真贯彻")
        );
        assert_eq!(folded("第12次 会议"), "第0次会议");
    }

    #[test]
    fn exact_hash_keeps_digits_but_not_width() {
        assert_eq!(
            fold("2022年，法治").exact_hash,
            fold("２０２２年,法治").exact_hash
        );
        assert_ne!(fold("2022年法治").exact_hash, fold("2023年法治").exact_hash);
    }

    #[test]
    fn offsets_point_at_the_original_chars() {
        let text = "一、 法治\n建设";
        let f = fold(text);
        for (c, at) in f.chars.iter().zip(&f.offsets) {
            assert!(text[*at as usize..].starts_with(*c));
        }
    }

    #[test]
    fn rolling_hash_depends_on_the_window_only() {
        let a: Vec<char> = "甲乙丙丁戊己庚辛壬癸子丑寅卯".chars().collect();
        let b: Vec<char> = "某某乙丙丁戊己庚辛壬癸子丑寅".chars().collect();
        let ha = shingle_hashes(&a);
        let hb = shingle_hashes(&b);
        // a[1..13] == b[2..14], at another position after other chars.
        assert_eq!(a[1..13], b[2..14]);
        assert_eq!(ha[1], hb[2]);
        assert_ne!(ha[0], hb[1]);
        assert_eq!(shingle_hashes(&a[..SHINGLE - 1]).len(), 0);
    }
}

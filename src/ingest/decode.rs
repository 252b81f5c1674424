//! Decoding bytes of unknown encoding.
//!
//! Reports are scraped from hundreds of government sites over a decade, so a
//! corpus mixes UTF-8, GBK/GB18030, UTF-16 (with and without BOM, as written
//! by Windows "Unicode" Notepad) and the odd Big5 page. Nothing here may trust
//! the input: every path decodes with replacement (U+FFFD) and never panics.
//!
//! The order of the checks matters:
//! 1. a BOM is authoritative (UTF-8, UTF-16LE, UTF-16BE);
//! 2. UTF-16 without a BOM is guessed from NUL bytes *before* the UTF-8 check,
//!    because UTF-16 of ASCII text is also valid UTF-8;
//! 3. valid UTF-8 (or UTF-8 with a handful of damaged bytes) is UTF-8;
//! 4. otherwise `chardetng` guesses; GBK is widened to GB18030, its superset,
//!    so that characters outside GBK (4-byte sequences) survive.
//!
//! Line endings are normalised to `\n` (CRLF and lone CR) so that line
//! numbers mean the same thing whatever produced the file.

use encoding_rs::{Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE};

/// How many leading bytes the heuristics (UTF-16 sniffing, chardetng) look at.
/// Decoding itself always covers the whole input.
pub const SNIFF_LEN: usize = 1 << 20;

/// How many bytes chardetng sees, counted from the first non-ASCII byte:
/// a kilobyte of CJK text (~500 characters) tells GBK from Big5 or
/// Shift_JIS reliably, and chardetng is the slowest step of decoding (4 KiB
/// cost 5% of a whole index build while only a tenth of the files need it). Starting at
/// the first non-ASCII byte keeps an ASCII preamble (an HTML head, a
/// navigation bar) from using up the sample.
pub const DETECT_LEN: usize = 1024;

/// Guess a legacy encoding from `bytes` with chardetng (see [`DETECT_LEN`]).
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    let start = bytes.iter().position(|&b| b >= 0x80).unwrap_or(0);
    let sample = &bytes[start..bytes.len().min(start + DETECT_LEN)];
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(sample, start + sample.len() == bytes.len());
    widen(detector.guess(None, false))
}

/// Decode `bytes` to text with `\n` line endings; returns the text and the
/// name of the detected encoding ("UTF-8", "UTF-16LE", "UTF-16BE",
/// "GB18030", "Big5", …). Invalid sequences become U+FFFD. Never panics.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    let (encoding, body) = detect(bytes);
    if encoding != UTF_8
        && encoding != UTF_16LE
        && encoding != UTF_16BE
        && let Some(mixed) = decode_mixed(body)
    {
        return mixed;
    }
    let (text, _) = encoding.decode_without_bom_handling(body);
    (normalize(&text), encoding_name(encoding))
}

/// A file pasted together from UTF-8 and a legacy encoding (it happens when
/// sites are scraped piecemeal): decode line by line. A line is taken as
/// UTF-8 when it is valid UTF-8 with enough multi-byte content that a legacy
/// encoding could not plausibly have produced it; the other lines are decoded
/// with the encoding detected from them alone. `None` when the file has no
/// such UTF-8 lines (then it is one legacy encoding).
fn decode_mixed(bytes: &[u8]) -> Option<(String, &'static str)> {
    const CONFIDENT_UTF8_BYTES: usize = 6;
    let is_utf8_line = |line: &[u8]| {
        line.iter().filter(|&&b| b >= 0x80).count() >= CONFIDENT_UTF8_BYTES
            && std::str::from_utf8(line).is_ok()
    };
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    if !lines.iter().any(|l| is_utf8_line(l)) {
        return None;
    }
    let legacy: Vec<u8> = lines
        .iter()
        .filter(|l| std::str::from_utf8(l).is_err())
        .flat_map(|l| l.iter().copied())
        .take(SNIFF_LEN)
        .collect();
    let legacy_encoding = guess_legacy(&legacy);
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    for line in lines {
        match std::str::from_utf8(line) {
            Ok(s) => text.push_str(s),
            Err(_) => text.push_str(&legacy_encoding.decode_without_bom_handling(line).0),
        }
    }
    let name = match encoding_name(legacy_encoding) {
        "GB18030" => "UTF-8+GB18030",
        "Big5" => "UTF-8+Big5",
        "Shift_JIS" => "UTF-8+Shift_JIS",
        "EUC-KR" => "UTF-8+EUC-KR",
        _ => "UTF-8+legacy",
    };
    Some((normalize(&text), name))
}

/// Decode with an encoding declared by the file itself (an HTML
/// `<meta charset>`), if the declaration is credible: `None` when it names
/// UTF-8 or UTF-16 (the caller has already ruled those out), when decoding
/// with it produces errors, or when it names a single-byte encoding while
/// the bytes look like a multi-byte CJK encoding (a template's stale
/// `iso-8859-1` on a GBK page). GBK is widened to GB18030; a BOM still wins.
/// Same normalisation as [`decode`].
pub fn decode_declared(
    bytes: &[u8],
    declared: &'static Encoding,
) -> Option<(String, &'static str)> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Some((normalize(&text), encoding_name(enc)));
    }
    let declared = widen(declared);
    if declared == UTF_8 || declared == UTF_16LE || declared == UTF_16BE {
        return None;
    }
    if declared.is_single_byte() && !detect(bytes).0.is_single_byte() {
        return None;
    }
    let (text, had_errors) = declared.decode_without_bom_handling(bytes);
    (!had_errors).then(|| (normalize(&text), encoding_name(declared)))
}

/// The display name used in reports: "GB18030" rather than encoding_rs's
/// lower-case "gb18030"; other names as encoding_rs spells them.
pub fn encoding_name(encoding: &'static Encoding) -> &'static str {
    if encoding == GB18030 || encoding == GBK {
        "GB18030"
    } else {
        encoding.name()
    }
}

/// True if `bytes`/`text` look like a binary file rather than text: more
/// than 1% NUL bytes in a file not decoded as UTF-16, or more than 10%
/// control characters or U+FFFD in the decoded text. By proportion, so one
/// stray NUL in a report (a scraper's slip) does not make it binary, while
/// images and archives, full of NULs, are. `encoding` is the name [`decode`]
/// returned.
pub fn looks_binary(bytes: &[u8], encoding: &str, text: &str) -> bool {
    if !encoding.starts_with("UTF-16") && memchr::memchr_iter(0, bytes).count() * 100 > bytes.len()
    {
        return true;
    }
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars() {
        total += 1;
        if is_bad_char(c) {
            bad += 1;
        }
    }
    total > 0 && bad * 10 > total
}

/// Control characters (other than tab, newline, form feed) and U+FFFD.
fn is_bad_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\x0c' => false,
        '\u{fffd}' => true,
        c => c.is_control(),
    }
}

/// Widen GBK to GB18030 (a strict superset that also decodes 4-byte sequences).
fn widen(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == GBK { GB18030 } else { encoding }
}

/// Pick the encoding and the bytes to decode (BOM stripped).
fn detect(bytes: &[u8]) -> (&'static Encoding, &[u8]) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return (enc, &bytes[bom_len..]);
    }
    let sample = &bytes[..bytes.len().min(SNIFF_LEN)];
    if let Some(enc) = sniff_utf16(sample) {
        return (enc, bytes);
    }
    if mostly_utf8(bytes) {
        return (UTF_8, bytes);
    }
    (guess_legacy(bytes), bytes)
}

/// UTF-16 without BOM: there must be NUL bytes (ASCII characters such as
/// digits and newlines have a zero high byte), and one of the two byte orders
/// must decode to overwhelmingly plausible text. Requiring that the sample
/// is not valid UTF-8 *or* is NUL-heavy keeps ASCII text with a stray NUL
/// from being read as CJK ("Bush hid the facts").
fn sniff_utf16(sample: &[u8]) -> Option<&'static Encoding> {
    if sample.len() < 2 {
        return None;
    }
    let nuls = sample.iter().filter(|&&b| b == 0).count();
    if nuls == 0 {
        return None;
    }
    // Cut a multi-byte sequence at the end of the sample before validating.
    let valid_utf8 = match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && sample.len() == SNIFF_LEN,
    };
    if valid_utf8 && nuls * 10 < sample.len() {
        return None;
    }
    let even = &sample[..sample.len() & !1];
    let le = plausibility(
        even.chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]])),
    );
    let be = plausibility(
        even.chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]])),
    );
    let (best, score) = if le >= be {
        (UTF_16LE, le)
    } else {
        (UTF_16BE, be)
    };
    (score >= 0.9).then_some(best)
}

/// Share of UTF-16 code units that decode to characters expected in Chinese
/// administrative text (ASCII, CJK, CJK/full-width punctuation, supplementary
/// CJK via surrogate pairs). Random binary scores about 0.5.
fn plausibility(units: impl Iterator<Item = u16>) -> f64 {
    let mut total = 0usize;
    let mut good = 0usize;
    for c in char::decode_utf16(units) {
        total += 1;
        if let Ok(c) = c
            && plausible_char(c)
        {
            good += 1;
        }
    }
    if total == 0 {
        0.0
    } else {
        good as f64 / total as f64
    }
}

fn plausible_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | '\x0c'
        | ' '..='~'
        | '\u{a0}'..='\u{ff}'
        | '\u{2000}'..='\u{2bff}'     // punctuation, symbols, arrows, box drawing
        | '\u{2e80}'..='\u{9fff}'     // CJK radicals, punctuation, kana, unified
        | '\u{f900}'..='\u{faff}'     // CJK compatibility ideographs
        | '\u{fe30}'..='\u{fe4f}'     // CJK compatibility forms
        | '\u{ff00}'..='\u{ffef}'     // full-width forms
        | '\u{20000}'..='\u{3ffff}'   // CJK extensions B and later
    )
}

/// Valid UTF-8, or UTF-8 damaged in a few places (a truncated last character,
/// a stray byte): at least 5 well-formed multi-byte characters per invalid
/// run. GBK or Big5 read as UTF-8 yields an error on most characters (well
/// under one valid multi-byte character per error), so the margin is wide.
fn mostly_utf8(bytes: &[u8]) -> bool {
    if std::str::from_utf8(bytes).is_ok() {
        return true;
    }
    let mut multibyte = 0usize;
    let mut errors = 0usize;
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            errors += 1;
        }
    }
    multibyte >= 5 * errors
}

/// CRLF and lone CR become `\n`; leading BOM characters are dropped.
fn normalize(text: &str) -> String {
    let text = text.trim_start_matches('\u{feff}');
    if !text.contains('\r') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod mixed_tests {
    use super::*;

    #[test]
    fn utf8_and_gb18030_halves_both_decode() {
        let utf8 = "一、加强组织领导\n我局高度重视法治政府建设工作。\n";
        let gbk_part = "二、推进依法行政\n全面落实行政执法三项制度。\n";
        let mut bytes = utf8.as_bytes().to_vec();
        bytes.extend_from_slice(&GB18030.encode(gbk_part).0);
        let (text, name) = decode(&bytes);
        assert_eq!(text, format!("{utf8}{gbk_part}"));
        assert_eq!(name, "UTF-8+GB18030");
    }

    #[test]
    fn pure_gb18030_is_not_mixed() {
        let text = "二、推进依法行政\n全面落实行政执法三项制度，聘请法律顾问。\n";
        let (decoded, name) = decode(&GB18030.encode(text).0);
        assert_eq!(decoded, text);
        assert_eq!(name, "GB18030");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "长春市教育局关于2020年法治政府建设的工作报告\n一、主要工作\n（一）加强组织领导。最后一项：100%完成。\n";

    fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if le { &[0xff, 0xfe] } else { &[0xfe, 0xff] });
        }
        for u in text.encode_utf16() {
            out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn utf8_plain_and_bom() {
        assert_eq!(decode(SAMPLE.as_bytes()), (SAMPLE.to_owned(), "UTF-8"));
        let mut with_bom = vec![0xef, 0xbb, 0xbf];
        with_bom.extend_from_slice(SAMPLE.as_bytes());
        assert_eq!(decode(&with_bom), (SAMPLE.to_owned(), "UTF-8"));
    }

    #[test]
    fn utf16_all_variants() {
        for (le, name) in [(true, "UTF-16LE"), (false, "UTF-16BE")] {
            for bom in [true, false] {
                let bytes = utf16(SAMPLE, le, bom);
                assert_eq!(
                    decode(&bytes),
                    (SAMPLE.to_owned(), name),
                    "le={le} bom={bom}"
                );
            }
        }
    }

    #[test]
    fn utf16_ascii_only_without_bom() {
        let text = "Annual report 2020\nSection 1\n";
        assert_eq!(
            decode(&utf16(text, true, false)),
            (text.to_owned(), "UTF-16LE")
        );
        assert_eq!(
            decode(&utf16(text, false, false)),
            (text.to_owned(), "UTF-16BE")
        );
    }

    #[test]
    fn gb18030_roundtrip_including_non_gbk_chars() {
        // 𠀀 (U+20000) and € need GB18030 four-byte / extension sequences.
        let text = format!("{SAMPLE}附件：𠀀号文件，金额€5。\n").repeat(3);
        let (bytes, _, unmappable) = GB18030.encode(&text);
        assert!(!unmappable);
        assert_eq!(decode(&bytes), (text, "GB18030"));
    }

    #[test]
    fn gbk_reported_as_gb18030() {
        let (bytes, _, _) = GBK.encode(SAMPLE);
        assert_eq!(decode(&bytes), (SAMPLE.to_owned(), "GB18030"));
    }

    #[test]
    fn legacy_detected_after_a_long_ascii_preamble() {
        // chardetng's sample starts at the first non-ASCII byte, so an HTML
        // head longer than the sample does not hide the Chinese text.
        let head = format!("<html><head>{}</head><body>\n", " ".repeat(3 * DETECT_LEN));
        let traditional =
            "臺北市政府法制局關於二〇二〇年度法治政府建設工作報告\n一、推動依法行政。\n";
        for (enc, name, body) in [
            (GB18030, "GB18030", SAMPLE),
            (encoding_rs::BIG5, "Big5", traditional),
        ] {
            let text = format!("{head}{}", body.repeat(40));
            let bytes = enc.encode(&text).0;
            assert_eq!(decode(&bytes), (text.clone(), name), "{name}");
        }
    }

    #[test]
    fn big5_detected() {
        let text = "臺北市政府法制局關於二〇二〇年度法治政府建設工作報告\n一、推動依法行政，強化監督機制與資訊公開。\n".repeat(4);
        let (bytes, _, unmappable) = encoding_rs::BIG5.encode(&text);
        assert!(!unmappable);
        assert_eq!(decode(&bytes), (text, "Big5"));
    }

    #[test]
    fn line_endings_normalised() {
        assert_eq!(decode(b"a\r\nb\rc\n\r\nd\r").0, "a\nb\nc\n\nd\n");
        let crlf = utf16("一\r\n二\r三", true, true);
        assert_eq!(decode(&crlf).0, "一\n二\n三");
    }

    #[test]
    fn double_bom_stripped() {
        let mut bytes = vec![0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf];
        bytes.extend_from_slice("正文".as_bytes());
        assert_eq!(decode(&bytes).0, "正文");
    }

    #[test]
    fn damaged_utf8_stays_utf8() {
        let mut bytes = SAMPLE.repeat(2).into_bytes();
        bytes.push(0xe4); // truncated last character
        bytes.splice(9..9, [0xff]); // stray byte between two characters
        let (text, enc) = decode(&bytes);
        assert_eq!(enc, "UTF-8");
        assert!(text.contains("法治政府建设"));
        assert_eq!(text.matches('\u{fffd}').count(), 2);
    }

    #[test]
    fn ascii_with_stray_nul_is_not_utf16() {
        let (_, enc) = decode(b"plain ascii text with a stray \0 byte in it");
        assert_eq!(enc, "UTF-8");
    }

    #[test]
    fn odd_length_utf16_does_not_panic() {
        let mut bytes = utf16(SAMPLE, true, false);
        bytes.push(0x41);
        let (text, enc) = decode(&bytes);
        assert_eq!(enc, "UTF-16LE");
        assert!(text.starts_with(SAMPLE));
        assert!(text.ends_with('\u{fffd}'));
    }

    #[test]
    fn binary_detection() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
        let (text, enc) = decode(png);
        assert!(looks_binary(png, enc, &text));
        let (text, enc) = decode(SAMPLE.as_bytes());
        assert!(!looks_binary(SAMPLE.as_bytes(), enc, &text));
        let bytes = utf16(SAMPLE, true, false);
        let (text, enc) = decode(&bytes);
        assert!(!looks_binary(&bytes, enc, &text));
        // Mostly control characters, no NUL.
        let ctrl: Vec<u8> = (1u8..32).cycle().take(200).collect();
        let (text, enc) = decode(&ctrl);
        assert!(looks_binary(&ctrl, enc, &text));
    }

    #[test]
    fn one_nul_in_a_report_is_not_binary_many_are() {
        let mut bytes = SAMPLE.repeat(4).into_bytes();
        bytes.insert(bytes.len() / 2, 0);
        let (text, enc) = decode(&bytes);
        assert_eq!(enc, "UTF-8");
        assert!(!looks_binary(&bytes, enc, &text));
        // Every 50th byte a NUL (2%): binary.
        let mut nuls = SAMPLE.repeat(4).into_bytes();
        for i in (0..nuls.len()).step_by(50) {
            nuls[i] = 0;
        }
        let (text, enc) = decode(&nuls);
        assert!(looks_binary(&nuls, enc, &text));
    }

    #[test]
    fn declared_encoding_used_only_when_credible() {
        let (gb, _, _) = GB18030.encode(SAMPLE);
        assert_eq!(
            decode_declared(&gb, GBK),
            Some((SAMPLE.to_owned(), "GB18030"))
        );
        // Wrong declarations: UTF-8, a single-byte label on GBK bytes, Big5 with errors.
        assert_eq!(decode_declared(&gb, UTF_8), None);
        assert_eq!(decode_declared(&gb, encoding_rs::WINDOWS_1252), None);
        let bad_big5 = [0xa4, 0x40, 0xff, 0xff];
        assert_eq!(decode_declared(&bad_big5, encoding_rs::BIG5), None);
        // A genuine single-byte page keeps its declaration.
        let latin = b"Caf\xe9 cr\xe8me br\xfbl\xe9e, d\xe9j\xe0 vu";
        assert_eq!(
            decode_declared(latin, encoding_rs::WINDOWS_1252).map(|d| d.1),
            Some("windows-1252")
        );
    }

    #[test]
    fn empty_input() {
        assert_eq!(decode(b""), (String::new(), "UTF-8"));
        assert_eq!(decode(&[0xff, 0xfe]), (String::new(), "UTF-16LE"));
    }
}

//! The compact encoding of the sidecar's records: LEB128 varints, and a
//! report's fingerprints as one bit stream — the gaps between the sorted
//! fingerprints Rice-coded (they are spread evenly over 32 bits, so a gap
//! is about 2³²/k), the positions in the fewest bits that hold the largest.
//! About 4.7 bytes a fingerprint with its position instead of 8.
//!
//! Every record is framed: its length, its bytes, and a checksum of them,
//! so a damaged or cut record is an error, never wrong fingerprints.
//! Decoding checks every bound and never panics.

use std::io::Read;

use anyhow::{Context, bail, ensure};
use xxhash_rust::xxh3::xxh3_64;

use super::store::ReportPrints;

/// Most bytes of one record: a report of 16 M fingerprints (more than any
/// file `read_capped` lets in) fits.
pub const MAX_RECORD: u64 = 1 << 27;

/// Append `v` as a LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Append a varint length and the bytes of `s`.
pub fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Reads what the `put_*` functions wrote, checking every bound.
pub struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, at: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.at
    }

    pub fn bytes(&mut self, n: usize) -> anyhow::Result<&'a [u8]> {
        ensure!(n <= self.remaining(), "cut short");
        let out = &self.buf[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }

    pub fn varint(&mut self) -> anyhow::Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes(1)?.first().unwrap_or(&0);
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                ensure!(shift < 63 || b <= 1, "varint too large");
                return Ok(v);
            }
        }
        bail!("varint too long")
    }

    /// A varint that must fit a u32.
    pub fn varint_u32(&mut self) -> anyhow::Result<u32> {
        u32::try_from(self.varint()?).context("number too large")
    }

    /// A count of items that each take at least one byte: never more than
    /// the bytes left (so a damaged count cannot ask for a huge allocation).
    pub fn count(&mut self) -> anyhow::Result<usize> {
        let n = self.varint()?;
        ensure!(n <= self.remaining() as u64, "implausible count {n}");
        Ok(n as usize)
    }

    pub fn u64_le(&mut self) -> anyhow::Result<u64> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    pub fn string(&mut self) -> anyhow::Result<String> {
        let n = self.varint()?;
        ensure!(n <= self.remaining() as u64, "cut short");
        Ok(std::str::from_utf8(self.bytes(n as usize)?)?.to_string())
    }

    pub fn finish(&self) -> anyhow::Result<()> {
        ensure!(self.remaining() == 0, "{} bytes too many", self.remaining());
        Ok(())
    }
}

/// Bits written low bit first.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    bits: u32,
}

impl BitWriter {
    /// The low `n` (≤ 32) bits of `v`.
    fn put(&mut self, v: u64, n: u32) {
        debug_assert!(n <= 32);
        let v = if n == 0 {
            0
        } else {
            v & (u64::MAX >> (64 - n))
        };
        self.acc |= v << self.bits;
        self.bits += n;
        while self.bits >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.bits -= 8;
        }
    }

    /// `q` ones and a zero.
    fn unary(&mut self, mut q: u64) {
        while q >= 32 {
            self.put(u64::from(u32::MAX), 32);
            q -= 32;
        }
        self.put((1u64 << q) - 1, q as u32);
        self.put(0, 1);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.bits > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// Reads a [`BitWriter`]'s bits back; reading past the end is an error.
struct BitReader<'a> {
    buf: &'a [u8],
    /// Position in bits.
    at: usize,
}

impl BitReader<'_> {
    /// The next up to 57 bits, low bit first, and how many are real.
    fn peek(&self) -> (u64, usize) {
        let rest = self.buf.get(self.at / 8..).unwrap_or_default();
        let mut word = [0u8; 8];
        let avail = rest.len().min(8);
        word[..avail].copy_from_slice(&rest[..avail]);
        let shift = self.at % 8;
        let real = (avail * 8).saturating_sub(shift).min(57);
        (u64::from_le_bytes(word) >> shift, real)
    }

    fn get(&mut self, n: u32) -> anyhow::Result<u64> {
        if n == 0 {
            return Ok(0);
        }
        let (word, real) = self.peek();
        ensure!(real >= n as usize, "cut short");
        self.at += n as usize;
        Ok(word & (u64::MAX >> (64 - n)))
    }

    /// Count ones up to a zero, giving up beyond `limit`.
    fn unary(&mut self, limit: u64) -> anyhow::Result<u64> {
        let mut q = 0u64;
        loop {
            let (word, real) = self.peek();
            ensure!(real > 0, "cut short");
            let ones = (word.trailing_ones() as usize).min(real);
            q += ones as u64;
            ensure!(q <= limit, "gap too large");
            if ones < real {
                self.at += ones + 1;
                return Ok(q);
            }
            self.at += ones;
        }
    }

    fn bytes_used(&self) -> usize {
        self.at.div_ceil(8)
    }
}

/// The Rice parameter for `k` values spread evenly over 32 bits: about
/// log2 of 0.69 times the mean gap.
fn rice_parameter(k: usize) -> u32 {
    let mean_gap = (1u64 << 32) / (k as u64 + 1);
    (mean_gap * 69 / 100).max(1).ilog2().min(31)
}

/// Append `prints` (sorted by fingerprint, each fingerprint once).
pub fn put_prints(out: &mut Vec<u8>, prints: &[(u32, u32)]) {
    debug_assert!(prints.windows(2).all(|w| w[0].0 < w[1].0));
    put_varint(out, prints.len() as u64);
    if prints.is_empty() {
        return;
    }
    let rice = rice_parameter(prints.len());
    let width = 32
        - prints
            .iter()
            .map(|p| p.1)
            .max()
            .unwrap_or(0)
            .leading_zeros();
    out.push(rice as u8);
    out.push(width as u8);
    let mut bits = BitWriter::default();
    let mut next = 0u64; // the least the next fingerprint can be
    for &(f, p) in prints {
        let gap = u64::from(f).saturating_sub(next);
        bits.unary(gap >> rice);
        bits.put(gap, rice);
        bits.put(u64::from(p), width);
        next = u64::from(f) + 1;
    }
    out.extend_from_slice(&bits.finish());
}

/// Read what [`put_prints`] wrote.
pub fn get_prints(r: &mut Reader) -> anyhow::Result<Vec<(u32, u32)>> {
    let k = r.varint()?;
    if k == 0 {
        return Ok(Vec::new());
    }
    let head = r.bytes(2)?;
    let (rice, width) = (u32::from(head[0]), u32::from(head[1]));
    ensure!(rice < 32 && width <= 32, "bad fingerprint coding");
    // Each fingerprint takes at least one bit.
    ensure!(
        k <= r.remaining() as u64 * 8,
        "implausible fingerprint count {k}"
    );
    let mut bits = BitReader {
        buf: &r.buf[r.at..],
        at: 0,
    };
    let mut prints = Vec::with_capacity(k as usize);
    let mut next = 0u64;
    for _ in 0..k {
        let q = bits.unary(u64::from(u32::MAX) >> rice)?;
        let f = next + ((q << rice) | bits.get(rice)?);
        ensure!(f <= u64::from(u32::MAX), "fingerprint out of range");
        let p = bits.get(width)?;
        prints.push((f as u32, p as u32));
        next = f + 1;
    }
    let used = bits.bytes_used();
    r.bytes(used)?;
    Ok(prints)
}

/// One report's record (without its frame).
pub fn put_report(out: &mut Vec<u8>, r: &ReportPrints) {
    put_str(out, &r.doc_id);
    put_str(out, &r.content_hash);
    out.extend_from_slice(&r.bytes_hash.to_le_bytes());
    out.extend_from_slice(&r.exact_hash.to_le_bytes());
    put_varint(out, u64::from(r.chars));
    put_prints(out, &r.prints);
}

/// Read what [`put_report`] wrote; the whole of `payload`.
pub fn get_report(payload: &[u8]) -> anyhow::Result<ReportPrints> {
    let mut r = Reader::new(payload);
    let out = ReportPrints {
        doc_id: r.string()?,
        content_hash: r.string()?,
        bytes_hash: r.u64_le()?,
        exact_hash: r.u64_le()?,
        chars: r.varint_u32()?,
        prints: get_prints(&mut r)?,
    };
    r.finish()?;
    Ok(out)
}

/// The checksum that closes a frame.
fn checksum(payload: &[u8]) -> [u8; 4] {
    (xxh3_64(payload) as u32).to_le_bytes()
}

/// Append `payload` framed: its length, itself, its checksum.
pub fn put_frame(out: &mut Vec<u8>, payload: &[u8]) {
    put_varint(out, payload.len() as u64);
    out.extend_from_slice(payload);
    out.extend_from_slice(&checksum(payload));
}

/// Read one frame from a stream: `Ok(None)` at a clean end of the stream,
/// an error when it is cut or its checksum fails.
pub fn read_frame(r: &mut impl Read, buf: &mut Vec<u8>) -> anyhow::Result<Option<()>> {
    let mut len = 0u64;
    for (i, shift) in (0..64).step_by(7).enumerate() {
        let mut b = [0u8; 1];
        if r.read(&mut b)? == 0 {
            ensure!(i == 0, "cut short");
            return Ok(None);
        }
        len |= u64::from(b[0] & 0x7f) << shift;
        if b[0] & 0x80 == 0 {
            break;
        }
        ensure!(shift < 56, "bad record length");
    }
    ensure!(len <= MAX_RECORD, "implausible record length {len}");
    buf.clear();
    // `take` grows the buffer as bytes arrive: a damaged length cannot
    // allocate more than the file holds.
    r.by_ref().take(len + 4).read_to_end(buf)?;
    ensure!(buf.len() as u64 == len + 4, "cut short");
    let (payload, sum) = buf.split_at(len as usize);
    ensure!(sum == checksum(payload), "checksum mismatch");
    buf.truncate(len as usize);
    Ok(Some(()))
}

/// Check and strip the checksum of a whole-file frame held in memory.
pub fn open_frame(bytes: &[u8]) -> anyhow::Result<&[u8]> {
    let mut r = Reader::new(bytes);
    let len = r.varint()?;
    ensure!(
        len.checked_add(4) == Some(r.remaining() as u64),
        "cut short or too long"
    );
    let payload = r.bytes(len as usize)?;
    ensure!(r.bytes(4)? == checksum(payload), "checksum mismatch");
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn report_strategy() -> impl Strategy<Value = ReportPrints> {
        (
            "[0-9a-f]{0,20}",
            "[0-9a-f+]{0,40}",
            any::<u64>(),
            any::<u64>(),
            any::<u32>(),
            prop::collection::btree_map(any::<u32>(), any::<u32>(), 0..400),
            prop::sample::select(vec![u32::MAX, 1 << 20, 4000, 1]),
        )
            .prop_map(
                |(doc_id, content_hash, bytes_hash, exact_hash, chars, prints, cap)| ReportPrints {
                    doc_id,
                    content_hash,
                    bytes_hash,
                    exact_hash,
                    chars,
                    prints: prints.into_iter().map(|(f, p)| (f, p % cap)).collect(),
                },
            )
    }

    fn framed(r: &ReportPrints) -> Vec<u8> {
        let mut payload = Vec::new();
        put_report(&mut payload, r);
        let mut out = Vec::new();
        put_frame(&mut out, &payload);
        out
    }

    fn read_one(bytes: &[u8]) -> anyhow::Result<Option<ReportPrints>> {
        let mut buf = Vec::new();
        let mut stream = bytes;
        match read_frame(&mut stream, &mut buf)? {
            Some(()) => Ok(Some(get_report(&buf)?)),
            None => Ok(None),
        }
    }

    proptest! {
        #[test]
        fn a_report_reads_back_as_written(r in report_strategy()) {
            let bytes = framed(&r);
            prop_assert_eq!(read_one(&bytes).unwrap(), Some(r));
        }

        #[test]
        fn a_cut_record_is_an_error(r in report_strategy(), cut in any::<prop::sample::Index>()) {
            let bytes = framed(&r);
            let at = cut.index(bytes.len());
            let got = read_one(&bytes[..at]);
            if at == 0 {
                prop_assert!(matches!(got, Ok(None)));
            } else {
                prop_assert!(got.is_err());
            }
        }

        #[test]
        fn a_changed_byte_is_an_error_or_the_same_report(
            r in report_strategy(),
            at in any::<prop::sample::Index>(),
            flip in 1u8..=255,
        ) {
            let mut bytes = framed(&r);
            let i = at.index(bytes.len());
            bytes[i] ^= flip;
            if let Ok(Some(got)) = read_one(&bytes) {
                prop_assert_eq!(got, r);
            }
        }

        #[test]
        fn any_bytes_decode_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = get_report(&bytes);
            let _ = read_one(&bytes);
            let _ = open_frame(&bytes);
        }
    }

    #[test]
    fn a_huge_frame_length_is_an_error() {
        let mut bytes = Vec::new();
        put_varint(&mut bytes, u64::MAX);
        bytes.extend_from_slice(&[0; 8]);
        assert!(open_frame(&bytes).is_err());
        assert!(read_one(&bytes).is_err());
    }

    #[test]
    fn typical_prints_take_under_five_bytes_each() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut prints: Vec<(u32, u32)> = (0..320)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x >> 32) as u32, i * 8)
            })
            .collect();
        prints.sort_unstable();
        prints.dedup_by_key(|p| p.0);
        let mut out = Vec::new();
        put_prints(&mut out, &prints);
        assert!(out.len() < prints.len() * 5, "{} bytes", out.len());
        assert_eq!(get_prints(&mut Reader::new(&out)).unwrap(), prints);
    }
}

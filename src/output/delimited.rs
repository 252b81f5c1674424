//! The one CSV/TSV writer of every command (`search`, `topic`, `bureaus`,
//! `topics`, `matrix`, `stats`, and `export`'s records): one quoting rule,
//! one formula guard, one treatment of control characters.
//!
//! Why one: each command used to build its own `csv::Writer`, and only
//! `export` guarded formulas, so `search --format csv` printed a cell
//! `=SUM(1+2)…` straight from a report that starts that way. Here a row
//! is any flat `Serialize` struct; every string in it is a text cell and
//! goes through [`push_field`], numbers are written as digits (itoa, ryu:
//! the csv crate's own formatting), never guarded.
//!
//! - **Formula guard**: a text cell starting with `=`, `+`, `-`, `@`, tab
//!   or CR gets a `'` in front (OWASP's advice against CSV injection).
//! - **Control characters**: tab, LF and CR are data (quoted); every other
//!   C0 or C1 control and DEL becomes its visible stand-in (ESC → `␛`, see
//!   [`crate::output::visible_control`]), so a file never carries a raw
//!   escape sequence to the terminal of whoever `cat`s it.
//! - **Quoting**: as the csv crate's `QuoteStyle::Necessary` — a field
//!   holding the delimiter, `"`, CR or LF is quoted, quotes doubled.
//! - CSV ends records with CRLF (RFC 4180, as `export` always did); TSV
//!   with LF.

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeStruct};

use super::visible_control;

/// Whether a spreadsheet would read a text cell as a formula (OWASP's
/// "CSV injection" list: `=`, `+`, `-`, `@`, tab, carriage return).
pub fn needs_formula_guard(s: &str) -> bool {
    matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Whether a byte may start something [`push_field`] must look at: a
/// control byte, a quote, the delimiter, DEL, or the lead byte of a C1
/// control (U+0080–U+009F are `C2 80`–`C2 9F` in UTF-8).
fn special(b: u8, delimiter: u8) -> bool {
    b < 0x20 || b == b'"' || b == delimiter || b == 0x7f || b == 0xc2
}

/// `v` with every control character but tab, LF and CR made visible.
fn without_controls(v: &str) -> Cow<'_, str> {
    if !v
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Cow::Borrowed(v);
    }
    Cow::Owned(
        v.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => c,
                c if c.is_control() => visible_control(c),
                c => c,
            })
            .collect(),
    )
}

/// Append one text field (without a separator before it) to `out`:
/// guarded, control characters made visible, quoted when needed.
pub fn push_field(out: &mut Vec<u8>, v: &str, delimiter: u8) {
    let guard = needs_formula_guard(v);
    if !v.bytes().any(|b| special(b, delimiter)) {
        if guard {
            out.push(b'\'');
        }
        out.extend_from_slice(v.as_bytes());
        return;
    }
    let v = without_controls(v);
    let bytes = v.as_bytes();
    let quote = bytes
        .iter()
        .any(|&b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
    if quote {
        out.push(b'"');
    }
    if guard {
        out.push(b'\'');
    }
    for part in bytes.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    if quote {
        out.push(b'"');
    }
}

/// CSV or TSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimited {
    Csv,
    Tsv,
}

impl Delimited {
    pub fn delimiter(self) -> u8 {
        match self {
            Delimited::Csv => b',',
            Delimited::Tsv => b'\t',
        }
    }

    pub fn terminator(self) -> &'static [u8] {
        match self {
            Delimited::Csv => b"\r\n",
            Delimited::Tsv => b"\n",
        }
    }
}

/// Writes rows (flat `Serialize` structs) as CSV or TSV, a header first.
pub struct DelimitedWriter<W: Write> {
    out: W,
    kind: Delimited,
    record: Vec<u8>,
    header_written: bool,
}

impl<W: Write> DelimitedWriter<W> {
    pub fn new(out: W, kind: Delimited) -> Self {
        DelimitedWriter {
            out,
            kind,
            record: Vec::new(),
            header_written: false,
        }
    }

    /// A writer that will not write a header (it was written before).
    pub fn continuing(out: W, kind: Delimited) -> Self {
        DelimitedWriter {
            header_written: true,
            ..DelimitedWriter::new(out, kind)
        }
    }

    /// Write the header row now, unless one was written.
    pub fn header(&mut self, columns: &[&str]) -> std::io::Result<()> {
        if self.header_written {
            return Ok(());
        }
        self.header_written = true;
        self.record.clear();
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                self.record.push(self.kind.delimiter());
            }
            push_field(&mut self.record, c, self.kind.delimiter());
        }
        self.record.extend_from_slice(self.kind.terminator());
        self.out.write_all(&self.record)
    }

    /// Write one row (its field names are the header, before the first).
    pub fn row<T: Serialize>(&mut self, row: &T) -> anyhow::Result<()> {
        if !self.header_written {
            self.header(&columns_of(row)?)?;
        }
        self.record.clear();
        encode_row(row, self.kind.delimiter(), &mut self.record)?;
        self.record.extend_from_slice(self.kind.terminator());
        self.out.write_all(&self.record)?;
        Ok(())
    }

    /// Write fields given one by one (for wide rows built in a loop, such
    /// as `matrix`): `text` cells are guarded, `raw` ones (digits) are not.
    pub fn fields<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) -> std::io::Result<()> {
        self.record.clear();
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.record.push(self.kind.delimiter());
            }
            match cell {
                Cell::Text(s) => push_field(&mut self.record, s, self.kind.delimiter()),
                Cell::Digits(d) => self.record.extend_from_slice(d),
            }
        }
        self.record.extend_from_slice(self.kind.terminator());
        self.out.write_all(&self.record)
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// A cell given to [`DelimitedWriter::fields`].
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// A text cell: guarded and quoted as needed.
    Text(&'a str),
    /// A number already formatted as ASCII digits: written as is.
    Digits(&'a [u8]),
}

/// The field names of a row type, in order (its header), from a row.
pub fn columns_of<T: Serialize>(row: &T) -> anyhow::Result<Vec<&'static str>> {
    let mut names = Vec::new();
    let mut scratch = Vec::new();
    row.serialize(&mut RowSer {
        out: &mut scratch,
        delimiter: b',',
        fields: 0,
        names: Some(&mut names),
    })?;
    Ok(names)
}

/// The header of a row type with a default value.
pub fn columns<T: Serialize + Default>() -> Vec<&'static str> {
    columns_of(&T::default()).expect("a flat row type")
}

/// Append the fields of `row` (no terminator).
pub fn encode_row<T: Serialize>(row: &T, delimiter: u8, out: &mut Vec<u8>) -> anyhow::Result<()> {
    row.serialize(&mut RowSer {
        out,
        delimiter,
        fields: 0,
        names: None,
    })?;
    Ok(())
}

/// Why a value cannot be a CSV row (a nested list or map).
#[derive(Debug, thiserror::Error)]
#[error("cannot write as a CSV row: {0}")]
pub struct RowError(String);

impl ser::Error for RowError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        RowError(msg.to_string())
    }
}

/// Serializes a struct as one record.
struct RowSer<'a> {
    out: &'a mut Vec<u8>,
    delimiter: u8,
    fields: usize,
    names: Option<&'a mut Vec<&'static str>>,
}

fn not_flat<T>(what: &str) -> Result<T, RowError> {
    Err(RowError(format!("a {what} is not a flat row")))
}

impl<'a, 'b> ser::Serializer for &'b mut RowSer<'a> {
    type Ok = ();
    type Error = RowError;
    type SerializeSeq = Impossible<(), RowError>;
    type SerializeTuple = Impossible<(), RowError>;
    type SerializeTupleStruct = Impossible<(), RowError>;
    type SerializeTupleVariant = Impossible<(), RowError>;
    type SerializeMap = Impossible<(), RowError>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), RowError>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, RowError> {
        Ok(self)
    }
    fn serialize_bool(self, _: bool) -> Result<(), RowError> {
        not_flat("bool")
    }
    fn serialize_i8(self, _: i8) -> Result<(), RowError> {
        not_flat("number")
    }
    fn serialize_i16(self, _: i16) -> Result<(), RowError> {
        not_flat("number")
    }
    fn serialize_i32(self, _: i32) -> Result<(), RowError> {
        not_flat("number")
    }
    fn serialize_i64(self, _: i64) -> Result<(), RowError> {
        not_flat("number")
    }
    fn serialize_u8(self, _: u8) -> Result<(), RowError> {
        not_flat("number")
    }
    fn serialize_u16(self, _: u16) -> Result<(), RowError> {
        not_flat("number")
    }
    fn serialize_u32(self, _: u32) -> Result<(), RowError> {
        not_flat("number")
    }
    fn serialize_u64(self, _: u64) -> Result<(), RowError> {
        not_flat("number")
    }
    fn serialize_f32(self, _: f32) -> Result<(), RowError> {
        not_flat("number")
    }
    fn serialize_f64(self, _: f64) -> Result<(), RowError> {
        not_flat("number")
    }
    fn serialize_char(self, _: char) -> Result<(), RowError> {
        not_flat("char")
    }
    fn serialize_str(self, _: &str) -> Result<(), RowError> {
        not_flat("string")
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), RowError> {
        not_flat("byte string")
    }
    fn serialize_none(self) -> Result<(), RowError> {
        not_flat("none")
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), RowError> {
        not_flat("option")
    }
    fn serialize_unit(self) -> Result<(), RowError> {
        not_flat("unit")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), RowError> {
        not_flat("unit")
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), RowError> {
        not_flat("variant")
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), RowError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), RowError> {
        not_flat("variant")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, RowError> {
        not_flat("list")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, RowError> {
        not_flat("tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, RowError> {
        not_flat("tuple")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, RowError> {
        not_flat("variant")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, RowError> {
        not_flat("map")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, RowError> {
        not_flat("variant")
    }
}

impl SerializeStruct for &mut RowSer<'_> {
    type Ok = ();
    type Error = RowError;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), RowError> {
        if let Some(names) = self.names.as_mut() {
            names.push(key);
        }
        if self.fields > 0 {
            self.out.push(self.delimiter);
        }
        self.fields += 1;
        value.serialize(CellSer {
            out: self.out,
            delimiter: self.delimiter,
        })
    }

    fn end(self) -> Result<(), RowError> {
        Ok(())
    }
}

/// Serializes one field's value as a cell.
struct CellSer<'a> {
    out: &'a mut Vec<u8>,
    delimiter: u8,
}

impl CellSer<'_> {
    fn digits(self, s: &str) -> Result<(), RowError> {
        self.out.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl ser::Serializer for CellSer<'_> {
    type Ok = ();
    type Error = RowError;
    type SerializeSeq = Impossible<(), RowError>;
    type SerializeTuple = Impossible<(), RowError>;
    type SerializeTupleStruct = Impossible<(), RowError>;
    type SerializeTupleVariant = Impossible<(), RowError>;
    type SerializeMap = Impossible<(), RowError>;
    type SerializeStruct = Impossible<(), RowError>;
    type SerializeStructVariant = Impossible<(), RowError>;

    fn serialize_bool(self, v: bool) -> Result<(), RowError> {
        self.digits(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), RowError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), RowError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), RowError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), RowError> {
        self.digits(itoa::Buffer::new().format(v))
    }
    fn serialize_u8(self, v: u8) -> Result<(), RowError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), RowError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), RowError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), RowError> {
        self.digits(itoa::Buffer::new().format(v))
    }
    fn serialize_f32(self, v: f32) -> Result<(), RowError> {
        self.digits(ryu::Buffer::new().format(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), RowError> {
        self.digits(ryu::Buffer::new().format(v))
    }
    fn serialize_char(self, v: char) -> Result<(), RowError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), RowError> {
        push_field(self.out, v, self.delimiter);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), RowError> {
        not_flat("byte string")
    }
    fn serialize_none(self) -> Result<(), RowError> {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<(), RowError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), RowError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), RowError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), RowError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), RowError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), RowError> {
        not_flat("variant")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, RowError> {
        not_flat("list")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, RowError> {
        not_flat("tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, RowError> {
        not_flat("tuple")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, RowError> {
        not_flat("variant")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, RowError> {
        not_flat("map")
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, RowError> {
        not_flat("nested struct")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, RowError> {
        not_flat("variant")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct Row<'a> {
        rank: usize,
        score: f32,
        year: Option<u64>,
        name: &'a str,
        owned: String,
    }

    fn csv_crate(fields: &[&str]) -> String {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        w.write_record(fields).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    /// Quoting is the csv crate's `Necessary` style, for text that needs
    /// no guard and holds no control characters.
    #[test]
    fn quotes_like_the_csv_crate() {
        for f in [
            "",
            "a",
            "a,b",
            "\"q\"",
            "line\nbreak",
            "cr\r",
            "逗号，全角",
            "x\"",
            "\"",
            "tab\there",
            " lead",
            "#hash",
            "·中点",
        ] {
            let mut w = DelimitedWriter::new(Vec::new(), Delimited::Csv);
            w.fields([Cell::Text("x"), Cell::Text(f)]).unwrap();
            assert_eq!(
                String::from_utf8(w.into_inner()).unwrap(),
                csv_crate(&["x", f]),
                "{f:?}"
            );
        }
    }

    #[test]
    fn rows_numbers_and_header() {
        let mut w = DelimitedWriter::new(Vec::new(), Delimited::Csv);
        w.row(&Row {
            rank: 1,
            score: 2.5,
            year: None,
            name: "=SUM(1+2)",
            owned: "a,b".into(),
        })
        .unwrap();
        w.row(&Row {
            rank: 2,
            score: -1.0,
            year: Some(2021),
            name: "-x",
            owned: "\u{1b}]0;title\u{7}".into(),
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(w.into_inner()).unwrap(),
            "rank,score,year,name,owned\r\n1,2.5,,'=SUM(1+2),\"a,b\"\r\n2,-1.0,2021,'-x,␛]0;title␇\r\n"
        );
        assert_eq!(columns::<Row>(), ["rank", "score", "year", "name", "owned"]);
    }

    #[test]
    fn guard_inside_quotes_and_tsv() {
        let mut out = Vec::new();
        push_field(&mut out, "=HYPERLINK(\"http://x\",\"y\")", b',');
        assert_eq!(out, b"\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        out.clear();
        push_field(&mut out, "a\tb", b'\t');
        assert_eq!(out, b"\"a\tb\"");
        out.clear();
        push_field(&mut out, "a,b", b'\t');
        assert_eq!(out, b"a,b");
        out.clear();
        push_field(&mut out, "\u{9b}31m\u{7f}", b',');
        assert_eq!(String::from_utf8(out).unwrap(), "\u{fffd}31m␡");
    }

    #[test]
    fn formula_guard() {
        for f in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(needs_formula_guard(f), "{f:?}");
        }
        for f in ["", "1-2", "法=律", "'=1", " =1", "…=1"] {
            assert!(!needs_formula_guard(f), "{f:?}");
        }
    }
}

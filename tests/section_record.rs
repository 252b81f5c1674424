//! One section, listed in several places, kept in step: the index schema,
//! the stored fields read back (`StoredSection`), the hit (`Hit`, the JSON
//! contract), the flat CSV row (`HitRow`/`HIT_COLUMNS`) and the `_bulk`
//! document (`BULK_FIELDS`). Adding a field to a section (a report's
//! `url`, a bureau key …) fails here until every list that must carry it
//! does — or says on purpose that it does not (the lists below).

use std::collections::BTreeSet;

use fazhi::export::BULK_FIELDS;
use fazhi::output::{HIT_COLUMNS, HitRow};
use fazhi::query::{Hit, StoredSection};
use tantivy::schema::FieldType;

/// Keys of a value serialised to a JSON object.
fn keys(v: &impl serde::Serialize) -> Vec<String> {
    match serde_json::to_value(v).unwrap() {
        serde_json::Value::Object(m) => m.keys().cloned().collect(),
        other => panic!("not an object: {other}"),
    }
}

fn set(names: impl IntoIterator<Item = impl Into<String>>) -> BTreeSet<String> {
    names.into_iter().map(Into::into).collect()
}

/// Stored schema fields (searchable-only fields are not read back).
fn stored_fields() -> BTreeSet<String> {
    let (schema, _) = fazhi::index::schema();
    schema
        .fields()
        .filter(|(_, entry)| match entry.field_type() {
            FieldType::Str(o) => o.is_stored(),
            FieldType::U64(o) | FieldType::I64(o) | FieldType::F64(o) => o.is_stored(),
            _ => false,
        })
        .map(|(_, entry)| entry.name().to_string())
        .collect()
}

#[test]
fn stored_section_reads_every_stored_field() {
    let mut stored = stored_fields();
    // The `topic` field holds the main topic names: `topics` when read back.
    assert!(stored.remove("topic"));
    stored.insert("topics".into());
    // `lead_title` (the title again, on the section it stands over) is read
    // back as the flag `carries_title`, not shown: the title is `title`.
    assert!(stored.remove("lead_title"));
    assert_eq!(set(keys(&StoredSection::default())), stored);
}

#[test]
fn bulk_documents_carry_the_stored_section() {
    let mut section = set(keys(&StoredSection::default()));
    // Left out on purpose: source details of no use in a search cluster.
    for omitted in ["addressee", "encoding"] {
        assert!(section.remove(omitted), "{omitted}");
    }
    assert_eq!(set(BULK_FIELDS), section);
}

fn a_hit() -> Hit {
    Hit::new(
        1,
        1.0,
        StoredSection::default(),
        fazhi::query::snippet("", &[], 10),
        Vec::new(),
    )
}

#[test]
fn csv_columns_are_the_flat_row() {
    let hit = a_hit();
    // The header csv writes for the row: its fields, in order.
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.serialize(HitRow::from_hit(&hit)).unwrap();
    let text = String::from_utf8(csv.into_inner().unwrap()).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(header, HIT_COLUMNS.to_vec());
}

#[test]
fn hits_carry_the_csv_columns_and_the_section_identity() {
    let hit = set(keys(&a_hit()));
    for column in HIT_COLUMNS {
        assert!(hit.contains(column), "CSV column {column} not in Hit");
    }
    // The section fields a hit deliberately leaves to `show` (codes and
    // full text) — everything else of the stored section is in the hit.
    let section = set(keys(&StoredSection::default()));
    let not_in_hit: BTreeSet<&str> = [
        "province_code",
        "city_code",
        "county_code",
        "doc_number",
        "addressee",
        "encoding",
        "ordinal",
        "body",
        "topics",
    ]
    .into();
    for field in &section {
        assert_eq!(
            hit.contains(field),
            !not_in_hit.contains(field.as_str()),
            "{field}: in Hit? update Hit or this list"
        );
    }
}

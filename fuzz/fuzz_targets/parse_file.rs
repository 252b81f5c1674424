//! One file through decode, extraction, cleaning and parsing. The first
//! input byte picks the format (text, HTML, DOCX); the rest is the file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fazhi_fuzz::parse_file(data));

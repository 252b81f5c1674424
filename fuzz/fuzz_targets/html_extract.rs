//! HTML to text: any input, however malformed or deeply nested.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fazhi_fuzz::html_extract(data));

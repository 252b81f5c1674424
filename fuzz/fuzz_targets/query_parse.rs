//! The query parser: any string parses or is a usage error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fazhi_fuzz::query_parse(data));

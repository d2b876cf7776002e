//! cargo-fuzz target `decode_detect`: see fuzz/src/lib.rs (`facegate_fuzz::decode_detect`) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| facegate_fuzz::run("decode_detect", data));

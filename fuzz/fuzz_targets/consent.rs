//! cargo-fuzz target `consent`: see fuzz/src/lib.rs (`facegate_fuzz::consent`) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| facegate_fuzz::run("consent", data));

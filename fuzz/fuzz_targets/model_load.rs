//! cargo-fuzz target `model_load`: see fuzz/src/lib.rs (`facegate_fuzz::model_load`) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| facegate_fuzz::run("model_load", data));

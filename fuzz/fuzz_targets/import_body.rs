//! cargo-fuzz target `import_body`: see fuzz/src/lib.rs (`facegate_fuzz::import_body`) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| facegate_fuzz::run("import_body", data));

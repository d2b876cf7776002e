//! cargo-fuzz target `import_file`: see fuzz/src/lib.rs (`facegate_fuzz::import_file`) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| facegate_fuzz::run("import_file", data));

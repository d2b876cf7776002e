//! facegate, the core crate, is plain Rust for native users: on the host it depends on no
//! wasm-bindgen crate (with any of its features), and it builds an rlib only, no `cdylib`. The
//! browser boundary is the workspace crate facegate-wasm. The check reads Cargo's own view
//! (`cargo tree`, `cargo metadata`), and proves its scan works on facegate-wasm's wasm32 tree,
//! where these crates must appear.

use std::process::Command;

/// The crates that make up wasm-bindgen's world (the browser's JS bindings and what sits on them).
const WASM_CRATES: &[&str] =
    &["wasm-bindgen", "js-sys", "web-sys", "serde-wasm-bindgen", "wasm-bindgen-rayon", "wasm-bindgen-futures", "console_error_panic_hook", "wasm-bindgen-test"];

/// Runs cargo (the one running this test) in the workspace and returns its standard output.
fn cargo(args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("cargo runs");
    assert!(out.status.success(), "cargo {} failed:\n{}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("cargo prints UTF-8")
}

/// The host's target triple, as rustc reports it.
fn host() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc).arg("-vV").output().expect("rustc runs");
    let text = String::from_utf8(out.stdout).expect("rustc prints UTF-8");
    text.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc -vV names the host").trim().to_string()
}

/// The package names of every crate in `package`'s normal dependency tree for `target`, with `extra`
/// arguments (features).
fn dependencies(package: &str, target: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["tree", "-p", package, "-e", "normal", "--target", target, "--prefix", "none", "--format", "{p}"];
    args.extend_from_slice(extra);
    let mut names: Vec<String> = cargo(&args).lines().filter_map(|l| l.split_whitespace().next().map(str::to_string)).collect();
    names.sort();
    names.dedup();
    names
}

fn wasm_crates_in(names: &[String]) -> Vec<String> {
    names.iter().filter(|n| WASM_CRATES.contains(&n.as_str())).cloned().collect()
}

#[test]
fn the_core_has_no_wasm_bindgen_dependency_on_the_host() {
    let host = host();
    for features in [&[][..], &["--features", "threads"][..], &["--all-features"][..]] {
        let names = dependencies("facegate", &host, features);
        // The scan sees the tree: the core's own inference crate is in it.
        assert!(names.iter().any(|n| n == "tract-onnx"), "cargo tree ({features:?}) did not list tract-onnx: the scan is broken: {names:?}");
        let found = wasm_crates_in(&names);
        assert!(found.is_empty(), "facegate {features:?} depends on {found:?} on {host}: the wasm boundary belongs in facegate-wasm");
    }
}

#[test]
fn the_scan_finds_wasm_bindgen_where_it_belongs() {
    let names = dependencies("facegate-wasm", "wasm32-unknown-unknown", &[]);
    let found = wasm_crates_in(&names);
    for expected in ["wasm-bindgen", "js-sys", "serde-wasm-bindgen"] {
        assert!(found.iter().any(|n| n == expected), "facegate-wasm's wasm32 tree lacks {expected}: the scan is broken ({names:?})");
    }
}

#[test]
fn the_core_builds_an_rlib_only() {
    let metadata: serde_json::Value = serde_json::from_str(&cargo(&["metadata", "--format-version", "1", "--no-deps"])).expect("cargo metadata is JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let core = packages.iter().find(|p| p["name"] == "facegate").expect("the facegate package");
    // A library target's kind is its crate types (["lib"], or ["cdylib", "rlib"], ...).
    let is_library = |t: &&serde_json::Value| t["kind"].as_array().is_some_and(|k| k.iter().any(|k| k.as_str().is_some_and(|k| k.ends_with("lib"))));
    let libs: Vec<&serde_json::Value> = core["targets"].as_array().expect("targets").iter().filter(is_library).collect();
    assert_eq!(libs.len(), 1, "facegate has one library target");
    assert_eq!(libs[0]["crate_types"], serde_json::json!(["lib"]), "facegate's library builds {}: no cdylib (that is facegate-wasm's)", libs[0]["crate_types"]);
    let boundary = packages.iter().find(|p| p["name"] == "facegate-wasm").expect("the facegate-wasm package");
    let boundary_lib = boundary["targets"].as_array().expect("targets").iter().find(|t| t["name"] == "facegate_wasm").expect("facegate-wasm's library");
    assert!(boundary_lib["crate_types"].as_array().is_some_and(|t| t.iter().any(|t| t == "cdylib")), "facegate-wasm builds the cdylib");
}

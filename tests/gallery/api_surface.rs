//! Rule 8: no inference beyond matching. No identifier or string in facegate's code (public
//! API, serialized field names, JS-facing names) speaks of age, sex, gender, ethnicity or
//! emotion; a new item that did would fail here.

use std::path::Path;

const FORBIDDEN: [&str; 16] = [
    "age",
    "ages",
    "aged",
    "sex",
    "gender",
    "genders",
    "ethnicity",
    "ethnic",
    "race",
    "races",
    "emotion",
    "emotions",
    "mood",
    "smile",
    "attractiveness",
    "beauty",
];

/// The words of a code line (comments removed): identifiers and string contents split at
/// underscores, hyphens, spaces and lower-to-upper camelCase boundaries, lower-cased.
fn words(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for ch in code.chars() {
        let boundary = !ch.is_alphanumeric() || (ch.is_uppercase() && prev_lower);
        if boundary && !word.is_empty() {
            out.push(std::mem::take(&mut word).to_lowercase());
        }
        if ch.is_alphanumeric() {
            word.push(ch);
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
    }
    if !word.is_empty() {
        out.push(word.to_lowercase());
    }
    out
}

fn offending(source: &str) -> Vec<(usize, String)> {
    source.lines().enumerate().flat_map(|(n, line)| words(line).into_iter().filter(|w| FORBIDDEN.contains(&w.as_str())).map(move |w| (n + 1, w))).collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_scanner_finds_attribute_words() {
    assert_eq!(offending("pub fn estimate_age(f: &Face) -> u8"), [(1, "age".to_string())]);
    assert_eq!(offending("    #[serde(rename = \"perceivedGender\")]"), [(1, "gender".to_string())]);
    assert_eq!(offending("pub struct EmotionScores;"), [(1, "emotion".to_string())]);
    assert!(offending("let image = page.storage(); // age is not estimated").is_empty(), "words, not substrings; comments ignored");
    assert!(offending("fn trace_message(usage: &str) {}").is_empty());
}

#[test]
fn no_attribute_inference_in_the_api() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "the whole crate is scanned: {files:?}");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, word) in offending(&text) {
            found.push(format!("{}:{line}: {word}", file.display()));
        }
    }
    assert!(found.is_empty(), "attribute inference has no place in facegate:\n{}", found.join("\n"));
}

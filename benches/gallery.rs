//! Export and import time of a full gallery: `cargo bench --bench gallery`.
//!
//! Enrolls 10 and then 100 real faces (the test photos, repeated), then times `export` and
//! `import` (medians over several runs) with the default key-derivation parameters and with
//! OWASP's minimum Argon2id configuration, and an empty gallery's export (nearly all key derivation).
//! Numbers, not pass/fail: machines are noisy. Single-threaded, native.

use std::time::Instant;

use facegate::{ConsentRecord, Engine, EngineConfig, FaceChoice, Gallery, GalleryConfig, ImageInput, KdfParams, Purpose, Subject, SystemClock};

const PHOTOS: [&str; 9] =
    ["person_a_1.jpg", "person_a_2.jpg", "person_b_1.jpg", "person_b_2.jpg", "impostor_1.jpg", "impostor_2.jpg", "obama.jpg", "obama2.jpg", "biden.jpg"];
const PASS: &str = "correct horse battery staple";

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn full_gallery(engine: &Engine, photos: &[Vec<u8>], n: usize) -> Gallery {
    let mut g = Gallery::new(GalleryConfig { max_references: n, ..Default::default() }).expect("config");
    for i in 0..n {
        let subject = Subject::OtherPersonConsented { name: format!("Person {i}") };
        let consent = ConsentRecord::new(subject, Purpose::CompareWithConsentingPerson, "They agreed that ...", None, &SystemClock).expect("consent");
        g.enroll(engine, ImageInput::Encoded(&photos[i % photos.len()]), FaceChoice::Auto, &format!("reference {i}"), Some(consent)).expect("enroll");
    }
    g
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: &str| std::fs::read(format!("{root}/{p}")).expect(p);
    let engine = Engine::new(
        &read("models/face_detection_yunet_2023mar_int8bq.onnx"),
        &read("models/face_recognition_sface_2021dec_int8bq.onnx"),
        EngineConfig::default(),
    )
    .expect("engine");
    let photos: Vec<Vec<u8>> = PHOTOS.iter().map(|p| read(&format!("tests/fixtures/{p}"))).collect();
    let runs: usize = std::env::var("FACEGATE_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(7);

    let options = [
        ("default (32 MiB, t=3, p=1)", KdfParams::default()),
        ("OWASP minimum (19 MiB, t=2, p=1)", KdfParams { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }),
    ];
    // Paired rows, one run: Argon2id with the crate's own memory (freed without being
    // overwritten, as facegate did before) and with caller-provided memory overwritten after
    // use (what facegate does now): the cost of wiping the 32 MiB.
    let salt = [7u8; 16];
    for (name, kdf) in options {
        let params = argon2::Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(48)).expect("params");
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params.clone());
        let mut out = [0u8; 48];
        let unwiped = median_ms(runs, || argon.hash_password_into(PASS.as_bytes(), &salt, &mut out).expect("argon2"));
        let wiped = median_ms(runs, || {
            let mut memory = zeroize::Zeroizing::new(vec![argon2::Block::default(); params.block_count()]);
            argon.hash_password_into_with_memory(PASS.as_bytes(), &salt, &mut out, &mut memory[..]).expect("argon2");
        });
        println!("Argon2id alone, KDF {name}: crate-allocated memory {unwiped:.1} ms | facegate's, wiped after use {wiped:.1} ms (medians of {runs})");
    }
    let mut empty = Gallery::new(GalleryConfig::default()).expect("config");
    for (name, kdf) in options {
        let ms = median_ms(runs, || drop(empty.export_with(PASS, kdf).expect("export")));
        println!("empty gallery export, KDF {name}: median {ms:.1} ms (almost all Argon2id)");
    }
    for n in [10usize, 100] {
        let t = Instant::now();
        let mut gallery = full_gallery(&engine, &photos, n);
        println!("{n} references enrolled in {:.1} s", t.elapsed().as_secs_f64());
        for (name, kdf) in options {
            let file = gallery.export_with(PASS, kdf).expect("export");
            let export_ms = median_ms(runs, || drop(gallery.export_with(PASS, kdf).expect("export")));
            let import_ms = median_ms(runs, || {
                let mut fresh = Gallery::new(GalleryConfig { max_references: n, ..Default::default() }).expect("config");
                fresh.import(&file, PASS).expect("import");
            });
            println!("  KDF {name}: export {export_ms:.1} ms, import {import_ms:.1} ms (medians of {runs}), file {} bytes", file.len());
        }
    }
}

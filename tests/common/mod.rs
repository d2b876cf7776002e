//! Shared set-up for the integration tests: one engine per test binary, fixture paths.
#![allow(dead_code)]

pub mod rotate;

use std::path::PathBuf;
use std::sync::OnceLock;

use facegate::{Engine, EngineConfig, Face, Image, Template};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn model_bytes() -> (Vec<u8>, Vec<u8>) {
    let m = root().join("models");
    (
        std::fs::read(m.join("face_detection_yunet_2023mar_int8bq.onnx")).expect("detector model"),
        std::fs::read(m.join("face_recognition_sface_2021dec_int8bq.onnx")).expect("recognizer model"),
    )
}

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let (d, r) = model_bytes();
        Engine::new(&d, &r, EngineConfig::default()).expect("engine builds")
    })
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(root().join("tests/fixtures").join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn fixture(name: &str) -> Image {
    engine().decode(&fixture_bytes(name)).unwrap_or_else(|e| panic!("decode {name}: {e}"))
}

/// The largest face's template.
pub fn template_of(name: &str) -> (Template, Face) {
    let img = fixture(name);
    let faces = engine().detect(&img).unwrap();
    assert!(!faces.is_empty(), "no face in {name}");
    (engine().template(&img, &faces[0]).unwrap(), faces[0])
}

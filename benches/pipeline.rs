//! Native per-stage latency of the pipeline: `cargo bench --bench pipeline`.
//!
//! Prints the median and p90 in milliseconds of decode, detect, align and embed over the test
//! photos, after a warm-up, single-threaded. Numbers, not pass/fail: machines are noisy.

use std::time::Instant;

use facegate::{Engine, EngineConfig};

const PHOTOS: [&str; 6] = ["person_a_2.jpg", "person_b_1.jpg", "person_b_2.jpg", "impostor_1.jpg", "impostor_2.jpg", "obama.jpg"];

fn median_p90(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[(v.len() * 9).div_ceil(10) - 1])
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: &str| std::fs::read(format!("{root}/{p}")).expect(p);
    let detector = read("models/face_detection_yunet_2023mar_int8bq.onnx");
    let recognizer = read("models/face_recognition_sface_2021dec_int8bq.onnx");
    let runs: usize = std::env::var("FACEGATE_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    for size in [640u32, 320] {
        let mut config = EngineConfig::default();
        config.detector.input_size = size;
        let t = Instant::now();
        let engine = Engine::new(&detector, &recognizer, config).expect("engine");
        let load_ms = t.elapsed().as_secs_f64() * 1e3;
        let photos: Vec<Vec<u8>> = PHOTOS.iter().map(|p| read(&format!("tests/fixtures/{p}"))).collect();
        let mut stages: [Vec<f64>; 4] = Default::default();
        for i in 0..runs + 3 {
            let bytes = &photos[i % photos.len()];
            let mut lap = Instant::now();
            let mut tick = |k: usize, stages: &mut [Vec<f64>; 4]| {
                if i >= 3 {
                    stages[k].push(lap.elapsed().as_secs_f64() * 1e3);
                }
                lap = Instant::now();
            };
            let image = engine.decode(bytes).expect("decode");
            tick(0, &mut stages);
            let faces = engine.detect(&image).expect("detect");
            tick(1, &mut stages);
            let aligned = engine.align(&image, &faces[0]).expect("align");
            tick(2, &mut stages);
            let _template = engine.embed(&aligned).expect("embed");
            tick(3, &mut stages);
        }
        println!("detector input {size} px: engine built in {load_ms:.0} ms; {runs} runs over {} photos (~700x900 px)", PHOTOS.len());
        let mut medians = Vec::new();
        for (name, v) in ["decode", "detect", "align", "embed"].iter().zip(stages) {
            let (m, p90) = median_p90(v);
            medians.push(m);
            println!("  {name:>6}: median {m:7.2} ms, p90 {p90:7.2} ms");
        }
        let pipeline: f64 = medians[1..].iter().sum();
        println!("  detect + align + embed (sum of medians): {pipeline:.1} ms; with decode {:.1} ms", pipeline + medians[0]);
    }
}

//! Native per-stage latency of the pipeline: `cargo bench --bench pipeline`.
//!
//! Prints the median and p90 in milliseconds of decode, detect, align, embed and of detect +
//! align + embed per image, over every photo in tests/fixtures (cycled; one warm-up lap first),
//! single-threaded, for the default detector input chosen per image (a quick look at 320, close
//! looks in windows of the 640 input) and for the whole image at 640 and at 320 only. Numbers,
//! not pass/fail: machines are noisy.
//!
//!   -- --json FILE   also write the samples' medians and p90s as JSON (bench/run.mjs reads it)
//!   -- --ops         instead, time per tract op kind (where each network spends its time)
//!   -- --ab-square   detection with the square input vs the image-shaped one, interleaved
//!   -- --shapes      detection time per input shape (tract's depthwise conv favours width >= height)
//!   -- --letterbox   the detector input's resize alone
//!   FACEGATE_BENCH_RUNS=N   timed images per configuration (default 27)

use std::time::Instant;

use facegate::{Engine, EngineConfig};

fn median_p90(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[(v.len() * 9).div_ceil(10) - 1])
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: &str| std::fs::read(format!("{root}/{p}")).expect(p);
    let detector = read("models/face_detection_yunet_2023mar_int8bq.onnx");
    let recognizer = read("models/face_recognition_sface_2021dec_int8bq.onnx");
    let runs: usize = std::env::var("FACEGATE_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(27);
    let args: Vec<String> = std::env::args().collect();
    let ops = args.iter().any(|a| a == "--ops");
    let json_out = args.iter().position(|a| a == "--json").and_then(|i| args.get(i + 1)).cloned();
    let mut names: Vec<String> = std::fs::read_dir(format!("{root}/tests/fixtures"))
        .expect("tests/fixtures")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".jpg"))
        .collect();
    names.sort();
    let photos: Vec<Vec<u8>> = names.iter().map(|p| read(&format!("tests/fixtures/{p}"))).collect();
    if args.iter().any(|a| a == "--shapes") {
        let mut config = EngineConfig::default();
        config.detector.retry_with_border = false;
        config.detector.quick_input_size = None;
        let engine = Engine::new(&detector, &recognizer, config).expect("engine");
        for (w, h) in [(640u32, 640u32), (512, 640), (640, 512), (544, 640), (576, 640), (608, 640), (288, 640), (256, 256), (480, 480), (512, 512)] {
            let image = engine.from_rgba(&vec![128u8; (w * h * 4) as usize], w, h).expect("image");
            let mut v = Vec::new();
            for i in 0..8 {
                let t = Instant::now();
                engine.detect(&image).expect("detect");
                if i > 0 {
                    v.push(t.elapsed().as_secs_f64() * 1e3);
                }
            }
            let (m, _) = median_p90(v);
            println!("{w}x{h}: {m:.2} ms ({:.3} us per input pixel)", m * 1e3 / (w * h) as f64);
        }
        return;
    }
    if args.iter().any(|a| a == "--letterbox") {
        let engine = Engine::new(&detector, &recognizer, EngineConfig::default()).expect("engine");
        let mut v = Vec::new();
        for i in 0..runs + photos.len() {
            let image = engine.decode(&photos[i % photos.len()]).expect("decode");
            let t = Instant::now();
            let lb = facegate::pipeline::Letterbox::fit_within(image.width(), image.height(), 640);
            let tensor = lb.input_tensor(&image);
            std::hint::black_box(tensor);
            if i >= photos.len() {
                v.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        let (m, p90) = median_p90(v);
        println!("letterbox input tensor (640): median {m:.2} ms, p90 {p90:.2} ms");
        return;
    }
    if args.iter().any(|a| a == "--ab-square") {
        ab_square(&detector, &recognizer, &photos, runs);
        return;
    }
    let mut json = Vec::new();
    // "default": the detector input chosen per image (a quick look at 320, close looks in
    // windows of the 640 input); "640" and "320": the whole image at that size only.
    for (size, label) in [(640u32, "default"), (640, "640"), (320, "320")] {
        let mut config = EngineConfig::default();
        config.detector.input_size = size;
        if label != "default" {
            config.detector.quick_input_size = None;
        }
        config.detector.square_input = std::env::var_os("FACEGATE_BENCH_SQUARE").is_some();
        let t = Instant::now();
        let engine = Engine::new(&detector, &recognizer, config).expect("engine");
        let load_ms = t.elapsed().as_secs_f64() * 1e3;
        if ops {
            println!("detector input {label}: per tract op, {runs} runs over {} photos", photos.len());
            profile_ops(&engine, &photos, runs);
            continue;
        }
        const STAGES: [&str; 5] = ["decode", "detect", "align", "embed", "e2e"];
        let mut stages: [Vec<f64>; 5] = Default::default();
        for i in 0..runs + photos.len() {
            let bytes = &photos[i % photos.len()];
            let t0 = Instant::now();
            let image = engine.decode(bytes).expect("decode");
            let t1 = Instant::now();
            let faces = engine.detect(&image).expect("detect");
            let t2 = Instant::now();
            let aligned = engine.align(&image, &faces[0]).expect("align");
            let t3 = Instant::now();
            let _template = engine.embed(&aligned).expect("embed");
            let t4 = Instant::now();
            if i >= photos.len() {
                let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
                for (k, v) in [ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t3, t4), ms(t1, t4)].into_iter().enumerate() {
                    stages[k].push(v);
                }
            }
        }
        println!("detector input {label}: engine built in {load_ms:.0} ms; {runs} images cycling through {} photos", photos.len());
        let mut fields = vec![format!("\"engineBuildMs\": {load_ms:.1}")];
        for (name, v) in STAGES.iter().zip(stages) {
            let n = v.len();
            let (m, p90) = median_p90(v);
            println!("  {:>22}: median {m:7.2} ms, p90 {p90:7.2} ms", if *name == "e2e" { "detect + align + embed" } else { name });
            fields.push(format!("\"{name}\": {{\"median\": {m:.3}, \"p90\": {p90:.3}, \"n\": {n}}}"));
        }
        json.push(format!("\"{label}\": {{{}}}", fields.join(", ")));
    }
    if let Some(path) = json_out {
        std::fs::write(&path, format!("{{\"photos\": {}, \"results\": {{{}}}}}\n", names.len(), json.join(", "))).expect("write --json");
    }
}

/// `cargo bench --bench pipeline -- --ab-square`: detection with a square input against an input
/// of the image's shape, interleaved image by image so that machine load drifts affect both.
fn ab_square(detector: &[u8], recognizer: &[u8], photos: &[Vec<u8>], runs: usize) {
    for size in [640u32, 320] {
        let engine = |square_input| {
            let mut config = EngineConfig::default();
            config.detector.input_size = size;
            config.detector.quick_input_size = None;
            config.detector.square_input = square_input;
            Engine::new(detector, recognizer, config).expect("engine")
        };
        let (square, fit) = (engine(true), engine(false));
        let mut times: [Vec<f64>; 2] = Default::default();
        for i in 0..runs + photos.len() {
            let image = square.decode(&photos[i % photos.len()]).expect("decode");
            let mut line = format!("  {}x{}:", image.width(), image.height());
            let order = if i % 2 == 0 { [(0, &square), (1, &fit)] } else { [(1, &fit), (0, &square)] };
            for (k, e) in order {
                let t = Instant::now();
                let n = e.detect(&image).expect("detect").len();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                line += &format!(" {ms:.1} ms {n} faces;");
                if i >= photos.len() {
                    times[k].push(ms);
                }
            }
            if std::env::var_os("FACEGATE_BENCH_VERBOSE").is_some() {
                println!("{line}");
            }
        }
        let [a, b] = times.map(|v| median_p90(v).0);
        println!("detector input {size}: detect median square {a:.2} ms, image-shaped {b:.2} ms ({:.2}x)", b / a);
    }
}

/// `cargo bench --bench pipeline -- --ops`: where each network spends its time, per tract op
/// kind (summed over the nodes of that kind), medians over the runs after warm-up.
fn profile_ops(engine: &Engine, photos: &[Vec<u8>], runs: usize) {
    use std::collections::BTreeMap;
    let mut per_op: [BTreeMap<String, Vec<f64>>; 2] = Default::default();
    let mut totals: [Vec<f64>; 2] = Default::default();
    for i in 0..runs + 3 {
        let image = engine.decode(&photos[i % photos.len()]).expect("decode");
        let faces = engine.detect(&image).expect("detect");
        let aligned = engine.align(&image, &faces[0]).expect("align");
        let times = engine.op_times(&image, &aligned).expect("profile");
        if i < 3 {
            continue;
        }
        for (k, net) in times.into_iter().enumerate() {
            totals[k].push(net.iter().map(|(_, ms)| ms).sum());
            for (op, ms) in net {
                per_op[k].entry(op).or_default().push(ms);
            }
        }
    }
    for (k, name) in ["detector (YuNet)", "recognizer (SFace)"].iter().enumerate() {
        let (total, _) = median_p90(totals[k].clone());
        println!("  {name}: median {total:.2} ms of op time per run; by op kind (median ms, share):");
        let mut rows: Vec<(String, f64)> = std::mem::take(&mut per_op[k]).into_iter().map(|(op, v)| (op, median_p90(v).0)).collect();
        rows.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (op, ms) in rows.iter().filter(|r| r.1 >= 0.01) {
            println!("    {op:>28}: {ms:7.2} ms {:5.1} %", 100.0 * ms / total);
        }
    }
}

//! What the quality gate and the orientation handling cost, natively: `cargo bench --bench quality`.
//!
//! Paired rows, interleaved in one run, over every photo in tests/fixtures (one warm-up lap):
//! 1. the gate's own work per face: landmark geometry, the aligned crop's measures and the
//!    verdict (the align and embed it surrounds are the pipeline's anyway);
//! 2. `Engine::template` with the gate and straightening vs align + embed alone;
//! 3. `Engine::detect` on upright photos with the turn search on vs off (it must cost ~0);
//! 4. `Engine::detect` on upside-down copies, search on (it looks at up to three more turns);
//! 5. `Engine::template` on copies rolled by 45 degrees, straightening on vs off.
//!
//! Numbers, not pass/fail: machines are noisy. FACEGATE_BENCH_RUNS=N sets the timed laps (default 5).

use std::time::Instant;

use facegate::pipeline::{crop_measures, geometry};
use facegate::{Engine, EngineConfig, Image, OrientationConfig, QualityConfig};
use image::DynamicImage;

#[path = "../tests/common/rotate.rs"]
mod rotate;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn image_of(engine: &Engine, img: &DynamicImage) -> Image {
    let rgba = img.to_rgba8();
    engine.from_rgba(rgba.as_raw(), rgba.width(), rgba.height()).expect("image")
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: &str| std::fs::read(format!("{root}/{p}")).expect(p);
    let (d, r) = (read("models/face_detection_yunet_2023mar_int8bq.onnx"), read("models/face_recognition_sface_2021dec_int8bq.onnx"));
    let laps: usize = std::env::var("FACEGATE_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let on = Engine::new(&d, &r, EngineConfig::default()).expect("engine");
    let off = Engine::new(&d, &r, EngineConfig { orientation: OrientationConfig::off(), quality: QualityConfig::off(), ..Default::default() }).expect("engine");
    let mut names: Vec<String> = std::fs::read_dir(format!("{root}/tests/fixtures"))
        .expect("tests/fixtures")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".jpg"))
        .collect();
    names.sort();
    let photos: Vec<DynamicImage> = names.iter().map(|n| image::load_from_memory(&read(&format!("tests/fixtures/{n}"))).expect(n)).collect();
    let upright: Vec<Image> = photos.iter().map(|p| image_of(&on, p)).collect();
    let flipped: Vec<Image> = photos.iter().map(|p| image_of(&on, &p.rotate180())).collect();
    let rolled: Vec<Image> = photos
        .iter()
        .map(|p| {
            let rgb = p.to_rgb8();
            let r = rotate::rotated_about_center(&rgb, 45.0);
            image_of(&on, &DynamicImage::ImageRgb8(r))
        })
        .collect();
    let faces: Vec<_> = upright.iter().map(|img| off.detect(img).expect("detect")[0]).collect();
    let rolled_faces: Vec<_> = rolled.iter().map(|img| off.detect(img).expect("detect").first().copied()).collect();

    let (mut gate, mut gated, mut plain, mut det_on, mut det_off, mut det_flipped, mut roll_on, mut roll_off) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for lap in 0..=laps {
        for (i, img) in upright.iter().enumerate() {
            let face = &faces[i];
            let aligned = off.align(img, face).expect("align");
            let t = Instant::now();
            let g = geometry(&face.landmarks, img.width(), img.height()).expect("geometry");
            let c = crop_measures(aligned.as_rgb()).expect("crop");
            let verdict = QualityConfig::default().check_geometry(&g).or_else(|| QualityConfig::default().check_crop(&c));
            std::hint::black_box(verdict);
            let g_ms = ms(t);
            let t = Instant::now();
            let _ = on.template(img, face);
            let gated_ms = ms(t);
            let t = Instant::now();
            let _ = off.embed(&off.align(img, face).expect("align"));
            let plain_ms = ms(t);
            let t = Instant::now();
            on.detect(img).expect("detect");
            let on_ms = ms(t);
            let t = Instant::now();
            off.detect(img).expect("detect");
            let off_ms = ms(t);
            let t = Instant::now();
            on.detect(&flipped[i]).expect("detect");
            let flipped_ms = ms(t);
            let (mut r_on, mut r_off) = (None, None);
            if let Some(f) = &rolled_faces[i] {
                let t = Instant::now();
                let _ = on.template(&rolled[i], f);
                r_on = Some(ms(t));
                let t = Instant::now();
                let _ = off.template(&rolled[i], f);
                r_off = Some(ms(t));
            }
            if lap > 0 {
                gate.push(g_ms);
                gated.push(gated_ms);
                plain.push(plain_ms);
                det_on.push(on_ms);
                det_off.push(off_ms);
                det_flipped.push(flipped_ms);
                roll_on.extend(r_on);
                roll_off.extend(r_off);
            }
        }
    }
    println!("quality gate and orientation, native, single thread, {} photos x {laps} laps (medians, ms)", photos.len());
    println!("  gate measures + verdict per face:          {:8.3}", median(gate));
    println!("  template, gate on / align + embed only:    {:8.2} / {:8.2}", median(gated), median(plain));
    println!("  detect upright, turn search on / off:      {:8.2} / {:8.2}", median(det_on), median(det_off));
    println!("  detect upside down, turn search on:        {:8.2}", median(det_flipped));
    if !roll_on.is_empty() {
        println!("  template rolled 45 deg, straighten on / off: {:6.2} / {:8.2}", median(roll_on), median(roll_off));
    }
}

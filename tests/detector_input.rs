//! The detector input chosen per image (DetectorConfig::quick_input_size, off by default): a
//! quick look at 320 first, kept for a large face; the full 640 otherwise. What it costs in
//! recall on small faces and group photos: nothing, since those go to 640 (asserted here
//! against 640 alone).

mod common;

use common::{fixture, fixture_bytes, model_bytes};
use facegate::{DetectorConfig, Engine, EngineConfig, Face, Image, ImageLimits};
use image::DynamicImage;
use std::sync::OnceLock;

fn rgb(img: &DynamicImage) -> Image {
    let rgb = img.to_rgb8();
    let (w, h) = rgb.dimensions();
    Image::from_rgb(rgb.into_raw(), w, h, &ImageLimits::default()).unwrap()
}

/// `name` shrunk to `width` px wide, pasted at (x, y) on a grey `w` x `h` canvas.
fn small_on_canvas(name: &str, width: u32, w: u32, h: u32, x: i64, y: i64) -> DynamicImage {
    let photo = image::load_from_memory(&fixture_bytes(name)).unwrap();
    let small = photo.resize(width, 10 * width, image::imageops::FilterType::Triangle).to_rgb8();
    let mut canvas = image::RgbImage::from_pixel(w, h, image::Rgb([120, 120, 120]));
    image::imageops::overlay(&mut canvas, &small, x, y);
    DynamicImage::ImageRgb8(canvas)
}

/// The engine with the quick look at 320 (kept from 128 px faces).
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let (d, r) = model_bytes();
        let detector = DetectorConfig { quick_input_size: Some(320), quick_min_face: 128, ..Default::default() };
        Engine::new(&d, &r, EngineConfig { detector, ..Default::default() }).unwrap()
    })
}

/// The engine that looks at 640 only (the default).
fn full_only() -> Engine {
    let (d, r) = model_bytes();
    Engine::new(&d, &r, EngineConfig::default()).unwrap()
}

fn same_faces(a: &[Face], b: &[Face], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: {a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!(x.bbox.iou(&y.bbox) > 0.95, "{what}: {:?} vs {:?}", x.bbox, y.bbox);
    }
}

#[test]
fn a_close_up_is_found_by_the_quick_look_alone() {
    // person_b_1 cropped around its face: the face is most of the frame.
    let img = fixture("person_b_1.jpg");
    let f = full_only().detect(&img).unwrap()[0];
    let full = image::load_from_memory(&fixture_bytes("person_b_1.jpg")).unwrap();
    let side = (1.4 * f.bbox.width.max(f.bbox.height)) as u32;
    let (cx, cy) = (f.bbox.center().x as i64, f.bbox.center().y as i64);
    let x = (cx - side as i64 / 2).max(0) as u32;
    let y = (cy - side as i64 / 2).max(0) as u32;
    let close = rgb(&full.crop_imm(x, y, side, side));
    let found = engine().detections(&close).unwrap();
    assert_eq!((found.input_size, found.runs, found.with_border), (320, 1, false), "{found:?}");
    assert_eq!(found.faces.len(), 1);
    // Nearly the template the full-size look gives: the landmarks move by a fraction of a
    // quick-input pixel (measured 0.948; two photos of one person score about 0.6 to 0.8).
    let quick = engine().template(&close, &found.faces[0]).unwrap();
    let full_faces = full_only().detect(&close).unwrap();
    let slow = full_only().template(&close, &full_faces[0]).unwrap();
    let s = quick.similarity(&slow).value();
    assert!(s > 0.9, "quick vs full-size template of the same crop: similarity {s}");
}

#[test]
fn a_small_face_is_looked_at_again_at_full_size() {
    // A 200 px wide portrait in a 1600x1200 frame: its face is about 20 px wide at 320.
    let img = rgb(&small_on_canvas("person_b_1.jpg", 200, 1600, 1200, 700, 400));
    let found = engine().detections(&img).unwrap();
    assert_eq!((found.input_size, found.runs), (640, 2), "{found:?}");
    same_faces(&found.faces, &full_only().detect(&img).unwrap(), "small face");
    assert_eq!(found.faces.len(), 1);
}

#[test]
fn a_group_photo_loses_no_face_to_the_quick_look() {
    // Four people side by side, each 200 px wide in a 800x300 strip: faces about 60 px at 320.
    let names = ["person_a_2.jpg", "person_b_1.jpg", "obama.jpg", "impostor_2.jpg"];
    let mut strip = image::RgbImage::from_pixel(800, 300, image::Rgb([40, 40, 40]));
    for (k, n) in names.iter().enumerate() {
        let tile = image::load_from_memory(&fixture_bytes(n)).unwrap().thumbnail(200, 300).to_rgb8();
        image::imageops::overlay(&mut strip, &tile, 200 * k as i64, 0);
    }
    let img = rgb(&DynamicImage::ImageRgb8(strip));
    let found = engine().detections(&img).unwrap();
    let full = full_only().detect(&img).unwrap();
    assert_eq!(full.len(), 4, "640 alone finds the four: {full:?}");
    same_faces(&found.faces, &full, "group");
    // What the quick look alone would have found, for the record (the choice then goes to 640).
    let quick_alone = engine_detector_at(&img, 320);
    eprintln!("group strip 800x300: the quick look at 320 alone finds {} of 4 faces; chosen input {}", quick_alone.len(), found.input_size);
}

fn engine_detector_at(img: &Image, size: u32) -> Vec<Face> {
    let (d, _) = model_bytes();
    facegate::pipeline::Detector::new(&d, DetectorConfig::default()).unwrap().detect_at(img, size).unwrap().faces
}

#[test]
fn no_face_costs_three_looks_and_finds_none() {
    let flat = Image::from_rgb(vec![200; 300 * 300 * 3], 300, 300, &ImageLimits::default()).unwrap();
    let found = engine().detections(&flat).unwrap();
    assert!(found.faces.is_empty());
    assert_eq!((found.runs, found.with_border, found.input_size), (3, true, 640), "{found:?}");
}

#[test]
fn more_threads_give_the_same_faces_and_templates() {
    let (d, r) = model_bytes();
    let threaded = Engine::new(&d, &r, EngineConfig { threads: 2, ..Default::default() }).unwrap();
    assert_eq!((threaded.threads(), engine().threads()), (2, 1));
    assert_eq!(threaded.detections(&fixture("obama.jpg")).unwrap().input_size, 640, "the default looks at 640 only");
    for name in ["person_a_1.jpg", "obama.jpg"] {
        let img = fixture(name);
        let (one, two) = (engine().detect(&img).unwrap(), threaded.detect(&img).unwrap());
        assert_eq!(one, two, "{name}: faces differ with 2 threads");
        let (t1, t2) = (engine().template(&img, &one[0]).unwrap(), threaded.template(&img, &two[0]).unwrap());
        assert_eq!(t1.as_slice(), t2.as_slice(), "{name}: templates differ with 2 threads");
    }
}

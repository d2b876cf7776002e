//! The detector input chosen per image (the default): a quick look at 320 first, kept for a
//! large face; a close look in a window of the 640 input around each smaller face it found; the
//! whole 640 input when it found none, when a face needs a window over 448 px, when the windows
//! would cost half the 640 look, or when one loses its face. What it costs in recall on small
//! faces and group photos, and in templates, asserted here against 640 alone.

mod common;

use common::{fixture, fixture_bytes, model_bytes};
use facegate::pipeline::{CloseLook, Letterbox};
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

/// The default engine: the quick look at 320 (kept from 192 px faces), close looks up to 448.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let (d, r) = model_bytes();
        let config = EngineConfig::default();
        assert_eq!((config.detector.quick_input_size, config.detector.quick_min_face, config.detector.close_max_size), (Some(320), 192, Some(448)));
        Engine::new(&d, &r, config).unwrap()
    })
}

/// The engine that looks at 640 only.
fn full_only() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let (d, r) = model_bytes();
        let detector = DetectorConfig { quick_input_size: None, ..Default::default() };
        Engine::new(&d, &r, EngineConfig { detector, ..Default::default() }).unwrap()
    })
}

fn same_faces(a: &[Face], b: &[Face], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: {a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!(x.bbox.iou(&y.bbox) > 0.95, "{what}: {:?} vs {:?}", x.bbox, y.bbox);
    }
}

/// The same faces as another look found, boxes overlapping by more than `min_iou`.
fn overlapping_faces(a: &[Face], b: &[Face], min_iou: f32, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: {a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!(x.bbox.iou(&y.bbox) > min_iou, "{what}: {:?} vs {:?}", x.bbox, y.bbox);
    }
}

#[test]
fn the_test_photos_are_looked_at_closely_and_keep_their_faces_and_templates() {
    // The test photos are portraits and head-and-shoulders shots (204x244 to 970x2204): faces
    // 60 to 120 px wide at 320. Each face up to 224 px wide at 640 is looked at in a window of
    // the 640 input around it; against 640 alone: the same faces, and templates of the same
    // face that agree far above any threshold (two photos of one person score about 0.6 to
    // 0.8; the default threshold is 0.366).
    let mut lowest = 1.0f32;
    let mut close = 0;
    for name in
        ["person_a_1.jpg", "person_a_2.jpg", "person_b_1.jpg", "person_b_2.jpg", "impostor_1.jpg", "impostor_2.jpg", "obama.jpg", "obama2.jpg", "biden.jpg"]
    {
        let img = fixture(name);
        let found = engine().detections(&img).unwrap();
        let full = full_only().detect(&img).unwrap();
        assert_eq!(found.input_size, 640, "{name}: {found:?}");
        if found.close_looks > 0 {
            close += 1;
            assert_eq!((found.close_looks as usize, found.runs), (found.faces.len(), 1 + found.close_looks), "{name}: {found:?}");
            assert!(found.input_width <= 448 && found.input_width.is_multiple_of(64), "{name}: {found:?}");
        }
        overlapping_faces(&found.faces, &full, 0.9, name);
        let t = engine().template(&img, &found.faces[0]).unwrap();
        let wide = full_only().template(&img, &full[0]).unwrap();
        let s = t.similarity(&wide).value();
        lowest = lowest.min(s);
        assert!(s > 0.95, "{name}: template vs 640 alone's of the same face: similarity {s}");
    }
    eprintln!("{close} of 9 test photos looked at closely; lowest template similarity against 640 alone: {lowest:.4}");
    assert!(close >= 5, "most portraits are looked at closely: {close} of 9");
}

#[test]
fn a_close_look_window_is_twice_the_face_on_the_32_pixel_grid() {
    let p = facegate::Point::new(0.0, 0.0);
    // A 1000x1000 photo: 0.64 input px per source px at 640.
    let lb = Letterbox::fit_within(1000, 1000, 640);
    let face = |x: f32, y: f32, width: f32| Face {
        bbox: facegate::BoundingBox { x, y, width, height: 1.2 * width },
        score: 0.9,
        landmarks: facegate::Landmarks::from_array([p; 5]),
        rotation: Default::default(),
    };
    // 150 px wide: 96 input px; twice that is 192. Centre (400, 460) source = (256, 294.4) input.
    let w = CloseLook::around(&face(325.0, 370.0, 150.0), &lb);
    assert_eq!(w, CloseLook { x: 160, y: 192, side: 192 }, "corner rounded down to the 32 px grid");
    // A tiny face still gets 128, and a face at the edge a window kept inside the input.
    let w = CloseLook::around(&face(0.0, 950.0, 20.0), &lb);
    assert_eq!(w, CloseLook { x: 0, y: 512, side: 128 });
    // 300 px wide: 192 input px, a 384 window.
    assert_eq!(CloseLook::around(&face(500.0, 100.0, 300.0), &lb).side, 384);
}

#[test]
fn a_close_up_is_found_by_the_quick_look_alone() {
    // person_b_1 cropped around its face: the face is most of the frame.
    let img = fixture("person_b_1.jpg");
    let f = full_only().detect(&img).unwrap()[0];
    let full = image::load_from_memory(&fixture_bytes("person_b_1.jpg")).unwrap();
    let side = (1.15 * f.bbox.width.max(f.bbox.height)) as u32;
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
    // About 50 px at 640: a 128 px window of the 640 input around it.
    let found = engine().detections(&img).unwrap();
    assert_eq!((found.input_size, found.runs, found.close_looks, found.input_width), (640, 2, 1, 128), "{found:?}");
    overlapping_faces(&found.faces, &full_only().detect(&img).unwrap(), 0.9, "small face");
    assert_eq!(found.faces.len(), 1);
    // Without a close look, the small face sends the photo to 640.
    let (d, r) = model_bytes();
    let detector = DetectorConfig { close_max_size: None, ..Default::default() };
    let no_close = Engine::new(&d, &r, EngineConfig { detector, ..Default::default() }).unwrap();
    let found = no_close.detections(&img).unwrap();
    assert_eq!((found.input_size, found.runs, found.close_looks), (640, 2, 0), "{found:?}");
    same_faces(&found.faces, &full_only().detect(&img).unwrap(), "small face at 640");
}

#[test]
fn a_group_photo_loses_no_face_to_the_quick_look() {
    // Four people side by side, each 200 px wide in a 800x300 strip: faces about 60 px at 320.
    // Four windows of 128 x 128 would be more than half of the one 640 x 256 look: 640 it is.
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
    assert_eq!((found.input_size, found.close_looks), (640, 0), "{found:?}");
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
fn a_face_too_small_for_the_quick_look_beside_a_larger_one_is_the_cost() {
    // What the quick look costs in recall, documented (DetectorConfig::quick_input_size): in a
    // 1600x1200 frame, a 500 px wide portrait (its face about 80 px at 640, 40 at 320) and a
    // 100 px wide one (its face about 16 px at 640, 8 at 320: too small for the quick look).
    let mut frame = small_on_canvas("person_b_1.jpg", 500, 1600, 1200, 200, 300).to_rgb8();
    let tiny = image::load_from_memory(&fixture_bytes("person_a_1.jpg")).unwrap().resize(100, 1000, image::imageops::FilterType::Triangle).to_rgb8();
    image::imageops::overlay(&mut frame, &tiny, 1200, 500);
    let img = rgb(&DynamicImage::ImageRgb8(frame));
    let full = full_only().detect(&img).unwrap();
    assert_eq!(full.len(), 2, "640 alone finds both: {full:?}");
    let found = engine().detections(&img).unwrap();
    assert_eq!((found.faces.len(), found.close_looks), (1, 1), "the quick look sees only the larger face: {found:?}");
    assert!(found.faces[0].bbox.iou(&full[0].bbox) > 0.9, "{found:?}");
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
    assert_eq!(threaded.detections(&fixture("obama.jpg")).unwrap(), engine().detections(&fixture("obama.jpg")).unwrap(), "the same looks");
    for name in ["person_a_1.jpg", "obama.jpg"] {
        let img = fixture(name);
        let (one, two) = (engine().detect(&img).unwrap(), threaded.detect(&img).unwrap());
        assert_eq!(one, two, "{name}: faces differ with 2 threads");
        let (t1, t2) = (engine().template(&img, &one[0]).unwrap(), threaded.template(&img, &two[0]).unwrap());
        assert_eq!(t1.as_slice(), t2.as_slice(), "{name}: templates differ with 2 threads");
    }
}

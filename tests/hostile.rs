//! Hostile and unusual inputs, native side: one test per row of docs/hostile-inputs.md (the
//! browser rows are in tests/browser/hostile.test.mjs). Every input is generated here, from
//! the fixture photos (tests/fixtures/CREDITS.md) or byte by byte. Nothing may panic: each
//! input gets a documented typed error, or a documented behaviour.

mod common;

use std::io::Cursor;

use common::{engine, fixture_bytes, model_bytes, template_of};
use facegate::export_layout as layout;
use facegate::{
    ConsentRecord, DetectorConfig, Engine, EngineConfig, EraseOptions, Error, FaceChoice, Gallery, GalleryConfig, Image, ImageInput, KdfParams, ManualClock,
    ModelKind, Point, Purpose, ReferenceId, Subject, Template, Timestamp,
};
use image::metadata::Orientation;
use image::{DynamicImage, ImageFormat, RgbImage, RgbaImage};
use sha2::{Digest, Sha256};

// ------------------------------------------------------------------------------------------
// Helpers

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn decode_err(bytes: &[u8]) -> Error {
    engine().decode(bytes).expect_err("must be refused")
}

/// The portrait of person A (204x244, one face) as pixels.
fn portrait() -> DynamicImage {
    image::load_from_memory(&fixture_bytes("person_a_1.jpg")).unwrap()
}

/// Cosine similarity of the largest face in `image` with person A's enrolment photo.
fn similarity_to_a(image: &Image) -> f32 {
    let (reference, _) = template_of("person_a_1.jpg");
    let faces = engine().detect(image).unwrap();
    assert!(!faces.is_empty(), "no face found");
    engine().template(image, &faces[0]).unwrap().similarity(&reference).value()
}

fn rgba_image(img: &RgbaImage) -> Image {
    engine().from_rgba(img.as_raw(), img.width(), img.height()).unwrap()
}

/// A mid-grey canvas.
fn canvas(w: u32, h: u32) -> RgbaImage {
    RgbaImage::from_pixel(w, h, image::Rgba([128, 128, 128, 255]))
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut covered = kind.to_vec();
    covered.extend_from_slice(data);
    c.extend_from_slice(&crc32(&covered).to_be_bytes());
    c
}

/// A PNG header declaring `w` x `h`, 8-bit RGB, followed by `idat` and IEND.
fn png_declaring(w: u32, h: u32, idat: &[u8]) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(b"IDAT", idat));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

/// `jpeg` with an EXIF APP1 segment (orientation tag only) inserted after SOI.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes()); // one IFD entry
    tiff.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    with_app_segment(jpeg, 0xE1, &[b"Exif\0\0".as_slice(), &tiff].concat())
}

/// `jpeg` with an APPn segment (`marker` 0xE0..=0xEF) holding `payload` right after SOI.
fn with_app_segment(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = vec![0xFF, 0xD8, 0xFF, marker];
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A baseline JPEG with four components (CMYK, Adobe APP14 transform 0), `w` x `h` pixels of
/// one flat colour, written by hand: every 8x8 block holds only a DC coefficient, so the
/// entropy-coded data is one DC difference per component, then end-of-block codes.
/// `levels` are the stored component values (0..=255).
fn cmyk_jpeg(w: u16, h: u16, levels: [u8; 4]) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    let segment = |marker: u8, body: &[u8], out: &mut Vec<u8>| {
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(body);
    };
    // APP14 "Adobe": version 100, flags 0, 0, transform 0 (CMYK, no colour transform).
    segment(0xEE, &[b'A', b'd', b'o', b'b', b'e', 0, 100, 0, 0, 0, 0, 0], &mut out);
    // One quantisation table of 8s: a flat level L becomes DC coefficient 8 * (L - 128) / 8.
    let mut dqt = vec![0u8];
    dqt.extend_from_slice(&[8; 64]);
    segment(0xDB, &dqt, &mut out);
    let mut sof = vec![8];
    sof.extend_from_slice(&h.to_be_bytes());
    sof.extend_from_slice(&w.to_be_bytes());
    sof.push(4);
    for id in 1..=4u8 {
        sof.extend_from_slice(&[id, 0x11, 0]);
    }
    segment(0xC0, &sof, &mut out);
    // DC table: categories 0..=8, all 4-bit codes 0000..1000 (canonical order).
    let mut dht = vec![0x00, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    dht.extend(0..=8u8);
    segment(0xC4, &dht, &mut out);
    // AC table: end-of-block (0x00) as 2-bit code 00, and ZRL (0xF0) as 01, never used.
    segment(0xC4, &[0x10, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xF0], &mut out);
    let mut sos = vec![4];
    for id in 1..=4u8 {
        sos.extend_from_slice(&[id, 0x00]);
    }
    sos.extend_from_slice(&[0, 63, 0]);
    segment(0xDA, &sos, &mut out);

    let mut bits: Vec<bool> = Vec::new();
    let put = |value: u32, len: u32, bits: &mut Vec<bool>| (0..len).rev().for_each(|i| bits.push(value >> i & 1 == 1));
    let blocks = u32::from(w).div_ceil(8) * u32::from(h).div_ceil(8);
    for block in 0..blocks {
        for level in levels {
            let diff = if block == 0 { i32::from(level) - 128 } else { 0 };
            let category = 32 - diff.unsigned_abs().leading_zeros();
            put(category, 4, &mut bits);
            let extra = if diff < 0 { (diff - 1) as u32 } else { diff as u32 };
            put(extra & ((1u32 << category) - 1), category, &mut bits);
            put(0b00, 2, &mut bits); // end of block
        }
    }
    while !bits.len().is_multiple_of(8) {
        bits.push(true);
    }
    for byte in bits.chunks(8).map(|b| b.iter().fold(0u8, |acc, &x| acc << 1 | u8::from(x))) {
        out.push(byte);
        if byte == 0xFF {
            out.push(0x00);
        }
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// A grid of `cols` x `rows` head shots (the faces of four fixture portraits, cropped with a
/// margin), each scaled into a `tile` x `tile * 6 / 5` cell.
fn crowd(cols: u32, rows: u32, tile: u32) -> RgbaImage {
    let th = tile * 6 / 5;
    let mut img = canvas(cols * tile, rows * th);
    let heads: Vec<RgbaImage> = ["person_a_1.jpg", "person_b_1.jpg", "obama.jpg", "biden.jpg"]
        .iter()
        .map(|n| {
            let photo = image::load_from_memory(&fixture_bytes(n)).unwrap().to_rgba8();
            let b = engine().detect(&rgba_image(&photo)).unwrap()[0].bbox;
            let side = (b.width.max(b.height) * 1.8) as u32;
            let cx = (b.x + b.width / 2.0) as i64 - i64::from(side / 2);
            let cy = (b.y + b.height / 2.0) as i64 - i64::from(side * 6 / 10);
            let (x, y) = (cx.max(0) as u32, cy.max(0) as u32);
            let head = image::imageops::crop_imm(&photo, x, y, side.min(photo.width() - x), (side * 6 / 5).min(photo.height() - y)).to_image();
            image::imageops::resize(&head, tile, th, image::imageops::FilterType::Triangle)
        })
        .collect();
    for r in 0..rows {
        for c in 0..cols {
            image::imageops::overlay(&mut img, &heads[((r * cols + c) % 4) as usize], i64::from(c * tile), i64::from(r * th));
        }
    }
    img
}

const T0: i64 = 1_767_225_600_000;
const PASS: &str = "correct horse battery staple";
const FAST: KdfParams = KdfParams { memory_kib: 7 * 1024, iterations: 5, parallelism: 1 };

fn clock() -> ManualClock {
    ManualClock::new(Timestamp::from_unix_ms(T0))
}

fn self_consent(c: &ManualClock) -> ConsentRecord {
    ConsentRecord::new(Subject::SelfPerson, Purpose::VerifyItIsMe, "I agree that this photo of me becomes a template.", None, c).unwrap()
}

fn gallery_with_a(c: &ManualClock) -> (Gallery, ReferenceId) {
    let mut g = Gallery::with_clock(GalleryConfig::default(), c.clone()).unwrap();
    let id = g.enroll(engine(), ImageInput::Encoded(&fixture_bytes("person_a_1.jpg")), FaceChoice::Auto, "me", Some(self_consent(c))).unwrap();
    (g, id)
}

// ------------------------------------------------------------------------------------------
// Files: empty, random, truncated, mislabelled, too big

#[test]
fn file_empty() {
    let e = decode_err(&[]);
    assert!(matches!(e, Error::EmptyImage), "{e:?}");
    assert_eq!(e.code(), "emptyImage");
}

#[test]
fn file_random_bytes() {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for len in [1usize, 7, 64, 100_000] {
        let noise: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 32) as u8
            })
            .collect();
        let e = decode_err(&noise);
        assert!(matches!(e, Error::UnsupportedFormat { detected: None }), "{len} bytes: {e:?}");
    }
}

#[test]
fn file_text_and_html() {
    for text in [&b"hello"[..], b"<!doctype html><html><body>a face</body></html>", b"{\"image\": \"data:...\"}"] {
        assert!(matches!(decode_err(text), Error::UnsupportedFormat { detected: None }));
    }
}

#[test]
fn file_truncated_every_format() {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, (x ^ y) as u8])));
    for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::Gif, ImageFormat::Bmp, ImageFormat::WebP] {
        let full = encode(&img, format);
        for cut in [20, full.len() / 3, full.len() / 2] {
            let e = decode_err(&full[..cut]);
            assert!(matches!(e, Error::ImageDecode { .. }), "{format:?} cut at {cut} of {}: {e:?}", full.len());
        }
        // Only the last 3 bytes missing: JPEG (no end-of-image marker), BMP and WebP (pixel data
        // short) are refused; PNG and GIF lose only their end marker, after the last pixel, and
        // decode whole.
        match (format, engine().decode(&full[..full.len() - 3])) {
            (ImageFormat::Png | ImageFormat::Gif, Ok(i)) => assert_eq!((i.width(), i.height()), (64, 48)),
            (ImageFormat::Jpeg | ImageFormat::Bmp | ImageFormat::WebP, Err(Error::ImageDecode { .. })) => {}
            (f, other) => panic!("{f:?} without its last 3 bytes: {other:?}"),
        }
    }
}

#[test]
fn file_webp_named_jpg_is_read_by_content() {
    // Rust never sees a file name: the format comes from the bytes. A WebP handed over as
    // "photo.jpg" (or with a JPEG MIME type) decodes as the WebP it is.
    let webp = encode(&portrait(), ImageFormat::WebP);
    let img = engine().decode(&webp).unwrap();
    assert_eq!((img.width(), img.height()), (204, 244));
    assert!(similarity_to_a(&img) > 0.99);
}

#[test]
fn file_png_with_trailing_garbage() {
    let mut png = encode(&portrait(), ImageFormat::Png);
    png.extend_from_slice(&[0xAB; 5000]);
    let img = engine().decode(&png).unwrap();
    assert_eq!((img.width(), img.height()), (204, 244), "bytes after IEND are ignored");
}

#[test]
fn file_jpeg_with_data_after_its_end_marker() {
    // "Motion photos" (Samsung, Google Pixel) append a whole MP4 video after the JPEG's
    // end-of-image marker: the photo decodes, the video is ignored.
    let jpeg = encode(&portrait(), ImageFormat::Jpeg);
    let mut motion = jpeg.clone();
    motion.extend_from_slice(b"\0\0\0\x18ftypmp42");
    motion.extend((0..300_000u32).map(|i| (i * 7 % 251) as u8));
    let img = engine().decode(&motion).unwrap();
    assert_eq!((img.width(), img.height()), (204, 244));
    // A truncated JPEG whose EXIF segment holds a complete thumbnail (with its own end
    // marker) is still refused.
    let thumb = encode(&portrait().thumbnail(40, 48), ImageFormat::Jpeg);
    let with_thumb = with_app_segment(&jpeg, 0xE1, &[b"Exif\0\0".as_slice(), &thumb].concat());
    let e = decode_err(&with_thumb[..with_thumb.len() - 400]);
    assert!(matches!(e, Error::ImageDecode { format: "jpeg", .. }), "{e:?}");
    assert!(engine().decode(&with_thumb).is_ok());
}

#[test]
fn file_over_50_mib() {
    let big = vec![0u8; 50 * 1024 * 1024 + 1];
    let e = decode_err(&big);
    assert!(matches!(e, Error::EncodedTooLarge { bytes: 52_428_801, limit: 52_428_800 }), "{e:?}");
}

// ------------------------------------------------------------------------------------------
// Formats: every supported one, unsupported ones named

#[test]
fn format_each_supported_one_finds_the_face() {
    let p = portrait();
    for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP, ImageFormat::Gif, ImageFormat::Bmp] {
        let bytes = encode(&p, format);
        let img = engine().decode(&bytes).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!((img.width(), img.height()), (204, 244));
        let s = similarity_to_a(&img);
        // GIF holds 256 colours: a little further, still the same person.
        assert!(s > if format == ImageFormat::Gif { 0.8 } else { 0.95 }, "{format:?}: similarity {s}");
    }
}

#[test]
fn format_unsupported_ones_are_named() {
    let cases: [(&[u8], &str); 9] = [
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", "heic"),
        (b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf", "avif"),
        (b"II*\0\x08\0\0\0\0\0", "tiff"),
        (b"MM\0*\0\0\0\x08", "tiff"),
        (b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "svg"),
        (b"%PDF-1.7\n%\xe2\xe3", "pdf"),
        (b"\xff\x0a\xfa\x7f", "jpeg-xl"),
        (b"8BPS\0\x01", "psd"),
        (b"\0\0\x01\0\x01\0\x10\x10", "ico"),
    ];
    for (bytes, name) in cases {
        let e = decode_err(bytes);
        assert!(matches!(e, Error::UnsupportedFormat { detected: Some(d) } if d == name), "{name}: {e:?}");
        assert_eq!(e.code(), "unsupportedFormat");
        assert!(e.to_string().contains(name) && e.to_string().contains("JPEG, PNG, WebP, GIF and BMP"), "{e}");
    }
}

#[test]
fn format_cmyk_jpeg_decodes_to_rgb() {
    let jpeg = cmyk_jpeg(24, 16, [128, 128, 128, 128]);
    let img = engine().decode(&jpeg).unwrap_or_else(|e| panic!("CMYK JPEG: {e:?}"));
    assert_eq!((img.width(), img.height()), (24, 16));
    let px = &img.as_rgb()[..3];
    assert!(img.as_rgb().chunks(3).all(|p| p == px), "one flat colour");
    assert!(engine().detect(&img).unwrap().is_empty());
    // Different ink levels give different colours (the fourth channel is not dropped).
    let other = engine().decode(&cmyk_jpeg(24, 16, [128, 128, 128, 250])).unwrap();
    assert_ne!(&other.as_rgb()[..3], px);
}

#[test]
fn format_16_bit_png_matches_8_bit() {
    let deep = DynamicImage::ImageRgb16(portrait().to_rgb16());
    let img = engine().decode(&encode(&deep, ImageFormat::Png)).unwrap();
    assert_eq!(img.as_rgb(), portrait().to_rgb8().as_raw().as_slice(), "16-bit values scaled to 8 bits exactly");
}

#[test]
fn format_grey_image_finds_the_face() {
    let grey = DynamicImage::ImageLuma8(portrait().to_luma8());
    let img = engine().decode(&encode(&grey, ImageFormat::Png)).unwrap();
    assert!(img.as_rgb().chunks(3).all(|p| p[0] == p[1] && p[1] == p[2]));
    assert!(similarity_to_a(&img) > 0.8, "a grey photo still matches");
}

#[test]
fn format_alpha_transparent_background_over_grey() {
    // The portrait with its left third fully transparent, and a half-transparent band.
    let mut rgba = portrait().to_rgba8();
    for (x, _, p) in rgba.enumerate_pixels_mut() {
        p.0[3] = if x < 20 {
            0
        } else if x < 30 {
            128
        } else {
            255
        };
    }
    let img = engine().decode(&encode(&DynamicImage::ImageRgba8(rgba), ImageFormat::Png)).unwrap();
    assert_eq!(&img.as_rgb()[..3], &[128, 128, 128], "transparent pixels become neutral grey");
    assert!(similarity_to_a(&img) > 0.95);
}

#[test]
fn format_animated_gif_uses_the_first_frame() {
    let mut bytes = Vec::new();
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut bytes);
        let first = portrait().to_rgba8();
        let second = RgbaImage::from_pixel(204, 244, image::Rgba([0, 0, 255, 255]));
        enc.encode_frames([image::Frame::new(first), image::Frame::new(second)]).unwrap();
    }
    let img = engine().decode(&bytes).unwrap();
    assert!(similarity_to_a(&img) > 0.8, "the face of frame 1, not the blue frame 2");
}

// ------------------------------------------------------------------------------------------
// Dimensions: declared huge, tiny, extreme aspect

#[test]
fn dims_png_declaring_100000_squared() {
    let e = decode_err(&png_declaring(100_000, 100_000, &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    assert!(matches!(e, Error::ImageTooLarge { width: 100_000, height: 100_000, .. }), "{e:?}");
}

#[test]
fn dims_just_over_the_pixel_limit_is_refused_from_the_header() {
    // 8000 x 6251 = 50 008 000 pixels: each side is allowed, the product is not.
    let e = decode_err(&png_declaring(8000, 6251, &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    assert!(matches!(e, Error::ImageTooLarge { width: 8000, height: 6251, max_pixels: 50_000_000, .. }), "{e:?}");
}

#[test]
fn dims_under_the_limit_with_no_data_is_a_decode_error() {
    // 7000 x 7000 (49 MP) declared, a few bytes of pixel data: within limits, then truncated.
    let e = decode_err(&png_declaring(7000, 7000, &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    assert!(matches!(e, Error::ImageDecode { format: "png", .. }), "{e:?}");
}

#[test]
fn dims_jpeg_declaring_65500_squared() {
    let mut jpeg = encode(&portrait(), ImageFormat::Jpeg);
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).expect("baseline SOF0");
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xDC, 0xFF, 0xDC]);
    let e = decode_err(&jpeg);
    assert!(matches!(e, Error::ImageTooLarge { width: 65_500, height: 65_500, .. }), "{e:?}");
}

/// A greyscale progressive JPEG of `size` x `size` pixels (`(size / 8)^2` blocks, a multiple of
/// 16384) made of `scans` scans, as `tests/browser/hostile-images.mjs` writes it: a DC scan with
/// one "0" bit per block, then AC scans that each code all blocks as empty with end-of-band runs
/// of 16384 (EOB14), 12 bytes a scan. Mid-grey.
fn many_scan_jpeg(size: u16, scans: u32) -> Vec<u8> {
    let blocks = (usize::from(size) / 8).pow(2);
    assert_eq!(blocks % 16384, 0);
    let segment = |marker: u8, body: &[u8], out: &mut Vec<u8>| {
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(body);
    };
    let mut out = vec![0xFF, 0xD8];
    segment(0xDB, &[[0u8].as_slice(), &[1; 64]].concat(), &mut out);
    let [hi, lo] = size.to_be_bytes();
    segment(0xC2, &[8, hi, lo, hi, lo, 1, 1, 0x11, 0], &mut out);
    let one_code = |class: u8, symbol: u8| [[class, 1].as_slice(), &[0; 15], &[symbol]].concat();
    segment(0xC4, &one_code(0x00, 0x00), &mut out);
    segment(0xC4, &one_code(0x10, 0xE0), &mut out);
    segment(0xDA, &[1, 1, 0x00, 0, 0, 0], &mut out);
    out.resize(out.len() + blocks / 8, 0);
    let runs = blocks / 16384;
    let bits = 15 * runs;
    let mut data = vec![0u8; bits.div_ceil(8)];
    if bits % 8 != 0 {
        *data.last_mut().unwrap() = (1u8 << (8 - bits % 8)) - 1;
    }
    for _ in 1..scans {
        segment(0xDA, &[1, 1, 0x00, 1, 63, 0], &mut out);
        out.extend_from_slice(&data);
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

#[test]
fn dims_jpeg_of_20001_scans_is_refused_before_decoding() {
    // 282 KB; each scan makes a decoder go over the whole image again.
    let jpeg = many_scan_jpeg(1024, 20_001);
    let engine = engine();
    let started = std::time::Instant::now();
    let e = engine.decode(&jpeg).unwrap_err();
    eprintln!("20,001-scan JPEG ({} bytes) refused in {:?}", jpeg.len(), started.elapsed());
    assert!(matches!(e, Error::ImageTooComplex { scans: 20_001, max_scans: 100 }), "{e:?}");
    assert_eq!(engine.probe(&jpeg).unwrap_err().code(), "imageTooComplex");
    // 100 scans, the limit: decoded, mid-grey.
    let img = engine.decode(&many_scan_jpeg(1024, 100)).unwrap();
    assert_eq!((img.width(), img.height()), (1024, 1024));
    assert!(img.as_rgb().iter().all(|&v| v == 128));
    let e = decode_err(&many_scan_jpeg(1024, 101));
    assert!(matches!(e, Error::ImageTooComplex { scans: 101, .. }), "{e:?}");
}

#[test]
fn dims_bmp_and_webp_declaring_huge_canvases() {
    let mut bmp = encode(&DynamicImage::ImageRgb8(RgbImage::new(4, 4)), ImageFormat::Bmp);
    bmp[18..22].copy_from_slice(&30_000i32.to_le_bytes());
    bmp[22..26].copy_from_slice(&30_000i32.to_le_bytes());
    assert!(matches!(decode_err(&bmp), Error::ImageTooLarge { width: 30_000, height: 30_000, .. }));
    // Lossless WebP (VP8L): 14-bit width-1 and height-1 after the 0x2f signature.
    let webp_declaring = |w: u32, h: u32| {
        let mut webp = encode(&DynamicImage::ImageRgb8(RgbImage::new(4, 4)), ImageFormat::WebP);
        let at = webp.windows(4).position(|x| x == b"VP8L").expect("VP8L chunk") + 8;
        assert_eq!(webp[at], 0x2f);
        let packed: u32 = (w - 1) | ((h - 1) << 14) | (u32::from(webp[at + 4] >> 4 & 0x1) << 28);
        webp[at + 1..at + 5].copy_from_slice(&packed.to_le_bytes());
        webp
    };
    let e = decode_err(&webp_declaring(16_383, 16_383));
    assert!(matches!(e, Error::ImageTooLarge { width: 16_383, height: 16_383, .. }), "{e:?}");
    let e = decode_err(&webp_declaring(16_384, 16_384));
    assert!(matches!(e, Error::ImageTooLarge { width: 16_384, height: 16_384, .. }), "{e:?}");
    // Within the limits, image-webp 0.2.4 reads a side of exactly 16384 (the format's maximum)
    // as 0 (`(1 + header) & 0x3FFF`): a typed refusal with a misleading size (upstream bug).
    let e = decode_err(&webp_declaring(16_384, 1000));
    assert!(matches!(e, Error::ImageHasNoPixels { width: 0, height: 1000 } | Error::ImageDecode { .. }), "{e:?}");
}

#[test]
fn dims_zero_width() {
    let e = decode_err(&png_declaring(0, 10, &[]));
    assert!(matches!(e, Error::ImageDecode { .. } | Error::ImageHasNoPixels { .. }), "{e:?}");
    let e = engine().from_rgba(&[], 0, 10).unwrap_err();
    assert!(matches!(e, Error::ImageHasNoPixels { width: 0, height: 10 }), "{e:?}");
}

#[test]
fn dims_1x1_image() {
    let img = engine().decode(&encode(&DynamicImage::ImageRgb8(RgbImage::new(1, 1)), ImageFormat::Png)).unwrap();
    assert!(engine().detect(&img).unwrap().is_empty());
    let c = clock();
    let mut g = Gallery::with_clock(GalleryConfig::default(), c.clone()).unwrap();
    let r = g.enroll(engine(), ImageInput::Rgba { pixels: &[9, 9, 9, 255], width: 1, height: 1 }, FaceChoice::Auto, "x", Some(self_consent(&c)));
    assert!(matches!(r, Err(Error::NoFaceFound)), "{r:?}");
}

#[test]
fn dims_10x10000_and_10000x10() {
    for (w, h) in [(10u32, 10_000u32), (10_000, 10)] {
        let img = engine().decode(&encode(&DynamicImage::ImageRgb8(RgbImage::from_pixel(w, h, image::Rgb([200, 150, 120]))), ImageFormat::Png)).unwrap();
        assert_eq!((img.width(), img.height()), (w, h));
        assert!(engine().detect(&img).unwrap().is_empty(), "{w}x{h}");
    }
    // A face in a thin strip: the portrait squeezed to 10 px wide is no face.
    let strip = portrait().resize_exact(10, 2000, image::imageops::FilterType::Triangle).to_rgba8();
    assert!(engine().detect(&rgba_image(&strip)).unwrap().is_empty());
}

#[test]
fn dims_rgba_with_overflowing_dimensions() {
    // width * height * 4 overflows 32 bits: refused on the dimensions, no arithmetic overflow.
    let e = engine().from_rgba(&[0; 16], u32::MAX, u32::MAX).unwrap_err();
    assert!(matches!(e, Error::ImageTooLarge { .. }), "{e:?}");
    let e = engine().from_rgba(&[0; 16], 65_536, 16_384).unwrap_err();
    assert!(matches!(e, Error::ImageTooLarge { .. }), "{e:?}");
}

#[test]
fn dims_rgba_wrong_length() {
    for (len, w, h) in [(99usize, 5u32, 5u32), (101, 5, 5), (0, 1, 1), (4 * 6, 2, 2)] {
        let e = engine().from_rgba(&vec![0; len], w, h).unwrap_err();
        assert!(matches!(e, Error::PixelBufferMismatch { actual, .. } if actual == len), "{len}: {e:?}");
        assert_eq!(e.code(), "pixelBufferMismatch");
    }
}

// ------------------------------------------------------------------------------------------
// EXIF

/// The orientation whose transform undoes `o`: pixels stored with it display upright under `o`.
fn inverse(o: Orientation) -> Orientation {
    match o {
        Orientation::Rotate90 => Orientation::Rotate270,
        Orientation::Rotate270 => Orientation::Rotate90,
        other => other,
    }
}

#[test]
fn exif_orientations_1_to_8_are_applied() {
    let upright = portrait();
    let plain = engine().decode(&encode(&upright, ImageFormat::Jpeg)).unwrap();
    let baseline = similarity_to_a(&plain);
    for n in 1..=8u8 {
        let o = Orientation::from_exif(n).unwrap();
        let mut stored = upright.clone();
        stored.apply_orientation(inverse(o));
        let jpeg = with_exif_orientation(&encode(&stored, ImageFormat::Jpeg), u16::from(n));
        let img = engine().decode(&jpeg).unwrap();
        assert_eq!((img.width(), img.height()), (204, 244), "orientation {n}: displayed upright");
        let faces = engine().detect(&img).unwrap();
        assert_eq!(faces.len(), 1, "orientation {n}");
        let l = faces[0].landmarks;
        assert!(l.right_eye.x < l.left_eye.x && l.nose.y < l.right_mouth.y, "orientation {n}: face upright and not mirrored");
        let s = similarity_to_a(&img);
        assert!((s - baseline).abs() < 0.02, "orientation {n}: similarity {s} vs {baseline} upright");
    }
}

#[test]
fn exif_orientation_invalid_or_corrupt_is_ignored() {
    let jpeg = encode(&portrait(), ImageFormat::Jpeg);
    for bad in [0u16, 9, 0xFFFF] {
        let img = engine().decode(&with_exif_orientation(&jpeg, bad)).unwrap();
        assert_eq!((img.width(), img.height()), (204, 244), "orientation {bad}");
    }
    // An APP1 "Exif" segment whose TIFF structure is garbage, and one of 60 KB of junk.
    let img = engine().decode(&with_app_segment(&jpeg, 0xE1, b"Exif\0\0II*\0\xff\xff\xff\xff\x01")).unwrap();
    assert_eq!(img.width(), 204);
    let junk = [&b"Exif\0\0"[..], &[0x5A; 60_000]].concat();
    assert_eq!(engine().decode(&with_app_segment(&jpeg, 0xE1, &junk)).unwrap().width(), 204);
}

// ------------------------------------------------------------------------------------------
// Faces: none, tiny, many, cut by the border, on a screen

#[test]
fn faces_none_in_the_image() {
    let img = rgba_image(&image::imageops::crop_imm(&crowd(1, 1, 100), 0, 0, 10, 10).to_image());
    assert!(engine().detect(&img).unwrap().is_empty());
    let landscape = RgbaImage::from_fn(640, 480, |x, y| image::Rgba([(x / 3) as u8, (y / 2) as u8, 180, 255]));
    assert!(engine().detect(&rgba_image(&landscape)).unwrap().is_empty());
    let (mut g, id) = gallery_with_a(&clock());
    let r = g.verify(engine(), ImageInput::Rgba { pixels: landscape.as_raw(), width: 640, height: 480 }, FaceChoice::Auto, id);
    assert!(matches!(r, Err(Error::NoFaceFound)), "{r:?}");
}

/// The portrait scaled so that its face box is about `face_px` wide, on a 640x640 grey canvas.
fn small_face(face_px: u32) -> RgbaImage {
    // The portrait's face box is about 74 px wide in 204.
    let w = (204 * face_px).div_ceil(74);
    let h = w * 244 / 204;
    let small = portrait().resize_exact(w, h, image::imageops::FilterType::Lanczos3).to_rgba8();
    let mut c = canvas(640, 640);
    image::imageops::overlay(&mut c, &small, 300, 300);
    c
}

#[test]
fn faces_tiny() {
    // At the default detector input (640) in a 640 px image, faces from 12 px across are
    // found; 10 px faces are not. Nothing breaks either way.
    for px in [12u32, 16, 24, 48] {
        assert_eq!(engine().detect(&rgba_image(&small_face(px))).unwrap().len(), 1, "{px} px face");
    }
    for px in [4u32, 8, 10] {
        assert!(engine().detect(&rgba_image(&small_face(px))).unwrap().is_empty(), "{px} px face");
    }
    // The same 24 px face in a 2560 px image is 6 px at the detector's input: not found.
    let mut big = canvas(2560, 2560);
    image::imageops::overlay(&mut big, &small_face(24), 0, 0);
    assert!(engine().detect(&rgba_image(&big)).unwrap().is_empty(), "small faces in big images are missed");
}

#[test]
fn faces_more_than_50() {
    // 8 x 8 = 64 head shots in one 1280 x 1536 image: all found.
    let img = rgba_image(&crowd(8, 8, 160));
    let faces = engine().detect(&img).unwrap();
    assert_eq!(faces.len(), 64, "{} of 64 faces found", faces.len());
    // Enrolling from it needs a choice: the error lists every box, largest first.
    let c = clock();
    let mut g = Gallery::with_clock(GalleryConfig::default(), c.clone()).unwrap();
    let r = g.enroll(engine(), ImageInput::Rgba { pixels: &crowd(8, 8, 160), width: 1280, height: 1536 }, FaceChoice::Auto, "x", Some(self_consent(&c)));
    assert!(matches!(r, Err(Error::FaceChoiceRequired { ref faces }) if faces.len() == 64), "{r:?}");
}

#[test]
fn faces_more_than_max_faces_keeps_the_best_100() {
    // 12 x 12 = 144 head shots: at most `max_faces` (100) are returned.
    let img = rgba_image(&crowd(12, 12, 120));
    let faces = engine().detect(&img).unwrap();
    assert_eq!(faces.len(), DetectorConfig::default().max_faces, "capped at max_faces");
    // With the cap at 10, the ten kept are the most confident.
    let (d, r) = model_bytes();
    let few = Engine::new(&d, &r, EngineConfig { detector: DetectorConfig { max_faces: 10, ..Default::default() }, ..Default::default() }).unwrap();
    let top = few.detect(&img).unwrap();
    assert_eq!(top.len(), 10);
    let weakest_kept = top.iter().map(|f| f.score).fold(f32::INFINITY, f32::min);
    let mut all: Vec<f32> = faces.iter().map(|f| f.score).collect();
    all.sort_by(|a, b| b.total_cmp(a));
    assert!(weakest_kept >= all[12] - 1e-4, "kept {weakest_kept}, 13th best of all {}", all[12]);
}

#[test]
fn faces_cut_by_the_border() {
    // The portrait shifted so that the left third of the face is outside the image.
    let p = portrait().to_rgba8();
    for shift in [40u32, 70, 100] {
        let cut = image::imageops::crop_imm(&p, shift, 0, 204 - shift, 244).to_image();
        let img = rgba_image(&cut);
        let faces = engine().detect(&img).unwrap();
        for f in &faces {
            let b = f.bbox;
            assert!(b.x >= 0.0 && b.y >= 0.0 && b.x + b.width <= img.width() as f32 && b.y + b.height <= img.height() as f32, "box clipped: {b:?}");
            // Landmarks may lie outside the image; the template is still computed, or refused
            // with a typed error, never a panic.
            match engine().template(&img, f) {
                Ok(t) => assert_eq!(t.as_slice().len(), 128),
                Err(e) => assert!(matches!(e, Error::FaceOutOfImage { .. } | Error::FaceUnusable { .. }), "{e:?}"),
            }
        }
        if shift == 40 {
            assert_eq!(faces.len(), 1, "a face cut a little is still found");
        }
    }
}

#[test]
fn faces_photo_of_a_screen_is_matched_like_any_photo() {
    // facegate does no liveness or presentation-attack detection: a photo of a face shown on a
    // screen (dark bezel, visible RGB subpixel stripes, scan lines, a colour cast) is matched as
    // the person. Documented, so that nobody uses facegate to unlock anything.
    let face = portrait().resize_exact(408, 488, image::imageops::FilterType::Triangle).to_rgba8();
    let mut screen = RgbaImage::from_pixel(520, 600, image::Rgba([12, 12, 14, 255]));
    let mut shown = face.clone();
    for (x, y, p) in shown.enumerate_pixels_mut() {
        let keep = (x % 3) as usize;
        for c in 0..3 {
            let v = f32::from(p.0[c]) * if c == keep { 1.0 } else { 0.55 } * if y % 4 == 0 { 0.7 } else { 1.0 };
            p.0[c] = (v * [0.9, 1.0, 1.15][c]).min(255.0) as u8;
        }
    }
    image::imageops::overlay(&mut screen, &shown, 56, 56);
    let photo = DynamicImage::ImageRgba8(screen).resize(260, 300, image::imageops::FilterType::Triangle).to_rgba8();
    let s = similarity_to_a(&rgba_image(&photo));
    assert!(s > facegate::OperatingPoint::Fmr1e3.threshold(), "a screen replay matches: similarity {s}");
}

// ------------------------------------------------------------------------------------------
// Memory a large photo needs

/// The global allocator of this test binary: the system's, counting the bytes each thread holds
/// and the most it held, so that a test can measure the memory one call needs.
struct CountingAlloc;

thread_local! {
    static HELD: std::cell::Cell<isize> = const { std::cell::Cell::new(0) };
    static PEAK: std::cell::Cell<isize> = const { std::cell::Cell::new(0) };
}

fn track(delta: isize) {
    let _ = HELD.try_with(|held| {
        let now = held.get() + delta;
        held.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

unsafe impl std::alloc::GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let p = unsafe { std::alloc::System.alloc(layout) };
        if !p.is_null() {
            track(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        let p = unsafe { std::alloc::System.alloc_zeroed(layout) };
        if !p.is_null() {
            track(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(p, layout) };
        track(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, p: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { std::alloc::System.realloc(p, layout, new_size) };
        if !q.is_null() {
            track(new_size as isize - layout.size() as isize);
        }
        q
    }
}

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Bytes this thread allocated beyond what it held before, at most, while `f` ran.
fn peak_extra<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = HELD.with(|h| h.get());
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, (PEAK.with(|p| p.get()) - base).max(0) as usize)
}

#[test]
fn memory_of_detection_with_a_face_is_small() {
    // Detection works on the letterboxed 640 px input: with a face found at once, the memory it
    // needs does not depend on the photo's size.
    let _ = engine();
    let mut big = canvas(4000, 3000);
    let face = portrait().resize(1200, 1440, image::imageops::FilterType::Triangle).to_rgba8();
    image::imageops::overlay(&mut big, &face, 1400, 800);
    let img = rgba_image(&big);
    drop(big);
    let (faces, extra) = peak_extra(|| engine().detect(&img).unwrap());
    assert_eq!(faces.len(), 1);
    println!("detect on 4000x3000 with a face: {} MB beyond the image", extra / 1_000_000);
    assert!(extra < 64_000_000, "detect needed {extra} bytes");
}

#[test]
fn memory_of_a_large_photo_without_a_face() {
    let _ = engine();
    let mut needed = Vec::new();
    for (w, h) in [(4000u32, 3000u32), (7000, 7000), (16_384, 3000)] {
        let img = engine().from_rgba(&vec![120; w as usize * h as usize * 4], w, h).unwrap();
        let (faces, extra) = peak_extra(|| engine().detect(&img).unwrap());
        assert!(faces.is_empty());
        println!("detect on {w}x{h} without a face: {} MB beyond the image's {} MB", extra / 1_000_000, img.as_rgb().len() / 1_000_000);
        needed.push((w, h, extra));
    }
    for (w, h, extra) in needed {
        assert!(extra < 64_000_000, "{w}x{h}: detect needed {extra} bytes beyond the image");
    }
}

// ------------------------------------------------------------------------------------------
// Floats from callers: NaN and infinities

#[test]
fn floats_nan_and_infinite_config_values() {
    let (d, r) = model_bytes();
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.5, 1.5] {
        let cfg = EngineConfig { detector: DetectorConfig { score_threshold: bad, ..Default::default() }, ..Default::default() };
        assert!(matches!(Engine::new(&d, &r, cfg), Err(Error::InvalidConfig { field: "score_threshold", .. })), "{bad}");
        let cfg = EngineConfig { detector: DetectorConfig { nms_iou: bad, ..Default::default() }, ..Default::default() };
        assert!(matches!(Engine::new(&d, &r, cfg), Err(Error::InvalidConfig { field: "nms_iou", .. })), "{bad}");
    }
}

#[test]
fn floats_nan_and_infinite_face_points_and_landmarks() {
    let (mut g, id) = gallery_with_a(&clock());
    let probe = fixture_bytes("person_a_2.jpg");
    for p in [Point::new(f32::NAN, 10.0), Point::new(f32::INFINITY, 10.0), Point::new(10.0, f32::NEG_INFINITY), Point::new(-1e30, 1e30)] {
        let r = g.verify(engine(), ImageInput::Encoded(&probe), FaceChoice::Point(p), id);
        assert!(matches!(r, Err(Error::FaceChoiceInvalid { faces: 1, .. })), "{p:?}: {r:?}");
    }
    let img = engine().decode(&probe).unwrap();
    let mut face = engine().detect(&img).unwrap()[0];
    face.landmarks.left_eye = Point::new(f32::INFINITY, 0.0);
    assert!(matches!(engine().template(&img, &face), Err(Error::FaceOutOfImage { .. })));
    // A template from non-finite or all-zero numbers cannot be made.
    assert!(Template::from_embedding(&[f32::NAN; 128]).is_none());
    assert!(Template::from_embedding(&[0.0; 128]).is_none());
    assert!(Template::from_embedding(&[f32::MAX; 128]).is_some_and(|t| t.as_slice().iter().all(|v| v.is_finite())));
}

// ------------------------------------------------------------------------------------------
// Models: corrupt, truncated, the wrong ONNX

#[test]
fn model_corrupt_truncated_or_empty() {
    let (d, r) = model_bytes();
    let mut flipped = d.clone();
    flipped[d.len() / 3] ^= 0x80;
    let cases: [(&[u8], &[u8], ModelKind); 5] = [
        (&flipped, &r, ModelKind::Detector),
        (&d[..d.len() - 1], &r, ModelKind::Detector),
        (&d, &r[..r.len() / 2], ModelKind::Recognizer),
        (&[], &r, ModelKind::Detector),
        (&d, &[r.as_slice(), &[0]].concat(), ModelKind::Recognizer),
    ];
    for (det, rec, which) in cases {
        let e = Engine::new(det, rec, EngineConfig::default()).unwrap_err();
        assert!(matches!(e, Error::ModelIntegrity { model, .. } if model == which), "{e:?}");
    }
}

#[test]
fn model_valid_onnx_of_the_wrong_model() {
    let (d, r) = model_bytes();
    // The two files swapped, and each given for both.
    for (det, rec, which) in [(&r, &d, ModelKind::Detector), (&d, &d, ModelKind::Recognizer), (&r, &r, ModelKind::Detector)] {
        let e = Engine::new(det, rec, EngineConfig::default()).unwrap_err();
        assert!(matches!(e, Error::ModelIntegrity { model, .. } if model == which), "{e:?}");
    }
    // A small, well-formed ONNX model (DequantizeLinear then Relu, the fuzzing seed): refused
    // before it is parsed.
    let tiny = std::fs::read(common::root().join("tests/fuzz-corpus/model_load/seed-dq-per-axis")).unwrap();
    use tract_onnx::prelude::Framework;
    assert!(tract_onnx::onnx().proto_model_for_read(&mut Cursor::new(&tiny)).is_ok(), "the seed is valid ONNX");
    let e = Engine::new(&tiny, &r, EngineConfig::default()).unwrap_err();
    assert!(matches!(e, Error::ModelIntegrity { model: ModelKind::Detector, .. }), "{e:?}");
}

// ------------------------------------------------------------------------------------------
// Consent records and labels

#[test]
fn consent_bad_fields() {
    let c = clock();
    let other = |name: &str| Subject::OtherPersonConsented { name: name.to_string() };
    let cases: Vec<(Subject, Purpose, &str, Option<i64>, &str)> = vec![
        (Subject::SelfPerson, Purpose::VerifyItIsMe, "", None, "textShown"),
        (Subject::SelfPerson, Purpose::VerifyItIsMe, " \n\t ", None, "textShown"),
        (other(""), Purpose::CompareWithConsentingPerson, "ok", None, "subject"),
        (other("\u{3000}"), Purpose::CompareWithConsentingPerson, "ok", None, "subject"),
        (other(&"é".repeat(101)), Purpose::CompareWithConsentingPerson, "ok", None, "subject"),
        (other("Ana\u{0}"), Purpose::CompareWithConsentingPerson, "ok", None, "subject"),
        (other("Ana\r\nBob"), Purpose::CompareWithConsentingPerson, "ok", None, "subject"),
        (other("Ana"), Purpose::VerifyItIsMe, "ok", None, "purpose"),
        (Subject::SelfPerson, Purpose::CompareWithConsentingPerson, "ok", None, "purpose"),
        (Subject::SelfPerson, Purpose::Other { description: String::new() }, "ok", None, "purpose"),
        (Subject::SelfPerson, Purpose::Other { description: "x".repeat(201) }, "ok", None, "purpose"),
        (Subject::SelfPerson, Purpose::VerifyItIsMe, "ok", Some(T0), "expiresAt"),
        (Subject::SelfPerson, Purpose::VerifyItIsMe, "ok", Some(i64::MIN), "expiresAt"),
    ];
    for (subject, purpose, text, expiry, field) in cases {
        let r = ConsentRecord::new(subject.clone(), purpose.clone(), text, expiry.map(Timestamp::from_unix_ms), &c);
        assert!(matches!(r, Err(Error::ConsentInvalid { field: f, .. }) if f == field), "{subject:?} {purpose:?} {text:?}: {r:?}");
    }
    // The longest accepted values, counted in characters.
    assert!(ConsentRecord::new(other(&"é".repeat(100)), Purpose::CompareWithConsentingPerson, "ok", None, &c).is_ok());
}

#[test]
fn consent_from_the_future_or_expired_at_enrolment() {
    let c = clock();
    let mut g = Gallery::with_clock(GalleryConfig::default(), c.clone()).unwrap();
    let photo = fixture_bytes("person_a_1.jpg");
    // A record made on a device whose clock is an hour ahead.
    let ahead = ManualClock::new(Timestamp::from_unix_ms(T0 + 3_600_000));
    let future = ConsentRecord::new(Subject::SelfPerson, Purpose::VerifyItIsMe, "ok", None, &ahead).unwrap();
    let r = g.enroll(engine(), ImageInput::Encoded(&photo), FaceChoice::Auto, "me", Some(future));
    assert!(matches!(r, Err(Error::ConsentInvalid { field: "givenAt", .. })), "{r:?}");
    // A record whose expiry passed before enrolment.
    let short = ConsentRecord::new(Subject::SelfPerson, Purpose::VerifyItIsMe, "ok", Some(Timestamp::from_unix_ms(T0 + 10)), &c).unwrap();
    c.advance(10);
    let r = g.enroll(engine(), ImageInput::Encoded(&photo), FaceChoice::Auto, "me", Some(short));
    assert!(matches!(r, Err(Error::ConsentExpired { expired_at }) if expired_at == T0 + 10), "{r:?}");
    assert!(g.list().is_empty() && g.audit_log().is_empty(), "nothing processed, nothing logged");
}

#[test]
fn consent_labels_refused() {
    let c = clock();
    let mut g = Gallery::with_clock(GalleryConfig::default(), c.clone()).unwrap();
    let photo = fixture_bytes("person_a_1.jpg");
    for label in ["", "   ", "a\nb", "tab\there", &"x".repeat(101), "\u{7f}"] {
        let r = g.enroll(engine(), ImageInput::Encoded(&photo), FaceChoice::Auto, label, Some(self_consent(&c)));
        assert!(matches!(r, Err(Error::InvalidLabel { .. })), "{label:?}: {r:?}");
    }
}

// ------------------------------------------------------------------------------------------
// Reference ids, calls after erase

#[test]
fn ids_malformed_or_unknown() {
    for s in ["", "0", "zzzzzzzzzzzzzzzz", "00000000000000001", "../../etc/passwd", "0x00000000000001", "ＡＢＣＤ0000000000", "é"] {
        let e = s.parse::<ReferenceId>().unwrap_err();
        assert!(matches!(e, Error::UnknownReference { .. }), "{s:?}: {e:?}");
    }
    let (mut g, _) = gallery_with_a(&clock());
    let never = "0123456789abcdef".parse::<ReferenceId>().unwrap();
    assert!(matches!(g.withdraw(never), Err(Error::UnknownReference { .. })));
    let long = "x".repeat(10_000);
    let Err(Error::UnknownReference { id }) = long.parse::<ReferenceId>() else { panic!() };
    assert!(id.len() <= 40, "the error does not echo a huge id back");
}

#[test]
fn calls_after_erase_all() {
    let c = clock();
    let (mut g, id) = gallery_with_a(&c);
    let probe = fixture_bytes("person_a_2.jpg");
    assert_eq!(g.erase_all(EraseOptions::default()), 1);
    assert!(matches!(g.verify(engine(), ImageInput::Encoded(&probe), FaceChoice::Auto, id), Err(Error::UnknownReference { .. })));
    assert!(matches!(g.identify(engine(), ImageInput::Encoded(&probe), FaceChoice::Auto), Err(Error::GalleryEmpty)));
    assert!(matches!(g.withdraw(id), Err(Error::UnknownReference { .. })));
    assert!(g.list().is_empty());
    assert_eq!(g.erase_all(EraseOptions { audit_log: true }), 0, "erasing twice is fine");
    assert!(g.audit_log().is_empty());
    // The empty gallery still exports and imports, and enrols again.
    let file = g.export_with(PASS, FAST).unwrap();
    let mut h = Gallery::with_clock(GalleryConfig::default(), c.clone()).unwrap();
    assert_eq!(h.import(&file, PASS).unwrap().added, 0);
    g.enroll(engine(), ImageInput::Encoded(&probe), FaceChoice::Auto, "again", Some(self_consent(&c))).unwrap();
}

// ------------------------------------------------------------------------------------------
// Exports: each section tampered

fn sample_export() -> Vec<u8> {
    let c = clock();
    let (mut g, _) = gallery_with_a(&c);
    g.export_with(PASS, FAST).unwrap()
}

fn import_into_empty(file: &[u8]) -> Result<facegate::ImportReport, Error> {
    let mut g = Gallery::with_clock(GalleryConfig::default(), clock()).unwrap();
    let r = g.import(file, PASS);
    if r.is_err() {
        assert!(g.list().is_empty() && g.audit_log().is_empty(), "a refused import changes nothing");
    }
    r
}

fn fix_checksum(file: &mut [u8]) {
    let sum = Sha256::digest(&file[layout::CHECKED]);
    file[layout::CHECKSUM].copy_from_slice(&sum[..16]);
}

#[test]
fn export_tampered_in_every_section() {
    let file = sample_export();
    assert_eq!(import_into_empty(&file).unwrap().added, 1, "the intact file imports");
    // (section, byte range, error code when a byte is flipped, code when the checksum is forged too)
    let sections: [(&str, std::ops::Range<usize>, &str, &str); 10] = [
        ("magic", layout::MAGIC, "exportNotRecognized", "exportNotRecognized"),
        ("version", layout::VERSION, "exportUnsupportedVersion", "exportUnsupportedVersion"),
        ("memoryKib", layout::MEMORY_KIB, "exportTampered", "exportKdfOutOfRange|exportWrongPassphrase"),
        ("iterations", layout::ITERATIONS, "exportTampered", "exportKdfOutOfRange|exportWrongPassphrase"),
        ("parallelism", layout::PARALLELISM, "exportTampered", "exportKdfOutOfRange|exportWrongPassphrase"),
        ("salt", layout::SALT, "exportTampered", "exportWrongPassphrase"),
        ("nonce", layout::NONCE, "exportTampered", "exportTampered"),
        ("keyCheck", layout::KEY_CHECK, "exportTampered", "exportWrongPassphrase"),
        ("ciphertextLen", layout::CIPHERTEXT_LEN, "exportTampered", "exportTruncated|exportTampered|exportMalformed"),
        ("checksum", layout::CHECKSUM, "exportTampered", "-"),
    ];
    for (name, range, flipped, forged) in sections {
        for i in [range.start, range.end - 1] {
            let mut bad = file.clone();
            bad[i] ^= 0x01;
            let e = import_into_empty(&bad).unwrap_err();
            assert_eq!(e.code(), flipped, "{name} byte {i} flipped: {e:?}");
            if forged != "-" && i >= 10 {
                fix_checksum(&mut bad);
                let e = import_into_empty(&bad).unwrap_err();
                assert!(forged.split('|').any(|c| c == e.code()), "{name} byte {i} forged with its checksum: {e:?}");
            }
        }
    }
    // The ciphertext (first, middle, last byte) and the tag.
    let n = file.len();
    for i in [98, (98 + n) / 2, n - 17, n - 16, n - 1] {
        let mut bad = file.clone();
        bad[i] ^= 0x80;
        assert!(matches!(import_into_empty(&bad), Err(Error::ExportTampered { part: "body" })), "byte {i}");
    }
    // Cut off, extended, or the tag alone.
    assert!(matches!(import_into_empty(&file[..n - 1]), Err(Error::ExportTruncated { .. })));
    assert!(matches!(import_into_empty(&[file.as_slice(), b"x"].concat()), Err(Error::ExportTampered { part: "trailing bytes" })));
    let mut tag_only = file[..98].to_vec();
    tag_only[78..82].copy_from_slice(&16u32.to_le_bytes());
    fix_checksum(&mut tag_only);
    tag_only.extend_from_slice(&file[n - 16..]);
    assert!(matches!(import_into_empty(&tag_only), Err(Error::ExportTampered { part: "body" })));
    let mut short = file[..98].to_vec();
    short[78..82].copy_from_slice(&3u32.to_le_bytes());
    fix_checksum(&mut short);
    short.extend_from_slice(&[0; 3]);
    assert!(matches!(import_into_empty(&short), Err(Error::ExportMalformed { .. })), "ciphertext shorter than a tag");
}

#[test]
fn export_passphrases_refused() {
    let c = clock();
    let (mut g, _) = gallery_with_a(&c);
    for p in ["", "1234567", "ééééééé"] {
        assert!(matches!(g.export_with(p, FAST), Err(Error::PassphraseRejected { .. })), "{p:?}");
    }
    assert!(matches!(g.export_with(&"x".repeat(1025), FAST), Err(Error::PassphraseRejected { .. })));
    // Import with an absurd passphrase is just the wrong one.
    let file = g.export_with(PASS, FAST).unwrap();
    let mut h = Gallery::with_clock(GalleryConfig::default(), c).unwrap();
    assert!(matches!(h.import(&file, &"\u{0}".repeat(100_000)), Err(Error::ExportWrongPassphrase)));
}

#[test]
fn export_of_another_format_or_a_photo() {
    for bytes in [fixture_bytes("person_a_1.jpg"), b"FACEGAT".to_vec(), b"facegate".to_vec(), vec![0; 200]] {
        let e = import_into_empty(&bytes).unwrap_err();
        assert!(matches!(e, Error::ExportNotRecognized | Error::ExportTruncated { .. }), "{e:?}");
    }
}

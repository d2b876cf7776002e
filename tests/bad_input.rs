//! Bad input gets a specific error, never a panic.

mod common;

use common::{engine, fixture_bytes, model_bytes};
use facegate::{DetectorConfig, Engine, EngineConfig, Error, Face, ImageLimits, Landmarks, ModelKind, Point};

fn decode_err(bytes: &[u8]) -> Error {
    engine().decode(bytes).expect_err("must be refused")
}

/// CRC-32 (IEEE) as PNG chunks need it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    c
}

#[test]
fn empty_bytes() {
    assert!(matches!(decode_err(&[]), Error::EmptyImage));
}

#[test]
fn random_bytes() {
    let mut state = 12345u32;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 16) as u8
        })
        .collect();
    assert!(matches!(decode_err(&noise), Error::UnsupportedFormat { detected: None }));
}

#[test]
fn truncated_jpeg() {
    let jpeg = fixture_bytes("person_b_1.jpg");
    for cut in [jpeg.len() / 2, jpeg.len() - 10, 200] {
        let e = decode_err(&jpeg[..cut]);
        assert!(matches!(e, Error::ImageDecode { format: "jpeg", .. }), "cut at {cut}: {e:?}");
    }
}

#[test]
fn png_declaring_100000_by_100000_is_refused_before_allocating() {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    png.extend(png_chunk(b"IEND", &[]));
    let e = decode_err(&png);
    assert!(matches!(e, Error::ImageTooLarge { width: 100_000, height: 100_000, .. }), "{e:?}");
}

#[test]
fn gif_declaring_a_huge_canvas_is_refused() {
    // GIF89a, logical screen 65535x65535, no colour table, then the trailer.
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x3B]);
    let e = decode_err(&gif);
    assert!(matches!(e, Error::ImageTooLarge { .. } | Error::ImageDecode { format: "gif", .. }), "{e:?}");
}

#[test]
fn encoded_size_limit() {
    let limits = ImageLimits { max_encoded_bytes: 1000, ..Default::default() };
    let e = facegate::Image::decode(&fixture_bytes("person_a_1.jpg"), &limits).unwrap_err();
    assert!(matches!(e, Error::EncodedTooLarge { limit: 1000, .. }), "{e:?}");
}

#[test]
fn rgba_buffer_of_the_wrong_length() {
    let e = engine().from_rgba(&[0; 99], 5, 5).unwrap_err();
    assert!(matches!(e, Error::PixelBufferMismatch { expected: 100, actual: 99, .. }), "{e:?}");
}

#[test]
fn swapped_model_files() {
    let (d, r) = model_bytes();
    let e = Engine::new(&r, &d, EngineConfig::default()).unwrap_err();
    assert!(matches!(e, Error::ModelIntegrity { model: ModelKind::Detector, .. }), "{e:?}");
}

#[test]
fn a_model_with_one_byte_changed() {
    let (d, mut r) = model_bytes();
    let mid = r.len() / 2;
    r[mid] ^= 0x01;
    let e = Engine::new(&d, &r, EngineConfig::default()).unwrap_err();
    assert!(matches!(e, Error::ModelIntegrity { model: ModelKind::Recognizer, .. }), "{e:?}");
    let e = Engine::new(&d[..d.len() - 1], &model_bytes().1, EngineConfig::default()).unwrap_err();
    assert!(matches!(e, Error::ModelIntegrity { model: ModelKind::Detector, .. }), "truncated: {e:?}");
    assert_eq!(e.code(), "modelIntegrity");
}

#[test]
fn empty_model_bytes() {
    let e = Engine::new(&[], &[], EngineConfig::default()).unwrap_err();
    assert!(matches!(e, Error::ModelIntegrity { .. }), "{e:?}");
}

#[test]
fn invalid_configuration() {
    let (d, r) = model_bytes();
    let config = EngineConfig { detector: DetectorConfig { input_size: 100, ..Default::default() }, ..Default::default() };
    let e = Engine::new(&d, &r, config).unwrap_err();
    assert!(matches!(e, Error::InvalidConfig { field: "input_size", .. }), "{e:?}");
}

#[test]
fn a_face_that_does_not_belong_to_the_image() {
    let img = common::fixture("person_a_1.jpg");
    let mut face = engine().detect(&img).unwrap()[0];
    face.landmarks.nose = Point::new(f32::NAN, 1.0);
    assert!(matches!(engine().template(&img, &face), Err(Error::FaceOutOfImage { .. })));
    let far = Face { landmarks: Landmarks::from_array([Point::new(1e7, 1e7); 5]), ..face };
    assert!(matches!(engine().template(&img, &far), Err(Error::FaceOutOfImage { .. })));
    let collapsed = Face { landmarks: Landmarks::from_array([Point::new(10.0, 10.0); 5]), ..face };
    assert!(matches!(engine().template(&img, &collapsed), Err(Error::FaceOutOfImage { .. })));
}

//! The teaching view on the real models: every step for one consented face, consistent with the
//! matching pipeline, and what it shows of a template (a picture, still biometric data).

mod common;

use common::{engine, fixture_bytes, template_of};
use facegate::pipeline::{cosine, ALIGNED_SIZE, PRINTED_POSITIONS};
use facegate::{
    ConsentRecord, Error, FaceChoice, Gallery, GalleryConfig, ImageInput, ManualClock, OperatingPoint, Purpose, Subject, TeachingConfig, Timestamp,
};

/// Two portraits side by side, each 400x500: a photo with two people, as RGBA.
fn two_people(left: &str, right: &str) -> Vec<u8> {
    let mut canvas = image::RgbaImage::from_pixel(800, 500, image::Rgba([40, 40, 40, 255]));
    for (k, name) in [left, right].iter().enumerate() {
        let tile = image::load_from_memory(&fixture_bytes(name)).unwrap().thumbnail(400, 500).to_rgba8();
        image::imageops::overlay(&mut canvas, &tile, k as i64 * 400, 0);
    }
    canvas.into_raw()
}

fn consent(clock: &ManualClock, subject: Subject, expires_at: Option<Timestamp>) -> Option<ConsentRecord> {
    let purpose = Purpose::Other { description: "learn how face matching works".into() };
    Some(ConsentRecord::new(subject, purpose, "I agree to see my face's template on this device.", expires_at, clock).unwrap())
}

fn teaching(clock: &ManualClock) -> Gallery {
    Gallery::with_clock(GalleryConfig { teaching: TeachingConfig::LESSON, ..Default::default() }, clock.clone()).unwrap()
}

#[test]
fn explanation_matches_the_matching_pipeline() {
    let clock = ManualClock::new(Timestamp::from_unix_ms(1_000_000));
    let mut g = teaching(&clock);
    let a = g.explain(engine(), ImageInput::Encoded(&fixture_bytes("person_a_1.jpg")), FaceChoice::Auto, consent(&clock, Subject::SelfPerson, None)).unwrap();
    assert_eq!((a.faces.len(), a.chosen), (1, 0));
    assert_eq!(a.aligned.as_rgb().len(), (ALIGNED_SIZE * ALIGNED_SIZE * 3) as usize);
    // The transform maps the chosen face's right eye near the ArcFace template's right eye.
    let eye = a.faces[0].landmarks.right_eye;
    let t = a.transform;
    let (x, y) = (t.a * eye.x as f64 - t.b * eye.y as f64 + t.tx, t.b * eye.x as f64 + t.a * eye.y as f64 + t.ty);
    assert!((x - 38.29).abs() < 4.0 && (y - 51.70).abs() < 4.0, "right eye maps to ({x}, {y})");
    // What is printed is the template's values, to 4 decimals.
    let (ta, _) = template_of("person_a_1.jpg");
    for (k, &i) in PRINTED_POSITIONS.iter().enumerate() {
        assert!((a.printed[k] - ta.as_slice()[i]).abs() <= 0.000_051, "position {i}");
    }
    // The cosine step by step is the matcher's similarity of the two photos.
    let b = g.explain(engine(), ImageInput::Encoded(&fixture_bytes("person_a_2.jpg")), FaceChoice::Auto, consent(&clock, Subject::SelfPerson, None)).unwrap();
    let steps = g.compare_explained(a.id, b.id).unwrap();
    let (tb, _) = template_of("person_a_2.jpg");
    assert!((steps.cosine - ta.similarity(&tb).value()).abs() < 1e-6, "{} vs {}", steps.cosine, ta.similarity(&tb).value());
    assert!(steps.cosine >= OperatingPoint::Fmr1e3.threshold(), "the same person");
    assert_eq!((steps.length_a, steps.length_b), (1.0, 1.0));
    assert_eq!(steps.rows.len(), 5);
    assert!((steps.rows[4].running_sum - steps.dot).abs() < 1e-4, "the last running sum is the dot product");
}

#[test]
fn explanation_needs_a_choice_among_several_faces_and_embeds_only_the_chosen_one() {
    let clock = ManualClock::new(Timestamp::from_unix_ms(0));
    let mut g = teaching(&clock);
    let collage = two_people("person_a_1.jpg", "person_b_1.jpg");
    let image = || ImageInput::Rgba { pixels: &collage, width: 800, height: 500 };
    let ana = || consent(&clock, Subject::OtherPersonConsented { name: "Ana".into() }, None);
    let err = g.explain(engine(), image(), FaceChoice::Auto, ana()).unwrap_err();
    assert!(matches!(err, Error::FaceChoiceRequired { ref faces } if faces.len() == 2), "{err:?}");
    let right = g.explain(engine(), image(), FaceChoice::Point(facegate::Point::new(600.0, 250.0)), ana()).unwrap();
    let me = g.explain(engine(), ImageInput::Encoded(&fixture_bytes("person_b_2.jpg")), FaceChoice::Auto, consent(&clock, Subject::SelfPerson, None)).unwrap();
    assert!(g.compare_explained(right.id, me.id).unwrap().cosine > 0.4, "the chosen face is person B's");
    assert_eq!(g.explanations_left(), 18, "two explained, the refused call not counted");
}

#[test]
fn expired_consent_is_refused() {
    let clock = ManualClock::new(Timestamp::from_unix_ms(0));
    let mut g = teaching(&clock);
    let c = consent(&clock, Subject::SelfPerson, Some(Timestamp::from_unix_ms(10_000)));
    clock.set(Timestamp::from_unix_ms(20_000));
    let err = g.explain(engine(), ImageInput::Encoded(&fixture_bytes("person_a_1.jpg")), FaceChoice::Auto, c).unwrap_err();
    assert!(matches!(err, Error::ConsentExpired { expired_at: 10_000 }), "{err:?}");
}

/// What the strip is: a picture at 8 bits per value, and still biometric data. Rebuilt as
/// numbers, it matches its own face and the same person's other photo at the default threshold,
/// and not another person's: which is why `explain` needs consent, is capped and is logged.
#[test]
fn the_strip_is_a_picture_that_still_identifies() {
    let clock = ManualClock::new(Timestamp::from_unix_ms(0));
    let mut g = teaching(&clock);
    let e = g.explain(engine(), ImageInput::Encoded(&fixture_bytes("person_b_1.jpg")), FaceChoice::Auto, consent(&clock, Subject::SelfPerson, None)).unwrap();
    assert!(e.strip.0.iter().any(|&v| v.unsigned_abs() == 127));
    let rebuilt: Vec<f32> = e.strip.0.iter().map(|&v| f32::from(v)).collect();
    let threshold = OperatingPoint::Fmr1e3.threshold();
    let (own, _) = template_of("person_b_1.jpg");
    let (same, _) = template_of("person_b_2.jpg");
    let (other, _) = template_of("impostor_2.jpg");
    let to_own = cosine(&rebuilt, own.as_slice());
    let to_same = cosine(&rebuilt, same.as_slice());
    let to_other = cosine(&rebuilt, other.as_slice());
    println!("strip rebuilt as a template: cosine {to_own:.4} with its own, {to_same:.4} with the same person, {to_other:.4} with another");
    assert!(to_own > 0.999, "{to_own}");
    assert!(to_same >= threshold && to_other < threshold);
}

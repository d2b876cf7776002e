//! The teaching view: every step for one face, consistent with the matching pipeline.

mod common;

use common::{engine, fixture, fixture_bytes, template_of};
use facegate::{explain, ConsentRecord, Error, FaceChoice, Image, ImageLimits, ManualClock, Purpose, Subject, Timestamp, ALIGNED_SIZE};

/// Two portraits side by side, each 400x500: a photo with two people.
fn two_people(left: &str, right: &str) -> Image {
    let mut canvas = image::RgbImage::from_pixel(800, 500, image::Rgb([40, 40, 40]));
    for (k, name) in [left, right].iter().enumerate() {
        let tile = image::load_from_memory(&fixture_bytes(name)).unwrap().thumbnail(400, 500).to_rgb8();
        image::imageops::overlay(&mut canvas, &tile, k as i64 * 400, 0);
    }
    Image::from_rgb(canvas.into_raw(), 800, 500, &ImageLimits::default()).unwrap()
}

fn consent(clock: &ManualClock, expires_at: Option<Timestamp>) -> ConsentRecord {
    let purpose = Purpose::Other { description: "learn how face matching works".into() };
    ConsentRecord::new(Subject::SelfPerson, purpose, "I agree to see my face's template on this device.", expires_at, clock).unwrap()
}

#[test]
fn explanation_matches_the_matching_pipeline() {
    let clock = ManualClock::new(Timestamp::from_unix_ms(1_000_000));
    let image = fixture("person_a_1.jpg");
    let e = explain(engine(), &image, FaceChoice::Auto, &consent(&clock, None), Timestamp::from_unix_ms(1_000_000)).unwrap();
    assert_eq!(e.faces.len(), 1);
    assert_eq!(e.chosen, 0);
    assert_eq!(e.aligned.as_rgb().len(), (ALIGNED_SIZE * ALIGNED_SIZE * 3) as usize);
    // The transform maps the chosen face's right eye near the ArcFace template's right eye.
    let eye = e.faces[0].landmarks.right_eye;
    let t = e.transform;
    let (x, y) = (t.a * eye.x as f64 - t.b * eye.y as f64 + t.tx, t.b * eye.x as f64 + t.a * eye.y as f64 + t.ty);
    assert!((x - 38.29).abs() < 4.0 && (y - 51.70).abs() < 4.0, "right eye maps to ({x}, {y})");
    // Same template as the matching pipeline computes, unit length.
    let (reference, _) = template_of("person_a_1.jpg");
    assert!((e.template.similarity(&reference).value() - 1.0).abs() < 1e-5);
    let norm: f32 = e.template.as_slice().iter().map(|v| v * v).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4);
}

#[test]
fn explanation_needs_a_choice_among_several_faces_and_embeds_only_the_chosen_one() {
    let clock = ManualClock::new(Timestamp::from_unix_ms(0));
    let collage = two_people("person_a_1.jpg", "person_b_1.jpg");
    let c = consent(&clock, None);
    let err = explain(engine(), &collage, FaceChoice::Auto, &c, Timestamp::from_unix_ms(0)).unwrap_err();
    assert!(matches!(err, Error::FaceChoiceRequired { ref faces } if faces.len() == 2), "{err:?}");
    let right = explain(engine(), &collage, FaceChoice::Point(facegate::Point::new(600.0, 250.0)), &c, Timestamp::from_unix_ms(0)).unwrap();
    let (tb, _) = template_of("person_b_1.jpg");
    assert!(right.template.similarity(&tb).value() > 0.9, "the chosen face is person B's");
}

#[test]
fn expired_consent_is_refused() {
    let clock = ManualClock::new(Timestamp::from_unix_ms(0));
    let c = consent(&clock, Some(Timestamp::from_unix_ms(10_000)));
    let err = explain(engine(), &fixture("person_a_1.jpg"), FaceChoice::Auto, &c, Timestamp::from_unix_ms(20_000)).unwrap_err();
    assert!(matches!(err, Error::ConsentExpired { expired_at: 10_000 }), "{err:?}");
}

//! Rule 3: bystanders. Only the face the user selects becomes a template.

use facegate::{Error, FaceChoice, ImageInput, OperatingPoint};

use crate::common::engine as real_engine;
use crate::support::{clock, gallery, group_photo, my_consent, photo, their_consent, Counting};

const GROUP: [&str; 4] = ["person_a_2.jpg", "person_b_1.jpg", "obama.jpg", "impostor_2.jpg"];

#[test]
fn multi_face_image_without_a_choice_is_refused() {
    let c = clock();
    let mut g = gallery(&c);
    let engine = Counting::new();
    let (pixels, width, height) = group_photo(GROUP);
    let r = g.enroll(&engine, ImageInput::Rgba { pixels: &pixels, width, height }, FaceChoice::Auto, "Ana", their_consent(&c, "Ana", None));
    match r {
        Err(Error::FaceChoiceRequired { faces }) => assert_eq!(faces.len(), 4),
        other => panic!("{other:?}"),
    }
    assert_eq!(engine.calls(), (1, 1, 0), "faces detected, none embedded");
    assert!(g.list().is_empty());
}

#[test]
fn multi_face_image_with_a_choice_embeds_only_that_face() {
    let c = clock();
    let mut g = gallery(&c);
    let engine = Counting::new();
    let (pixels, width, height) = group_photo(GROUP);
    let input = ImageInput::Rgba { pixels: &pixels, width, height };
    // The user taps Jacinda Ardern's face, in the top-right tile (the page shows the boxes it
    // detected; the test finds the same box).
    let preview = real_engine().detect(&real_engine().from_rgba(&pixels, width, height).unwrap()).unwrap();
    let tap = preview.iter().map(|f| f.bbox.center()).find(|p| p.x > 400.0 && p.y < 500.0).expect("a face top right");
    let id = g.enroll(&engine, input, FaceChoice::Point(tap), "Jacinda", their_consent(&c, "Jacinda", None)).unwrap();
    let embedded = engine.embedded.borrow().clone();
    assert_eq!(embedded.len(), 1, "exactly one template computed");
    assert!(embedded[0].contains(tap), "and it is the chosen face: {:?}", embedded[0]);

    let probe = photo("person_b_2.jpg");
    let m = g.verify(&engine, ImageInput::Encoded(&probe), FaceChoice::Auto, id).unwrap();
    assert!(m.decision().unwrap().likely_same_person, "the chosen face is hers: {}", m.decision().unwrap().similarity);
    for other in ["person_a_1.jpg", "obama2.jpg"] {
        let probe = photo(other);
        let m = g.verify(&engine, ImageInput::Encoded(&probe), FaceChoice::Auto, id).unwrap();
        assert!(!m.decision().unwrap().likely_same_person, "{other}: bystanders were not enrolled");
    }
    assert_eq!(m.decision().unwrap().operating_point, OperatingPoint::Fmr1e3);

    // By index: the faces are numbered largest first, as FaceChoiceRequired lists them.
    let before = engine.calls().2;
    let Err(Error::FaceChoiceRequired { faces }) = g.enroll(&engine, input, FaceChoice::Auto, "x", my_consent(&c)) else { panic!() };
    let k = faces.iter().position(|b| b.center().x < 400.0 && b.center().y > 500.0).expect("bottom-left face");
    g.enroll(&engine, input, FaceChoice::Index(k), "bottom left", their_consent(&c, "Barack", None)).unwrap();
    assert_eq!(engine.embedded.borrow()[before..], [faces[k]]);
    assert!(matches!(g.enroll(&engine, input, FaceChoice::Index(4), "x", my_consent(&c)), Err(Error::FaceChoiceInvalid { faces: 4, .. })));
}

#[test]
fn an_image_without_a_face_enrolls_nothing() {
    let c = clock();
    let mut g = gallery(&c);
    let engine = Counting::new();
    let grey = vec![200u8; 300 * 300 * 4];
    let r = g.enroll(&engine, ImageInput::Rgba { pixels: &grey, width: 300, height: 300 }, FaceChoice::Auto, "me", my_consent(&c));
    assert!(matches!(r, Err(Error::NoFaceFound)), "{r:?}");
    assert_eq!(engine.calls().2, 0);
}

//! Rules 3, 9 and 14: matching only against consented references, probe templates never
//! returned, honest wording.

use facegate::{Error, FaceChoice, ImageInput, OperatingPoint};

use crate::support::{clock, enroll, gallery, my_consent, photo, their_consent, Counting};

#[test]
fn verify_and_identify_only_touch_consented_references() {
    let c = clock();
    let mut g = gallery(&c);
    let me = enroll(&mut g, "person_a_1.jpg", "me", my_consent(&c));
    let ana = enroll(&mut g, "person_b_1.jpg", "Ana", their_consent(&c, "Ana", None));
    let engine = Counting::new();

    let probe = photo("person_a_2.jpg");
    let same = g.verify(&engine, ImageInput::Encoded(&probe), FaceChoice::Auto, me).unwrap();
    assert!(same.decision().unwrap().likely_same_person, "{}", same.decision().unwrap().similarity);
    assert_eq!(same.wording(), "likely the same person");
    assert_eq!((same.reference, same.label.as_str(), same.false_match_rate()), (me, "me", 1e-3));
    let other = g.verify(&engine, ImageInput::Encoded(&probe), FaceChoice::Auto, ana).unwrap();
    assert_eq!(other.wording(), "likely different people");

    // 1:N among this gallery only: every candidate is one of its references.
    let probe = photo("person_b_2.jpg");
    let found = g.identify(&engine, ImageInput::Encoded(&probe), FaceChoice::Auto).unwrap();
    assert_eq!(found.best.as_ref().map(|m| m.reference), Some(ana));
    let mut ids: Vec<_> = found.candidates.iter().map(|m| m.reference).collect();
    ids.sort();
    let mut held = vec![me, ana];
    held.sort();
    assert_eq!(ids, held);

    // Someone the gallery does not hold matches nobody.
    let stranger = photo("biden.jpg");
    let found = g.identify(&engine, ImageInput::Encoded(&stranger), FaceChoice::Auto).unwrap();
    assert!(found.best.is_none(), "{:?}", found.candidates);
    assert!(found.candidates.iter().all(|m| m.wording() == "likely different people"));
}

#[test]
fn unknown_references_are_refused_before_the_probe_is_decoded() {
    let c = clock();
    let mut g = gallery(&c);
    let engine = Counting::new();
    let probe = photo("person_a_2.jpg");
    let nobody = "0123456789abcdef".parse().unwrap();
    assert!(matches!(g.verify(&engine, ImageInput::Encoded(&probe), FaceChoice::Auto, nobody), Err(Error::UnknownReference { .. })));
    assert!(matches!(g.identify(&engine, ImageInput::Encoded(&probe), FaceChoice::Auto), Err(Error::GalleryEmpty)));
    assert_eq!(engine.calls(), (0, 0, 0));
}

#[test]
fn results_never_say_identified_and_carry_no_template() {
    let c = clock();
    let mut g = gallery(&c);
    enroll(&mut g, "obama.jpg", "Barack", their_consent(&c, "Barack", None));
    let probe = photo("obama2.jpg");
    let found = g.identify(&Counting::new(), ImageInput::Encoded(&probe), FaceChoice::Auto).unwrap();
    let json = serde_json::to_value(&found).unwrap();
    let text = json.to_string();
    assert!(!text.to_lowercase().contains("identified"), "{text}");
    assert!(text.contains("likely the same person"), "{text}");
    // The only numbers are the similarity, threshold and false-match rate: no 128-value array.
    let m = &json["best"];
    let keys: Vec<_> = m.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["decision", "falseMatchRate", "label", "outcome", "reason", "reference", "wording"]);
    assert_eq!((m["outcome"].as_str(), m["reason"].is_null()), (Some("likelySamePerson"), true));
    let d: Vec<_> = m["decision"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(d, ["likelySamePerson", "operatingPoint", "similarity", "threshold"]);
}

#[test]
fn the_operating_point_is_the_gallery_s() {
    let c = clock();
    let config = facegate::GalleryConfig { operating_point: OperatingPoint::Fmr1e4, ..Default::default() };
    let mut g = facegate::Gallery::with_clock(config, c.clone()).unwrap();
    let id = enroll(&mut g, "person_a_1.jpg", "me", my_consent(&c));
    let probe = photo("person_a_2.jpg");
    let m = g.verify(&Counting::new(), ImageInput::Encoded(&probe), FaceChoice::Auto, id).unwrap();
    assert_eq!(m.decision().unwrap().operating_point, OperatingPoint::Fmr1e4);
    assert_eq!(m.decision().unwrap().threshold, OperatingPoint::Fmr1e4.threshold());
    assert_eq!(m.false_match_rate(), 1e-4);
}

//! Rule 1: consent before biometrics.

use facegate::{Clock, Error, FaceChoice, ImageInput, Purpose, Subject};

use crate::support::{clock, gallery, my_consent, photo, Counting};

#[test]
fn consent_missing_nothing_processed() {
    let c = clock();
    let mut g = gallery(&c);
    let engine = Counting::new();
    let bytes = photo("person_a_1.jpg");
    let r = g.enroll(&engine, ImageInput::Encoded(&bytes), FaceChoice::Auto, "me", None);
    assert!(matches!(r, Err(Error::ConsentRequired)), "{r:?}");
    assert_eq!(r.unwrap_err().code(), "consentRequired");
    let rgba = vec![128u8; 64 * 64 * 4];
    let r = g.enroll(&engine, ImageInput::Rgba { pixels: &rgba, width: 64, height: 64 }, FaceChoice::Index(3), "", None);
    assert!(matches!(r, Err(Error::ConsentRequired)), "consent is checked before anything else: {r:?}");
    assert_eq!(engine.calls(), (0, 0, 0), "no decoding, no detection, no template");
    assert!(g.list().is_empty());
    assert!(g.audit_log().is_empty(), "nothing happened, nothing logged");
}

#[test]
fn consent_given_enrolls_and_keeps_the_record() {
    let c = clock();
    let mut g = gallery(&c);
    let engine = Counting::new();
    let bytes = photo("person_a_1.jpg");
    let id = g.enroll(&engine, ImageInput::Encoded(&bytes), FaceChoice::Auto, "me", my_consent(&c)).unwrap();
    assert_eq!(engine.calls(), (1, 1, 1));
    let listed = g.list();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    assert_eq!(listed[0].consent.subject(), &Subject::SelfPerson);
    assert_eq!(listed[0].consent.purpose(), &Purpose::VerifyItIsMe);
    assert_eq!(listed[0].consent.given_at(), c.now());
}

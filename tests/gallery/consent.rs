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

/// docs/hostile-inputs.md finding 9: a label shown reversed (U+202E), names that look alike
/// (U+200B), in each text a user types. Refused with the character and the field named, before
/// the image is touched.
#[test]
fn bidi_and_zero_width_characters_refused_with_the_character_named() {
    let c = clock();
    let mut g = gallery(&c);
    let engine = Counting::new();
    let bytes = photo("person_a_1.jpg");
    let enroll = |g: &mut facegate::Gallery, label: &str, consent| g.enroll(&engine, ImageInput::Encoded(&bytes), FaceChoice::Auto, label, consent);
    for (label, code_point) in [("Ana\u{202E}gpj.exe", 0x202E), ("pay\u{200B}pal", 0x200B), ("\u{2066}Bob\u{2069}", 0x2066), ("Eve\u{FEFF}", 0xFEFF)] {
        let e = enroll(&mut g, label, my_consent(&c)).unwrap_err();
        assert!(matches!(e, Error::FormatCharacter { field: "label", code_point: cp, .. } if cp == code_point), "{label:?}: {e:?}");
        assert_eq!(e.code(), "formatCharacter");
        assert!(e.to_string().contains(&format!("U+{code_point:04X}")), "{e}");
    }
    let name = Subject::OtherPersonConsented { name: "Ana\u{202E}ecilA".into() };
    let e = facegate::ConsentRecord::new(name, Purpose::CompareWithConsentingPerson, "ok", None, &c).unwrap_err();
    assert!(matches!(e, Error::FormatCharacter { field: "subject", code_point: 0x202E, position: 3, .. }), "{e:?}");
    let purpose = Purpose::Other { description: "open\u{200B}the door".into() };
    let e = facegate::ConsentRecord::new(Subject::SelfPerson, purpose, "ok", None, &c).unwrap_err();
    assert!(matches!(e, Error::FormatCharacter { field: "purpose", code_point: 0x200B, .. }), "{e:?}");
    assert_eq!(engine.calls(), (0, 0, 0), "refused before the image");
    // Joiners where writing needs them stay allowed: an emoji family, a Persian word.
    enroll(&mut g, "👨\u{200D}👩\u{200D}👧", my_consent(&c)).unwrap();
    enroll(&mut g, "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}", my_consent(&c)).unwrap();
    assert_eq!(g.list().len(), 2);
}

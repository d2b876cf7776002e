//! Rules 2 and 6: the cap; withdraw = erase; expired consent erases and never matches.

use facegate::limits::HARD_MAX_REFERENCES;
use facegate::{AuditEventKind, EraseOptions, Error, FaceChoice, Gallery, GalleryConfig, ImageInput};

use crate::support::{clock, enroll, gallery, my_consent, photo, their_consent, Counting, DAY_MS};

#[test]
fn cap_enforced() {
    let c = clock();
    assert_eq!(GalleryConfig::default().max_references, 10);
    let too_big = GalleryConfig { max_references: HARD_MAX_REFERENCES + 1, ..Default::default() };
    assert!(matches!(Gallery::with_clock(too_big, c.clone()), Err(Error::InvalidConfig { field: "max_references", .. })));
    let mut g = Gallery::with_clock(GalleryConfig { max_references: 2, ..Default::default() }, c.clone()).unwrap();
    enroll(&mut g, "person_a_1.jpg", "a", my_consent(&c));
    enroll(&mut g, "person_b_1.jpg", "b", their_consent(&c, "Ana", None));
    let engine = Counting::new();
    let bytes = photo("obama.jpg");
    let r = g.enroll(&engine, ImageInput::Encoded(&bytes), FaceChoice::Auto, "c", their_consent(&c, "Barack", None));
    assert!(matches!(r, Err(Error::GalleryFull { cap: 2 })), "{r:?}");
    assert_eq!(engine.calls(), (0, 0, 0), "refused before decoding");
    assert_eq!(g.len(), 2);
}

#[test]
fn withdraw_erases_in_one_call() {
    let c = clock();
    let mut g = gallery(&c);
    let me = enroll(&mut g, "person_a_1.jpg", "me", my_consent(&c));
    let ana = enroll(&mut g, "person_b_1.jpg", "Ana", their_consent(&c, "Ana", None));
    g.withdraw(ana).unwrap();
    assert_eq!(g.list().iter().map(|r| r.id).collect::<Vec<_>>(), [me]);
    let probe = photo("person_b_2.jpg");
    assert!(matches!(g.verify(&Counting::new(), ImageInput::Encoded(&probe), FaceChoice::Auto, ana), Err(Error::UnknownReference { .. })));
    let found = g.identify(&Counting::new(), ImageInput::Encoded(&probe), FaceChoice::Auto).unwrap();
    assert!(found.best.is_none() && found.candidates.iter().all(|m| m.reference == me));
}

#[test]
fn erase_all_erases_everything_in_one_call() {
    let c = clock();
    let mut g = gallery(&c);
    enroll(&mut g, "person_a_1.jpg", "me", my_consent(&c));
    enroll(&mut g, "person_b_1.jpg", "Ana", their_consent(&c, "Ana", None));
    assert_eq!(g.erase_all(EraseOptions::default()), 2);
    assert!(g.list().is_empty());
    let probe = photo("person_b_2.jpg");
    assert!(matches!(g.identify(&Counting::new(), ImageInput::Encoded(&probe), FaceChoice::Auto), Err(Error::GalleryEmpty)));
    assert!(matches!(g.audit_log().last().unwrap().kind, AuditEventKind::Erased { references: 2 }));
    g.erase_all(EraseOptions { audit_log: true });
    assert!(g.audit_log().is_empty());
}

#[test]
fn expired_consent_erased_and_never_matches() {
    let c = clock();
    let mut g = gallery(&c);
    let ana = enroll(&mut g, "person_b_1.jpg", "Ana", their_consent(&c, "Ana", Some(30 * DAY_MS)));
    let me = enroll(&mut g, "person_a_1.jpg", "me", my_consent(&c));
    let probe = photo("person_b_2.jpg");
    let engine = Counting::new();
    assert!(g.verify(&engine, ImageInput::Encoded(&probe), FaceChoice::Auto, ana).unwrap().decision().unwrap().likely_same_person, "before expiry");

    c.advance(30 * DAY_MS);
    let before = engine.calls();
    let r = g.verify(&engine, ImageInput::Encoded(&probe), FaceChoice::Auto, ana);
    assert!(matches!(r, Err(Error::ReferenceExpired { .. })), "{r:?}");
    assert_eq!(engine.calls(), before, "erased before any comparison: the probe was not even decoded");
    let found = g.identify(&engine, ImageInput::Encoded(&probe), FaceChoice::Auto).unwrap();
    assert!(found.best.is_none(), "never matches again");
    assert_eq!(found.candidates.iter().map(|m| m.reference).collect::<Vec<_>>(), [me]);
    assert_eq!(g.list().len(), 1);
    assert!(g.audit_log().iter().any(|e| matches!(e.kind, AuditEventKind::Expired { reference } if reference == ana)));
}

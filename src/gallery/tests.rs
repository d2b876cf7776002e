//! The gallery's rules on a scripted engine (no models): what ran, what was embedded, and
//! that erased templates were overwritten before their memory was freed.

use super::stored_template::erasure_probe;
use super::testing::{face_at, FakeEngine};
use super::*;
use crate::engine::ImageInput;
use crate::error::Error;
use crate::face::{FaceChoice, Point};

const ONE_FACE: u8 = 1;
const THREE_FACES: u8 = 3;
const NO_FACE: u8 = 0;
const T0: i64 = 1_700_000_000_000;

fn engine() -> FakeEngine {
    FakeEngine::default()
        .with_scene(ONE_FACE, vec![face_at(20.0)])
        .with_scene(THREE_FACES, vec![face_at(0.0), face_at(40.0), face_at(80.0)])
        .with_scene(NO_FACE, vec![])
}

fn clock() -> ManualClock {
    ManualClock::new(Timestamp::from_unix_ms(T0))
}

fn gallery(clock: &ManualClock) -> Gallery {
    Gallery::with_clock(GalleryConfig::default(), clock.clone()).unwrap()
}

fn consent(clock: &ManualClock, expires_in_ms: Option<i64>) -> Option<ConsentRecord> {
    let expires = expires_in_ms.map(|ms| clock.now().plus_ms(ms));
    Some(ConsentRecord::new(Subject::SelfPerson, Purpose::VerifyItIsMe, "I agree to ...", expires, clock).unwrap())
}

fn scene(s: &u8) -> ImageInput<'_> {
    ImageInput::Encoded(std::slice::from_ref(s))
}

fn template_address(g: &Gallery, id: ReferenceId) -> usize {
    g.references[g.position(id).unwrap()].template.buffer_address()
}

#[test]
fn consent_missing_means_nothing_is_processed() {
    let (c, e) = (clock(), engine());
    let mut g = gallery(&c);
    // Even with a bad label and a full-looking input, consent is what is reported.
    let r = g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "", None);
    assert!(matches!(r, Err(Error::ConsentRequired)), "{r:?}");
    let rgba = [0u8; 4];
    let r = g.enroll(&e, ImageInput::Rgba { pixels: &rgba, width: 1, height: 1 }, FaceChoice::Auto, "me", None);
    assert!(matches!(r, Err(Error::ConsentRequired)));
    assert_eq!(e.calls(), (0, 0, 0), "no decoding, no detection, no template");
    assert!(g.list().is_empty() && g.audit_log().is_empty());
}

#[test]
fn expired_consent_is_refused_before_decoding() {
    let (c, e) = (clock(), engine());
    let mut g = gallery(&c);
    let old = consent(&c, Some(1_000));
    c.advance(1_000);
    assert!(matches!(g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "me", old), Err(Error::ConsentExpired { expired_at }) if expired_at == T0 + 1_000));
    let future = ConsentRecord::new(Subject::SelfPerson, Purpose::VerifyItIsMe, "ok", None, &ManualClock::new(c.now().plus_ms(3_600_000))).ok();
    assert!(matches!(g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "me", future), Err(Error::ConsentInvalid { field: "givenAt", .. })));
    assert_eq!(e.calls(), (0, 0, 0));
}

#[test]
fn bystanders_are_never_embedded() {
    let (c, e) = (clock(), engine());
    let mut g = gallery(&c);
    match g.enroll(&e, scene(&THREE_FACES), FaceChoice::Auto, "me", consent(&c, None)) {
        Err(Error::FaceChoiceRequired { faces }) => assert_eq!(faces.len(), 3),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.calls(), (1, 1, 0), "detected, but no face embedded without a choice");
    g.enroll(&e, scene(&THREE_FACES), FaceChoice::Index(1), "me", consent(&c, None)).unwrap();
    assert_eq!(*e.embedded.borrow(), vec![face_at(40.0).bbox], "only the chosen face");
    g.enroll(&e, scene(&THREE_FACES), FaceChoice::Point(Point::new(85.0, 5.0)), "me again", consent(&c, None)).unwrap();
    assert_eq!(*e.embedded.borrow(), vec![face_at(40.0).bbox, face_at(80.0).bbox]);
    assert!(matches!(g.enroll(&e, scene(&NO_FACE), FaceChoice::Auto, "x", consent(&c, None)), Err(Error::NoFaceFound)));
}

#[test]
fn the_cap_is_checked_before_the_image() {
    let (c, e) = (clock(), engine());
    let mut g = Gallery::with_clock(GalleryConfig { max_references: 2, ..Default::default() }, c.clone()).unwrap();
    for label in ["a", "b"] {
        g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, label, consent(&c, None)).unwrap();
    }
    let before = e.calls();
    assert!(matches!(g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "c", consent(&c, None)), Err(Error::GalleryFull { cap: 2 })));
    assert_eq!(e.calls(), before);
    assert!(matches!(g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "two\nlines", consent(&c, None)), Err(Error::InvalidLabel { .. })));
}

#[test]
fn withdraw_overwrites_the_template_memory() {
    let (c, e) = (clock(), engine());
    let mut g = gallery(&c);
    let id = g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "me", consent(&c, None)).unwrap();
    let address = template_address(&g, id);
    assert_eq!(erasure_probe::wiped(address), None);
    g.withdraw(id).unwrap();
    assert_eq!(erasure_probe::wiped(address), Some(true));
    assert!(g.list().is_empty());
    assert!(matches!(g.withdraw(id), Err(Error::UnknownReference { .. })));
}

#[test]
fn erase_all_overwrites_every_template_and_optionally_the_log() {
    let (c, e) = (clock(), engine());
    let mut g = gallery(&c);
    let ids: Vec<_> = (0..3).map(|i| g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, &format!("r{i}"), consent(&c, None)).unwrap()).collect();
    let addresses: Vec<_> = ids.iter().map(|&id| template_address(&g, id)).collect();
    assert_eq!(g.erase_all(EraseOptions::default()), 3);
    for a in addresses {
        assert_eq!(erasure_probe::wiped(a), Some(true));
    }
    assert!(matches!(g.audit_log().last().map(|e| &e.kind), Some(AuditEventKind::Erased { references: 3 })));
    assert_eq!(g.erase_all(EraseOptions { audit_log: true }), 0);
    assert!(g.audit_log().is_empty());
}

#[test]
fn expiry_erases_and_overwrites_on_any_call() {
    let (c, e) = (clock(), engine());
    let mut g = gallery(&c);
    let id = g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "me", consent(&c, Some(60_000))).unwrap();
    let address = template_address(&g, id);
    c.advance(59_999);
    assert_eq!(g.list().len(), 1);
    c.advance(1);
    assert_eq!(g.len(), 1, "a getter does not erase (Gallery::len takes &self)");
    assert_eq!(g.list().len(), 0, "erased at the expiry instant");
    assert_eq!(erasure_probe::wiped(address), Some(true));
    assert!(matches!(g.audit_log().last().map(|e| &e.kind), Some(AuditEventKind::Expired { reference }) if *reference == id));
}

#[test]
fn a_reference_expiring_while_the_probe_is_computed_is_never_compared() {
    let c = clock();
    let mut e = engine();
    let mut g = gallery(&c);
    let id = g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "me", consent(&c, Some(1_000))).unwrap();
    let ticking = c.clone();
    e.on_embed = Some(Box::new(move || ticking.advance(5_000)));
    let r = g.verify(&e, scene(&ONE_FACE), FaceChoice::Auto, id);
    assert!(matches!(r, Err(Error::ReferenceExpired { expired_at, .. }) if expired_at == T0 + 1_000), "{r:?}");
    assert!(!g.audit_log().iter().any(|ev| matches!(ev.kind, AuditEventKind::Compared { .. })));
    assert!(matches!(g.verify(&e, scene(&ONE_FACE), FaceChoice::Auto, id), Err(Error::UnknownReference { .. })));
}

#[test]
fn verify_looks_up_the_reference_before_decoding_the_probe() {
    let (c, e) = (clock(), engine());
    let mut g = gallery(&c);
    let unknown: ReferenceId = "0123456789abcdef".parse().unwrap();
    assert!(matches!(g.verify(&e, scene(&ONE_FACE), FaceChoice::Auto, unknown), Err(Error::UnknownReference { .. })));
    assert!(matches!(g.identify(&e, scene(&ONE_FACE), FaceChoice::Auto), Err(Error::GalleryEmpty)));
    assert_eq!(e.calls(), (0, 0, 0));
}

#[test]
fn identify_compares_with_every_reference_and_logs_each() {
    let (c, e) = (clock(), engine());
    let mut g = gallery(&c);
    let id20 = g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "twenty", consent(&c, None)).unwrap();
    let id80 = g.enroll(&e, scene(&THREE_FACES), FaceChoice::Index(2), "eighty", consent(&c, None)).unwrap();
    let r = g.identify(&e, scene(&ONE_FACE), FaceChoice::Auto).unwrap();
    assert_eq!(r.best.as_ref().map(|m| m.reference), Some(id20));
    assert_eq!(r.candidates.iter().map(|m| m.reference).collect::<Vec<_>>(), vec![id20, id80]);
    let compared = g.audit_log().iter().filter(|ev| matches!(ev.kind, AuditEventKind::Compared { mode: ComparisonMode::Identify, .. })).count();
    assert_eq!(compared, 2);
}

// ---------------------------------------------------------------------------------------------
// The teaching view: consent, cap, audit, held templates wiped on release, replacement, erasure
// and time; expiry in an idle session.

fn teaching_gallery(clock: &ManualClock, max_explanations: u32) -> Gallery {
    let teaching = TeachingConfig { max_explanations, hold_ms: 60_000 };
    Gallery::with_clock(GalleryConfig { teaching, ..Default::default() }, clock.clone()).unwrap()
}

fn explained(g: &mut Gallery, e: &FakeEngine, c: &ManualClock, s: &u8, choice: FaceChoice) -> Explanation {
    g.explain(e, scene(s), choice, consent(c, None)).unwrap()
}

#[test]
fn explain_needs_consent_then_the_teaching_view_then_the_cap_before_the_image() {
    let (c, e) = (clock(), engine());
    let mut off = gallery(&c);
    assert!(matches!(off.explain(&e, scene(&ONE_FACE), FaceChoice::Auto, None), Err(Error::ConsentRequired)));
    assert!(matches!(off.explain(&e, scene(&ONE_FACE), FaceChoice::Auto, consent(&c, None)), Err(Error::TeachingDisabled)));
    let mut g = teaching_gallery(&c, 2);
    let old = consent(&c, Some(10));
    c.advance(10);
    assert!(matches!(g.explain(&e, scene(&ONE_FACE), FaceChoice::Auto, old), Err(Error::ConsentExpired { .. })));
    assert_eq!(e.calls(), (0, 0, 0), "nothing decoded before these checks");
    explained(&mut g, &e, &c, &ONE_FACE, FaceChoice::Auto);
    explained(&mut g, &e, &c, &ONE_FACE, FaceChoice::Auto);
    let before = e.calls();
    assert!(matches!(g.explain(&e, scene(&ONE_FACE), FaceChoice::Auto, consent(&c, None)), Err(Error::ExplanationCapReached { cap: 2 })));
    assert_eq!(e.calls(), before, "the cap is checked before the image");
    assert_eq!(g.explanations_left(), 0);
}

#[test]
fn explain_shows_a_picture_not_the_template_and_logs_each_call() {
    let (c, e) = (clock(), engine());
    let mut g = teaching_gallery(&c, 20);
    let x = explained(&mut g, &e, &c, &THREE_FACES, FaceChoice::Index(1));
    assert_eq!(*e.embedded.borrow(), vec![face_at(40.0).bbox], "only the chosen face");
    // The fake engine's template of the face at x = 40 is 0.6 at 40 and 0.8 at 41.
    assert_eq!((x.strip.0[40], x.strip.0[41]), (95, 127));
    assert_eq!(x.printed, [0.0; 5]);
    assert_eq!((x.explanations_left, x.held_until), (19, c.now().plus_ms(60_000)));
    assert!(g.list().is_empty(), "nothing enrolled");
    let log = g.audit_log();
    assert!(
        matches!(log, [AuditEvent { kind: AuditEventKind::Explained { explanation, subject: SubjectKind::SelfPerson }, .. }] if *explanation == x.id),
        "{log:?}"
    );
}

#[test]
fn the_cosine_of_two_explained_faces_step_by_step() {
    let (c, e) = (clock(), engine());
    let mut g = teaching_gallery(&c, 20);
    let a = explained(&mut g, &e, &c, &ONE_FACE, FaceChoice::Auto);
    let b = explained(&mut g, &e, &c, &THREE_FACES, FaceChoice::Index(0));
    let s = g.compare_explained(a.id, b.id).unwrap();
    assert_eq!(s.cosine, 0.0, "faces at 20 and 0: orthogonal");
    let same = g.compare_explained(a.id, a.id).unwrap();
    assert!((same.cosine - 1.0).abs() < 1e-6);
    assert_eq!((same.length_a, same.dot), (1.0, 1.0));
    assert!(matches!(g.audit_log().last().map(|ev| &ev.kind), Some(AuditEventKind::ExplanationsCompared { .. })));
}

#[test]
fn held_templates_are_wiped_on_release_replacement_erasure_and_time() {
    let (c, e) = (clock(), engine());
    let mut g = teaching_gallery(&c, 20);
    let a = explained(&mut g, &e, &c, &ONE_FACE, FaceChoice::Auto);
    let address = g.teaching.buffer_address(a.id);
    g.release_explanation(a.id).unwrap();
    assert_eq!(erasure_probe::wiped(address), Some(true), "released");
    assert!(matches!(g.compare_explained(a.id, a.id), Err(Error::UnknownExplanation { .. })));

    let a = explained(&mut g, &e, &c, &ONE_FACE, FaceChoice::Auto);
    let b = explained(&mut g, &e, &c, &ONE_FACE, FaceChoice::Auto);
    g.compare_explained(b.id, b.id).unwrap(); // b used last
    let address = g.teaching.buffer_address(a.id);
    let third = explained(&mut g, &e, &c, &ONE_FACE, FaceChoice::Auto);
    assert_eq!(erasure_probe::wiped(address), Some(true), "the least recently used was replaced");
    assert_eq!(g.teaching.held_count(), MAX_HELD_EXPLANATIONS);
    assert!(g.compare_explained(b.id, third.id).is_ok());

    let addresses = [g.teaching.buffer_address(b.id), g.teaching.buffer_address(third.id)];
    g.erase_all(EraseOptions::default());
    assert!(addresses.iter().all(|&a| erasure_probe::wiped(a) == Some(true)), "erase_all");

    let d = explained(&mut g, &e, &c, &ONE_FACE, FaceChoice::Auto);
    assert_eq!(g.next_expiry(), Some(d.held_until));
    let address = g.teaching.buffer_address(d.id);
    c.advance(59_999);
    assert!(g.expire_due().is_empty() && g.teaching.held_count() == 1);
    c.advance(1);
    assert!(g.expire_due().is_empty(), "no reference expired");
    assert_eq!(erasure_probe::wiped(address), Some(true), "timed out");
    assert_eq!(g.next_expiry(), None);
}

#[test]
fn an_idle_gallery_erases_at_the_next_expiry_on_a_controlled_clock() {
    let (c, e) = (clock(), engine());
    let mut g = gallery(&c);
    assert_eq!(g.next_expiry(), None);
    let soon = g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "soon", consent(&c, Some(5_000))).unwrap();
    let later = g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "later", consent(&c, Some(9_000))).unwrap();
    g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "never", consent(&c, None)).unwrap();
    assert_eq!(g.next_expiry(), Some(Timestamp::from_unix_ms(T0 + 5_000)));
    let revision = g.revision();
    let address = template_address(&g, soon);
    c.advance(4_999);
    assert!(g.expire_due().is_empty());
    assert_eq!(g.revision(), revision);
    c.advance(1);
    assert_eq!(g.expire_due(), vec![soon], "erased at its time, with no other call");
    assert_eq!(erasure_probe::wiped(address), Some(true));
    assert!(g.revision() > revision, "the change is visible");
    assert!(matches!(g.audit_log().last().map(|ev| &ev.kind), Some(AuditEventKind::Expired { reference }) if *reference == soon));
    assert_eq!(g.next_expiry(), Some(Timestamp::from_unix_ms(T0 + 9_000)));
    c.advance(10_000);
    assert_eq!(g.expire_due(), vec![later]);
    assert_eq!(g.next_expiry(), None);
    assert_eq!(g.len(), 1);
}

#[test]
fn a_session_carries_its_log_and_teaching_count_over_a_restart() {
    let (c, e) = (clock(), engine());
    let mut g = teaching_gallery(&c, 3);
    explained(&mut g, &e, &c, &ONE_FACE, FaceChoice::Auto);
    explained(&mut g, &e, &c, &ONE_FACE, FaceChoice::Auto);
    g.enroll(&e, scene(&ONE_FACE), FaceChoice::Auto, "me", consent(&c, None)).unwrap();
    g.erase_all(EraseOptions::default());
    let history = g.history();
    assert_eq!(history.explanations_used, 2);
    let json = serde_json::to_string(&history).unwrap();
    assert!(!json.contains("\"me\"") && json.contains("explained"), "{json}");
    let mut next = teaching_gallery(&c, 3);
    next.resume(serde_json::from_str(&json).unwrap());
    assert_eq!(next.audit_log(), g.audit_log());
    assert_eq!(next.explanations_left(), 1, "a restart does not reset the cap");
}

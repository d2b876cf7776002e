//! The audit log the user owns: the right events, no biometric data.

use facegate::{AuditEventKind, EraseOptions, FaceChoice, ImageInput};
use serde_json::Value;

use crate::support::{clock, enroll, gallery, my_consent, photo, their_consent, Counting, DAY_MS};

fn names(log: &[facegate::AuditEvent]) -> Vec<String> {
    log.iter().map(|e| serde_json::to_value(e).unwrap()["event"].as_str().unwrap().to_string()).collect()
}

#[test]
fn audit_log_has_the_right_events_and_no_biometric_data() {
    let c = clock();
    let mut g = gallery(&c);
    let me = enroll(&mut g, "person_a_1.jpg", "Maëlle", my_consent(&c));
    let ana = enroll(&mut g, "person_b_1.jpg", "Ana Example", their_consent(&c, "Ana Example", Some(DAY_MS)));
    let probe = photo("person_a_2.jpg");
    c.advance(1_000);
    g.verify(&Counting::new(), ImageInput::Encoded(&probe), FaceChoice::Auto, me).unwrap();
    g.identify(&Counting::new(), ImageInput::Encoded(&probe), FaceChoice::Auto).unwrap();
    let bob = enroll(&mut g, "obama.jpg", "Bob", their_consent(&c, "Bob", None));
    g.withdraw(bob).unwrap();
    c.advance(DAY_MS);
    let file = g.export("correct horse battery staple").unwrap();
    let mut other = gallery(&c);
    other.import(&file, "correct horse battery staple").unwrap();
    g.erase_all(EraseOptions::default());

    let log = g.audit_log().to_vec();
    assert_eq!(
        names(&log),
        [
            "consentGiven",
            "enrolled",
            "consentGiven",
            "enrolled",
            "compared",
            "compared",
            "compared",
            "consentGiven",
            "enrolled",
            "withdrawn",
            "expired",
            "exported",
            "erased"
        ]
    );
    assert!(matches!(log[4].kind, AuditEventKind::Compared { reference, likely_same_person: true, .. } if reference == me));
    assert!(matches!(log[10].kind, AuditEventKind::Expired { reference } if reference == ana));
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at), "in time order");
    assert_eq!(names(other.audit_log()).last().unwrap(), "imported");

    // No biometric data, no labels or names: only times, ids, decisions and counts.
    let json = serde_json::to_value(&log).unwrap();
    let text = json.to_string();
    for word in ["Maëlle", "Ana", "Bob", "similarity", "template", "score", "threshold"] {
        assert!(!text.contains(word), "{word} in {text}");
    }
    for event in json.as_array().unwrap() {
        for (key, value) in event.as_object().unwrap() {
            match value {
                Value::Number(n) => assert!(n.is_i64() || n.is_u64(), "{key}: only whole numbers (times, counts)"),
                Value::String(_) | Value::Bool(_) => {}
                other => panic!("{key}: unexpected {other}"),
            }
        }
    }
}

#[test]
fn audit_log_is_erased_when_asked() {
    let c = clock();
    let mut g = gallery(&c);
    enroll(&mut g, "person_a_1.jpg", "me", my_consent(&c));
    assert_eq!(g.erase_all(EraseOptions { audit_log: true }), 1);
    assert!(g.audit_log().is_empty());
    assert!(g.list().is_empty());
}

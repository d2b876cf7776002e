//! Rule 7: access. `list()` shows everything held, except the templates themselves.

use facegate::Clock;
use serde_json::Value;

use crate::support::{clock, enroll, gallery, my_consent, their_consent, DAY_MS};

fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn has_array(v: &Value) -> bool {
    match v {
        Value::Array(_) => true,
        Value::Object(m) => m.values().any(has_array),
        _ => false,
    }
}

#[test]
fn list_never_exposes_templates() {
    let c = clock();
    let mut g = gallery(&c);
    enroll(&mut g, "person_a_1.jpg", "me", my_consent(&c));
    c.advance(5_000);
    enroll(&mut g, "person_b_1.jpg", "Ana", their_consent(&c, "Ana", Some(DAY_MS)));
    let listed = g.list();
    assert_eq!(listed.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(), ["me", "Ana"]);
    assert!(listed.iter().all(|r| r.template_bytes == 512));
    assert_eq!(listed[1].created_at, c.now());
    assert_eq!(listed[1].consent.expires_at(), Some(c.now().plus_ms(DAY_MS)));

    let json = serde_json::to_value(&listed).unwrap();
    for r in json.as_array().unwrap() {
        assert_eq!(keys(r), ["consent", "createdAt", "id", "label", "templateBytes"]);
        assert_eq!(keys(&r["consent"]), ["expiresAt", "givenAt", "purpose", "subject", "textSha256"]);
        assert!(!has_array(r), "no array of values anywhere: {r}");
        assert_eq!(r["consent"]["textSha256"].as_str().unwrap().len(), 64);
    }
    assert_eq!(json[1]["consent"]["subject"], serde_json::json!({"kind": "otherPersonConsented", "name": "Ana"}));
}

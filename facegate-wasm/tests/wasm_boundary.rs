//! The wasm boundary in a real browser (headless Chromium through wasm-bindgen-test-runner):
//! `bash scripts/test.sh` runs it; alone:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver \
//!  cargo test --release -p facegate-wasm --target wasm32-unknown-unknown --test wasm_boundary`
#![cfg(target_arch = "wasm32")]

use facegate_wasm::FaceGateCore;
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const DETECTOR: &[u8] = include_bytes!("../../models/face_detection_yunet_2023mar_int8bq.onnx");
const RECOGNIZER: &[u8] = include_bytes!("../../models/face_recognition_sface_2021dec_int8bq.onnx");
const B1: &[u8] = include_bytes!("../../tests/fixtures/person_b_1.jpg");
const B2: &[u8] = include_bytes!("../../tests/fixtures/person_b_2.jpg");
const OTHER: &[u8] = include_bytes!("../../tests/fixtures/impostor_2.jpg");

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn encoded(bytes: &[u8]) -> JsValue {
    obj(&[("encoded", Uint8Array::from(bytes).into())])
}

fn consent() -> JsValue {
    obj(&[
        ("subject", "self".into()),
        ("purpose", "verifyItIsMe".into()),
        ("consentText", "I agree that facegate turns this photo into a template on this device.".into()),
    ])
}

fn code_of(e: wasm_bindgen::JsError) -> String {
    let v: JsValue = e.into();
    get(&v, "code").as_string().unwrap_or_default()
}

fn core() -> FaceGateCore {
    FaceGateCore::new(DETECTOR, RECOGNIZER, JsValue::UNDEFINED).map_err(|e| code_of(e)).expect("core loads")
}

#[wasm_bindgen_test]
fn load_detect_enroll_verify_erase() {
    let mut core = core();
    let found = core.detect(encoded(B1), JsValue::UNDEFINED).map_err(code_of).unwrap();
    assert_eq!(Reflect::get(&get(&found, "faces"), &"length".into()).unwrap().as_f64(), Some(1.0));

    let refused = core.enroll(encoded(B1), obj(&[("label", "me".into())])).map_err(code_of).unwrap_err();
    assert_eq!(refused, "consentRequired");

    let enrolled = core.enroll(encoded(B1), obj(&[("label", "me".into()), ("consent", consent())])).map_err(code_of).unwrap();
    let id = get(&enrolled, "referenceId");
    assert!(id.is_string());

    let same = core.verify(encoded(B2), obj(&[("referenceId", id.clone())])).map_err(code_of).unwrap();
    assert_eq!(get(&same, "likelySamePerson").as_bool(), Some(true));
    assert_eq!(get(&same, "wording").as_string().as_deref(), Some("likely the same person"));
    let other = core.verify(encoded(OTHER), obj(&[("referenceId", id.clone())])).map_err(code_of).unwrap();
    assert_eq!(get(&other, "likelySamePerson").as_bool(), Some(false));

    core.erase_all(JsValue::UNDEFINED).map_err(code_of).unwrap();
    let list = core.list().map_err(code_of).unwrap();
    assert_eq!(list.dyn_ref::<js_sys::Array>().map(|a| a.length()), Some(0));
    let gone = core.verify(encoded(B2), obj(&[("referenceId", id)])).map_err(code_of).unwrap_err();
    assert_eq!(gone, "unknownReference");
}

#[wasm_bindgen_test]
fn a_kept_detection_serves_the_next_call_once_without_detecting_again() {
    let mut core = core();
    let enrolled = core.enroll(encoded(B1), obj(&[("label", "me".into()), ("consent", consent())])).map_err(code_of).unwrap();
    let id = get(&enrolled, "referenceId");
    assert_eq!(core.detections_run(), 1);
    let found = core.detect(encoded(B2), obj(&[("keep", true.into())])).map_err(code_of).unwrap();
    let handle = get(&found, "detection");
    assert!(handle.is_string() && get(&found, "keptUntil").as_f64().is_some());
    assert!(get(&core.detect(encoded(B2), JsValue::UNDEFINED).map_err(code_of).unwrap(), "detection").is_undefined(), "kept only when asked");
    assert_eq!(core.detections_run(), 3);
    let kept = || obj(&[("detection", handle.clone())]);
    let same = core.verify(kept(), obj(&[("referenceId", id.clone()), ("face", 0.into())])).map_err(code_of).unwrap();
    assert_eq!(get(&same, "likelySamePerson").as_bool(), Some(true));
    assert_eq!(core.detections_run(), 3, "the kept detection was used: no detection");
    // Used once, then wiped; a malformed or mixed argument is refused with a code.
    assert_eq!(core.verify(kept(), obj(&[("referenceId", id.clone())])).map_err(code_of).unwrap_err(), "unknownDetection");
    assert_eq!(core.verify(obj(&[("detection", "nope".into())]), obj(&[("referenceId", id.clone())])).map_err(code_of).unwrap_err(), "unknownDetection");
    let mixed = obj(&[("detection", handle.clone()), ("encoded", Uint8Array::from(B2).into())]);
    assert_eq!(core.verify(mixed, obj(&[("referenceId", id.clone())])).map_err(code_of).unwrap_err(), "invalidInput");
    // eraseAll wipes kept detections too.
    let again = get(&core.detect(encoded(B2), obj(&[("keep", true.into())])).map_err(code_of).unwrap(), "detection");
    assert!(core.next_expiry().is_some());
    core.erase_all(JsValue::UNDEFINED).map_err(code_of).unwrap();
    let code = core.identify(obj(&[("detection", again)]), JsValue::UNDEFINED).map_err(code_of).unwrap_err();
    assert_eq!(code, "unknownDetection");
}

/// Enrols B1 with `consent` (in `options.consent`), or returns the error code.
fn enrol_with(core: &mut FaceGateCore, consent: JsValue) -> Result<JsValue, String> {
    core.enroll(encoded(B1), obj(&[("label", "me".into()), ("consent", consent)])).map_err(code_of)
}

#[wasm_bindgen_test]
fn consent_goes_in_as_list_gives_it_back_and_a_stray_field_is_refused() {
    // Through serde-wasm-bindgen, not serde_json: untagged and tagged enums read JS objects
    // their own way, so the shapes are checked here as well as in dto.rs's unit tests.
    let mut core = core();
    let text: JsValue = "I agree that facegate turns this photo into a template on this device.".into();
    let shaped = |subject: JsValue, purpose: JsValue| obj(&[("subject", subject), ("purpose", purpose), ("consentText", text.clone())]);
    let kind = |k: &str| obj(&[("kind", k.into())]);

    let other = obj(&[("kind", "otherPersonConsented".into()), ("name", "Bo".into())]);
    enrol_with(&mut core, shaped(other, kind("compareWithConsentingPerson"))).unwrap();
    let listed = js_sys::Array::from(&core.list().map_err(code_of).unwrap());
    let record = get(&get(&listed.get(0), "consent"), "subject");
    assert_eq!(get(&record, "kind").as_string().as_deref(), Some("otherPersonConsented"));
    assert_eq!(get(&record, "name").as_string().as_deref(), Some("Bo"));
    let purpose = get(&get(&listed.get(0), "consent"), "purpose");
    assert_eq!(get(&purpose, "kind").as_string().as_deref(), Some("compareWithConsentingPerson"));

    // What list() gave back is accepted as it is.
    enrol_with(&mut core, shaped(record, purpose)).unwrap();
    let described = obj(&[("kind", "other".into()), ("description", "a class exercise".into())]);
    enrol_with(&mut core, shaped(kind("selfPerson"), described)).unwrap();
    assert_eq!(js_sys::Array::from(&core.list().map_err(code_of).unwrap()).length(), 3);

    // A shape that is no subject or purpose at all (a stray field, an unknown kind, a missing
    // name or description) is refused as bad options; a word that is no subject, as a bad
    // consent. Either way nothing is enrolled.
    let stray = obj(&[("kind", "selfPerson".into()), ("otherPerson", "Bo".into())]);
    let refused = [
        (stray, kind("verifyItIsMe"), "invalidInput"),
        (kind("someone"), kind("verifyItIsMe"), "invalidInput"),
        (kind("otherPersonConsented"), kind("verifyItIsMe"), "invalidInput"),
        (kind("selfPerson"), kind("other"), "invalidInput"),
        ("someone".into(), kind("verifyItIsMe"), "consentInvalid"),
    ];
    for (subject, purpose, code) in refused {
        assert_eq!(enrol_with(&mut core, shaped(subject, purpose)).unwrap_err(), code);
    }
    assert_eq!(js_sys::Array::from(&core.list().map_err(code_of).unwrap()).length(), 3);
}

#[wasm_bindgen_test]
fn tampered_model_is_refused_with_a_code() {
    let mut bad = RECOGNIZER.to_vec();
    bad[500] ^= 1;
    let code = FaceGateCore::new(DETECTOR, &bad, JsValue::UNDEFINED).map(|_| ()).map_err(code_of).unwrap_err();
    assert_eq!(code, "modelIntegrity");
}

#[wasm_bindgen_test]
fn bad_options_and_images_are_typed_errors() {
    let code = FaceGateCore::new(DETECTOR, RECOGNIZER, obj(&[("detector", obj(&[("inputSize", 100.into())]))])).map(|_| ()).map_err(code_of).unwrap_err();
    assert_eq!(code, "invalidConfig");
    let mut core = core();
    let rgba = obj(&[("rgba", Uint8Array::from(&[0u8; 7][..]).into()), ("width", 2.into()), ("height", 1.into())]);
    assert_eq!(core.detect(rgba, JsValue::UNDEFINED).map_err(code_of).unwrap_err(), "pixelBufferMismatch");
    assert_eq!(core.detect(obj(&[]), JsValue::UNDEFINED).map_err(code_of).unwrap_err(), "invalidInput");
    assert_eq!(core.detect(encoded(b"not an image"), JsValue::UNDEFINED).map_err(code_of).unwrap_err(), "unsupportedFormat");
}

#[wasm_bindgen_test]
fn explain_is_off_unless_turned_on_needs_consent_and_returns_no_template() {
    let mut plain = core();
    assert_eq!(plain.explain(encoded(B1), obj(&[("consent", consent())])).map_err(code_of).unwrap_err(), "teachingDisabled");
    let mut core = FaceGateCore::new(DETECTOR, RECOGNIZER, obj(&[("teaching", obj(&[("maxExplanations", 2.into())]))])).map_err(code_of).unwrap();
    assert_eq!(core.explain(encoded(B1), obj(&[])).map_err(code_of).unwrap_err(), "consentRequired");
    let a = core.explain(encoded(B1), obj(&[("consent", consent())])).map_err(code_of).unwrap();
    assert_eq!(get(&a, "chosen").as_f64(), Some(0.0));
    assert_eq!(get(&a, "templateBytes").as_f64(), Some(512.0));
    assert!(get(&a, "template").is_undefined(), "no template crosses");
    let strip: Vec<f64> = js_sys::Array::from(&get(&a, "strip")).iter().filter_map(|v| v.as_f64()).collect();
    assert_eq!(strip.len(), 128);
    assert!(strip.iter().all(|v| v.fract() == 0.0 && v.abs() <= 127.0), "a picture: whole numbers, -127..127");
    assert_eq!(js_sys::Array::from(&get(&a, "printed")).length(), 5);
    assert_eq!(js_sys::Array::from(&get(&a, "alignedRgba")).length(), 112 * 112 * 4);
    let b = core.explain(encoded(B2), obj(&[("consent", consent())])).map_err(code_of).unwrap();
    let steps = core.compare_explained(obj(&[("a", get(&a, "explanation")), ("b", get(&b, "explanation"))])).map_err(code_of).unwrap();
    assert!(get(&steps, "cosine").as_f64().unwrap() > 0.366, "the same person");
    assert_eq!(core.explain(encoded(B1), obj(&[("consent", consent())])).map_err(code_of).unwrap_err(), "explanationCapReached");
    // Nothing enrolled; two `explained` events and one comparison logged.
    assert_eq!(core.list().map_err(code_of).unwrap().dyn_ref::<js_sys::Array>().map(|a| a.length()), Some(0));
    let log = js_sys::Array::from(&core.audit_log().map_err(code_of).unwrap());
    let kinds: Vec<String> = log.iter().filter_map(|e| get(&e, "event").as_string()).collect();
    assert_eq!(kinds, ["explained", "explained", "explanationsCompared"]);
    core.release_explanation(&get(&a, "explanation").as_string().unwrap()).map_err(code_of).unwrap();
    let gone = core.compare_explained(obj(&[("a", get(&a, "explanation")), ("b", get(&b, "explanation"))])).map_err(code_of).unwrap_err();
    assert_eq!(gone, "unknownExplanation");
}

#[wasm_bindgen_test]
fn probe_image_checks_bytes_and_sizes_before_any_decoding() {
    let mut core = core();
    let info = core.probe_image(Uint8Array::from(B1).into()).map_err(code_of).unwrap();
    let found = core.detect(encoded(B1), JsValue::UNDEFINED).map_err(code_of).unwrap();
    assert_eq!(get(&info, "format").as_string().as_deref(), Some("jpeg"));
    assert_eq!((get(&info, "width").as_f64(), get(&info, "height").as_f64()), (get(&found, "width").as_f64(), get(&found, "height").as_f64()));
    let size = |w: u32, h: u32| obj(&[("width", w.into()), ("height", h.into())]);
    let ok = core.probe_image(size(16384, 3051)).map_err(code_of).unwrap();
    assert!(get(&ok, "format").is_null());
    assert_eq!(core.probe_image(size(16385, 8)).map_err(code_of).unwrap_err(), "imageTooLarge");
    assert_eq!(core.probe_image(size(16384, 3052)).map_err(code_of).unwrap_err(), "imageTooLarge");
    assert_eq!(core.probe_image(size(0, 8)).map_err(code_of).unwrap_err(), "imageHasNoPixels");
    assert_eq!(core.probe_image(obj(&[("width", "wide".into())])).map_err(code_of).unwrap_err(), "invalidInput");
    assert_eq!(core.probe_image(Uint8Array::new_with_length(0).into()).map_err(code_of).unwrap_err(), "emptyImage");
    // 50 MiB + 1 byte: refused on its length, before a byte is copied into wasm memory.
    let huge = Uint8Array::new_with_length(50 * 1024 * 1024 + 1);
    let before = wasm_bindgen::memory().dyn_into::<js_sys::WebAssembly::Memory>().unwrap().buffer().dyn_into::<js_sys::ArrayBuffer>().unwrap().byte_length();
    assert_eq!(core.probe_image(huge.into()).map_err(code_of).unwrap_err(), "encodedTooLarge");
    let after = wasm_bindgen::memory().dyn_into::<js_sys::WebAssembly::Memory>().unwrap().buffer().dyn_into::<js_sys::ArrayBuffer>().unwrap().byte_length();
    assert_eq!(after, before, "wasm memory grew");
}

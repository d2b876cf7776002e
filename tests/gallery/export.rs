//! Rules 5 and 7: export is opt-in, encrypted under a passphrase, versioned; import refuses
//! anything but an intact file opened with the right passphrase.

use facegate::{generate_passphrase, Clock, Error, FaceChoice, Gallery, GalleryConfig, ImageInput, ImportReport, ManualClock, EXPORT_FORMAT_VERSION};
use sha2::{Digest, Sha256};

use crate::support::{clock, enroll, gallery, my_consent, photo, their_consent, Counting, DAY_MS};

const PASS: &str = "correct horse battery staple";
use facegate::export_layout::{self as layout, HEADER_LEN};

/// A gallery of three references (one expiring in 10 days) with one comparison logged.
fn sample(c: &ManualClock) -> Gallery {
    let mut g = gallery(c);
    let me = enroll(&mut g, "person_a_1.jpg", "me", my_consent(c));
    enroll(&mut g, "person_b_1.jpg", "Ana", their_consent(c, "Ana", Some(10 * DAY_MS)));
    enroll(&mut g, "obama.jpg", "Barack", their_consent(c, "Barack", None));
    let probe = photo("person_a_2.jpg");
    g.verify(&Counting::new(), ImageInput::Encoded(&probe), FaceChoice::Auto, me).unwrap();
    g
}

/// Rewrites the header checksum after a deliberate change, as a forger would.
fn fix_checksum(file: &mut [u8]) {
    let sum = Sha256::digest(&file[layout::CHECKED]);
    file[layout::CHECKSUM].copy_from_slice(&sum[..16]);
}

fn import_err(file: &[u8], pass: &str) -> Error {
    let c = clock();
    let mut g = gallery(&c);
    let e = g.import(file, pass).unwrap_err();
    assert!(g.list().is_empty() && g.audit_log().is_empty(), "nothing imported, nothing changed");
    e
}

#[test]
fn export_import_round_trip_equals_original() {
    let c = clock();
    let mut original = sample(&c);
    let file = original.export(PASS).unwrap();
    assert_eq!(&file[..10], b"FACEGATE\x02\x00");

    let mut restored = gallery(&c);
    let report = restored.import(&file, PASS).unwrap();
    assert_eq!(report, ImportReport { added: 3, already_present: 0, expired_erased: 0, texts_repaired: 0 });
    assert_eq!(restored.list(), original.list(), "ids, labels, times, consent records");

    // The audit log travels too: what it held when exported, then the import.
    let original_log = original.audit_log().to_vec();
    let (exported, last) = original_log.split_at(original_log.len() - 1);
    assert!(matches!(last[0].kind, facegate::AuditEventKind::Exported { references: 3 }));
    let restored_log = restored.audit_log().to_vec();
    assert_eq!(&restored_log[..exported.len()], exported);
    assert!(matches!(
        restored_log[exported.len()..],
        [facegate::AuditEvent { kind: facegate::AuditEventKind::Imported { references: 3, expired_erased: 0 }, .. }]
    ));

    // The templates are the same bit for bit: every comparison gives the same similarity.
    for probe in ["person_a_2.jpg", "person_b_2.jpg", "obama2.jpg"] {
        let bytes = photo(probe);
        let a = original.identify(&Counting::new(), ImageInput::Encoded(&bytes), FaceChoice::Auto).unwrap();
        let b = restored.identify(&Counting::new(), ImageInput::Encoded(&bytes), FaceChoice::Auto).unwrap();
        assert_eq!(a, b, "{probe}");
    }
}

#[test]
fn wrong_passphrase_refused() {
    let c = clock();
    let file = sample(&c).export(PASS).unwrap();
    assert!(matches!(import_err(&file, "correct horse battery stapler"), Error::ExportWrongPassphrase));
    assert!(matches!(import_err(&file, ""), Error::ExportWrongPassphrase));
}

#[test]
fn flipped_byte_refused() {
    let c = clock();
    let file = sample(&c).export(PASS).unwrap();
    // Every header byte: refused before the (slow) key derivation, each with its error.
    for i in 0..HEADER_LEN {
        let mut bad = file.clone();
        bad[i] ^= 0x01;
        let e = import_err(&bad, PASS);
        let expected = match i {
            0..=7 => matches!(e, Error::ExportNotRecognized),
            8..=9 => matches!(e, Error::ExportUnsupportedVersion { .. }),
            _ => matches!(e, Error::ExportTampered { part: "header" }),
        };
        assert!(expected, "byte {i}: {e:?}");
    }
    // Body bytes (ciphertext and tag), sampled across the file: authentication fails.
    let body = file.len() - HEADER_LEN;
    for k in 0..12 {
        let i = HEADER_LEN + k * (body - 1) / 11;
        let mut bad = file.clone();
        bad[i] ^= 0x80;
        assert!(matches!(import_err(&bad, PASS), Error::ExportTampered { part: "body" }), "byte {i}");
    }
    // A forger who rewrites the header and its checksum is caught by the AEAD or the key check.
    let mut forged = file.clone();
    forged[30] ^= 1; // salt
    fix_checksum(&mut forged);
    assert!(matches!(import_err(&forged, PASS), Error::ExportWrongPassphrase));
    let mut forged = file.clone();
    forged[40] ^= 1; // nonce
    fix_checksum(&mut forged);
    assert!(matches!(import_err(&forged, PASS), Error::ExportTampered { part: "body" }));
}

#[test]
fn truncated_file_refused() {
    let c = clock();
    let file = sample(&c).export(PASS).unwrap();
    let n = file.len() as u64;
    assert!(matches!(import_err(&[], PASS), Error::ExportNotRecognized));
    for cut in [4usize, 9, 50, 97] {
        assert!(matches!(import_err(&file[..cut], PASS), Error::ExportTruncated { expected: 98, .. }), "cut at {cut}");
    }
    for cut in [98usize, 500, file.len() - 1] {
        let e = import_err(&file[..cut], PASS);
        assert!(matches!(e, Error::ExportTruncated { expected, actual } if expected == n && actual == cut as u64), "cut at {cut}: {e:?}");
    }
    let mut longer = file.clone();
    longer.extend_from_slice(b"extra");
    assert!(matches!(import_err(&longer, PASS), Error::ExportTampered { part: "trailing bytes" }));
}

#[test]
fn future_version_refused() {
    let c = clock();
    let mut file = sample(&c).export(PASS).unwrap();
    file[8..10].copy_from_slice(&(EXPORT_FORMAT_VERSION + 1).to_le_bytes());
    fix_checksum(&mut file);
    let e = import_err(&file, PASS);
    assert!(matches!(e, Error::ExportUnsupportedVersion { found: 3, supported: 2 }), "{e:?}");
    assert_eq!(e.code(), "exportUnsupportedVersion");
}

#[test]
fn hostile_kdf_parameters_refused_without_allocating() {
    let c = clock();
    let file = sample(&c).export(PASS).unwrap();
    for (offset, value, param) in [(10usize, u32::MAX, "memoryKib"), (14, 1_000_000, "iterations"), (18, 255, "parallelism")] {
        let mut bad = file.clone();
        bad[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
        fix_checksum(&mut bad);
        let started = std::time::Instant::now();
        let e = import_err(&bad, PASS);
        assert!(matches!(e, Error::ExportKdfOutOfRange { param: p, .. } if p == param), "{e:?}");
        assert!(started.elapsed().as_millis() < 50, "refused before any key derivation");
    }
}

#[test]
fn import_merges_and_respects_the_cap() {
    let c = clock();
    let file = sample(&c).export(PASS).unwrap();
    let mut g = gallery(&c);
    enroll(&mut g, "biden.jpg", "Joe", their_consent(&c, "Joe", None));
    assert_eq!(g.import(&file, PASS).unwrap().added, 3);
    assert_eq!(g.len(), 4, "merged with what was there");
    assert_eq!(g.import(&file, PASS).unwrap(), ImportReport { added: 0, already_present: 3, expired_erased: 0, texts_repaired: 0 });
    assert_eq!(g.len(), 4, "importing twice adds nothing");

    let mut small = Gallery::with_clock(GalleryConfig { max_references: 3, ..Default::default() }, c.clone()).unwrap();
    enroll(&mut small, "biden.jpg", "Joe", their_consent(&c, "Joe", None));
    let before = small.audit_log().to_vec();
    assert!(matches!(small.import(&file, PASS), Err(Error::GalleryFull { cap: 3 })));
    assert_eq!(small.len(), 1, "nothing imported");
    assert_eq!(small.audit_log(), &before[..], "nothing changed");
}

#[test]
fn import_erases_expired_consents() {
    let c = clock();
    let file = sample(&c).export(PASS).unwrap();
    let later = ManualClock::new(c.now().plus_ms(11 * DAY_MS));
    let mut g = gallery(&later);
    let report = g.import(&file, PASS).unwrap();
    assert_eq!(report, ImportReport { added: 2, already_present: 0, expired_erased: 1, texts_repaired: 0 });
    assert!(g.list().iter().all(|r| r.label != "Ana"));
    assert!(g.audit_log().iter().any(|e| matches!(e.kind, facegate::AuditEventKind::Expired { .. })));
}

#[test]
fn exports_of_1_and_9_references_have_the_same_length() {
    let c = clock();
    let photos =
        ["person_a_1.jpg", "person_b_1.jpg", "obama.jpg", "biden.jpg", "person_a_2.jpg", "person_b_2.jpg", "obama2.jpg", "impostor_2.jpg", "person_a_1.jpg"];
    let mut one = gallery(&c);
    enroll(&mut one, photos[0], "me", my_consent(&c));
    let mut nine = gallery(&c);
    for (i, p) in photos.iter().enumerate() {
        enroll(&mut nine, p, &format!("person {i}"), their_consent(&c, &format!("Person number {i}"), Some(DAY_MS)));
    }
    let (a, b) = (one.export(PASS).unwrap(), nine.export(PASS).unwrap());
    assert_eq!(a.len(), b.len(), "the length does not tell 1 reference from 9");
    assert_eq!(a.len(), HEADER_LEN + 16 * 1024 + 16, "the first bucket: 16 KiB and the tag");
    assert_eq!(gallery(&c).import(&b, PASS).unwrap().added, 9);
}

#[test]
fn weak_passphrases_are_refused_with_a_reason_and_a_generated_one_passes() {
    let c = clock();
    let mut g = sample(&c);
    for weak in ["password1", "facegate2026", "iloveyou!", "qwerty123456"] {
        match g.export(weak) {
            Err(Error::PassphraseRejected { reason, score: Some(score) }) => {
                assert!(score < facegate::limits::MIN_PASSPHRASE_SCORE && reason.contains("too easy to guess"), "{weak}: {score} {reason}");
            }
            other => panic!("{weak}: {other:?}"),
        }
    }
    let generated = generate_passphrase().unwrap();
    assert_eq!(generated.split(' ').count(), facegate::limits::PASSPHRASE_WORDS);
    let file = g.export(&generated).unwrap();
    assert_eq!(gallery(&c).import(&file, &generated).unwrap().added, 3);
}

#[test]
fn future_dated_consent_in_an_import_is_refused() {
    let c = clock();
    // Written on a device whose clock ran a day ahead.
    let ahead = ManualClock::new(c.now().plus_ms(DAY_MS));
    let mut g = gallery(&ahead);
    enroll(&mut g, "person_a_1.jpg", "me", my_consent(&ahead));
    let file = g.export(PASS).unwrap();
    let e = import_err(&file, PASS);
    assert!(matches!(e, Error::ConsentInvalid { field: "givenAt", .. }), "{e:?}");
    // A minute of clock difference is tolerated.
    let close = ManualClock::new(c.now().plus_ms(30_000));
    let mut g = gallery(&close);
    enroll(&mut g, "person_a_1.jpg", "me", my_consent(&close));
    assert_eq!(gallery(&c).import(&g.export(PASS).unwrap(), PASS).unwrap().added, 1);
}

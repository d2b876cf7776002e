//! The encrypted, versioned export of a gallery (docs/export-format.md is the specification):
//! a 98-byte header, then XChaCha20-Poly1305 ciphertext of the body under a key derived from
//! the user's passphrase with Argon2id; the header is the AEAD's associated data.

mod body;
mod header;
mod kdf;
pub mod layout;
mod passphrase;
mod wire;

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Key, Tag, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

pub(crate) use body::Contents;
use header::Header;
pub use header::EXPORT_FORMAT_VERSION;
pub use kdf::{KdfParams, KDF_MAX_ITERATIONS, KDF_MAX_MEMORY_KIB, KDF_MAX_PARALLELISM, KDF_MAX_WORK_KIB, KDF_MIN_MEMORY_KIB, KDF_MIN_WORK_KIB};
use layout::{HEADER_LEN, TAG_LEN};
use passphrase::check_passphrase;
pub use passphrase::{generate_passphrase, MAX_PASSPHRASE_BYTES, MIN_PASSPHRASE_SCORE, PASSPHRASE_WORDS};
use wire::Counter;

use super::audit::AuditEvent;
use super::random::random_bytes;
use super::reference::Reference;
use crate::error::{Error, Result};

/// Encrypts `references` and `events` under `passphrase` into an export file of the current
/// version (padded to a size bucket). The passphrase must pass the strength check.
///
/// The plaintext is written once, straight into the output buffer (sized exactly beforehand,
/// so never reallocated), and encrypted there in place; the derived key is wiped on return.
pub(crate) fn seal(references: &[Reference], events: &[AuditEvent], passphrase: &str, kdf: KdfParams) -> Result<Vec<u8>> {
    check_passphrase(passphrase)?;
    seal_version(references, events, passphrase, kdf, EXPORT_FORMAT_VERSION)
}

/// [`seal`] in format `version` (1: no padding; 2: padded), without the strength check (tests
/// write version-1 files with it).
pub(crate) fn seal_version(references: &[Reference], events: &[AuditEvent], passphrase: &str, kdf: KdfParams, version: u16) -> Result<Vec<u8>> {
    kdf.validate()?;
    let salt = random_bytes::<16>()?;
    let nonce = random_bytes::<24>()?;
    let derived = kdf.derive(passphrase.as_bytes(), &salt)?;

    let mut size = Counter::default();
    body::encode(references, events, &mut size);
    let padded = if version >= 2 { body::bucket(size.0) } else { size.0 };
    let ciphertext_len = u32::try_from(padded + TAG_LEN)
        .map_err(|_| Error::ExportMalformed { reason: format!("the gallery needs {} bytes, more than the format's 4 GiB", size.0) })?;
    let mut key_check = [0u8; 16];
    key_check.copy_from_slice(&derived[32..]);
    let header = Header { version, kdf, salt, nonce, key_check, ciphertext_len }.to_bytes();

    let mut out = Zeroizing::new(Vec::with_capacity(HEADER_LEN + ciphertext_len as usize));
    out.extend_from_slice(&header);
    body::encode(references, events, &mut *out);
    out.resize(HEADER_LEN + padded, 0);
    let cipher = XChaCha20Poly1305::new(Key::from_slice(&derived[..32]));
    let tag = cipher
        .encrypt_in_place_detached(XNonce::from_slice(&nonce), &header, &mut out[HEADER_LEN..])
        .map_err(|_| Error::ExportMalformed { reason: "encryption failed".to_string() })?;
    out.extend_from_slice(&tag);
    debug_assert_eq!(out.len(), out.capacity(), "no reallocation");
    Ok(std::mem::take(&mut *out))
}

/// Checks, decrypts and decodes an export file (version 1 or 2). Errors in the order of
/// [`Header::parse`], then [`Error::ExportWrongPassphrase`], [`Error::ExportTampered`]
/// `"body"`, [`Error::ExportMalformed`]. The plaintext buffer is wiped on return.
pub(crate) fn open(file: &[u8], passphrase: &str) -> Result<Contents> {
    let header = Header::parse(file)?;
    let derived = header.kdf.derive(passphrase.as_bytes(), &header.salt)?;
    // The check value is public (it is in the file); comparing it in variable time leaks
    // nothing an attacker could not compute from a guess.
    if derived[32..] != header.key_check {
        return Err(Error::ExportWrongPassphrase);
    }
    let (aad, rest) = file.split_at(HEADER_LEN);
    let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
    let mut plain = Zeroizing::new(ciphertext.to_vec());
    XChaCha20Poly1305::new(Key::from_slice(&derived[..32]))
        .decrypt_in_place_detached(XNonce::from_slice(&header.nonce), aad, &mut plain[..], Tag::from_slice(tag))
        .map_err(|_| Error::ExportTampered { part: "body" })?;
    body::decode(&plain, header.version).map_err(|reason| Error::ExportMalformed { reason })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::consent::{Purpose, Subject};
    use crate::gallery::testing::reference;

    /// Cheapest accepted parameters, to keep unit tests fast.
    const FAST: KdfParams = KdfParams { memory_kib: 7 * 1024, iterations: 5, parallelism: 1 };

    const PASS: &str = "correct horse battery staple";

    fn sealed() -> (Vec<Reference>, Vec<u8>) {
        let refs = vec![reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None)];
        let file = seal(&refs, &[], PASS, FAST).unwrap();
        (refs, file)
    }

    #[test]
    fn seal_then_open_gives_the_same_contents() {
        let (refs, file) = sealed();
        assert_eq!(file.len(), HEADER_LEN + body::MIN_BUCKET + TAG_LEN, "padded to the first bucket");
        assert_eq!(u16::from_le_bytes([file[8], file[9]]), 2);
        let back = open(&file, PASS).unwrap();
        assert_eq!(back.references, refs);
        assert!(back.events.is_empty());
    }

    #[test]
    fn version_1_files_are_still_read() {
        let refs = vec![reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None)];
        let file = seal_version(&refs, &[], "password", FAST, 1).unwrap();
        assert_eq!(file.len(), HEADER_LEN + 4 + 8 + 4 + 7 + 8 + 1 + 1 + 8 + 32 + 1 + 512 + 4 + TAG_LEN, "version 1: no padding");
        assert_eq!(u16::from_le_bytes([file[8], file[9]]), 1);
        assert_eq!(open(&file, "password").unwrap().references, refs, "a passphrase too weak for a new export still opens an old file");
    }

    #[test]
    fn one_and_nine_references_give_the_same_length() {
        let refs: Vec<Reference> = (0..9).map(|i| reference(i + 1, i as usize, Subject::SelfPerson, Purpose::VerifyItIsMe, None)).collect();
        let one = seal(&refs[..1], &[], PASS, FAST).unwrap();
        let nine = seal(&refs, &[], PASS, FAST).unwrap();
        assert_eq!(one.len(), nine.len());
    }

    #[test]
    fn salt_and_nonce_are_fresh_each_time() {
        let refs = [reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None)];
        let a = seal(&refs, &[], PASS, FAST).unwrap();
        let b = seal(&refs, &[], PASS, FAST).unwrap();
        assert_ne!(a[22..62], b[22..62]);
        assert_ne!(a[HEADER_LEN..], b[HEADER_LEN..]);
    }

    #[test]
    fn the_template_bytes_do_not_appear_in_the_file() {
        let (refs, file) = sealed();
        let template: Vec<u8> = refs[0].template.as_slice().iter().flat_map(|v| v.to_le_bytes()).collect();
        assert!(!file.windows(16).any(|w| template.windows(16).any(|t| t == w && t.iter().any(|&b| b != 0))));
        assert!(!file.windows(7).any(|w| w == b"label 1"));
    }

    #[test]
    fn wrong_passphrase_and_body_tampering_are_told_apart() {
        let (_, file) = sealed();
        assert!(matches!(open(&file, "correct horse battery staplE"), Err(Error::ExportWrongPassphrase)));
        let mut bad = file.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(matches!(open(&bad, PASS), Err(Error::ExportTampered { part: "body" })));
        bad[last] ^= 1;
        bad[HEADER_LEN] ^= 1;
        assert!(matches!(open(&bad, PASS), Err(Error::ExportTampered { part: "body" })));
    }

    #[test]
    fn passphrases_are_checked() {
        assert!(matches!(seal(&[], &[], "short", FAST), Err(Error::PassphraseRejected { .. })));
        assert!(matches!(seal(&[], &[], "password123", FAST), Err(Error::PassphraseRejected { score: Some(_), .. })));
        assert!(matches!(seal(&[], &[], &"x".repeat(1025), FAST), Err(Error::PassphraseRejected { .. })));
        assert!(seal(&[], &[], &generate_passphrase().unwrap(), FAST).is_ok());
    }
}

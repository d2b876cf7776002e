//! The encrypted, versioned export of a gallery (docs/export-format.md is the specification):
//! a 98-byte header, then XChaCha20-Poly1305 ciphertext of the body under a key derived from
//! the user's passphrase with Argon2id; the header is the AEAD's associated data.

mod body;
mod header;
mod kdf;
mod wire;

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Key, Tag, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

pub(crate) use body::Contents;
pub use header::EXPORT_FORMAT_VERSION;
use header::{Header, HEADER_LEN, TAG_LEN};
pub use kdf::{KdfParams, KDF_MAX_ITERATIONS, KDF_MAX_MEMORY_KIB, KDF_MAX_PARALLELISM, KDF_MAX_WORK_KIB, KDF_MIN_MEMORY_KIB, KDF_MIN_WORK_KIB};
use wire::Counter;

use super::audit::AuditEvent;
use super::random::random_bytes;
use super::reference::Reference;
use crate::error::{Error, Result};

/// Fewest characters an export passphrase may have (NIST SP 800-63B's minimum for secrets
/// users choose). Longer is much better: the passphrase is the export's only protection.
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// Most bytes (UTF-8) an export passphrase may have.
pub const MAX_PASSPHRASE_BYTES: usize = 1024;

/// Encrypts `references` and `events` under `passphrase` into an export file.
///
/// The plaintext is written once, straight into the output buffer (sized exactly beforehand,
/// so never reallocated), and encrypted there in place; the derived key is wiped on return.
pub(crate) fn seal(references: &[Reference], events: &[AuditEvent], passphrase: &str, kdf: KdfParams) -> Result<Vec<u8>> {
    check_passphrase(passphrase)?;
    kdf.validate()?;
    let salt = random_bytes::<16>()?;
    let nonce = random_bytes::<24>()?;
    let derived = kdf.derive(passphrase.as_bytes(), &salt)?;

    let mut size = Counter::default();
    body::encode(references, events, &mut size);
    let ciphertext_len = u32::try_from(size.0 + TAG_LEN)
        .map_err(|_| Error::ExportMalformed { reason: format!("the gallery needs {} bytes, more than the format's 4 GiB", size.0) })?;
    let mut key_check = [0u8; 16];
    key_check.copy_from_slice(&derived[32..]);
    let header = Header { kdf, salt, nonce, key_check, ciphertext_len }.to_bytes();

    let mut out = Zeroizing::new(Vec::with_capacity(HEADER_LEN + ciphertext_len as usize));
    out.extend_from_slice(&header);
    body::encode(references, events, &mut *out);
    let cipher = XChaCha20Poly1305::new(Key::from_slice(&derived[..32]));
    let tag = cipher
        .encrypt_in_place_detached(XNonce::from_slice(&nonce), &header, &mut out[HEADER_LEN..])
        .map_err(|_| Error::ExportMalformed { reason: "encryption failed".to_string() })?;
    out.extend_from_slice(&tag);
    debug_assert_eq!(out.len(), out.capacity(), "no reallocation");
    Ok(std::mem::take(&mut *out))
}

/// Checks, decrypts and decodes an export file. Errors in the order of
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
    body::decode(&plain).map_err(|reason| Error::ExportMalformed { reason })
}

/// Refuses passphrases shorter than [`MIN_PASSPHRASE_CHARS`] characters or longer than
/// [`MAX_PASSPHRASE_BYTES`] bytes.
fn check_passphrase(passphrase: &str) -> Result<()> {
    let chars = passphrase.chars().count();
    if chars < MIN_PASSPHRASE_CHARS {
        return Err(Error::PassphraseRejected { reason: format!("{chars} characters; at least {MIN_PASSPHRASE_CHARS} are needed") });
    }
    if passphrase.len() > MAX_PASSPHRASE_BYTES {
        return Err(Error::PassphraseRejected { reason: format!("{} bytes; at most {MAX_PASSPHRASE_BYTES}", passphrase.len()) });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::consent::{Purpose, Subject};
    use crate::gallery::testing::reference;

    /// Cheapest accepted parameters, to keep unit tests fast.
    const FAST: KdfParams = KdfParams { memory_kib: 7 * 1024, iterations: 5, parallelism: 1 };

    fn sealed() -> (Vec<Reference>, Vec<u8>) {
        let refs = vec![reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None)];
        let file = seal(&refs, &[], "correct horse battery", FAST).unwrap();
        (refs, file)
    }

    #[test]
    fn seal_then_open_gives_the_same_contents() {
        let (refs, file) = sealed();
        assert_eq!(file.len(), HEADER_LEN + 4 + 8 + 4 + 7 + 8 + 1 + 1 + 8 + 32 + 1 + 512 + 4 + TAG_LEN);
        let back = open(&file, "correct horse battery").unwrap();
        assert_eq!(back.references, refs);
        assert!(back.events.is_empty());
    }

    #[test]
    fn salt_and_nonce_are_fresh_each_time() {
        let refs = [reference(1, 0, Subject::SelfPerson, Purpose::VerifyItIsMe, None)];
        let a = seal(&refs, &[], "correct horse battery", FAST).unwrap();
        let b = seal(&refs, &[], "correct horse battery", FAST).unwrap();
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
        assert!(matches!(open(&file, "correct horse batterY"), Err(Error::ExportWrongPassphrase)));
        let mut bad = file.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(matches!(open(&bad, "correct horse battery"), Err(Error::ExportTampered { part: "body" })));
        bad[last] ^= 1;
        bad[HEADER_LEN] ^= 1;
        assert!(matches!(open(&bad, "correct horse battery"), Err(Error::ExportTampered { part: "body" })));
    }

    #[test]
    fn passphrases_are_checked() {
        assert!(matches!(seal(&[], &[], "short", FAST), Err(Error::PassphraseRejected { .. })));
        assert!(matches!(seal(&[], &[], &"x".repeat(1025), FAST), Err(Error::PassphraseRejected { .. })));
        assert!(seal(&[], &[], "ëëëëëëëë", FAST).is_ok(), "characters, not bytes");
    }
}

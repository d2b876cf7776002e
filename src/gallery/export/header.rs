//! The export header: magic, version, key-derivation parameters, salt, nonce, key check,
//! ciphertext length and a checksum. All of it is authenticated as AEAD associated data.

use sha2::{Digest, Sha256};

use super::kdf::KdfParams;
use super::layout::{self, CHECKED, HEADER_LEN, TAG_LEN};
use crate::error::{Error, Result};

/// The first 8 bytes of every export.
pub(crate) const MAGIC: [u8; 8] = *b"FACEGATE";
/// The format version this release writes. It reads every version from 1 up to it (the
/// header is the same in both; version 2 pads the body to a size bucket and adds the teaching
/// view's audit events).
pub const EXPORT_FORMAT_VERSION: u16 = 2;

/// A header (versions 1 and 2 share its layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    /// The format version (1 or 2).
    pub(crate) version: u16,
    pub(crate) kdf: KdfParams,
    pub(crate) salt: [u8; 16],
    pub(crate) nonce: [u8; 24],
    pub(crate) key_check: [u8; 16],
    /// Ciphertext bytes after the header, the 16-byte tag included.
    pub(crate) ciphertext_len: u32,
}

impl Header {
    /// The 98 header bytes, checksum included.
    pub(crate) fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[layout::MAGIC].copy_from_slice(&MAGIC);
        b[layout::VERSION].copy_from_slice(&self.version.to_le_bytes());
        b[layout::MEMORY_KIB].copy_from_slice(&self.kdf.memory_kib.to_le_bytes());
        b[layout::ITERATIONS].copy_from_slice(&self.kdf.iterations.to_le_bytes());
        b[layout::PARALLELISM].copy_from_slice(&self.kdf.parallelism.to_le_bytes());
        b[layout::SALT].copy_from_slice(&self.salt);
        b[layout::NONCE].copy_from_slice(&self.nonce);
        b[layout::KEY_CHECK].copy_from_slice(&self.key_check);
        b[layout::CIPHERTEXT_LEN].copy_from_slice(&self.ciphertext_len.to_le_bytes());
        let sum = checksum(&b[CHECKED]);
        b[layout::CHECKSUM].copy_from_slice(&sum);
        b
    }

    /// Reads and checks the header at the start of `file`, and that the file has exactly the
    /// length the header announces. Checks run in this order, so each damage has its error:
    /// magic ([`Error::ExportNotRecognized`]), version ([`Error::ExportUnsupportedVersion`]),
    /// header length ([`Error::ExportTruncated`]), checksum ([`Error::ExportTampered`]
    /// `"header"`), key-derivation bounds ([`Error::ExportKdfOutOfRange`]), file length
    /// ([`Error::ExportTruncated`], or [`Error::ExportTampered`] `"trailing bytes"`).
    pub(crate) fn parse(file: &[u8]) -> Result<Header> {
        let truncated = |expected: usize| Error::ExportTruncated { expected: expected as u64, actual: file.len() as u64 };
        let head = &file[..file.len().min(MAGIC.len())];
        if head.is_empty() || !MAGIC.starts_with(head) {
            return Err(Error::ExportNotRecognized);
        }
        if file.len() < layout::VERSION.end {
            return Err(truncated(HEADER_LEN));
        }
        let version = u16::from_le_bytes(array(&file[layout::VERSION]));
        if !(1..=EXPORT_FORMAT_VERSION).contains(&version) {
            return Err(Error::ExportUnsupportedVersion { found: version, supported: EXPORT_FORMAT_VERSION });
        }
        if file.len() < HEADER_LEN {
            return Err(truncated(HEADER_LEN));
        }
        if checksum(&file[CHECKED]) != file[layout::CHECKSUM] {
            return Err(Error::ExportTampered { part: "header" });
        }
        let u32_at = |field: std::ops::Range<usize>| u32::from_le_bytes(array(&file[field]));
        let header = Header {
            version,
            kdf: KdfParams { memory_kib: u32_at(layout::MEMORY_KIB), iterations: u32_at(layout::ITERATIONS), parallelism: u32_at(layout::PARALLELISM) },
            salt: array(&file[layout::SALT]),
            nonce: array(&file[layout::NONCE]),
            key_check: array(&file[layout::KEY_CHECK]),
            ciphertext_len: u32_at(layout::CIPHERTEXT_LEN),
        };
        header.kdf.validate()?;
        if (header.ciphertext_len as usize) < TAG_LEN {
            return Err(Error::ExportMalformed { reason: format!("ciphertext length {} is shorter than the tag", header.ciphertext_len) });
        }
        let total = HEADER_LEN + header.ciphertext_len as usize;
        if file.len() < total {
            return Err(truncated(total));
        }
        if file.len() > total {
            return Err(Error::ExportTampered { part: "trailing bytes" });
        }
        Ok(header)
    }
}

/// A fixed-size copy of `bytes`, which has exactly `N` bytes.
fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    out
}

/// The first 16 bytes of SHA-256: catches accidental damage to the header before the
/// expensive key derivation (deliberate changes are caught by the AEAD tag).
fn checksum(bytes: &[u8]) -> [u8; 16] {
    let digest = Sha256::digest(bytes);
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Header {
        Header { version: 2, kdf: KdfParams::default(), salt: [1; 16], nonce: [2; 24], key_check: [3; 16], ciphertext_len: 20 }
    }

    fn file() -> Vec<u8> {
        let mut f = sample().to_bytes().to_vec();
        f.extend_from_slice(&[9; 20]);
        f
    }

    #[test]
    fn round_trip_and_layout() {
        let f = file();
        assert_eq!(Header::parse(&f).unwrap(), sample());
        assert_eq!(&f[..10], b"FACEGATE\x02\x00");
        let v1 = Header { version: 1, ..sample() };
        let mut f1 = v1.to_bytes().to_vec();
        f1.extend_from_slice(&[9; 20]);
        assert_eq!(Header::parse(&f1).unwrap(), v1, "version 1 is still read");
        assert_eq!(&f[10..14], &(32u32 * 1024).to_le_bytes());
    }

    #[test]
    fn each_kind_of_damage_has_its_error() {
        let f = file();
        assert!(matches!(Header::parse(b""), Err(Error::ExportNotRecognized)));
        assert!(matches!(Header::parse(b"\x89PNG\r\n\x1a\n"), Err(Error::ExportNotRecognized)));
        assert!(matches!(Header::parse(&f[..5]), Err(Error::ExportTruncated { expected: 98, actual: 5 })));
        assert!(matches!(Header::parse(&f[..60]), Err(Error::ExportTruncated { expected: 98, actual: 60 })));
        assert!(matches!(Header::parse(&f[..110]), Err(Error::ExportTruncated { expected: 118, actual: 110 })));
        let mut longer = f.clone();
        longer.push(0);
        assert!(matches!(Header::parse(&longer), Err(Error::ExportTampered { part: "trailing bytes" })));
        let mut future = f.clone();
        future[8] = 3;
        assert!(matches!(Header::parse(&future), Err(Error::ExportUnsupportedVersion { found: 3, supported: 2 })));
        future[8] = 0;
        assert!(matches!(Header::parse(&future), Err(Error::ExportUnsupportedVersion { found: 0, supported: 2 })));
        for i in 10..HEADER_LEN {
            let mut bad = f.clone();
            bad[i] ^= 0x10;
            assert!(matches!(Header::parse(&bad), Err(Error::ExportTampered { part: "header" })), "byte {i}");
        }
    }

    #[test]
    fn hostile_kdf_parameters_are_refused_before_any_work() {
        let hostile = Header { kdf: KdfParams { memory_kib: u32::MAX, iterations: 2, parallelism: 1 }, ..sample() };
        let mut f = hostile.to_bytes().to_vec();
        f.extend_from_slice(&[0; 20]);
        assert!(matches!(Header::parse(&f), Err(Error::ExportKdfOutOfRange { param: "memoryKib", .. })));
    }
}

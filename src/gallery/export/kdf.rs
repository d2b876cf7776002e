//! Turning a passphrase into a key: Argon2id (RFC 9106), with bounds on its cost.

use argon2::{Algorithm, Argon2, Block, Params, Version};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Bytes Argon2id produces: a 32-byte XChaCha20-Poly1305 key, then a 16-byte key-check value.
pub(crate) const DERIVED_LEN: usize = 48;

/// Argon2id cost parameters of an export.
///
/// The default, **32 MiB, 3 passes, 1 lane**, does 2.5 times the work of OWASP's recommended
/// minimum for Argon2id (19 MiB x 2 passes; OWASP lists configurations of equal strength down
/// to 7 MiB x 5, that is memory x passes of about 36 000 KiB; this is 98 304), with 1.7 times
/// its memory. Measured on the project's 2-core reference machine (benches/gallery.rs and
/// docs/export-format.md): about 55 ms natively and 71 ms in WebAssembly (V8), so a phone
/// several times slower still stays well under a second. Memory is kept at 32 MiB because
/// WebAssembly memory never shrinks once grown. Against offline guessing, the passphrase's
/// strength matters far more than any cost a browser can afford.
///
/// Accepted ranges (anything else: [`Error::ExportKdfOutOfRange`], on export and on import):
/// memory 7 MiB to 128 MiB; passes 1 to 10; lanes 1 to 4; and memory x passes from 35 840 KiB
/// (OWASP's weakest listed configuration, 7 MiB x 5) to 1 048 576 KiB (1 GiB, about two
/// seconds natively): a hostile file cannot make import allocate or compute without bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory, in KiB (Argon2's `m`). Default: 32 768 (32 MiB).
    pub memory_kib: u32,
    /// Passes over the memory (Argon2's `t`). Default: 3.
    pub iterations: u32,
    /// Lanes (Argon2's `p`). Default: 1 (a browser worker has one thread).
    pub parallelism: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams { memory_kib: 32 * 1024, iterations: 3, parallelism: 1 }
    }
}

/// Smallest memory accepted, KiB.
pub const KDF_MIN_MEMORY_KIB: u32 = 7 * 1024;
/// Largest memory accepted, KiB.
pub const KDF_MAX_MEMORY_KIB: u32 = 128 * 1024;
/// Most passes accepted.
pub const KDF_MAX_ITERATIONS: u32 = 10;
/// Most lanes accepted.
pub const KDF_MAX_PARALLELISM: u32 = 4;
/// Smallest memory x passes accepted, KiB.
pub const KDF_MIN_WORK_KIB: u64 = 35_840;
/// Largest memory x passes accepted, KiB.
pub const KDF_MAX_WORK_KIB: u64 = 1 << 20;

impl KdfParams {
    /// Refuses parameters outside the accepted ranges.
    pub fn validate(&self) -> Result<()> {
        let check = |param, value: u64, min: u64, max: u64| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(Error::ExportKdfOutOfRange { param, value, min, max })
            }
        };
        check("memoryKib", self.memory_kib.into(), KDF_MIN_MEMORY_KIB.into(), KDF_MAX_MEMORY_KIB.into())?;
        check("iterations", self.iterations.into(), 1, KDF_MAX_ITERATIONS.into())?;
        check("parallelism", self.parallelism.into(), 1, KDF_MAX_PARALLELISM.into())?;
        let work = u64::from(self.memory_kib) * u64::from(self.iterations);
        check("memoryKib*iterations", work, KDF_MIN_WORK_KIB, KDF_MAX_WORK_KIB)
    }

    /// Argon2id of the passphrase's UTF-8 bytes with `salt`: 48 bytes, wiped when dropped.
    ///
    /// Argon2's working memory (`memory_kib`, 32 MiB by default) is a buffer of this function,
    /// overwritten with zeros before it is freed whatever happens: with one lane, its last
    /// block alone is enough to compute the key again.
    pub(crate) fn derive(&self, passphrase: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; DERIVED_LEN]>> {
        self.validate()?;
        let failed = |e: argon2::Error| Error::ExportMalformed { reason: format!("key derivation failed: {e}") };
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(DERIVED_LEN)).map_err(failed)?;
        let mut memory = Zeroizing::new(vec![Block::default(); params.block_count()]);
        let mut out = Zeroizing::new([0u8; DERIVED_LEN]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into_with_memory(passphrase, salt, &mut out[..], &mut memory[..])
            .map_err(failed)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param_of(p: KdfParams) -> &'static str {
        match p.validate() {
            Err(Error::ExportKdfOutOfRange { param, .. }) => param,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ranges_are_enforced() {
        let d = KdfParams::default();
        assert!(d.validate().is_ok());
        assert_eq!(param_of(KdfParams { memory_kib: 4 << 20, ..d }), "memoryKib", "a hostile 4 GiB");
        assert_eq!(param_of(KdfParams { memory_kib: 1024, ..d }), "memoryKib");
        assert_eq!(param_of(KdfParams { iterations: 0, ..d }), "iterations");
        assert_eq!(param_of(KdfParams { iterations: 1_000_000, ..d }), "iterations");
        assert_eq!(param_of(KdfParams { parallelism: 0, ..d }), "parallelism");
        assert_eq!(param_of(KdfParams { memory_kib: 19 * 1024, iterations: 1, parallelism: 1 }), "memoryKib*iterations");
        assert_eq!(param_of(KdfParams { memory_kib: 128 * 1024, iterations: 9, parallelism: 1 }), "memoryKib*iterations");
        assert!(KdfParams { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }.validate().is_ok(), "OWASP's minimum");
        assert!(KdfParams { memory_kib: 46 * 1024, iterations: 1, parallelism: 1 }.validate().is_ok(), "OWASP's other option");
    }

    #[test]
    fn argon2id_matches_the_rfc_9106_construction() {
        // Same inputs, same key; another salt or passphrase, another key.
        let p = KdfParams { memory_kib: 7 * 1024, iterations: 5, parallelism: 1 };
        let a = p.derive(b"correct horse", b"0123456789abcdef").unwrap();
        assert_eq!(a, p.derive(b"correct horse", b"0123456789abcdef").unwrap());
        assert_ne!(a, p.derive(b"correct horse", b"0123456789abcdeF").unwrap());
        assert_ne!(a, p.derive(b"correct horsE", b"0123456789abcdef").unwrap());
    }
}

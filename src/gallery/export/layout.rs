//! Where each field of an export's 98-byte header lies (docs/export-format.md): written once,
//! here, for the reader and writer (`header.rs`) and for the tests and the fuzzing harness
//! that build or damage exports by hand. All integers are little-endian.

use std::ops::Range;

/// `FACEGATE`, the format's magic bytes.
pub const MAGIC: Range<usize> = 0..8;
/// The format version (u16).
pub const VERSION: Range<usize> = 8..10;
/// Argon2id memory in KiB (u32).
pub const MEMORY_KIB: Range<usize> = 10..14;
/// Argon2id passes (u32).
pub const ITERATIONS: Range<usize> = 14..18;
/// Argon2id lanes (u32).
pub const PARALLELISM: Range<usize> = 18..22;
/// The key-derivation salt (16 random bytes).
pub const SALT: Range<usize> = 22..38;
/// The XChaCha20-Poly1305 nonce (24 random bytes).
pub const NONCE: Range<usize> = 38..62;
/// The last 16 of the 48 derived bytes (the first 32 are the key): tells a wrong passphrase
/// from a damaged body.
pub const KEY_CHECK: Range<usize> = 62..78;
/// Bytes of ciphertext after the header, the Poly1305 tag included (u32).
pub const CIPHERTEXT_LEN: Range<usize> = 78..82;
/// The first 16 bytes of SHA-256 over [`CHECKED`].
pub const CHECKSUM: Range<usize> = 82..98;
/// The bytes the checksum covers: every field before it.
pub const CHECKED: Range<usize> = 0..82;
/// Bytes in a header (versions 1 and 2).
pub const HEADER_LEN: usize = 98;
/// Bytes in the Poly1305 tag that ends the ciphertext.
pub const TAG_LEN: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_follow_each_other_without_gaps() {
        let fields = [MAGIC, VERSION, MEMORY_KIB, ITERATIONS, PARALLELISM, SALT, NONCE, KEY_CHECK, CIPHERTEXT_LEN, CHECKSUM];
        for pair in fields.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        assert_eq!((fields[0].start, fields[9].end), (0, HEADER_LEN));
        assert_eq!(CHECKED, 0..CHECKSUM.start);
    }
}

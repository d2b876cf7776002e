//! Every bound facegate enforces, in one place: the images it accepts ([`ImageLimits`],
//! checked before pixel memory is allocated), the gallery's sizes and texts, the export's
//! key-derivation bounds and passphrase rules, and the engine's threads. Each refusal is a
//! typed [`Error`] naming the bound.

use crate::error::{Error, Result};

pub use crate::engine::{DETECTION_HOLD_MS, MAX_HELD_DETECTIONS};
pub use crate::gallery::{
    HARD_MAX_EXPLANATIONS, HARD_MAX_REFERENCES, KDF_MAX_ITERATIONS, KDF_MAX_MEMORY_KIB, KDF_MAX_PARALLELISM, KDF_MAX_WORK_KIB, KDF_MIN_MEMORY_KIB,
    KDF_MIN_WORK_KIB, MAX_AUDIT_EVENTS, MAX_HELD_EXPLANATIONS, MAX_LABEL_CHARS, MAX_PASSPHRASE_BYTES, MAX_PURPOSE_CHARS, MAX_SUBJECT_NAME_CHARS,
    MIN_PASSPHRASE_SCORE, PASSPHRASE_WORDS,
};
pub use crate::model::MAX_THREADS;

/// Size limits for input images. Checked on the encoded bytes and on the dimensions an image
/// declares in its header, before any pixel buffer is allocated, so a decompression bomb
/// (a tiny file declaring a huge canvas) is refused cheaply with [`Error::ImageTooLarge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// Largest encoded file accepted, in bytes. Default: 50 MiB (52 428 800), far above any
    /// camera JPEG. Larger: [`Error::EncodedTooLarge`].
    pub max_encoded_bytes: usize,
    /// Largest width, in pixels. Default: 16 384.
    pub max_width: u32,
    /// Largest height, in pixels. Default: 16 384.
    pub max_height: u32,
    /// Largest `width * height`. Default: 50 000 000 (a 50-megapixel phone photo; its RGB copy
    /// takes 150 MB). Larger: [`Error::ImageTooLarge`].
    pub max_pixels: u64,
    /// Most scans a JPEG may be made of. Default: 100 (what the JPEG decoder facegate uses
    /// stops at; a progressive photo has about 10, a baseline one 1 to 3). Each scan makes a
    /// decoder go over the whole image again, so a 2 MB file of 20 000 scans keeps one busy
    /// for minutes. Counted on the bytes before decoding; more: [`Error::ImageTooComplex`].
    pub max_jpeg_scans: u32,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits { max_encoded_bytes: 50 * 1024 * 1024, max_width: 16_384, max_height: 16_384, max_pixels: 50_000_000, max_jpeg_scans: 100 }
    }
}

impl ImageLimits {
    /// Refuses `width` x `height` when a dimension is zero or beyond the limits.
    pub fn check_dimensions(&self, width: u32, height: u32) -> Result<()> {
        if width == 0 || height == 0 {
            return Err(Error::ImageHasNoPixels { width, height });
        }
        if width > self.max_width || height > self.max_height || u64::from(width) * u64::from(height) > self.max_pixels {
            return Err(Error::ImageTooLarge { width, height, max_width: self.max_width, max_height: self.max_height, max_pixels: self.max_pixels });
        }
        Ok(())
    }

    /// Refuses an encoded file larger than `max_encoded_bytes` or empty.
    pub fn check_encoded(&self, bytes: usize) -> Result<()> {
        if bytes == 0 {
            return Err(Error::EmptyImage);
        }
        if bytes > self.max_encoded_bytes {
            return Err(Error::EncodedTooLarge { bytes, limit: self.max_encoded_bytes });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_are_checked_against_each_limit() {
        let l = ImageLimits { max_width: 100, max_height: 50, max_pixels: 1000, ..Default::default() };
        assert!(l.check_dimensions(100, 10).is_ok());
        assert!(matches!(l.check_dimensions(101, 1), Err(Error::ImageTooLarge { width: 101, .. })));
        assert!(matches!(l.check_dimensions(1, 51), Err(Error::ImageTooLarge { height: 51, .. })));
        assert!(matches!(l.check_dimensions(40, 40), Err(Error::ImageTooLarge { .. })));
        assert!(matches!(l.check_dimensions(0, 4), Err(Error::ImageHasNoPixels { .. })));
    }

    #[test]
    fn encoded_size_is_checked() {
        let l = ImageLimits { max_encoded_bytes: 10, ..Default::default() };
        assert!(l.check_encoded(10).is_ok());
        assert!(matches!(l.check_encoded(0), Err(Error::EmptyImage)));
        assert!(matches!(l.check_encoded(11), Err(Error::EncodedTooLarge { bytes: 11, limit: 10 })));
    }
}

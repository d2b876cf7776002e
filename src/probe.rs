//! What an encoded image is, read from its bytes without decoding a single pixel: its format,
//! the size its header declares, its EXIF orientation, and for a JPEG how many scans it is made
//! of and whether it ends. [`probe`] runs every check facegate makes before a decoder is allowed
//! to start: [`Image::decode`](crate::Image::decode) calls it first, and the browser package
//! calls it (through the wasm boundary) before it lets the browser decode a file.

use std::io::Cursor;

use image::{ImageFormat, ImageReader};

use crate::error::{Error, Result};
use crate::limits::ImageLimits;

/// What [`probe`] found in an encoded image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImageInfo {
    /// `"jpeg"`, `"png"`, `"webp"`, `"gif"` or `"bmp"`, from the bytes' content (never the
    /// file name).
    pub format: &'static str,
    /// Width as stored (before the EXIF orientation), in pixels, as the header declares it.
    pub width: u32,
    /// Height as stored (before the EXIF orientation), in pixels.
    pub height: u32,
    /// The EXIF orientation tag (1 to 8; 1 = as stored), read from a JPEG's APP1 segment (the
    /// last `Exif` one before the first scan, as the decoder does). Other formats: 1.
    pub orientation: u8,
    /// Number of scans (start-of-scan segments) before the end-of-image marker: 1 for a usual
    /// baseline JPEG, about 10 for a progressive one. Other formats: 0.
    pub scans: u32,
}

impl ImageInfo {
    /// `(width, height)` once the EXIF orientation is applied: what
    /// [`Image::decode`](crate::Image::decode) returns and what a browser displays.
    /// Orientations 5 to 8 turn the image by a quarter, swapping the sides.
    pub fn oriented_size(&self) -> (u32, u32) {
        if (5..=8).contains(&self.orientation) {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Reads `bytes` as an encoded image and refuses it when it breaks a limit, before any
/// decoder runs or any pixel memory is allocated. In order:
///
/// 1. size: [`Error::EmptyImage`], [`Error::EncodedTooLarge`];
/// 2. format, from the content: [`Error::UnsupportedFormat`] (naming HEIC, AVIF, TIFF, SVG...
///    when recognised);
/// 3. declared dimensions, from the header: [`Error::ImageTooLarge`],
///    [`Error::ImageHasNoPixels`] (when the header is not understood, the decoder's own header
///    reader, within the limits, decides: [`Error::ImageDecode`] if it cannot);
/// 4. JPEG only, from one walk over its markers (each segment skipped by its length, the
///    entropy-coded data scanned for the next marker): a missing end-of-image marker
///    ([`Error::ImageDecode`], truncated) and more scans than
///    [`ImageLimits::max_jpeg_scans`] ([`Error::ImageTooComplex`]).
///
/// Cost: a few header bytes, plus one pass over a JPEG's bytes (no allocation but a JPEG
/// whose header is not understood). Natively about 1 ms per 2 MB of JPEG.
pub fn probe(bytes: &[u8], limits: &ImageLimits) -> Result<ImageInfo> {
    probe_format(bytes, limits).map(|(info, _)| info)
}

/// [`probe`], with the `image` crate's name of the format (for the decoder).
pub(crate) fn probe_format(bytes: &[u8], limits: &ImageLimits) -> Result<(ImageInfo, ImageFormat)> {
    limits.check_encoded(bytes.len())?;
    let format = supported_format(bytes)?;
    let name = format_name(format);
    let jpeg = (format == ImageFormat::Jpeg).then(|| JpegLayout::of(bytes));
    let header = jpeg.as_ref().map_or_else(|| header_dimensions(bytes, format), |layout| layout.frame);
    let (width, height) = match header {
        Some(size) => size,
        None => decoder_dimensions(bytes, format, limits)?,
    };
    limits.check_dimensions(width, height)?;
    let mut info = ImageInfo { format: name, width, height, orientation: 1, scans: 0 };
    if let Some(layout) = jpeg {
        let ended = layout.ended || (layout.scans == 0 && tail_has_end_marker(bytes));
        if !ended {
            return Err(Error::ImageDecode { format: name, reason: "the file is truncated (no end-of-image marker)".into() });
        }
        if layout.scans > limits.max_jpeg_scans {
            return Err(Error::ImageTooComplex { scans: layout.scans, max_scans: limits.max_jpeg_scans });
        }
        info.scans = layout.scans;
        info.orientation = layout.exif.and_then(|r| image::metadata::Orientation::from_exif_chunk(&bytes[r])).map_or(1, |o| o.to_exif());
    }
    Ok((info, format))
}

/// The supported format of `bytes`, from their content; anything else is refused with the
/// name of the format when it is recognisable.
fn supported_format(bytes: &[u8]) -> Result<ImageFormat> {
    if let Ok(format) = image::guess_format(bytes) {
        if matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif | ImageFormat::Bmp) {
            return Ok(format);
        }
    }
    Err(Error::UnsupportedFormat { detected: sniff_unsupported(bytes) })
}

/// Names well-known formats facegate does not decode, from their signatures.
fn sniff_unsupported(bytes: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Some("tiff");
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some(match &bytes[8..12] {
            b"avif" | b"avis" => "avif",
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => "heic",
            _ => "iso-bmff (video or HEIF)",
        });
    }
    if starts(b"%PDF") {
        return Some("pdf");
    }
    if starts(b"\0\0\x01\0") {
        return Some("ico");
    }
    if starts(b"\xff\x0a") || starts(b"\0\0\0\x0cJXL ") {
        return Some("jpeg-xl");
    }
    if starts(b"8BPS") {
        return Some("psd");
    }
    if starts(b"qoif") {
        return Some("qoi");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if head.contains("<svg") {
        return Some("svg");
    }
    None
}

/// The short name of a supported format (what errors and [`ImageInfo::format`] say).
fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        ImageFormat::Gif => "gif",
        ImageFormat::Bmp => "bmp",
        _ => "image",
    }
}

/// The dimensions the header of a PNG, GIF, BMP or WebP file declares, read from its first
/// bytes without any decoder (and so without allocating); `None` when the header is too short
/// or not understood. (JPEG: [`JpegLayout`].)
fn header_dimensions(bytes: &[u8], format: ImageFormat) -> Option<(u32, u32)> {
    let le16 = |i: usize| Some(u16::from_le_bytes([*bytes.get(i)?, *bytes.get(i + 1)?]));
    let be32 = |i: usize| Some(u32::from_be_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
    let le32 = |i: usize| Some(u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
    let le24 = |i: usize| Some(u32::from_le_bytes([*bytes.get(i)?, *bytes.get(i + 1)?, *bytes.get(i + 2)?, 0]));
    match format {
        ImageFormat::Png if bytes.get(12..16) == Some(b"IHDR") => Some((be32(16)?, be32(20)?)),
        ImageFormat::Gif => Some((le16(6)?.into(), le16(8)?.into())),
        ImageFormat::Bmp => match le32(14)? {
            12 => Some((le16(18)?.into(), le16(20)?.into())),
            _ => Some((le32(18)? as i32).unsigned_abs()).zip(Some((le32(22)? as i32).unsigned_abs())),
        },
        ImageFormat::WebP => match bytes.get(12..16)? {
            b"VP8 " if bytes.get(23..26) == Some(&[0x9d, 0x01, 0x2a]) => Some((u32::from(le16(26)? & 0x3fff), u32::from(le16(28)? & 0x3fff))),
            b"VP8L" if bytes.get(20) == Some(&0x2f) => {
                let bits = le32(21)?;
                Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
            }
            b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
            _ => None,
        },
        _ => None,
    }
}

/// The dimensions the format's own decoder reads from the header, within `limits` (only when
/// facegate's reading did not understand the header).
fn decoder_dimensions(bytes: &[u8], format: ImageFormat, limits: &ImageLimits) -> Result<(u32, u32)> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(crate::image::decoder_limits(limits));
    reader.into_dimensions().map_err(|e| Error::ImageDecode { format: format_name(format), reason: e.to_string() })
}

/// The layout of a JPEG stream, from one walk over its markers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct JpegLayout {
    /// `(width, height)` of the first start-of-frame before the first scan.
    frame: Option<(u32, u32)>,
    /// Start-of-scan segments before the end-of-image marker.
    scans: u32,
    /// Whether the walk reached an end-of-image marker. Bytes after it are allowed: phones
    /// append whole videos to "motion photos".
    ended: bool,
    /// The payload of the last APP1 `Exif` segment before the first scan (after `Exif\0\0`).
    exif: Option<std::ops::Range<usize>>,
}

impl JpegLayout {
    /// Walks `bytes` (a JPEG: SOI first) marker by marker: every segment is skipped by its
    /// length, so the markers inside an EXIF thumbnail do not count; after a start-of-scan the
    /// entropy-coded data is scanned for the next marker (stuffed `FF 00` and restart markers
    /// are part of the data). Stops at the end-of-image marker or the end of the bytes.
    fn of(bytes: &[u8]) -> JpegLayout {
        let be16 = |i: usize| Some(usize::from(u16::from_be_bytes([*bytes.get(i)?, *bytes.get(i + 1)?])));
        let mut layout = JpegLayout::default();
        let mut i = 2;
        while let Some((marker, at)) = next_jpeg_marker(bytes, i) {
            match marker {
                0xD9 => {
                    layout.ended = true;
                    break;
                }
                0xDA => layout.scans = layout.scans.saturating_add(1),
                // SOF0..SOF15 but DHT, JPG and DAC: precision, height, width.
                0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) && layout.frame.is_none() && layout.scans == 0 => {
                    layout.frame = be16(at + 5).zip(be16(at + 3)).map(|(w, h)| (w as u32, h as u32));
                }
                0xE1 if layout.scans == 0 => {
                    let end = be16(at).map_or(bytes.len(), |len| (at + len).min(bytes.len()));
                    if bytes.get(at + 2..at + 8) == Some(b"Exif\0\0") && at + 8 <= end {
                        layout.exif = Some(at + 8..end);
                    }
                }
                _ => {}
            }
            i = at;
        }
        layout
    }
}

/// From `i` (just after a marker, at its segment's length; or 2, just after SOI), the next
/// JPEG marker and the index just past it, skipping the current segment by its length and then
/// any entropy-coded data. Markers without a segment (SOI, TEM, RSTn) and stuffed `FF 00` are
/// skipped. `None` at the end of the bytes.
fn next_jpeg_marker(bytes: &[u8], mut i: usize) -> Option<(u8, usize)> {
    if i > 2 {
        i += usize::from(u16::from_be_bytes([*bytes.get(i)?, *bytes.get(i + 1)?]));
    }
    loop {
        i += bytes.get(i..)?.iter().position(|&b| b == 0xFF)?;
        i += bytes[i..].iter().position(|&b| b != 0xFF)?;
        let marker = bytes[i];
        i += 1;
        if !matches!(marker, 0xD8 | 0x01 | 0xD0..=0xD7 | 0x00) {
            return Some((marker, i));
        }
    }
}

/// Whether an end-of-image marker (`FF D9`) is among the last 1 KiB: the test for a JPEG whose
/// segments could not be walked to a scan (the decoder then decides).
fn tail_has_end_marker(bytes: &[u8]) -> bool {
    bytes[bytes.len().saturating_sub(1024)..].windows(2).any(|w| w == [0xFF, 0xD9])
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::DynamicImage;

    fn encode(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// A JPEG segment: marker, big-endian length, body.
    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    #[test]
    fn header_dimensions_are_read_without_decoding() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::new(37, 21));
        for format in [ImageFormat::Png, ImageFormat::Gif, ImageFormat::Bmp, ImageFormat::WebP] {
            assert_eq!(header_dimensions(&encode(img.clone(), format), format), Some((37, 21)), "{format:?}");
        }
        assert_eq!(JpegLayout::of(&encode(img.clone(), ImageFormat::Jpeg)).frame, Some((37, 21)));
        // Lossy WebP (VP8) and extended WebP (VP8X) headers, written by hand.
        let mut vp8 = b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0\0\0\x9d\x01\x2a".to_vec();
        vp8.extend_from_slice(&[0x10, 0x27, 0xe0, 0x2e]);
        assert_eq!(header_dimensions(&vp8, ImageFormat::WebP), Some((10_000, 12_000)));
        let mut vp8x = b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0".to_vec();
        vp8x.extend_from_slice(&[0xff, 0xff, 0xff, 0x00, 0x40, 0x00]);
        assert_eq!(header_dimensions(&vp8x, ImageFormat::WebP), Some((1 << 24, 0x4001)));
        // Anything short or strange: no answer, no panic.
        for cut in 0..40 {
            let jpeg = encode(img.clone(), ImageFormat::Jpeg);
            let _ = JpegLayout::of(&jpeg[..cut.min(jpeg.len())]);
            let _ = header_dimensions(&vp8x[..cut.min(vp8x.len())], ImageFormat::WebP);
        }
        assert_eq!(JpegLayout::of(b"\xff\xd8\xff\xff\xff").frame, None);
    }

    #[test]
    fn jpeg_layout_counts_scans_and_skips_segments_and_entropy_data() {
        // SOI, an APP1 whose payload holds bytes that look like markers (FF DA, FF D9), a frame
        // of 300x200, then three scans whose data holds stuffed FF 00 and a restart marker, EOI,
        // and 5 bytes of "video" after the end.
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(segment(0xE1, b"Exif\0\0MM\0*\xff\xda\xff\xd9"));
        jpeg.extend(segment(0xC2, &[8, 0, 200, 1, 44, 1, 1, 0x11, 0]));
        for _ in 0..3 {
            jpeg.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
            jpeg.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56]);
        }
        jpeg.extend_from_slice(&[0xFF, 0xD9, 1, 2, 0xFF, 0xDA, 5]);
        let layout = JpegLayout::of(&jpeg);
        assert_eq!(layout.frame, Some((300, 200)));
        assert_eq!(layout.scans, 3, "the FF DA in APP1 and after the end do not count");
        assert!(layout.ended);
        assert_eq!(&jpeg[layout.exif.clone().unwrap()], b"MM\0*\xff\xda\xff\xd9");
        // Cut before the end: no end marker, the scans so far.
        let cut = JpegLayout::of(&jpeg[..jpeg.len() - 8]);
        assert!(!cut.ended);
        assert_eq!(cut.scans, 3);
        // Every prefix: no panic.
        for n in 0..jpeg.len() {
            let _ = JpegLayout::of(&jpeg[..n]);
        }
    }

    #[test]
    fn probe_reports_format_size_orientation_and_scans() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::new(40, 30));
        let jpeg = encode(img.clone(), ImageFormat::Jpeg);
        let info = probe(&jpeg, &ImageLimits::default()).unwrap();
        assert_eq!((info.format, info.width, info.height, info.orientation, info.scans), ("jpeg", 40, 30, 1, 1));
        assert_eq!(info.oriented_size(), (40, 30));
        let png = probe(&encode(img, ImageFormat::Png), &ImageLimits::default()).unwrap();
        assert_eq!((png.format, png.width, png.height, png.scans), ("png", 40, 30, 0));
        // EXIF orientation 6 (turned a quarter): the sides swap.
        let tiff = [b"MM\0*\0\0\0\x08\0\x01".as_slice(), &[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0], &[0; 4]].concat();
        let mut turned = vec![0xFF, 0xD8];
        turned.extend(segment(0xE1, &[b"Exif\0\0".as_slice(), tiff.as_slice()].concat()));
        turned.extend_from_slice(&jpeg[2..]);
        let info = probe(&turned, &ImageLimits::default()).unwrap();
        assert_eq!((info.orientation, info.oriented_size()), (6, (30, 40)));
    }

    #[test]
    fn probe_refuses_too_many_scans_and_truncation() {
        let jpeg = encode(DynamicImage::ImageRgb8(image::RgbImage::new(16, 16)), ImageFormat::Jpeg);
        let limits = ImageLimits { max_jpeg_scans: 1, ..Default::default() };
        assert!(probe(&jpeg, &limits).is_ok(), "one scan, one allowed");
        // The same scan twice (its data copied): two scans.
        let sos = jpeg.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let scan = &jpeg[sos..jpeg.len() - 2];
        let twice = [&jpeg[..jpeg.len() - 2], scan, &[0xFF, 0xD9]].concat();
        let e = probe(&twice, &limits).unwrap_err();
        assert!(matches!(e, Error::ImageTooComplex { scans: 2, max_scans: 1 }), "{e:?}");
        let e = probe(&jpeg[..jpeg.len() - 2], &ImageLimits::default()).unwrap_err();
        assert!(matches!(e, Error::ImageDecode { format: "jpeg", .. }), "{e:?}");
    }

    #[test]
    fn probe_checks_size_format_and_declared_dimensions_first() {
        let limits = ImageLimits { max_encoded_bytes: 100, max_pixels: 1000, ..Default::default() };
        assert!(matches!(probe(&[], &limits), Err(Error::EmptyImage)));
        assert!(matches!(probe(&[0; 101], &limits), Err(Error::EncodedTooLarge { bytes: 101, limit: 100 })));
        assert!(matches!(probe(b"II*\0\x08\0\0\0", &limits), Err(Error::UnsupportedFormat { detected: Some("tiff") })));
        let gif = b"GIF89a\x40\x00\x40\x00\0\0\0\x3b";
        assert!(matches!(probe(gif, &limits), Err(Error::ImageTooLarge { width: 64, height: 64, .. })));
        let empty_gif = b"GIF89a\x00\x00\x40\x00\0\0\0\x3b";
        assert!(matches!(probe(empty_gif, &limits), Err(Error::ImageHasNoPixels { width: 0, height: 64 })));
    }
}

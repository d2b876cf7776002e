//! The pixels facegate works on: an owned RGB buffer, built from encoded bytes or from the
//! RGBA pixels a canvas gives, wiped when dropped.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use zeroize::Zeroize;

use crate::error::{Error, Result};
use crate::limits::ImageLimits;

/// The grey level transparent pixels are composited over (a neutral background).
const ALPHA_BACKGROUND: u16 = 128;

/// An 8-bit RGB image held in memory, row-major, no padding.
///
/// Build one with [`Image::decode`] (JPEG, PNG, WebP, GIF, BMP bytes; EXIF orientation
/// applied) or [`Image::from_rgba`] (raw canvas pixels). Its pixel memory is overwritten with
/// zeros when it is dropped: a photo is personal data too.
#[derive(Clone)]
pub struct Image {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image").field("width", &self.width).field("height", &self.height).finish_non_exhaustive()
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        self.rgb.zeroize();
    }
}

impl Image {
    /// Decodes an encoded image (JPEG, PNG, WebP, GIF: first frame, BMP), detected from its
    /// content, not its name. Grey, 16-bit and alpha images are converted to 8-bit RGB
    /// (transparent pixels over neutral grey) and the EXIF orientation is applied.
    ///
    /// Every check of [`probe`](crate::probe) runs first, on the bytes, before any decoder:
    /// [`Error::EmptyImage`], [`Error::EncodedTooLarge`], [`Error::UnsupportedFormat`],
    /// [`Error::ImageTooLarge`] and [`Error::ImageHasNoPixels`] (from the header),
    /// [`Error::ImageTooComplex`] (a JPEG of too many scans), [`Error::ImageDecode`] for a
    /// truncated JPEG; then [`Error::ImageDecode`] for corrupt data.
    pub fn decode(bytes: &[u8], limits: &ImageLimits) -> Result<Image> {
        let (info, format) = crate::probe::probe_format(bytes, limits)?;
        let format_name = info.format;
        let decode_err = |e: image::ImageError| match e {
            image::ImageError::Limits(_) => match declared_dimensions(bytes, format) {
                Some((w, h)) if limits.check_dimensions(w, h).is_err() => limits.check_dimensions(w, h).unwrap_err(),
                _ => Error::ImageDecode { format: format_name, reason: "the image needs more memory than the limits allow".into() },
            },
            other => Error::ImageDecode { format: format_name, reason: other.to_string() },
        };
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        reader.limits(decoder_limits(limits));
        let mut decoder = reader.into_decoder().map_err(decode_err)?;
        let (w, h) = decoder.dimensions();
        limits.check_dimensions(w, h)?;
        let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
        let mut img = DynamicImage::from_decoder(decoder).map_err(decode_err)?;
        img.apply_orientation(orientation);
        Ok(Self::from_dynamic(img))
    }

    /// Wraps raw RGBA pixels (4 bytes per pixel, row-major, as `ImageData` or a canvas gives).
    /// Transparent pixels are composited over neutral grey.
    ///
    /// Errors: [`Error::ImageHasNoPixels`], [`Error::ImageTooLarge`],
    /// [`Error::PixelBufferMismatch`] when `pixels.len() != width * height * 4`.
    pub fn from_rgba(pixels: &[u8], width: u32, height: u32, limits: &ImageLimits) -> Result<Image> {
        limits.check_dimensions(width, height)?;
        let expected = u64::from(width) * u64::from(height) * 4;
        if pixels.len() as u64 != expected {
            return Err(Error::PixelBufferMismatch { width, height, expected, actual: pixels.len() });
        }
        let mut rgb = Vec::with_capacity(pixels.len() / 4 * 3);
        for px in pixels.chunks_exact(4) {
            rgb.extend_from_slice(&composite(px));
        }
        Ok(Image { width, height, rgb })
    }

    /// Wraps RGB pixels (3 bytes per pixel, row-major) taken by value.
    ///
    /// Errors as [`Image::from_rgba`], with 3 bytes per pixel.
    pub fn from_rgb(mut pixels: Vec<u8>, width: u32, height: u32, limits: &ImageLimits) -> Result<Image> {
        limits.check_dimensions(width, height)?;
        let expected = u64::from(width) * u64::from(height) * 3;
        if pixels.len() as u64 != expected {
            let actual = pixels.len();
            pixels.zeroize();
            return Err(Error::PixelBufferMismatch { width, height, expected, actual });
        }
        Ok(Image { width, height, rgb: pixels })
    }

    /// An image from RGB bytes already known to hold `width * height * 3` bytes (made by
    /// facegate from an image that passed the limits: a turned or straightened view).
    pub(crate) fn from_parts(rgb: Vec<u8>, width: u32, height: u32) -> Image {
        debug_assert_eq!(rgb.len() as u64, u64::from(width) * u64::from(height) * 3);
        Image { width, height, rgb }
    }

    fn from_dynamic(img: DynamicImage) -> Image {
        let (width, height) = (img.width(), img.height());
        let rgb = if img.color().has_alpha() {
            let mut rgba = img.into_rgba8();
            let rgb = rgba.pixels().flat_map(|p| composite(&p.0)).collect();
            rgba.zeroize();
            rgb
        } else {
            match img {
                DynamicImage::ImageRgb8(buf) => buf.into_raw(),
                other => {
                    let rgb = other.to_rgb8().into_raw();
                    wipe(other);
                    rgb
                }
            }
        };
        Image { width, height, rgb }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The RGB bytes, row-major, 3 per pixel.
    pub fn as_rgb(&self) -> &[u8] {
        &self.rgb
    }

    /// This image shrunk by a whole factor so that its longest side is at most twice `size` (the
    /// detector input it is scaled to next anyway), or `None` when it already is. Lets a step
    /// that copies the photo (framing, turning) work on a copy of about `2 * size` pixels a side.
    pub fn shrunk_for_input(&self, size: u32) -> Option<Image> {
        let factor = self.width().max(self.height()).div_ceil(2 * size).max(1);
        (factor > 1).then(|| self.shrunk(factor))
    }

    /// This image shrunk by the whole `factor` (each output pixel the mean of a `factor` x
    /// `factor` block; edge blocks are partial), or a copy when `factor` is 0 or 1. Used before
    /// framing a large photo, so that the border retry never copies it at full size.
    pub fn shrunk(&self, factor: u32) -> Image {
        let f = factor.max(1) as usize;
        let (w, h) = (self.width as usize, self.height as usize);
        let (sw, sh) = (w.div_ceil(f), h.div_ceil(f));
        let mut rgb = Vec::with_capacity(sw * sh * 3);
        for by in 0..sh {
            let rows = by * f..((by + 1) * f).min(h);
            for bx in 0..sw {
                let cols = bx * f..((bx + 1) * f).min(w);
                let mut sum = [0u32; 3];
                for y in rows.clone() {
                    for x in cols.clone() {
                        let i = (y * w + x) * 3;
                        for (total, &v) in sum.iter_mut().zip(&self.rgb[i..i + 3]) {
                            *total += u32::from(v);
                        }
                    }
                }
                let n = (rows.len() * cols.len()) as u32;
                rgb.extend(sum.iter().map(|v| ((v + n / 2) / n) as u8));
            }
        }
        Image { width: sw as u32, height: sh as u32, rgb }
    }

    /// The image with a uniform border of `border` pixels on every side, in colour `fill`.
    pub fn with_border(&self, border: u32, fill: [u8; 3]) -> Image {
        let (w, h) = (self.width + 2 * border, self.height + 2 * border);
        let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
        let row_fill = |rgb: &mut Vec<u8>, n: u32| (0..n).for_each(|_| rgb.extend_from_slice(&fill));
        row_fill(&mut rgb, w * border);
        for row in self.rgb.chunks_exact(self.width as usize * 3) {
            row_fill(&mut rgb, border);
            rgb.extend_from_slice(row);
            row_fill(&mut rgb, border);
        }
        row_fill(&mut rgb, w * border);
        Image { width: w, height: h, rgb }
    }
}

/// Composites one RGBA pixel over [`ALPHA_BACKGROUND`].
fn composite(px: &[u8]) -> [u8; 3] {
    let a = u16::from(px[3]);
    let mix = |c: u8| ((u16::from(c) * a + ALPHA_BACKGROUND * (255 - a) + 127) / 255) as u8;
    [mix(px[0]), mix(px[1]), mix(px[2])]
}

/// Overwrites the pixel memory of a decoded image before it is freed.
fn wipe(img: DynamicImage) {
    let mut bytes = img.into_bytes();
    bytes.zeroize();
}

/// The dimensions an image's header declares, read without decoding any pixels.
fn declared_dimensions(bytes: &[u8], format: ImageFormat) -> Option<(u32, u32)> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.no_limits();
    reader.into_dimensions().ok()
}

/// The `image` crate's limits for decoding within `limits`.
pub(crate) fn decoder_limits(limits: &ImageLimits) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_width);
    l.max_image_height = Some(limits.max_height);
    // 16-bit RGBA (8 bytes a pixel) plus room for a decoder's working buffers.
    l.max_alloc = Some(limits.max_pixels.saturating_mul(8).saturating_add(64 << 20));
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn shrunk_averages_blocks_and_keeps_partial_edges() {
        // 3x2 image, factor 2: blocks {(0,0),(1,0),(0,1),(1,1)} and the partial column {(2,0),(2,1)}.
        let px: Vec<u8> = [10u8, 20, 30, 40, 50, 60].iter().flat_map(|&v| [v, v, v]).collect();
        let img = Image::from_rgb(px, 3, 2, &ImageLimits::default()).unwrap();
        let s = img.shrunk(2);
        assert_eq!((s.width(), s.height()), (2, 1));
        assert_eq!(s.as_rgb(), &[30, 30, 30, 45, 45, 45]); // (10+20+40+50)/4, (30+60)/2
        assert_eq!(img.shrunk(1).as_rgb(), img.as_rgb());
        assert_eq!(img.shrunk(0).as_rgb(), img.as_rgb());
    }

    #[test]
    fn shrunk_for_input_keeps_the_longest_side_at_most_twice_the_input() {
        let img = Image::from_rgb(vec![0; 1000 * 300 * 3], 1000, 300, &ImageLimits::default()).unwrap();
        assert!(img.shrunk_for_input(500).is_none(), "1000 px is twice 500: kept");
        let s = img.shrunk_for_input(320).unwrap(); // factor ceil(1000 / 640) = 2
        assert_eq!((s.width(), s.height()), (500, 150));
        let s = img.shrunk_for_input(100).unwrap(); // factor 5
        assert_eq!((s.width(), s.height()), (200, 60));
    }

    #[test]
    fn rgba_is_composited_over_grey() {
        let px = [200, 100, 0, 255, 200, 100, 0, 0];
        let img = Image::from_rgba(&px, 2, 1, &ImageLimits::default()).unwrap();
        assert_eq!(img.as_rgb(), &[200, 100, 0, 128, 128, 128]);
    }

    #[test]
    fn rgba_of_wrong_length_is_refused() {
        let e = Image::from_rgba(&[0; 7], 1, 2, &ImageLimits::default()).unwrap_err();
        assert!(matches!(e, Error::PixelBufferMismatch { expected: 8, actual: 7, .. }), "{e:?}");
    }

    #[test]
    fn png_round_trip_keeps_pixels() {
        let src = image::RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8 * 10, y as u8 * 20, 7]));
        let bytes = encode(DynamicImage::ImageRgb8(src.clone()), ImageFormat::Png);
        let img = Image::decode(&bytes, &ImageLimits::default()).unwrap();
        assert_eq!((img.width(), img.height()), (3, 2));
        assert_eq!(img.as_rgb(), src.as_raw().as_slice());
    }

    #[test]
    fn grey_and_16_bit_images_become_rgb() {
        let grey = image::GrayImage::from_pixel(2, 2, image::Luma([90]));
        let img = Image::decode(&encode(DynamicImage::ImageLuma8(grey), ImageFormat::Png), &ImageLimits::default()).unwrap();
        assert_eq!(img.as_rgb(), &[90; 12]);
        let deep = image::ImageBuffer::<image::Rgb<u16>, _>::from_pixel(1, 1, image::Rgb([65535u16, 0, 32896]));
        let img = Image::decode(&encode(DynamicImage::ImageRgb16(deep), ImageFormat::Png), &ImageLimits::default()).unwrap();
        assert_eq!(img.as_rgb(), &[255, 0, 128]);
    }

    #[test]
    fn unsupported_formats_are_named() {
        let cases: [(&[u8], Option<&str>); 4] = [
            (b"II*\0\x08\0\0\0", Some("tiff")),
            (b"\0\0\0\x18ftypheic\0\0\0\0", Some("heic")),
            (b"<?xml version=\"1.0\"?><svg xmlns=\"a\"></svg>", Some("svg")),
            (b"hello, world", None),
        ];
        for (bytes, name) in cases {
            let e = Image::decode(bytes, &ImageLimits::default()).unwrap_err();
            assert!(matches!(e, Error::UnsupportedFormat { detected } if detected == name), "{e:?}");
        }
    }

    #[test]
    fn border_surrounds_the_image() {
        let img = Image::from_rgb(vec![9; 3], 1, 1, &ImageLimits::default()).unwrap().with_border(1, [1, 2, 3]);
        assert_eq!((img.width(), img.height()), (3, 3));
        assert_eq!(&img.as_rgb()[12..15], &[9, 9, 9]);
        assert_eq!(&img.as_rgb()[0..3], &[1, 2, 3]);
        assert_eq!(img.as_rgb().len(), 27);
    }
}

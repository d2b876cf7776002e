//! Letterboxing: fitting an image into the detector's square input, and mapping detections back.

use image::imageops::{self, FilterType};
use image::{ImageBuffer, Rgb};
use zeroize::Zeroize;

use crate::face::{BoundingBox, Point};
use crate::image::Image;

/// How a `width` x `height` image is placed in a square `size` x `size` network input: scaled
/// so that its longer side fills the square, kept at the top-left, padded with black on the
/// bottom or right.
///
/// [`Letterbox::to_input`] maps source pixels to input pixels and [`Letterbox::to_source`] is
/// its exact inverse; the scale is per axis (`scaled_width / width`) so that rounding the
/// scaled size does not bias the mapping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    /// Side of the square network input.
    pub size: u32,
    /// Source width.
    pub width: u32,
    /// Source height.
    pub height: u32,
    /// Width of the scaled image inside the input (`1..=size`).
    pub scaled_width: u32,
    /// Height of the scaled image inside the input (`1..=size`).
    pub scaled_height: u32,
}

impl Letterbox {
    /// The letterbox of a `width` x `height` image (both non-zero) in a `size` square.
    pub fn fit(width: u32, height: u32, size: u32) -> Letterbox {
        let scale = size as f64 / width.max(height).max(1) as f64;
        let side = |n: u32| ((n as f64 * scale).round() as u32).clamp(1, size);
        Letterbox { size, width, height, scaled_width: side(width), scaled_height: side(height) }
    }

    fn scale_x(&self) -> f32 {
        self.scaled_width as f32 / self.width as f32
    }

    fn scale_y(&self) -> f32 {
        self.scaled_height as f32 / self.height as f32
    }

    /// A source-image point in network-input coordinates.
    pub fn to_input(&self, p: Point) -> Point {
        Point::new(p.x * self.scale_x(), p.y * self.scale_y())
    }

    /// A network-input point in source-image coordinates (inverse of [`Letterbox::to_input`]).
    pub fn to_source(&self, p: Point) -> Point {
        Point::new(p.x / self.scale_x(), p.y / self.scale_y())
    }

    /// A network-input box in source-image coordinates.
    pub fn box_to_source(&self, b: BoundingBox) -> BoundingBox {
        let (sx, sy) = (self.scale_x(), self.scale_y());
        BoundingBox { x: b.x / sx, y: b.y / sy, width: b.width / sx, height: b.height / sy }
    }

    /// The network input for `image`: resized (triangle filter, which averages when
    /// shrinking), placed top-left, black elsewhere; NCHW, **BGR** channel order, values 0..255.
    pub fn input_tensor(&self, image: &Image) -> Vec<f32> {
        let s = self.size as usize;
        let mut out = vec![0f32; 3 * s * s];
        let view: ImageBuffer<Rgb<u8>, &[u8]> =
            ImageBuffer::from_raw(image.width(), image.height(), image.as_rgb()).expect("Image holds width*height*3 bytes");
        let mut scaled = if (self.scaled_width, self.scaled_height) == (image.width(), image.height()) {
            view.as_raw().to_vec()
        } else {
            imageops::resize(&view, self.scaled_width, self.scaled_height, FilterType::Triangle).into_raw()
        };
        let (w, h) = (self.scaled_width as usize, self.scaled_height as usize);
        for y in 0..h {
            for x in 0..w {
                let px = &scaled[(y * w + x) * 3..][..3];
                for (c, &v) in [px[2], px[1], px[0]].iter().enumerate() {
                    out[c * s * s + y * s + x] = f32::from(v);
                }
            }
        }
        scaled.zeroize();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::ImageLimits;

    #[test]
    fn landscape_fills_the_width() {
        let lb = Letterbox::fit(1000, 500, 640);
        assert_eq!((lb.scaled_width, lb.scaled_height), (640, 320));
        assert_eq!(lb.to_input(Point::new(1000.0, 500.0)), Point::new(640.0, 320.0));
        assert_eq!(lb.to_input(Point::new(500.0, 250.0)), Point::new(320.0, 160.0));
    }

    #[test]
    fn small_images_are_scaled_up() {
        let lb = Letterbox::fit(250, 250, 640);
        assert_eq!((lb.scaled_width, lb.scaled_height), (640, 640));
        assert_eq!(lb.to_input(Point::new(125.0, 25.0)), Point::new(320.0, 64.0));
    }

    #[test]
    fn to_source_inverts_to_input() {
        let lb = Letterbox::fit(937, 1513, 320);
        for p in [Point::new(0.0, 0.0), Point::new(12.5, 1500.25), Point::new(936.0, 3.0)] {
            let back = lb.to_source(lb.to_input(p));
            assert!((back.x - p.x).abs() < 1e-3 && (back.y - p.y).abs() < 1e-3, "{p:?} -> {back:?}");
        }
        let b = lb.box_to_source(BoundingBox { x: 10.0, y: 20.0, width: 30.0, height: 40.0 });
        let corner = lb.to_source(Point::new(40.0, 60.0));
        assert!((b.x + b.width - corner.x).abs() < 1e-3 && (b.y + b.height - corner.y).abs() < 1e-3);
    }

    #[test]
    fn tensor_is_bgr_planes_padded_with_black() {
        // A 2x1 image (red, blue) into a 4x4 input: scaled to 4x2, bottom half black.
        let img = Image::from_rgb(vec![255, 0, 0, 0, 0, 255], 2, 1, &ImageLimits::default()).unwrap();
        let lb = Letterbox::fit(2, 1, 4);
        assert_eq!((lb.scaled_width, lb.scaled_height), (4, 2));
        let t = lb.input_tensor(&img);
        assert_eq!(t.len(), 48);
        let (b, r) = (&t[0..16], &t[32..48]);
        assert_eq!(r[0], 255.0, "top-left is red: R plane is the last");
        assert_eq!(b[0], 0.0);
        assert_eq!(b[3], 255.0, "top-right is blue: B plane is the first");
        assert!(t[8..16].iter().all(|&v| v == 0.0), "rows below the image are black");
    }
}

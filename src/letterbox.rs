//! Letterboxing: fitting an image into the detector's square input, and mapping detections back.

use zeroize::Zeroize;

use crate::face::{BoundingBox, Point};
use crate::image::Image;

/// How a `width` x `height` image is placed in the detector's network input: scaled, kept at the
/// top-left, padded with black on the bottom or right.
///
/// [`Letterbox::fit`] scales the longer side to `size` and pads to a `size` square;
/// [`Letterbox::fit_within`] follows a landscape image instead: the longer side scaled to `size`
/// as well, but the input's height only the scaled height rounded up to a multiple of 32 (what
/// YuNet's strides need). A 1280x720 camera frame then runs YuNet on 640x384 rather than
/// 640x640; square and portrait images still get the square.
///
/// [`Letterbox::to_input`] maps source pixels to input pixels and [`Letterbox::to_source`] is
/// its exact inverse; the scale is per axis (`scaled_width / width`) so that rounding the
/// scaled size does not bias the mapping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    /// The longest side the image may be scaled to (the detector's `input_size`).
    pub size: u32,
    /// Source width.
    pub width: u32,
    /// Source height.
    pub height: u32,
    /// Width of the scaled image inside the input (`1..=size`).
    pub scaled_width: u32,
    /// Height of the scaled image inside the input (`1..=size`).
    pub scaled_height: u32,
    /// Width of the network input (`size` for [`Letterbox::fit`]).
    pub input_width: u32,
    /// Height of the network input (`size` for [`Letterbox::fit`]).
    pub input_height: u32,
}

impl Letterbox {
    /// The letterbox of a `width` x `height` image (both non-zero) in a `size` square.
    pub fn fit(width: u32, height: u32, size: u32) -> Letterbox {
        let scale = size as f64 / width.max(height).max(1) as f64;
        let side = |n: u32| ((n as f64 * scale).round() as u32).clamp(1, size);
        Letterbox { size, width, height, scaled_width: side(width), scaled_height: side(height), input_width: size, input_height: size }
    }

    /// The letterbox of a `width` x `height` image (both non-zero) in an input that follows its
    /// shape: longer side scaled to `size` (a multiple of 32), the other input side rounded up
    /// to a multiple of 32, and the input never narrower than high.
    pub fn fit_within(width: u32, height: u32, size: u32) -> Letterbox {
        // The longer side always becomes `size`, enlarging small images: YuNet's landmarks on
        // small faces are less precise, and not enlarging LFW's 250x250 photos cost accuracy
        // (99.18 % instead of 99.41 % at the default threshold, TAR@1e-3 98.64 % vs 99.00 %).
        let longer = width.max(height).max(1);
        let scale = size as f64 / longer as f64;
        let side = |n: u32| ((n as f64 * scale).round() as u32).clamp(1, size);
        let (scaled_width, scaled_height) = (side(width), side(height));
        let up32 = |n: u32| (n.div_ceil(32).max(1) * 32).min(size.max(32));
        let input_height = up32(scaled_height);
        // Never narrower than high: tract's depthwise convolution loops along the longer axis,
        // and along the height (strided memory) it ran YuNet about 2x slower per pixel
        // (measured natively: 512x640 31 ms, 640x640 20 ms, 640x512 16 ms).
        let input_width = up32(scaled_width).max(input_height);
        Letterbox { size, width, height, scaled_width, scaled_height, input_width, input_height }
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

    /// The `side` x `side` window of a network input `input` (NCHW, 3 planes of
    /// `input_width` x `input_height`, as [`Letterbox::input_tensor`] makes it) whose top-left
    /// corner is at input pixel (`x`, `y`); what lies outside the input is 0, as the
    /// letterbox's own padding. The detector's close look runs the network on such a window
    /// around one face: the pixels the full-size look would see there, at the same scale.
    pub fn window(&self, input: &[f32], x: i64, y: i64, side: u32) -> Vec<f32> {
        let (iw, ih) = (self.input_width as usize, self.input_height as usize);
        let s = side as usize;
        let mut out = vec![0f32; 3 * s * s];
        for c in 0..3 {
            for row in 0..s {
                let sy = y + row as i64;
                if sy < 0 || sy >= ih as i64 {
                    continue;
                }
                // The columns of this row that lie inside the input.
                let from = x.max(0);
                let to = (x + s as i64).min(iw as i64);
                if from >= to {
                    continue;
                }
                let src = c * iw * ih + sy as usize * iw;
                let dst = c * s * s + row * s + (from - x) as usize;
                let n = (to - from) as usize;
                out[dst..dst + n].copy_from_slice(&input[src + from as usize..src + from as usize + n]);
            }
        }
        out
    }

    /// The network input for `image`: resized with a triangle (tent) filter that widens to
    /// average every source pixel when shrinking (as the `image` crate's `Triangle`), placed
    /// top-left, black elsewhere; NCHW, **BGR** channel order, values 0..255 (not rounded),
    /// `input_height` x `input_width`.
    ///
    /// Written for speed: one horizontal pass per source row into a small float buffer, one
    /// vertical pass writing the planes directly (the `image` crate's resize plus a conversion
    /// took several times as long).
    pub fn input_tensor(&self, image: &Image) -> Vec<f32> {
        let (iw, ih) = (self.input_width as usize, self.input_height as usize);
        let (sw, sh) = (self.scaled_width as usize, self.scaled_height as usize);
        let (w, h) = (image.width() as usize, image.height() as usize);
        let plane = iw * ih;
        let mut out = vec![0f32; 3 * plane];
        let rgb = image.as_rgb();
        if (sw, sh) == (w, h) {
            for (y, row) in rgb.chunks_exact(w * 3).enumerate() {
                for (x, px) in row.chunks_exact(3).enumerate() {
                    let o = y * iw + x;
                    out[o] = f32::from(px[2]);
                    out[plane + o] = f32::from(px[1]);
                    out[2 * plane + o] = f32::from(px[0]);
                }
            }
            return out;
        }
        let columns = Taps::new(w, sw);
        let rows = Taps::new(h, sh);
        // Source rows filtered horizontally, as BGR interleaved floats; a ring of as many rows as
        // the widest vertical window, each computed once.
        let window = rows.max_len().max(1);
        let mut ring = vec![0f32; window * sw * 3];
        let mut ring_row = vec![usize::MAX; window];
        let mut acc = vec![0f32; sw * 3];
        for oy in 0..sh {
            let (start, weights) = rows.get(oy);
            acc.iter_mut().for_each(|v| *v = 0.0);
            for (k, &wy) in weights.iter().enumerate() {
                let sy = start + k;
                let slot = sy % window;
                let line = &mut ring[slot * sw * 3..][..sw * 3];
                if ring_row[slot] != sy {
                    filter_row(&rgb[sy * w * 3..][..w * 3], &columns, line);
                    ring_row[slot] = sy;
                }
                for (a, &v) in acc.iter_mut().zip(line.iter()) {
                    *a += wy * v;
                }
            }
            let o = oy * iw;
            for (x, px) in acc.chunks_exact(3).enumerate() {
                out[o + x] = px[0].clamp(0.0, 255.0);
                out[plane + o + x] = px[1].clamp(0.0, 255.0);
                out[2 * plane + o + x] = px[2].clamp(0.0, 255.0);
            }
        }
        ring.zeroize();
        acc.zeroize();
        out
    }
}

/// One source row (RGB bytes) filtered horizontally into `line` (BGR floats, `columns.len()` pixels).
fn filter_row(src: &[u8], columns: &Taps, line: &mut [f32]) {
    for (x, px) in line.chunks_exact_mut(3).enumerate() {
        let (start, weights) = columns.get(x);
        let (mut b, mut g, mut r) = (0f32, 0f32, 0f32);
        for (k, &wx) in weights.iter().enumerate() {
            let p = &src[(start + k) * 3..][..3];
            r += wx * f32::from(p[0]);
            g += wx * f32::from(p[1]);
            b += wx * f32::from(p[2]);
        }
        px[0] = b;
        px[1] = g;
        px[2] = r;
    }
}

/// For each of `dst` output positions along one axis, the first source index and the
/// normalised tent-filter weights of the source positions it averages.
struct Taps {
    starts: Vec<usize>,
    offsets: Vec<usize>,
    weights: Vec<f32>,
}

impl Taps {
    fn new(src: usize, dst: usize) -> Taps {
        let ratio = src as f64 / dst as f64;
        // Widen the tent when shrinking so that every source pixel contributes.
        let support = ratio.max(1.0);
        let (mut starts, mut offsets, mut weights) = (Vec::with_capacity(dst), Vec::with_capacity(dst + 1), Vec::new());
        offsets.push(0);
        for i in 0..dst {
            let centre = (i as f64 + 0.5) * ratio;
            let left = ((centre - support).floor().max(0.0)) as usize;
            let right = ((centre + support).ceil() as usize).min(src);
            let from = weights.len();
            for j in left..right {
                let d = ((j as f64 + 0.5 - centre) / support).abs();
                weights.push((1.0 - d).max(0.0) as f32);
            }
            let total: f32 = weights[from..].iter().sum();
            if total > 0.0 {
                weights[from..].iter_mut().for_each(|w| *w /= total);
            } else {
                // Cannot happen for src >= 1 (the nearest pixel is always within the tent);
                // fall back to that pixel.
                weights.truncate(from);
                weights.push(1.0);
            }
            let first_nonzero = weights[from..].iter().position(|&w| w > 0.0).unwrap_or(0);
            weights.drain(from..from + first_nonzero);
            while weights.len() > from + 1 && weights.last() == Some(&0.0) {
                weights.pop();
            }
            starts.push(if total > 0.0 { left + first_nonzero } else { (centre as usize).min(src - 1) });
            offsets.push(weights.len());
        }
        Taps { starts, offsets, weights }
    }

    fn get(&self, i: usize) -> (usize, &[f32]) {
        (self.starts[i], &self.weights[self.offsets[i]..self.offsets[i + 1]])
    }

    fn max_len(&self) -> usize {
        self.offsets.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0)
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
    fn fit_within_keeps_the_shape_and_rounds_to_32() {
        let lb = Letterbox::fit_within(716, 900, 640);
        assert_eq!((lb.scaled_width, lb.scaled_height, lb.input_width, lb.input_height), (509, 640, 640, 640), "portrait: widened to square");
        let lb = Letterbox::fit_within(1280, 720, 640);
        assert_eq!((lb.scaled_width, lb.scaled_height, lb.input_width, lb.input_height), (640, 360, 640, 384));
        let lb = Letterbox::fit_within(250, 250, 640);
        assert_eq!((lb.scaled_width, lb.scaled_height, lb.input_width, lb.input_height), (640, 640, 640, 640), "enlarged as fit does");
        let lb = Letterbox::fit_within(320, 240, 640);
        assert_eq!((lb.scaled_width, lb.scaled_height, lb.input_width, lb.input_height), (640, 480, 640, 480));
        let lb = Letterbox::fit_within(1280, 720, 320);
        assert_eq!((lb.scaled_width, lb.scaled_height, lb.input_width, lb.input_height), (320, 180, 320, 192));
        let lb = Letterbox::fit_within(5, 3000, 640);
        assert_eq!((lb.scaled_width, lb.input_width, lb.input_height), (1, 640, 640));
        assert_eq!(lb.to_input(Point::new(5.0, 3000.0)).y, 640.0);
    }

    #[test]
    fn a_window_copies_the_input_and_pads_outside_with_zero() {
        // A 4x2 input whose values say where they are: plane c, row y, column x = 100c + 10y + x.
        let lb = Letterbox { size: 4, width: 4, height: 2, scaled_width: 4, scaled_height: 2, input_width: 4, input_height: 2 };
        let input: Vec<f32> = (0..3).flat_map(|c| (0..2).flat_map(move |y| (0..4).map(move |x| (100 * c + 10 * y + x) as f32))).collect();
        let w = lb.window(&input, 1, 0, 2);
        assert_eq!(w, [1., 2., 11., 12., 101., 102., 111., 112., 201., 202., 211., 212.]);
        let w = lb.window(&input, -1, 1, 2);
        assert_eq!(&w[..4], &[0., 10., 0., 0.], "left of and below the input: 0");
        assert!(lb.window(&input, 9, 9, 3).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn fit_within_tensor_is_input_sized() {
        let img = Image::from_rgb(vec![200; 70 * 40 * 3], 70, 40, &ImageLimits::default()).unwrap();
        let lb = Letterbox::fit_within(70, 40, 96);
        assert_eq!((lb.scaled_width, lb.scaled_height, lb.input_width, lb.input_height), (96, 55, 96, 64));
        let t = lb.input_tensor(&img);
        assert_eq!(t.len(), 3 * 96 * 64);
        assert_eq!((t[0], t[95], t[54 * 96], t[55 * 96]), (200.0, 200.0, 200.0, 0.0), "image at the top-left, black padding below");
    }

    #[test]
    fn resize_matches_the_image_crate_triangle_filter() {
        // A photo-like gradient with noise, shrunk and enlarged: within 1 grey level of
        // image::imageops::resize(.., Triangle) (which rounds to bytes; this does not).
        let (w, h) = (97u32, 61u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| ((i * 7 + (i / 3) % 13 * 11) % 256) as u8).collect();
        let img = Image::from_rgb(rgb.clone(), w, h, &ImageLimits::default()).unwrap();
        for size in [32u32, 64, 160] {
            let lb = Letterbox::fit(w, h, size);
            let t = lb.input_tensor(&img);
            let view = image::ImageBuffer::<image::Rgb<u8>, _>::from_raw(w, h, rgb.clone()).unwrap();
            let want = image::imageops::resize(&view, lb.scaled_width, lb.scaled_height, image::imageops::FilterType::Triangle);
            let plane = (size * size) as usize;
            let mut worst = 0f32;
            for (x, y, p) in want.enumerate_pixels() {
                let o = (y * size + x) as usize;
                for (c, v) in [p[2], p[1], p[0]].into_iter().enumerate() {
                    worst = worst.max((t[c * plane + o] - f32::from(v)).abs());
                }
            }
            assert!(worst <= 1.0, "size {size}: worst difference {worst}");
        }
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

//! Face alignment: a similarity transform of the five landmarks onto the ArcFace 112x112
//! template (Umeyama's least-squares method), then a bilinear warp.

use crate::face::{Landmarks, Point};
use crate::image::Image;

/// Side of the aligned face crop the recognizer takes.
pub const ALIGNED_SIZE: u32 = 112;

/// Where the five landmarks of an aligned face go in the 112x112 crop (the ArcFace template),
/// in [`Landmarks`] order.
pub const ARCFACE_TEMPLATE: [Point; 5] =
    [Point::new(38.2946, 51.6963), Point::new(73.5318, 51.5014), Point::new(56.0252, 71.7366), Point::new(41.5493, 92.3655), Point::new(70.7299, 92.2041)];

/// A 2-D similarity transform (rotation, uniform scale, translation):
/// `x' = a x - b y + tx`, `y' = b x + a y + ty`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimilarityTransform {
    /// `scale * cos(angle)`.
    pub a: f64,
    /// `scale * sin(angle)`.
    pub b: f64,
    /// Horizontal translation.
    pub tx: f64,
    /// Vertical translation.
    pub ty: f64,
}

impl SimilarityTransform {
    /// The image of `p`.
    pub fn apply(&self, p: Point) -> Point {
        let (x, y) = (f64::from(p.x), f64::from(p.y));
        Point::new((self.a * x - self.b * y + self.tx) as f32, (self.b * x + self.a * y + self.ty) as f32)
    }

    /// The inverse transform, or `None` when the scale is zero.
    pub fn inverse(&self) -> Option<SimilarityTransform> {
        let d = self.a * self.a + self.b * self.b;
        if d <= 1e-12 || !d.is_finite() {
            return None;
        }
        let (a, b) = (self.a / d, -self.b / d);
        Some(SimilarityTransform { a, b, tx: -(a * self.tx - b * self.ty), ty: -(b * self.tx + a * self.ty) })
    }

    /// Uniform scale factor.
    pub fn scale(&self) -> f64 {
        self.a.hypot(self.b)
    }
}

/// The similarity transform that best maps `src` onto `dst` in the least-squares sense
/// (Umeyama 1991, without reflection). In two dimensions Umeyama's SVD solution reduces to a
/// closed form: with both point sets centred, `a + ib = sum(conj(s) d) / sum(|s|^2)` in
/// complex notation. Returns `None` when `src` points all coincide or are not finite.
pub fn umeyama(src: &[Point], dst: &[Point]) -> Option<SimilarityTransform> {
    let n = src.len().min(dst.len());
    if n == 0 {
        return None;
    }
    let mean = |pts: &[Point]| {
        let (sx, sy) = pts[..n].iter().fold((0.0, 0.0), |(x, y), p| (x + f64::from(p.x), y + f64::from(p.y)));
        (sx / n as f64, sy / n as f64)
    };
    let (smx, smy) = mean(src);
    let (dmx, dmy) = mean(dst);
    let (mut re, mut im, mut var) = (0.0, 0.0, 0.0);
    for (s, d) in src[..n].iter().zip(&dst[..n]) {
        let (sx, sy) = (f64::from(s.x) - smx, f64::from(s.y) - smy);
        let (dx, dy) = (f64::from(d.x) - dmx, f64::from(d.y) - dmy);
        re += sx * dx + sy * dy;
        im += sx * dy - sy * dx;
        var += sx * sx + sy * sy;
    }
    if var <= 1e-12 || !var.is_finite() || !re.is_finite() || !im.is_finite() {
        return None;
    }
    let (a, b) = (re / var, im / var);
    Some(SimilarityTransform { a, b, tx: dmx - (a * smx - b * smy), ty: dmy - (b * smx + a * smy) })
}

/// The transform taking a face's landmarks onto [`ARCFACE_TEMPLATE`].
pub fn alignment_transform(landmarks: &Landmarks) -> Option<SimilarityTransform> {
    umeyama(&landmarks.to_array(), &ARCFACE_TEMPLATE)
}

/// Warps `image` by `to_crop` (source -> crop coordinates) into a `size` x `size` RGB crop,
/// sampling bilinearly; pixels that fall outside the source are black (as OpenCV's
/// `warpAffine` with a constant zero border).
pub fn warp_bilinear(image: &Image, to_crop: &SimilarityTransform, size: u32) -> Vec<u8> {
    let size = size as usize;
    let mut out = vec![0u8; size * size * 3];
    let Some(inv) = to_crop.inverse() else { return out };
    let (w, h) = (image.width() as i64, image.height() as i64);
    let rgb = image.as_rgb();
    let texel = |x: i64, y: i64, c: usize| -> f64 {
        if x < 0 || y < 0 || x >= w || y >= h {
            0.0
        } else {
            f64::from(rgb[((y * w + x) * 3) as usize + c])
        }
    };
    for y in 0..size {
        for x in 0..size {
            let (fx, fy) = (x as f64, y as f64);
            let sx = inv.a * fx - inv.b * fy + inv.tx;
            let sy = inv.b * fx + inv.a * fy + inv.ty;
            if !(sx > -1.0 && sy > -1.0 && sx < w as f64 && sy < h as f64) {
                continue;
            }
            let (x0, y0) = (sx.floor() as i64, sy.floor() as i64);
            let (ax, ay) = (sx - x0 as f64, sy - y0 as f64);
            for c in 0..3 {
                let top = texel(x0, y0, c) * (1.0 - ax) + texel(x0 + 1, y0, c) * ax;
                let bottom = texel(x0, y0 + 1, c) * (1.0 - ax) + texel(x0 + 1, y0 + 1, c) * ax;
                out[(y * size + x) * 3 + c] = (top * (1.0 - ay) + bottom * ay).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::ImageLimits;

    fn close(a: Point, b: Point, tol: f32) -> bool {
        (a.x - b.x).abs() < tol && (a.y - b.y).abs() < tol
    }

    #[test]
    fn umeyama_recovers_a_known_similarity() {
        // Rotate 30 degrees, scale 2.5, translate (7, -3).
        let (s, t) = (2.5f64, 30f64.to_radians());
        let truth = SimilarityTransform { a: s * t.cos(), b: s * t.sin(), tx: 7.0, ty: -3.0 };
        let src = ARCFACE_TEMPLATE;
        let dst: Vec<Point> = src.iter().map(|&p| truth.apply(p)).collect();
        let est = umeyama(&src, &dst).unwrap();
        assert!((est.a - truth.a).abs() < 1e-5 && (est.b - truth.b).abs() < 1e-5, "{est:?}");
        assert!((est.tx - truth.tx).abs() < 1e-3 && (est.ty - truth.ty).abs() < 1e-3, "{est:?}");
    }

    #[test]
    fn umeyama_is_least_squares_for_noisy_points() {
        // Two points at (-1,0),(1,0) onto (-2,1),(2,-1): the exact similarity exists
        // (scale sqrt(5), rotation atan2(-1,2)). Adding the symmetric pair (0,-1),(0,1) -> (-1,-2),(1,2)
        // keeps it exact; then perturbing one target, the fit is the average rotation.
        let src = [Point::new(-1.0, 0.0), Point::new(1.0, 0.0)];
        let dst = [Point::new(-2.0, 1.0), Point::new(2.0, -1.0)];
        let t = umeyama(&src, &dst).unwrap();
        assert!((t.a - 2.0).abs() < 1e-9 && (t.b + 1.0).abs() < 1e-9, "{t:?}");
        assert!((t.scale() - 5f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn degenerate_landmarks_give_no_transform() {
        let same = [Point::new(3.0, 3.0); 5];
        assert!(umeyama(&same, &ARCFACE_TEMPLATE).is_none());
        let nan = [Point::new(f32::NAN, 0.0); 5];
        assert!(umeyama(&nan, &ARCFACE_TEMPLATE).is_none());
    }

    #[test]
    fn inverse_undoes_apply() {
        let t = SimilarityTransform { a: 0.3, b: -1.2, tx: 40.0, ty: 5.0 };
        let p = Point::new(12.0, -7.5);
        assert!(close(t.inverse().unwrap().apply(t.apply(p)), p, 1e-4));
    }

    #[test]
    fn warp_by_identity_copies_and_half_pixel_shift_averages() {
        // 2x2 image: a horizontal ramp.
        let img = Image::from_rgb(vec![0, 0, 0, 100, 100, 100, 0, 0, 0, 100, 100, 100], 2, 2, &ImageLimits::default()).unwrap();
        let id = SimilarityTransform { a: 1.0, b: 0.0, tx: 0.0, ty: 0.0 };
        assert_eq!(warp_bilinear(&img, &id, 2), img.as_rgb());
        // Crop pixel x samples source x + 0.5: halfway between 0 and 100, then between 100 and the black border.
        let shift = SimilarityTransform { a: 1.0, b: 0.0, tx: -0.5, ty: 0.0 };
        assert_eq!(&warp_bilinear(&img, &shift, 2)[..6], &[50, 50, 50, 50, 50, 50]);
    }

    #[test]
    fn aligned_template_landmarks_map_to_themselves() {
        let t = alignment_transform(&Landmarks::from_array(ARCFACE_TEMPLATE)).unwrap();
        for p in ARCFACE_TEMPLATE {
            assert!(close(t.apply(p), p, 1e-4));
        }
    }
}

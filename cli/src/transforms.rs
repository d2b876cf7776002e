//! The hard-photo transforms of `facegate eval --transform`: what people's photos do to a
//! face. Each is deterministic (seeded per image) and built from `image` and `imageproc`
//! operations; the ones that follow the face (occluders, crops) place themselves with the
//! landmarks found on the clean photo.

use facegate::{Landmarks, Point};
use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_filled_ellipse_mut, draw_polygon_mut};
use imageproc::geometric_transformations::{rotate_about_center, Interpolation};
use imageproc::point::Point as Vertex;

/// A transform of a photo, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Transform {
    /// The photo as it is.
    None,
    /// Turned a quarter turn clockwise, no EXIF orientation (a phone photo taken sideways).
    Rot90,
    /// Upside down.
    Rot180,
    /// Turned a quarter turn counter-clockwise.
    Rot270,
    /// Rotated 30 degrees about its centre (a head rolled by 30 degrees).
    Roll30,
    /// Rotated 45 degrees.
    Roll45,
    /// Rotated 60 degrees.
    Roll60,
    /// Gaussian blur, sigma 4 pixels.
    Blur4,
    /// Very dark: every value times 0.06, then Gaussian noise (sd 2).
    Dark,
    /// A surgical mask drawn over nose, mouth and chin.
    Mask,
    /// Dark glasses drawn over the eyes.
    Glasses,
    /// Only the part of the photo below the nose tip (the face cut at the nose).
    LowerHalf,
    /// Shrunk to 40 pixels wide (a face about 16 pixels across).
    Small40,
    /// In the middle of a grey canvas three times as wide and high (LFW's 250 px photo in a
    /// 750 px one: a face about 95 px wide at the detector's 640, as in a head-and-shoulders
    /// portrait, so that the detector's close looks are measured).
    Canvas3,
}

impl Transform {
    /// The name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Transform::None => "none",
            Transform::Rot90 => "rot90",
            Transform::Rot180 => "rot180",
            Transform::Rot270 => "rot270",
            Transform::Roll30 => "roll30",
            Transform::Roll45 => "roll45",
            Transform::Roll60 => "roll60",
            Transform::Blur4 => "blur4",
            Transform::Dark => "dark",
            Transform::Mask => "mask",
            Transform::Glasses => "glasses",
            Transform::LowerHalf => "lower-half",
            Transform::Small40 => "small40",
            Transform::Canvas3 => "canvas3",
        }
    }

    /// `img` transformed; `face` are the landmarks found on the clean photo (the transforms
    /// that follow the face return `None` without them); `seed` makes the noise repeatable.
    pub fn apply(self, img: &RgbImage, face: Option<&Landmarks>, seed: u64) -> Option<RgbImage> {
        let black = Rgb([0, 0, 0]);
        let roll = |deg: f32| rotate_about_center(img, deg.to_radians(), Interpolation::Bilinear, black);
        Some(match self {
            Transform::None => img.clone(),
            Transform::Rot90 => imageops::rotate90(img),
            Transform::Rot180 => imageops::rotate180(img),
            Transform::Rot270 => imageops::rotate270(img),
            Transform::Roll30 => roll(30.0),
            Transform::Roll45 => roll(45.0),
            Transform::Roll60 => roll(60.0),
            Transform::Blur4 => imageproc::filter::gaussian_blur_f32(img, 4.0),
            Transform::Dark => {
                let dim = RgbImage::from_fn(img.width(), img.height(), |x, y| Rgb(img.get_pixel(x, y).0.map(|v| (f32::from(v) * 0.06).round() as u8)));
                imageproc::noise::gaussian_noise(&dim, 0.0, 2.0, seed)
            }
            Transform::Mask => mask(img, face?),
            Transform::Glasses => glasses(img, face?),
            Transform::LowerHalf => {
                let top = (face?.nose.y.round().max(0.0) as u32).min(img.height() - 1);
                imageops::crop_imm(img, 0, top, img.width(), img.height() - top).to_image()
            }
            Transform::Small40 => {
                let h = (img.height() as f32 * 40.0 / img.width() as f32).round().max(1.0) as u32;
                imageops::resize(img, 40, h, FilterType::Triangle)
            }
            Transform::Canvas3 => {
                let mut canvas = RgbImage::from_pixel(3 * img.width(), 3 * img.height(), Rgb([128, 128, 128]));
                imageops::replace(&mut canvas, img, i64::from(img.width()), i64::from(img.height()));
                canvas
            }
        })
    }
}

/// The face's frame: eye midpoint, unit vector from the subject's right eye to the left, unit
/// vector down the face, and the eye distance.
fn frame(l: &Landmarks) -> (Point, Point, Point, f32) {
    let (dx, dy) = (l.left_eye.x - l.right_eye.x, l.left_eye.y - l.right_eye.y);
    let iod = dx.hypot(dy).max(1.0);
    let u = Point::new(dx / iod, dy / iod);
    let v = Point::new(-u.y, u.x);
    (Point::new((l.left_eye.x + l.right_eye.x) / 2.0, (l.left_eye.y + l.right_eye.y) / 2.0), u, v, iod)
}

/// A vertex at `(across, down)` eye distances from the eye midpoint, in the face's frame.
fn at(l: &Landmarks, across: f32, down: f32) -> Vertex<i32> {
    let (c, u, v, iod) = frame(l);
    Vertex::new((c.x + iod * (across * u.x + down * v.x)).round() as i32, (c.y + iod * (across * u.y + down * v.y)).round() as i32)
}

/// A light blue surgical mask from the middle of the nose to below the chin.
fn mask(img: &RgbImage, l: &Landmarks) -> RgbImage {
    let mut out = img.clone();
    let poly = [at(l, -1.05, 0.35), at(l, 1.05, 0.35), at(l, 1.0, 1.45), at(l, 0.45, 1.95), at(l, -0.45, 1.95), at(l, -1.0, 1.45)];
    draw_polygon_mut(&mut out, &poly, Rgb([150, 190, 225]));
    out
}

/// Dark glasses: two near-black lenses over the eyes and a bridge between them.
fn glasses(img: &RgbImage, l: &Landmarks) -> RgbImage {
    let mut out = img.clone();
    let (_, _, _, iod) = frame(l);
    let lens = Rgb([18, 18, 22]);
    for eye in [l.right_eye, l.left_eye] {
        draw_filled_ellipse_mut(&mut out, (eye.x.round() as i32, eye.y.round() as i32), (0.42 * iod).round() as i32, (0.3 * iod).round() as i32, lens);
    }
    let bridge = [at(l, -0.2, -0.08), at(l, 0.2, -0.08), at(l, 0.2, 0.02), at(l, -0.2, 0.02)];
    draw_polygon_mut(&mut out, &bridge, lens);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face() -> Landmarks {
        Landmarks::from_array([Point::new(40.0, 40.0), Point::new(60.0, 40.0), Point::new(50.0, 52.0), Point::new(42.0, 62.0), Point::new(58.0, 62.0)])
    }

    #[test]
    fn transforms_have_the_expected_shapes_and_are_repeatable() {
        let img = RgbImage::from_fn(100, 80, |x, y| Rgb([x as u8, y as u8, 128]));
        assert_eq!(Transform::Rot90.apply(&img, None, 1).unwrap().dimensions(), (80, 100));
        assert_eq!(Transform::Small40.apply(&img, None, 1).unwrap().dimensions(), (40, 32));
        assert_eq!(Transform::LowerHalf.apply(&img, Some(&face()), 1).unwrap().dimensions(), (100, 28));
        assert!(Transform::Mask.apply(&img, None, 1).is_none(), "no landmarks, no mask");
        let (a, b) = (Transform::Dark.apply(&img, None, 7).unwrap(), Transform::Dark.apply(&img, None, 7).unwrap());
        assert_eq!(a, b, "same seed, same noise");
        assert!(a.pixels().all(|p| p.0[2] < 30), "darkened");
    }

    #[test]
    fn occluders_cover_their_part_of_the_face() {
        let img = RgbImage::from_pixel(100, 100, Rgb([200, 120, 90]));
        let masked = Transform::Mask.apply(&img, Some(&face()), 1).unwrap();
        assert_eq!(masked.get_pixel(50, 62).0, [150, 190, 225], "the mouth is under the mask");
        assert_eq!(masked.get_pixel(40, 40).0, [200, 120, 90], "the eyes are not");
        let dark = Transform::Glasses.apply(&img, Some(&face()), 1).unwrap();
        assert_eq!(dark.get_pixel(40, 40).0, [18, 18, 22], "an eye is behind a lens");
        assert_eq!(dark.get_pixel(50, 62).0, [200, 120, 90], "the mouth is not");
    }
}

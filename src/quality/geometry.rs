//! Landmark geometry of one face: size, roll, yaw, how well the five points fit the ArcFace
//! template, whether they are in face order, and how much of the aligned crop the photo covers.
//! Pure functions of the landmarks (and the image size); no pixels are read.

use serde::Serialize;

use crate::align::{alignment_transform, SimilarityTransform, ALIGNED_SIZE, ARCFACE_TEMPLATE};
use crate::face::{Face, Landmarks, Point};
use crate::orientation::roll_within_turn;

/// Distance between the two eye landmarks of [`ARCFACE_TEMPLATE`], crop pixels (35.24).
const TEMPLATE_EYE_DISTANCE: f32 = 35.237_7;

/// What the landmarks of one face say, before any pixel is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Geometry {
    /// Distance between the eye centres in source pixels (the face's size).
    pub inter_ocular_px: f32,
    /// Head roll in degrees, `-180..=180`: the angle the alignment rotates the face by, sign
    /// flipped (0 upright, positive when the head leans clockwise in the photo, 180 upside
    /// down); from [`face_geometry`], within the turn the face was found in.
    pub roll_degrees: f32,
    /// A yaw estimate from landmark asymmetry: the nose tip's horizontal offset from the
    /// midpoint of the eyes after alignment, in eye distances (0 frontal; about 0.5 at a
    /// three-quarter view; sign gives the side).
    pub yaw: f32,
    /// Root-mean-square distance between the aligned landmarks and the template's, in crop
    /// pixels (of 112): small for a face-shaped set of points, large for a scattered one.
    pub fit_residual: f32,
    /// Whether, after alignment, the eyes lie above the nose and the nose above the mouth
    /// corners, and each pair is left-right in the expected order.
    pub face_order: bool,
    /// Fraction of the 112x112 aligned crop that comes from inside the photo, `0..=1`.
    pub inside_fraction: f32,
    /// Whether all five landmarks lie inside the photo (a face found by the border retry with
    /// eyes placed above the photo does not).
    pub landmarks_inside: bool,
}

/// The geometry of `face` in a `width` x `height` photo, its roll measured within the turn the
/// face was found in ([`Face::rotation`](crate::Face)), or `None` when the landmarks are not
/// finite or coincide (no alignment exists).
pub fn face_geometry(face: &Face, width: u32, height: u32) -> Option<Geometry> {
    let mut g = geometry(&face.landmarks, width, height)?;
    g.roll_degrees = roll_within_turn(g.roll_degrees, face.rotation);
    Some(g)
}

/// The geometry of `landmarks` in a `width` x `height` photo, or `None` when they are not
/// finite or coincide (no alignment exists).
pub fn geometry(landmarks: &Landmarks, width: u32, height: u32) -> Option<Geometry> {
    let pts = landmarks.to_array();
    if pts.iter().any(|p| !p.x.is_finite() || !p.y.is_finite()) {
        return None;
    }
    let t = alignment_transform(landmarks)?;
    let aligned = pts.map(|p| t.apply(p));
    let fit_residual = (aligned.iter().zip(&ARCFACE_TEMPLATE).map(|(a, b)| sq(a.x - b.x) + sq(a.y - b.y)).sum::<f32>() / 5.0).sqrt();
    Some(Geometry {
        inter_ocular_px: distance(landmarks.right_eye, landmarks.left_eye),
        roll_degrees: roll_degrees(&t),
        yaw: yaw(&aligned),
        fit_residual,
        face_order: face_order(&aligned),
        inside_fraction: inside_fraction(&t, width, height),
        landmarks_inside: pts.iter().all(|p| p.x >= 0.0 && p.y >= 0.0 && p.x <= width as f32 && p.y <= height as f32),
    })
}

fn sq(v: f32) -> f32 {
    v * v
}

fn distance(a: Point, b: Point) -> f32 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// The head's roll in degrees from the image-to-crop transform: the alignment rotates by
/// `atan2(b, a)`, so the head is rolled by the opposite angle.
pub fn roll_degrees(to_crop: &SimilarityTransform) -> f32 {
    (-to_crop.b.atan2(to_crop.a).to_degrees()) as f32
}

/// Nose offset from the eyes' midline, in eye distances, on aligned landmarks.
fn yaw(aligned: &[Point; 5]) -> f32 {
    let [re, le, nose, ..] = *aligned;
    let eyes = distance(re, le).max(1e-3);
    let mid = (re.x + le.x) / 2.0;
    // The template's nose is itself slightly off the eye midline: measure from there.
    let template_mid = (ARCFACE_TEMPLATE[0].x + ARCFACE_TEMPLATE[1].x) / 2.0;
    let template_offset = (ARCFACE_TEMPLATE[2].x - template_mid) / TEMPLATE_EYE_DISTANCE;
    (nose.x - mid) / eyes - template_offset
}

/// Eyes above nose above mouth, right before left (image left to right), on aligned landmarks.
fn face_order(aligned: &[Point; 5]) -> bool {
    let [re, le, nose, rm, lm] = *aligned;
    re.x < le.x && rm.x < lm.x && re.y.max(le.y) < nose.y && nose.y < rm.y.min(lm.y)
}

/// Fraction of the `ALIGNED_SIZE` square crop whose source point lies inside a `width` x
/// `height` photo, sampled on a 28x28 grid of cell centres (each sample stands for a 4x4 block).
pub fn inside_fraction(to_crop: &SimilarityTransform, width: u32, height: u32) -> f32 {
    const GRID: u32 = 28;
    let Some(inv) = to_crop.inverse() else {
        return 0.0;
    };
    let cell = ALIGNED_SIZE as f32 / GRID as f32;
    let mut inside = 0u32;
    for gy in 0..GRID {
        for gx in 0..GRID {
            let p = inv.apply(Point::new((gx as f32 + 0.5) * cell, (gy as f32 + 0.5) * cell));
            if p.x >= 0.0 && p.y >= 0.0 && p.x < width as f32 && p.y < height as f32 {
                inside += 1;
            }
        }
    }
    inside as f32 / (GRID * GRID) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The template scaled by `s`, rotated by `deg` (image coordinates, clockwise on screen),
    /// moved by `(dx, dy)`.
    fn placed(s: f32, deg: f32, dx: f32, dy: f32) -> Landmarks {
        let (sin, cos) = deg.to_radians().sin_cos();
        Landmarks::from_array(ARCFACE_TEMPLATE.map(|p| Point::new(s * (p.x * cos - p.y * sin) + dx, s * (p.x * sin + p.y * cos) + dy)))
    }

    #[test]
    fn an_upright_template_face_measures_as_expected() {
        // The template twice as large, inside a 400x400 photo.
        let g = geometry(&placed(2.0, 0.0, 100.0, 100.0), 400, 400).unwrap();
        assert!((g.inter_ocular_px - 2.0 * TEMPLATE_EYE_DISTANCE).abs() < 1e-2, "{g:?}");
        assert!(g.roll_degrees.abs() < 1e-3 && g.yaw.abs() < 1e-4 && g.fit_residual < 1e-3, "{g:?}");
        assert!(g.face_order && g.landmarks_inside);
        assert_eq!(g.inside_fraction, 1.0);
    }

    #[test]
    fn roll_follows_the_head() {
        // Rotating the landmarks by +30 degrees in image coordinates (y down) leans the head
        // clockwise on screen: roll +30. Upside down is 180.
        let g = geometry(&placed(1.0, 30.0, 200.0, 50.0), 400, 400).unwrap();
        assert!((g.roll_degrees - 30.0).abs() < 1e-3, "{g:?}");
        let g = geometry(&placed(1.0, 180.0, 300.0, 300.0), 400, 400).unwrap();
        assert!((g.roll_degrees.abs() - 180.0).abs() < 1e-3, "{g:?}");
        // The alignment undoes the rotation: the points are still in face order.
        assert!(g.face_order && g.fit_residual < 1e-3);
    }

    #[test]
    fn a_nose_moved_sideways_by_half_the_eye_distance_is_yaw_one_half() {
        let mut l = Landmarks::from_array(ARCFACE_TEMPLATE);
        l.nose.x += TEMPLATE_EYE_DISTANCE / 2.0;
        let g = geometry(&l, 112, 112).unwrap();
        // The fit moves the other points a little too; the offset stays close to 0.5.
        assert!((g.yaw - 0.5).abs() < 0.08, "{g:?}");
        assert!(g.fit_residual > 5.0 && g.fit_residual < 10.0, "{g:?}");
    }

    #[test]
    fn swapped_eyes_and_mouth_are_out_of_face_order() {
        // Eyes where the mouth corners are and the other way round, not mirrored: no rotation
        // or scale puts these on the template.
        let t = ARCFACE_TEMPLATE;
        let l = Landmarks::from_array([t[3], t[4], t[2], t[0], t[1]]);
        let g = geometry(&l, 112, 112).unwrap();
        assert!(!g.face_order, "{g:?}");
        assert!(g.fit_residual > 10.0, "{g:?}");
    }

    #[test]
    fn a_face_half_above_the_photo_is_half_outside() {
        // The template as is (1:1), the photo starting at crop row 56: half the crop is above it.
        let g = geometry(&placed(1.0, 0.0, 0.0, -56.0), 112, 112).unwrap();
        assert!((g.inside_fraction - 0.5).abs() < 1e-6, "{g:?}");
        assert!(!g.landmarks_inside, "the eyes at y = 51.7 - 56 are above the photo");
    }

    #[test]
    fn coincident_or_non_finite_landmarks_have_no_geometry() {
        assert!(geometry(&Landmarks::from_array([Point::new(5.0, 5.0); 5]), 10, 10).is_none());
        assert!(geometry(&Landmarks::from_array([Point::new(f32::NAN, 5.0); 5]), 10, 10).is_none());
    }
}

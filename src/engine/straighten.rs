//! Rolled heads: YuNet under-states a large roll (a head rolled 45 degrees gets landmarks
//! tilted by about 18), so the aligned crop stays tilted. Re-detecting the face in a view of
//! the photo rotated by the roll found brings the head nearer upright, where the landmarks are
//! right; a few passes converge.

use super::Engine;
use crate::face::{Face, Point};
use crate::image::Image;
use crate::orientation::{face_to_source, straightened};
use crate::quality::face_geometry;

/// Side of the straightened view, pixels.
const VIEW_SIDE: u32 = 320;
/// How much of the photo the view covers, in eye distances across.
const VIEW_EXTENT_EYES: f32 = 5.0;
/// Passes at most (each one detector run).
const MAX_PASSES: usize = 3;
/// A pass that changes the roll by less than this (degrees) ends the search: converged.
const CONVERGED_DEGREES: f32 = 3.0;
/// Beyond this roll the head is upside down rather than rolled: the turn search's business.
const MAX_STRAIGHTENED_DEGREES: f32 = 135.0;

impl Engine {
    /// `face` with landmarks that follow its head: re-detected in views of the photo rotated by
    /// its roll while that roll exceeds
    /// [`OrientationConfig::straighten_above_degrees`](crate::OrientationConfig). The face
    /// itself when straightening is off, not needed, or finds nothing.
    pub(super) fn straighten(&self, image: &Image, face: &Face) -> Face {
        let config = self.config.orientation;
        let mut current = *face;
        if !config.straighten_roll {
            return current;
        }
        let (w, h) = (image.width(), image.height());
        for _ in 0..MAX_PASSES {
            let Some(g) = face_geometry(&current, w, h) else {
                break;
            };
            // Decided on the roll within the face's turn; the view undoes the roll in the photo.
            let roll = g.roll_degrees;
            if roll.abs() <= config.straighten_above_degrees || roll.abs() > MAX_STRAIGHTENED_DEGREES {
                break;
            }
            let photo_roll = roll - f32::from(current.rotation.degrees());
            let pts = current.landmarks.to_array();
            let center = Point::new(pts.iter().map(|p| p.x).sum::<f32>() / 5.0, pts.iter().map(|p| p.y).sum::<f32>() / 5.0);
            let (view, to_view) = straightened(image, center, photo_roll, VIEW_EXTENT_EYES * g.inter_ocular_px, VIEW_SIDE);
            let Some(back) = to_view.inverse() else { break };
            let Ok(found) = self.detector.detect(&view) else {
                break;
            };
            let mid = VIEW_SIDE as f32 / 2.0;
            let nearest = found.iter().min_by(|a, b| {
                let d = |f: &Face| (f.landmarks.nose.x - mid).hypot(f.landmarks.nose.y - mid);
                d(a).total_cmp(&d(b))
            });
            // The same face: its nose within one eye distance of the view's centre.
            let Some(f) = nearest.filter(|f| (f.landmarks.nose.x - mid).hypot(f.landmarks.nose.y - mid) < VIEW_SIDE as f32 / VIEW_EXTENT_EYES) else {
                break;
            };
            let next = Face { rotation: current.rotation, ..face_to_source(f, |p| back.apply(p), w, h) };
            let next_roll = face_geometry(&next, w, h).map_or(roll, |g| g.roll_degrees);
            current = next;
            if (next_roll - roll).abs() < CONVERGED_DEGREES {
                break;
            }
        }
        current
    }
}

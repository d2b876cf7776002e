//! Photos taken sideways or upside down: when the upright photo shows no plausible face,
//! look again with it turned by quarter turns and keep the turn that shows one best.

use super::Engine;
use crate::error::Result;
use crate::face::{Face, Point};
use crate::image::Image;
use crate::orientation::{face_to_source, to_source, turned, OrientationConfig, Rotation};
use crate::quality::geometry;

/// One turn of the photo: the turn, the faces found in it (in the photo's pixels) and the best
/// plausible score among them.
type TurnFaces = (Rotation, Vec<Face>, Option<f32>);

/// Largest roll, in degrees, of a face that counts as upright (beyond it, a quarter turn of the
/// photo may show the face better).
const UPRIGHT_ROLL: f32 = 60.0;

/// Whether `face`, found in a `width` x `height` image, is a plausible upright face: a score
/// of at least `config.min_upright_score`, landmarks in face order, roll under 60 degrees.
pub(crate) fn plausible_upright(face: &Face, width: u32, height: u32, config: &OrientationConfig) -> bool {
    face.score >= config.min_upright_score && geometry(&face.landmarks, width, height).is_some_and(|g| g.face_order && g.roll_degrees.abs() < UPRIGHT_ROLL)
}

/// The highest score among the plausible upright faces of `faces`.
fn best_plausible(faces: &[Face], width: u32, height: u32, config: &OrientationConfig) -> Option<f32> {
    faces.iter().filter(|f| plausible_upright(f, width, height, config)).map(|f| f.score).max_by(f32::total_cmp)
}

/// How much a face found in a turn must overlap the upright one (IoU) to be the same face.
const SAME_FACE_IOU: f32 = 0.3;

impl Engine {
    /// The faces of `image`: `upright` (found in the photo as it is), or those of a quarter
    /// turn of it when `upright` holds no plausible face (see
    /// [`OrientationConfig::search_turns`]). Box and landmarks are in the photo's pixels;
    /// [`Face::rotation`] says which turn showed them.
    pub(super) fn faces_any_turn(&self, image: &Image, upright: Vec<Face>) -> Result<Vec<Face>> {
        let config = self.config.orientation;
        let (w, h) = (image.width(), image.height());
        let mut best = best_plausible(&upright, w, h, &config);
        if !config.search_turns || best.is_some() {
            return Ok(upright);
        }
        let mut kept = upright;
        for (_, found, score) in self.detect_turns(image, &Rotation::TURNS)? {
            if score > best {
                best = score;
                kept = found;
            }
        }
        Ok(kept)
    }

    /// The face overlapping `face` in each of `turns` of the photo where one is found, in the
    /// photo's pixels.
    pub(super) fn same_face_turned(&self, image: &Image, face: &Face, turns: &[Rotation]) -> Result<Vec<Face>> {
        Ok(self
            .detect_turns(image, turns)?
            .into_iter()
            .filter_map(|(_, found, _)| {
                found.into_iter().filter(|f| f.bbox.iou(&face.bbox) >= SAME_FACE_IOU).max_by(|a, b| a.bbox.iou(&face.bbox).total_cmp(&b.bbox.iou(&face.bbox)))
            })
            .collect())
    }

    /// For each of `turns`: the faces found with the photo turned so (in the photo's pixels,
    /// their rotation set) and the best plausible score among them.
    fn detect_turns(&self, image: &Image, turns: &[Rotation]) -> Result<Vec<TurnFaces>> {
        let config = self.config.orientation;
        let (w, h) = (image.width(), image.height());
        // The turned copy is scaled down to the detector input anyway: shrink a large photo
        // first, as the border retry does.
        let small = image.shrunk_for_input(self.config.detector.input_size);
        let source = small.as_ref().unwrap_or(image);
        let (sw, sh) = (source.width(), source.height());
        let (sx, sy) = (w as f32 / sw as f32, h as f32 / sh as f32);
        let mut out = Vec::with_capacity(3);
        for &turn in turns {
            let view = turned(source, turn);
            let found = self.detector.detect(&view)?;
            let score = best_plausible(&found, view.width(), view.height(), &config);
            let back = |p: Point| {
                let q = to_source(p, turn, sw, sh);
                Point::new(q.x * sx, q.y * sy)
            };
            let faces = found.iter().map(|f| Face { rotation: turn, ..face_to_source(f, back, w, h) }).filter(|f| f.bbox.area() > 0.0).collect();
            out.push((turn, faces, score));
        }
        Ok(out)
    }
}

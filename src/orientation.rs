//! Photos taken sideways or upside down (without EXIF orientation), and heads rolled far
//! from upright: pure helpers to turn an image by quarter turns or straighten a region of it,
//! and to map what the detector finds there back to the photo's own pixels.

use serde::{Deserialize, Serialize};

use crate::align::{warp_bilinear, SimilarityTransform};
use crate::face::{BoundingBox, Face, Landmarks, Point};
use crate::image::Image;

/// How facegate looks for faces in photos taken sideways or upside down, and straightens
/// rolled heads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrientationConfig {
    /// When no face of the upright photo is plausible (see
    /// [`OrientationConfig::min_upright_score`]), look again with the photo turned by 180, 90
    /// and 270 degrees and keep the turn whose best face scores highest. Costs nothing on a
    /// photo with a plausible upright face; up to three more detector runs otherwise.
    /// Default: **true**.
    pub search_turns: bool,
    /// A face found upright is plausible when its detector score reaches this and its
    /// landmarks are in face order with a roll under 60 degrees. Default: **0.8**.
    pub min_upright_score: f32,
    /// A face found upright whose raw embedding norm (see
    /// [`QualityMeasures::embedding_norm`](crate::QualityMeasures)) is below this is looked
    /// for in the photo turned upside down too (and in the quarter turns when it is below the
    /// gate's floor), when it is templated; the turn with the stronger embedding is kept. YuNet
    /// finds upside-down faces with upright-looking landmarks and good scores; their
    /// embeddings are weak. Default: **11** (about one clean face in ten pays one more
    /// detector run and embedding).
    pub min_upright_norm: f32,
    /// Re-detect a face whose landmarks say its head is rolled by more than
    /// [`OrientationConfig::straighten_above_degrees`] in a view of the photo rotated to undo
    /// that roll, so that the landmarks follow the head (YuNet under-states large rolls: a head
    /// rolled 45 degrees gets landmarks tilted by about 18). Done when the face is templated,
    /// for that face only. Default: **true**.
    pub straighten_roll: bool,
    /// The roll, in degrees, above which a face is straightened. Default: **12**.
    pub straighten_above_degrees: f32,
}

impl Default for OrientationConfig {
    fn default() -> Self {
        OrientationConfig { search_turns: true, min_upright_score: 0.8, min_upright_norm: 11.0, straighten_roll: true, straighten_above_degrees: 12.0 }
    }
}

impl OrientationConfig {
    /// No turn searched, no head straightened (the behaviour before either existed).
    pub fn off() -> OrientationConfig {
        OrientationConfig { search_turns: false, straighten_roll: false, ..OrientationConfig::default() }
    }

    /// Refuses values out of range with [`Error::InvalidConfig`](crate::Error::InvalidConfig).
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |field, reason: &str| Err(crate::Error::InvalidConfig { field, reason: reason.to_string() });
        if !(0.0..=1.0).contains(&self.min_upright_score) {
            return bad("min_upright_score", "must be in 0..=1");
        }
        if !(self.min_upright_norm.is_finite() && self.min_upright_norm >= 0.0) {
            return bad("min_upright_norm", "must be a finite number, 0 or more");
        }
        if !(self.straighten_above_degrees.is_finite() && self.straighten_above_degrees >= 0.0) {
            return bad("straighten_above_degrees", "must be a finite number, 0 or more");
        }
        Ok(())
    }
}

/// How far a photo was turned, clockwise, for the detector to see a face upright. Serialized
/// as the number of degrees: 0, 90, 180 or 270.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(into = "u16", try_from = "u16")]
pub enum Rotation {
    /// Found upright: not turned.
    #[default]
    None,
    /// Found with the photo turned a quarter turn clockwise (the photo was taken lying on
    /// its left side).
    Clockwise90,
    /// Found with the photo upside down.
    Half180,
    /// Found with the photo turned a quarter turn counter-clockwise.
    Clockwise270,
}

impl Rotation {
    /// The three turns tried when no upright face is plausible, in order.
    pub const TURNS: [Rotation; 3] = [Rotation::Half180, Rotation::Clockwise90, Rotation::Clockwise270];

    /// Degrees clockwise: 0, 90, 180 or 270.
    pub fn degrees(self) -> u16 {
        match self {
            Rotation::None => 0,
            Rotation::Clockwise90 => 90,
            Rotation::Half180 => 180,
            Rotation::Clockwise270 => 270,
        }
    }
}

impl From<Rotation> for u16 {
    fn from(r: Rotation) -> u16 {
        r.degrees()
    }
}

impl TryFrom<u16> for Rotation {
    type Error = String;
    fn try_from(d: u16) -> Result<Rotation, String> {
        match d {
            0 => Ok(Rotation::None),
            90 => Ok(Rotation::Clockwise90),
            180 => Ok(Rotation::Half180),
            270 => Ok(Rotation::Clockwise270),
            other => Err(format!("rotation must be 0, 90, 180 or 270, not {other}")),
        }
    }
}

/// The roll of a face relative to the turn it was found in, degrees in `-180..=180`: a face
/// found with the photo turned by 270 degrees has a roll of about 90 in the photo's own
/// coordinates, and 0 relative to its turn.
pub fn roll_within_turn(roll_in_photo: f32, turn: Rotation) -> f32 {
    let r = (roll_in_photo + f32::from(turn.degrees())).rem_euclid(360.0);
    if r > 180.0 {
        r - 360.0
    } else {
        r
    }
}

/// `image` turned by `turn` (clockwise). A `w` x `h` image turned by 90 or 270 is `h` x `w`.
pub fn turned(image: &Image, turn: Rotation) -> Image {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let src = image.as_rgb();
    let (tw, th) = match turn {
        Rotation::Clockwise90 | Rotation::Clockwise270 => (h, w),
        _ => (w, h),
    };
    let mut rgb = vec![0u8; w * h * 3];
    for ty in 0..th {
        for tx in 0..tw {
            let p = to_source(Point::new(tx as f32, ty as f32), turn, w as u32, h as u32);
            let i = (p.y as usize * w + p.x as usize) * 3;
            let o = (ty * tw + tx) * 3;
            rgb[o..o + 3].copy_from_slice(&src[i..i + 3]);
        }
    }
    Image::from_parts(rgb, tw as u32, th as u32)
}

/// A point of the image turned by `turn` back in the original `w` x `h` image (pixel-centre
/// coordinates, as [`Point`]).
pub fn to_source(p: Point, turn: Rotation, w: u32, h: u32) -> Point {
    let (w, h) = (w as f32 - 1.0, h as f32 - 1.0);
    match turn {
        Rotation::None => p,
        // Turned clockwise: source (x, y) went to (h - y, x).
        Rotation::Clockwise90 => Point::new(p.y, h - p.x),
        Rotation::Half180 => Point::new(w - p.x, h - p.y),
        // Turned counter-clockwise: source (x, y) went to (y, w - x).
        Rotation::Clockwise270 => Point::new(w - p.y, p.x),
    }
}

/// A face found in a transformed image, back in the photo: every landmark through `back`,
/// the box as the bounding box of its mapped corners (clipped to the photo).
pub fn face_to_source(face: &Face, back: impl Fn(Point) -> Point, width: u32, height: u32) -> Face {
    let b = face.bbox;
    let corners = [Point::new(b.x, b.y), Point::new(b.x + b.width, b.y), Point::new(b.x, b.y + b.height), Point::new(b.x + b.width, b.y + b.height)].map(&back);
    let (x0, y0) = corners.iter().fold((f32::INFINITY, f32::INFINITY), |(x, y), p| (x.min(p.x), y.min(p.y)));
    let (x1, y1) = corners.iter().fold((f32::NEG_INFINITY, f32::NEG_INFINITY), |(x, y), p| (x.max(p.x), y.max(p.y)));
    Face {
        bbox: BoundingBox { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }.clipped(width, height),
        score: face.score,
        landmarks: Landmarks::from_array(face.landmarks.to_array().map(back)),
        rotation: face.rotation,
    }
}

/// A square view of `image`, `side` pixels, centred on `center`, rotated by `-roll_degrees`
/// (so that a head rolled by `roll_degrees` appears upright), covering `extent` source pixels
/// across. Returns the view and the transform from photo to view pixels.
pub fn straightened(image: &Image, center: Point, roll_degrees: f32, extent: f32, side: u32) -> (Image, SimilarityTransform) {
    let scale = f64::from(side) / f64::from(extent.max(1.0));
    let angle = -f64::from(roll_degrees).to_radians();
    let (a, b) = (scale * angle.cos(), scale * angle.sin());
    let half = f64::from(side) / 2.0;
    let (cx, cy) = (f64::from(center.x), f64::from(center.y));
    let t = SimilarityTransform { a, b, tx: half - (a * cx - b * cy), ty: half - (b * cx + a * cy) };
    (Image::from_parts(warp_bilinear(image, &t, side), side, side), t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::ImageLimits;

    /// A 3x2 image whose pixels are 0..6 (grey).
    fn small() -> Image {
        Image::from_rgb((0..6u8).flat_map(|v| [v; 3]).collect(), 3, 2, &ImageLimits::default()).unwrap()
    }

    fn grey(img: &Image) -> Vec<u8> {
        img.as_rgb().chunks_exact(3).map(|p| p[0]).collect()
    }

    #[test]
    fn quarter_turns_move_pixels_as_expected() {
        // 0 1 2      turned clockwise:  3 0      upside down: 5 4 3
        // 3 4 5                         4 1                   2 1 0
        //                               5 2
        let img = small();
        let cw = turned(&img, Rotation::Clockwise90);
        assert_eq!((cw.width(), cw.height()), (2, 3));
        assert_eq!(grey(&cw), [3, 0, 4, 1, 5, 2]);
        assert_eq!(grey(&turned(&img, Rotation::Half180)), [5, 4, 3, 2, 1, 0]);
        let ccw = turned(&img, Rotation::Clockwise270);
        assert_eq!(grey(&ccw), [2, 5, 1, 4, 0, 3]);
        assert_eq!(grey(&turned(&img, Rotation::None)), [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn to_source_inverts_every_turn() {
        let img = small();
        for turn in [Rotation::None, Rotation::Clockwise90, Rotation::Half180, Rotation::Clockwise270] {
            let t = turned(&img, turn);
            for ty in 0..t.height() {
                for tx in 0..t.width() {
                    let p = to_source(Point::new(tx as f32, ty as f32), turn, 3, 2);
                    let (sv, tv) = (grey(&img)[(p.y as u32 * 3 + p.x as u32) as usize], grey(&t)[(ty * t.width() + tx) as usize]);
                    assert_eq!(sv, tv, "{turn:?} at ({tx}, {ty})");
                }
            }
        }
    }

    #[test]
    fn roll_is_measured_within_the_turn() {
        // A photo turned a quarter clockwise shows an upright head rolled by +90; the face is
        // found with the photo turned 270 more: relative roll 0.
        assert_eq!(roll_within_turn(90.0, Rotation::Clockwise270), 0.0);
        assert_eq!(roll_within_turn(-180.0, Rotation::Half180), 0.0);
        assert_eq!(roll_within_turn(100.0, Rotation::Clockwise270), 10.0);
        assert_eq!(roll_within_turn(-170.0, Rotation::None), -170.0);
        assert_eq!(roll_within_turn(80.0, Rotation::Clockwise270), -10.0);
    }

    #[test]
    fn rotations_serialize_as_degrees() {
        assert_eq!(serde_json::to_string(&Rotation::Clockwise90).unwrap(), "90");
        assert_eq!(serde_json::from_str::<Rotation>("270").unwrap(), Rotation::Clockwise270);
        assert!(serde_json::from_str::<Rotation>("45").is_err());
    }

    #[test]
    fn a_face_maps_back_with_its_box_and_landmarks() {
        let face = Face {
            bbox: BoundingBox { x: 0.0, y: 0.0, width: 1.0, height: 2.0 },
            score: 0.9,
            landmarks: Landmarks::from_array([Point::new(0.0, 0.0); 5]),
            rotation: Rotation::Half180,
        };
        // Found in the upside-down 3x2 image: back in the photo the box is at the bottom right.
        let back = face_to_source(&face, |p| to_source(p, Rotation::Half180, 3, 2), 3, 2);
        assert_eq!(back.bbox, BoundingBox { x: 1.0, y: 0.0, width: 1.0, height: 1.0 });
        assert_eq!(back.landmarks.nose, Point::new(2.0, 1.0));
        assert_eq!(back.rotation, Rotation::Half180);
    }

    #[test]
    fn straightening_by_the_roll_puts_a_rotated_point_back_level() {
        let img = small();
        // Two points level after straightening a 30-degree roll: their images under the
        // transform have equal y.
        let (view, t) = straightened(&img, Point::new(1.0, 1.0), 30.0, 4.0, 8);
        assert_eq!((view.width(), view.height()), (8, 8));
        let (s, c) = 30f32.to_radians().sin_cos();
        let (p, q) = (Point::new(1.0, 1.0), Point::new(1.0 + c, 1.0 + s));
        let (tp, tq) = (t.apply(p), t.apply(q));
        assert!((tp.y - tq.y).abs() < 1e-5 && tq.x > tp.x, "{tp:?} {tq:?}");
        assert!((tp.x - 4.0).abs() < 1e-5 && (tp.y - 4.0).abs() < 1e-5, "the centre goes to the view's centre");
    }
}

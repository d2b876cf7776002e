//! Which face of an image is meant, in one place: a person's choice ([`FaceChoice`], resolved
//! by [`choose_face`]: bystanders are never embedded) and a tool's rule ([`FaceSelection`], for
//! the evaluation command, where no person chooses).

use serde::{Deserialize, Serialize};

use super::{Face, Point};
use crate::error::{Error, Result};

/// Which face of an image to use. Only that face is embedded; the others are never turned
/// into templates.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FaceChoice {
    /// The only face: valid when the image holds exactly one
    /// (several: [`Error::FaceChoiceRequired`]).
    #[default]
    Auto,
    /// The face at this index in detection order (largest first, as
    /// [`Engine::detect`](crate::Engine::detect) and [`Error::FaceChoiceRequired`] list them).
    Index(usize),
    /// The face whose box contains this point (image pixels); when several do, the smallest.
    Point(Point),
}

/// The index in `faces` of the face `choice` designates.
///
/// Errors: [`Error::NoFaceFound`] when `faces` is empty; [`Error::FaceChoiceRequired`] for
/// `Auto` among several faces; [`Error::FaceChoiceInvalid`] for an index out of range or a
/// point no box contains.
pub fn choose_face(faces: &[Face], choice: FaceChoice) -> Result<usize> {
    let n = faces.len();
    if n == 0 {
        return Err(Error::NoFaceFound);
    }
    let invalid = |reason: String| Error::FaceChoiceInvalid { faces: n, reason };
    match choice {
        FaceChoice::Auto if n == 1 => Ok(0),
        FaceChoice::Auto => Err(Error::FaceChoiceRequired { faces: faces.iter().map(|f| f.bbox).collect() }),
        FaceChoice::Index(i) if i < n => Ok(i),
        FaceChoice::Index(i) => Err(invalid(format!("index {i}, but the faces are numbered 0 to {}", n - 1))),
        FaceChoice::Point(p) if !(p.x.is_finite() && p.y.is_finite()) => Err(invalid("the point is not finite".to_string())),
        FaceChoice::Point(p) => faces
            .iter()
            .enumerate()
            .filter(|(_, f)| f.bbox.contains(p))
            .min_by(|a, b| a.1.bbox.area().total_cmp(&b.1.bbox.area()).then(a.0.cmp(&b.0)))
            .map(|(i, _)| i)
            .ok_or_else(|| invalid(format!("no face box contains the point ({}, {})", p.x, p.y))),
    }
}

/// How to pick one face when an image holds several, for tools that must choose without a
/// person choosing (the evaluation command; LFW's subject is the face nearest the centre).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FaceSelection {
    /// The face with the largest box (default).
    #[default]
    Largest,
    /// The face with the highest detector score.
    MostConfident,
    /// The face whose box centre is nearest the image centre.
    NearestCenter,
}

impl FaceSelection {
    /// Every rule, in the order a help text lists them.
    pub const ALL: [FaceSelection; 3] = [FaceSelection::Largest, FaceSelection::MostConfident, FaceSelection::NearestCenter];

    /// The rule's name on a command line: `largest`, `most-confident` or `nearest-center`.
    pub fn name(self) -> &'static str {
        match self {
            FaceSelection::Largest => "largest",
            FaceSelection::MostConfident => "most-confident",
            FaceSelection::NearestCenter => "nearest-center",
        }
    }

    /// Index into `faces` of the chosen face, or `None` when `faces` is empty.
    pub fn pick(self, faces: &[Face], width: u32, height: u32) -> Option<usize> {
        let key = |f: &Face| -> f32 {
            match self {
                FaceSelection::Largest => f.bbox.area(),
                FaceSelection::MostConfident => f.score,
                FaceSelection::NearestCenter => {
                    let c = f.bbox.center();
                    let (dx, dy) = (c.x - width as f32 / 2.0, c.y - height as f32 / 2.0);
                    -(dx * dx + dy * dy)
                }
            }
        };
        faces.iter().enumerate().max_by(|a, b| key(a.1).total_cmp(&key(b.1)).then(b.0.cmp(&a.0))).map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::{BoundingBox, Landmarks};
    use crate::orientation::Rotation;

    fn bx(x: f32, y: f32, w: f32, h: f32) -> BoundingBox {
        BoundingBox { x, y, width: w, height: h }
    }

    fn face(x: f32, y: f32, side: f32) -> Face {
        Face { bbox: BoundingBox { x, y, width: side, height: side }, score: 0.9, landmarks: Landmarks::default(), rotation: Default::default() }
    }

    #[test]
    fn auto_takes_the_only_face_and_refuses_among_several() {
        assert_eq!(choose_face(&[face(0.0, 0.0, 10.0)], FaceChoice::Auto).unwrap(), 0);
        let two = [face(0.0, 0.0, 20.0), face(50.0, 0.0, 10.0)];
        match choose_face(&two, FaceChoice::Auto) {
            Err(Error::FaceChoiceRequired { faces }) => {
                assert_eq!(faces, vec![two[0].bbox, two[1].bbox])
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_face_is_reported_whatever_the_choice() {
        for choice in [FaceChoice::Auto, FaceChoice::Index(0), FaceChoice::Point(Point::new(1.0, 1.0))] {
            assert!(matches!(choose_face(&[], choice), Err(Error::NoFaceFound)));
        }
    }

    #[test]
    fn index_must_be_in_range() {
        let two = [face(0.0, 0.0, 20.0), face(50.0, 0.0, 10.0)];
        assert_eq!(choose_face(&two, FaceChoice::Index(1)).unwrap(), 1);
        assert!(matches!(choose_face(&two, FaceChoice::Index(2)), Err(Error::FaceChoiceInvalid { faces: 2, .. })));
    }

    #[test]
    fn a_point_picks_the_smallest_box_containing_it() {
        // A large face with a small face inside its box (a child held in front), and another.
        let faces = [face(0.0, 0.0, 100.0), face(10.0, 10.0, 20.0), face(200.0, 0.0, 50.0)];
        assert_eq!(choose_face(&faces, FaceChoice::Point(Point::new(15.0, 15.0))).unwrap(), 1);
        assert_eq!(choose_face(&faces, FaceChoice::Point(Point::new(80.0, 80.0))).unwrap(), 0);
        assert_eq!(choose_face(&faces, FaceChoice::Point(Point::new(210.0, 10.0))).unwrap(), 2);
        assert!(matches!(choose_face(&faces, FaceChoice::Point(Point::new(150.0, 10.0))), Err(Error::FaceChoiceInvalid { .. })));
        assert!(matches!(choose_face(&faces, FaceChoice::Point(Point::new(f32::NAN, 10.0))), Err(Error::FaceChoiceInvalid { .. })));
    }

    #[test]
    fn choices_read_from_json() {
        assert_eq!(serde_json::from_str::<FaceChoice>("\"auto\"").unwrap(), FaceChoice::Auto);
        assert_eq!(serde_json::from_str::<FaceChoice>("{\"index\":2}").unwrap(), FaceChoice::Index(2));
        assert_eq!(serde_json::from_str::<FaceChoice>("{\"point\":{\"x\":1.5,\"y\":2}}").unwrap(), FaceChoice::Point(Point::new(1.5, 2.0)));
    }

    #[test]
    fn selection_rules_pick_different_faces() {
        let face = |b: BoundingBox, score: f32| Face { bbox: b, score, landmarks: Landmarks::default(), rotation: Rotation::None };
        let faces = [
            face(bx(0.0, 0.0, 50.0, 50.0), 0.7),    // largest, in a corner
            face(bx(90.0, 90.0, 20.0, 20.0), 0.8),  // centred
            face(bx(160.0, 0.0, 10.0, 10.0), 0.99), // most confident
        ];
        assert_eq!(FaceSelection::Largest.pick(&faces, 200, 200), Some(0));
        assert_eq!(FaceSelection::NearestCenter.pick(&faces, 200, 200), Some(1));
        assert_eq!(FaceSelection::MostConfident.pick(&faces, 200, 200), Some(2));
        assert_eq!(FaceSelection::Largest.pick(&[], 10, 10), None);
    }
}

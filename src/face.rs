//! What the detector finds: a box, a confidence and five landmarks, in source-image pixels.

use serde::{Deserialize, Serialize};

use crate::orientation::Rotation;

pub(crate) mod choice;

pub use choice::{choose_face, FaceChoice, FaceSelection};

/// A point in image pixel coordinates (x to the right, y down; (0, 0) is the top-left
/// corner of the top-left pixel's centre, as in OpenCV).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Point {
    /// Horizontal coordinate, pixels.
    pub x: f32,
    /// Vertical coordinate, pixels.
    pub y: f32,
}

impl Point {
    /// A point at `(x, y)`.
    pub const fn new(x: f32, y: f32) -> Self {
        Point { x, y }
    }
}

/// An axis-aligned box in image pixel coordinates.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct BoundingBox {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width (never negative).
    pub width: f32,
    /// Height (never negative).
    pub height: f32,
}

impl BoundingBox {
    /// Area in square pixels.
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    /// Centre of the box.
    pub fn center(&self) -> Point {
        Point::new(self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// Intersection over union with another box, in `0.0..=1.0` (0 when either box is empty).
    pub fn iou(&self, other: &BoundingBox) -> f32 {
        let ix = (self.x + self.width).min(other.x + other.width) - self.x.max(other.x);
        let iy = (self.y + self.height).min(other.y + other.height) - self.y.max(other.y);
        if ix <= 0.0 || iy <= 0.0 {
            return 0.0;
        }
        let inter = ix * iy;
        let union = self.area() + other.area() - inter;
        if union <= 0.0 {
            0.0
        } else {
            inter / union
        }
    }

    /// Whether `p` lies inside the box (edges included).
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.x && p.x <= self.x + self.width && p.y >= self.y && p.y <= self.y + self.height
    }

    /// This box clipped to an image of `width` x `height` pixels.
    pub fn clipped(&self, width: u32, height: u32) -> BoundingBox {
        let x0 = self.x.clamp(0.0, width as f32);
        let y0 = self.y.clamp(0.0, height as f32);
        let x1 = (self.x + self.width).clamp(0.0, width as f32);
        let y1 = (self.y + self.height).clamp(0.0, height as f32);
        BoundingBox { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
    }
}

/// The five facial landmarks YuNet predicts, in the order the model emits them.
///
/// "Right" and "left" are the subject's: in an upright, frontal photo the subject's right eye
/// appears on the image's left, so `right_eye.x < left_eye.x`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Landmarks {
    /// Centre of the subject's right eye.
    pub right_eye: Point,
    /// Centre of the subject's left eye.
    pub left_eye: Point,
    /// Tip of the nose.
    pub nose: Point,
    /// Right corner of the mouth (subject's right).
    pub right_mouth: Point,
    /// Left corner of the mouth (subject's left).
    pub left_mouth: Point,
}

impl Landmarks {
    /// The landmarks as an array, in model order.
    pub fn to_array(&self) -> [Point; 5] {
        [self.right_eye, self.left_eye, self.nose, self.right_mouth, self.left_mouth]
    }

    /// Landmarks from an array in model order.
    pub fn from_array(p: [Point; 5]) -> Self {
        Landmarks { right_eye: p[0], left_eye: p[1], nose: p[2], right_mouth: p[3], left_mouth: p[4] }
    }
}

/// One detected face.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Face {
    /// The face box, clipped to the image.
    pub bbox: BoundingBox,
    /// Detector confidence in `0.0..=1.0`.
    pub score: f32,
    /// The five landmarks (may lie outside the image for faces cut by its border).
    pub landmarks: Landmarks,
    /// How far the photo had to be turned for the detector to find this face upright
    /// ([`Rotation::None`] for an upright photo; see
    /// [`OrientationConfig`](crate::OrientationConfig)). Box and landmarks are in the photo's
    /// own pixels whatever the turn.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "0 | 90 | 180 | 270"))]
    pub rotation: Rotation,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(x: f32, y: f32, w: f32, h: f32) -> BoundingBox {
        BoundingBox { x, y, width: w, height: h }
    }

    #[test]
    fn iou_of_half_overlapping_boxes() {
        // Two 10x10 boxes overlapping on a 5x10 strip: 50 / (100 + 100 - 50) = 1/3.
        let iou = bx(0.0, 0.0, 10.0, 10.0).iou(&bx(5.0, 0.0, 10.0, 10.0));
        assert!((iou - 1.0 / 3.0).abs() < 1e-6, "{iou}");
        assert_eq!(bx(0.0, 0.0, 1.0, 1.0).iou(&bx(2.0, 2.0, 1.0, 1.0)), 0.0);
        assert_eq!(bx(0.0, 0.0, 4.0, 4.0).iou(&bx(0.0, 0.0, 4.0, 4.0)), 1.0);
    }

    #[test]
    fn clipping_keeps_the_inside_part() {
        assert_eq!(bx(-5.0, 2.0, 10.0, 100.0).clipped(20, 50), bx(0.0, 2.0, 5.0, 48.0));
    }
}

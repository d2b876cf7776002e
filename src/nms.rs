//! Non-maximum suppression: keep the best of overlapping detections.

use crate::face::Face;

/// Greedy non-maximum suppression.
///
/// Sorts by score, **highest first** (ties keep their input order), then keeps a face unless
/// it overlaps an already kept face with IoU above `iou_threshold`. Returns at most
/// `max_keep` faces, in descending score order.
pub fn nms(mut faces: Vec<Face>, iou_threshold: f32, max_keep: usize) -> Vec<Face> {
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Face> = Vec::new();
    for face in faces {
        if kept.len() >= max_keep {
            break;
        }
        if kept.iter().all(|k| k.bbox.iou(&face.bbox) <= iou_threshold) {
            kept.push(face);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::{BoundingBox, Landmarks};

    fn face(x: f32, score: f32) -> Face {
        Face { bbox: BoundingBox { x, y: 0.0, width: 10.0, height: 10.0 }, score, landmarks: Landmarks::default(), rotation: Default::default() }
    }

    #[test]
    fn the_highest_score_wins_whatever_the_input_order() {
        // 0 and 1 overlap (IoU 0.82); 2 is apart. The weaker box comes first in the input.
        let kept = nms(vec![face(0.0, 0.6), face(1.0, 0.9), face(50.0, 0.7)], 0.3, 10);
        let scores: Vec<f32> = kept.iter().map(|f| f.score).collect();
        assert_eq!(scores, [0.9, 0.7], "sorted descending, the 0.6 duplicate suppressed");
        assert_eq!(kept[0].bbox.x, 1.0);
    }

    #[test]
    fn boxes_at_the_threshold_are_kept() {
        // IoU of boxes offset by 5 of 10 is exactly 1/3.
        assert_eq!(nms(vec![face(0.0, 0.9), face(5.0, 0.8)], 0.34, 10).len(), 2);
        assert_eq!(nms(vec![face(0.0, 0.9), face(5.0, 0.8)], 0.3, 10).len(), 1);
    }

    #[test]
    fn max_keep_bounds_the_output() {
        let many: Vec<Face> = (0..20).map(|i| face(i as f32 * 20.0, i as f32 / 20.0)).collect();
        let kept = nms(many, 0.3, 5);
        assert_eq!(kept.len(), 5);
        assert_eq!(kept[0].score, 19.0 / 20.0);
    }
}

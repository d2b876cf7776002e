//! Turning YuNet's raw output tensors into candidate faces (in network-input pixels).

use crate::face::{BoundingBox, Face, Landmarks, Point};

/// The four YuNet outputs of one feature-map stride, flattened (anchor-major).
#[derive(Debug, Clone, Copy)]
pub struct StrideOutputs<'a> {
    /// Stride of this level in input pixels (8, 16 or 32).
    pub stride: u32,
    /// Classification score per anchor (`[anchors]`).
    pub cls: &'a [f32],
    /// Objectness per anchor (`[anchors]`).
    pub obj: &'a [f32],
    /// Box regression per anchor (`[anchors * 4]`: dx, dy, log w, log h in stride units).
    pub bbox: &'a [f32],
    /// Landmark regression per anchor (`[anchors * 10]`: five (dx, dy) in stride units).
    pub kps: &'a [f32],
}

/// Decodes every anchor of every level whose score reaches `score_threshold`.
///
/// For an input `input_width` pixels wide (any height), level stride `s` has
/// `cols = input_width / s` anchors a row; anchor `i` sits at `row = i / cols`, `col = i % cols`. Its score is
/// `sqrt(clamp(cls, 0, 1) * clamp(obj, 0, 1))`, its box centre `((col + dx) s, (row + dy) s)`,
/// its size `(exp(lw) s, exp(lh) s)`, landmark `k` at `((kx + col) s, (ky + row) s)`.
/// Anchors with non-finite outputs are skipped. The result is unordered; run [`crate::pipeline::nms`] next.
pub fn decode_yunet(levels: &[StrideOutputs<'_>], input_width: u32, score_threshold: f32) -> Vec<Face> {
    let mut faces = Vec::new();
    for level in levels {
        let cols = (input_width / level.stride.max(1)).max(1) as usize;
        let s = level.stride as f32;
        let anchors = level.cls.len().min(level.obj.len()).min(level.bbox.len() / 4).min(level.kps.len() / 10);
        for i in 0..anchors {
            let score = (level.cls[i].clamp(0.0, 1.0) * level.obj[i].clamp(0.0, 1.0)).sqrt();
            // Below the threshold, or not comparable with it (NaN): dropped.
            if score.partial_cmp(&score_threshold).is_none_or(|o| o.is_lt()) {
                continue;
            }
            let (row, col) = ((i / cols) as f32, (i % cols) as f32);
            let b = &level.bbox[i * 4..i * 4 + 4];
            let (cx, cy) = ((col + b[0]) * s, (row + b[1]) * s);
            let (w, h) = (b[2].exp() * s, b[3].exp() * s);
            let k = &level.kps[i * 10..i * 10 + 10];
            let landmarks = std::array::from_fn(|j| Point::new((k[2 * j] + col) * s, (k[2 * j + 1] + row) * s));
            let face = Face {
                bbox: BoundingBox { x: cx - w / 2.0, y: cy - h / 2.0, width: w, height: h },
                score,
                landmarks: Landmarks::from_array(landmarks),
                rotation: Default::default(),
            };
            let finite =
                [face.bbox.x, face.bbox.y, face.bbox.width, face.bbox.height].into_iter().chain(landmarks.iter().flat_map(|p| [p.x, p.y])).all(f32::is_finite);
            if finite {
                faces.push(face);
            }
        }
    }
    faces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_one_anchor_by_hand() {
        // Input 64, stride 32: a 2x2 grid. Anchor 3 is row 1, col 1.
        let cls = [0.0, 0.0, 0.0, 0.81];
        let obj = [1.0, 1.0, 1.0, 1.0];
        let mut bbox = [0.0; 16];
        bbox[12..16].copy_from_slice(&[0.5, -0.25, 0.0, 2f32.ln()]);
        let mut kps = [0.0; 40];
        kps[30..40].copy_from_slice(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
        let level = StrideOutputs { stride: 32, cls: &cls, obj: &obj, bbox: &bbox, kps: &kps };
        let faces = decode_yunet(&[level], 64, 0.5);
        assert_eq!(faces.len(), 1);
        let f = &faces[0];
        assert!((f.score - 0.9).abs() < 1e-6, "sqrt(0.81 * 1)");
        // centre ((1 + 0.5) * 32, (1 - 0.25) * 32) = (48, 24); size (32, 64).
        let expect = BoundingBox { x: 32.0, y: -8.0, width: 32.0, height: 64.0 };
        for (a, b) in [(f.bbox.x, expect.x), (f.bbox.y, expect.y), (f.bbox.width, expect.width), (f.bbox.height, expect.height)] {
            assert!((a - b).abs() < 1e-4, "{:?}", f.bbox);
        }
        let lm = f.landmarks.to_array();
        assert!((lm[0].x - 1.1 * 32.0).abs() < 1e-4 && (lm[0].y - 1.2 * 32.0).abs() < 1e-4);
        assert!((lm[4].x - 1.9 * 32.0).abs() < 1e-4 && (lm[4].y - 2.0 * 32.0).abs() < 1e-4);
    }

    #[test]
    fn scores_are_clamped_and_thresholded() {
        let cls = [1.7, 0.48, f32::NAN, 0.25];
        let obj = [1.0, 1.0, 1.0, -3.0];
        let (bbox, kps) = ([0.0; 16], [0.0; 40]);
        let level = StrideOutputs { stride: 8, cls: &cls, obj: &obj, bbox: &bbox, kps: &kps };
        let faces = decode_yunet(&[level], 16, 0.7);
        assert_eq!(faces.len(), 1, "only the clamped 1.7 passes; NaN and negative obj do not");
        assert_eq!(faces[0].score, 1.0);
        assert_eq!(faces[0].bbox.center(), Point::new(0.0, 0.0));
    }

    #[test]
    fn rectangular_inputs_use_the_width_for_columns() {
        // Input 16 wide, 32 high, stride 8: 2 columns, 4 rows. Anchor 5 is row 2, col 1.
        let mut cls = [0.0; 8];
        cls[5] = 1.0;
        let obj = [1.0; 8];
        let (bbox, kps) = ([0.0; 32], [0.0; 80]);
        let faces = decode_yunet(&[StrideOutputs { stride: 8, cls: &cls, obj: &obj, bbox: &bbox, kps: &kps }], 16, 0.5);
        assert_eq!(faces[0].bbox.center(), Point::new(8.0, 16.0));
    }

    #[test]
    fn anchors_use_row_major_grid_positions() {
        // Input 24, stride 8: 3 columns. Anchor 5 is row 1, col 2.
        let mut cls = [0.0; 9];
        cls[5] = 1.0;
        let obj = [1.0; 9];
        let (bbox, kps) = ([0.0; 36], [0.0; 90]);
        let faces = decode_yunet(&[StrideOutputs { stride: 8, cls: &cls, obj: &obj, bbox: &bbox, kps: &kps }], 24, 0.5);
        assert_eq!(faces[0].bbox.center(), Point::new(16.0, 8.0));
        assert_eq!(faces[0].landmarks.nose, Point::new(16.0, 8.0));
    }
}

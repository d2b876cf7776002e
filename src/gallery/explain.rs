//! The steps of the pipeline for one face, for the teaching view, and what of them may be
//! shown: the picture of a template and of a cosine, at the precision a picture needs.
//!
//! The steps ([`FaceSteps`]) include the template itself; they never leave the crate's
//! teaching view ([`Gallery::explain`](crate::Gallery::explain)), which holds the template
//! under an opaque handle and hands out only a [`Strip`] (one signed byte per value) and the
//! few values a lesson prints. Even so, a strip of a face is biometric data: quantised to 8
//! bits it still matches the face it comes from (tests/explain.rs measures it), which is why
//! the teaching view asks for consent naming whose face it is, is capped and is logged.

use crate::align::SimilarityTransform;
use crate::recognizer::AlignedFace;
use crate::template::{Template, TEMPLATE_LEN};

/// Every step of the pipeline for one face: where the face was mapped, the crop the recognizer
/// saw, and its template. The crop and the template are wiped when this is dropped.
#[derive(Debug)]
pub struct FaceSteps {
    /// The similarity transform from image pixels to the 112x112 crop.
    pub transform: SimilarityTransform,
    /// The 112x112 RGB crop the recognizer saw.
    pub aligned: AlignedFace,
    /// The 128-number template (L2-normalised).
    pub template: Template,
}

/// A picture of 128 values: each one signed byte, `round(127 * v / max|v|)`, so that the
/// largest magnitude reads ±127 and 0 reads 0. What a colour strip needs (a screen shows at
/// most 256 shades per colour), and nothing finer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strip(pub [i8; TEMPLATE_LEN]);

impl Strip {
    /// The strip of `values` (all zero when every value is zero or one is not finite).
    pub fn of(values: &[f32]) -> Strip {
        let mut out = [0i8; TEMPLATE_LEN];
        let scale = values.iter().fold(0f32, |m, v| m.max(v.abs()));
        if scale > 0.0 && values.iter().all(|v| v.is_finite()) {
            for (o, v) in out.iter_mut().zip(values) {
                *o = (127.0 * v / scale).round().clamp(-127.0, 127.0) as i8;
            }
        }
        Strip(out)
    }
}

/// `v` rounded to `decimals` decimal places: the precision at which a lesson prints a value.
pub(crate) fn rounded(v: f64, decimals: i32) -> f32 {
    let f = 10f64.powi(decimals);
    ((v * f).round() / f) as f32
}

/// The positions (0-based) of the values a lesson prints of a template or of a cosine: the
/// first four and the last. Everything else is shown only as a [`Strip`].
pub const PRINTED_POSITIONS: [usize; 5] = [0, 1, 2, 3, TEMPLATE_LEN - 1];

/// One printed row of the cosine computed step by step.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CosineRow {
    /// Position of the value, from 1 to 128.
    pub position: usize,
    /// Value of template A there, to 4 decimals.
    pub a: f32,
    /// Value of template B there, to 4 decimals.
    pub b: f32,
    /// A x B, to 5 decimals.
    pub product: f32,
    /// Sum of the products up to here, to 4 decimals.
    pub running_sum: f32,
}

/// The cosine of two templates, step by step, as a lesson shows it: the rows it prints, the
/// 128 products as a [`Strip`], the sum, the lengths and the cosine. It holds 5 values of
/// each template and a picture of their products: nothing finer than the two templates'
/// strips already show.
#[derive(Debug, Clone, PartialEq)]
pub struct CosineSteps {
    /// The printed rows ([`PRINTED_POSITIONS`]).
    pub rows: Vec<CosineRow>,
    /// The 128 products, as a picture.
    pub products: Strip,
    /// Sum of the products, to 4 decimals.
    pub dot: f32,
    /// Length of A, to 4 decimals (1 for a template).
    pub length_a: f32,
    /// Length of B, to 4 decimals.
    pub length_b: f32,
    /// The cosine, as the matcher computes it ([`cosine`](crate::pipeline::cosine)), in -1..=1.
    pub cosine: f32,
}

impl CosineSteps {
    /// The steps of the cosine of `a` and `b` (two templates).
    pub fn of(a: &[f32], b: &[f32]) -> CosineSteps {
        let mut products = [0f32; TEMPLATE_LEN];
        let mut running = [0f64; TEMPLATE_LEN];
        let mut sum = 0f64;
        for (i, (&x, &y)) in a.iter().zip(b).take(TEMPLATE_LEN).enumerate() {
            let p = f64::from(x) * f64::from(y);
            products[i] = p as f32;
            sum += p;
            running[i] = sum;
        }
        let length = |v: &[f32]| v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt();
        let rows = PRINTED_POSITIONS
            .iter()
            .map(|&i| CosineRow {
                position: i + 1,
                a: rounded(f64::from(a[i]), 4),
                b: rounded(f64::from(b[i]), 4),
                product: rounded(f64::from(products[i]), 5),
                running_sum: rounded(running[i], 4),
            })
            .collect();
        let steps = CosineSteps {
            rows,
            products: Strip::of(&products),
            dot: rounded(sum, 4),
            length_a: rounded(length(a), 4),
            length_b: rounded(length(b), 4),
            cosine: crate::template::cosine(a, b).clamp(-1.0, 1.0),
        };
        use zeroize::Zeroize;
        products.zeroize();
        running.zeroize();
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strip_maps_the_largest_magnitude_to_127() {
        let mut v = [0f32; TEMPLATE_LEN];
        v[0] = 0.5;
        v[1] = -0.25;
        v[2] = 0.001;
        let s = Strip::of(&v);
        assert_eq!(&s.0[..4], &[127, -64, 0, 0]);
        assert_eq!(Strip::of(&[0.0; TEMPLATE_LEN]).0, [0; TEMPLATE_LEN]);
        let mut nan = v;
        nan[5] = f32::NAN;
        assert_eq!(Strip::of(&nan).0, [0; TEMPLATE_LEN], "no picture of a broken vector");
    }

    #[test]
    fn cosine_steps_by_hand() {
        let mut a = [0f32; TEMPLATE_LEN];
        let mut b = [0f32; TEMPLATE_LEN];
        a[0] = 0.6;
        a[1] = 0.8;
        b[0] = 1.0;
        b[127] = 0.0;
        let s = CosineSteps::of(&a, &b);
        assert!((s.cosine - 0.6).abs() < 1e-6);
        assert_eq!(s.dot, 0.6);
        assert_eq!((s.length_a, s.length_b), (1.0, 1.0));
        assert_eq!(s.rows.iter().map(|r| r.position).collect::<Vec<_>>(), [1, 2, 3, 4, 128]);
        assert_eq!((s.rows[0].product, s.rows[1].running_sum, s.rows[4].running_sum), (0.6, 0.6, 0.6));
        assert_eq!(s.products.0[0], 127);
        assert_eq!(rounded(0.123_456, 4), 0.1235);
    }
}

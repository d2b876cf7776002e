//! Face templates: 128 numbers, L2-normalised, wiped from memory when dropped.

use zeroize::Zeroize;

/// Number of values in a template (SFace's embedding size).
pub const TEMPLATE_LEN: usize = 128;

/// A face template: SFace's 128-d embedding of one aligned face, scaled to unit length.
///
/// A template is biometric data. Its memory is overwritten with zeros when it is dropped, it
/// is not `Clone` (no stray copies), and its `Debug` output shows no values. Compare two with
/// [`Template::similarity`].
pub struct Template {
    values: Box<[f32; TEMPLATE_LEN]>,
}

impl Template {
    /// A template from a raw embedding: checks its length, that every value is finite and that
    /// it is not all zeros, then scales it to unit length. The input is left as it was.
    pub fn from_embedding(raw: &[f32]) -> Option<Template> {
        if raw.len() != TEMPLATE_LEN {
            return None;
        }
        let mut values = Box::new([0f32; TEMPLATE_LEN]);
        values.copy_from_slice(raw);
        if !l2_normalize(&mut values[..]) {
            values.zeroize();
            return None;
        }
        Some(Template { values })
    }

    /// The 128 unit-length values. Handle with the care biometric data needs.
    pub fn as_slice(&self) -> &[f32] {
        &self.values[..]
    }

    /// Size of the template in bytes (128 x 4).
    pub const fn byte_len() -> usize {
        TEMPLATE_LEN * std::mem::size_of::<f32>()
    }

    /// Cosine similarity with another template, in `-1.0..=1.0` (higher is more alike).
    pub fn similarity(&self, other: &Template) -> Similarity {
        Similarity(cosine(self.as_slice(), other.as_slice()).clamp(-1.0, 1.0))
    }
}

impl Drop for Template {
    fn drop(&mut self) {
        self.values.zeroize();
    }
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Template {{ len: {TEMPLATE_LEN}, values: <redacted> }}")
    }
}

/// The cosine similarity of two templates.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize, serde::Deserialize)]
pub struct Similarity(pub f32);

impl Similarity {
    /// The cosine value, in `-1.0..=1.0`.
    pub fn value(self) -> f32 {
        self.0
    }
}

/// Scales `v` to unit Euclidean length in place. Returns `false` (leaving `v` unchanged) when
/// `v` is empty, all zeros, or holds a non-finite value.
pub fn l2_normalize(v: &mut [f32]) -> bool {
    let norm = v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt();
    if v.is_empty() || !norm.is_finite() || norm <= 0.0 {
        return false;
    }
    v.iter_mut().for_each(|x| *x = (f64::from(*x) / norm) as f32);
    true
}

/// Cosine similarity `a.b / (|a| |b|)` of two vectors of equal length, accumulated in f64.
/// Returns 0 for empty, mismatched or zero vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let (mut dot, mut na, mut nb) = (0f64, 0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (f64::from(x), f64::from(y));
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    let denom = (na * nb).sqrt();
    if denom > 0.0 && denom.is_finite() {
        (dot / denom) as f32
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(i: usize) -> Vec<f32> {
        let mut v = vec![0.0; TEMPLATE_LEN];
        v[i] = 1.0;
        v
    }

    #[test]
    fn l2_normalize_by_hand() {
        let mut v = [3.0, 4.0];
        assert!(l2_normalize(&mut v));
        assert_eq!(v, [0.6, 0.8]);
        let mut z = [0.0, 0.0];
        assert!(!l2_normalize(&mut z));
        let mut bad = [1.0, f32::NAN];
        assert!(!l2_normalize(&mut bad));
        assert!(bad[1].is_nan() && bad[0] == 1.0, "left unchanged");
    }

    #[test]
    fn cosine_by_hand() {
        assert!((cosine(&[1.0, 0.0], &[1.0, 1.0]) - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-7);
        assert_eq!(cosine(&[1.0, 2.0], &[-2.0, 1.0]), 0.0);
        assert_eq!(cosine(&[1.0, 2.0], &[-1.0, -2.0]), -1.0);
        assert_eq!(cosine(&[1.0], &[1.0, 2.0]), 0.0, "mismatched lengths");
    }

    #[test]
    fn templates_are_unit_length_and_compare() {
        let mut raw = unit(0);
        raw[1] = 1.0;
        let a = Template::from_embedding(&raw).unwrap();
        let norm: f32 = a.as_slice().iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-6);
        let b = Template::from_embedding(&unit(1)).unwrap();
        assert!((a.similarity(&b).value() - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert!(Template::from_embedding(&[1.0; 127]).is_none());
        assert!(Template::from_embedding(&[0.0; 128]).is_none());
    }

    #[test]
    fn debug_hides_the_values() {
        let t = Template::from_embedding(&unit(3)).unwrap();
        let s = format!("{t:?}");
        assert!(!s.contains("1.0") && s.contains("redacted"), "{s}");
    }
}

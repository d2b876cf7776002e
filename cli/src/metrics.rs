//! Verification metrics over genuine and impostor similarity scores (pure functions).

/// The lowest threshold `t` at which at most `fmr` of `impostors` score `>= t`.
///
/// With impostors sorted high to low, `k = floor(fmr * n)` of them may pass; the threshold is
/// just above the `(k+1)`-th highest. `None` when there are no impostors.
pub fn threshold_at_fmr(impostors: &[f32], fmr: f64) -> Option<f32> {
    if impostors.is_empty() {
        return None;
    }
    let mut s = impostors.to_vec();
    s.sort_by(|a, b| b.total_cmp(a));
    let k = ((fmr * s.len() as f64).floor() as usize).min(s.len());
    if k == s.len() {
        return Some(f32::NEG_INFINITY);
    }
    Some(next_up(s[k]))
}

/// The smallest `f32` greater than `x` (for finite `x`).
fn next_up(x: f32) -> f32 {
    if x.is_nan() || x == f32::INFINITY {
        return x;
    }
    if x == 0.0 {
        return f32::from_bits(1);
    }
    let bits = x.to_bits();
    f32::from_bits(if x > 0.0 { bits + 1 } else { bits - 1 })
}

/// Fraction of `scores` at or above `threshold` (0 when empty).
pub fn rate_at_or_above(scores: &[f32], threshold: f32) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    scores.iter().filter(|&&s| s >= threshold).count() as f64 / scores.len() as f64
}

/// Accuracy of the rule `score >= threshold` on labelled pairs.
pub fn accuracy(pairs: &[(f32, bool)], threshold: f32) -> f64 {
    if pairs.is_empty() {
        return 0.0;
    }
    pairs.iter().filter(|(s, same)| (*s >= threshold) == *same).count() as f64 / pairs.len() as f64
}

/// The threshold with the best accuracy on `pairs` (midpoint between adjacent scores) and
/// that accuracy.
pub fn best_threshold(pairs: &[(f32, bool)]) -> (f32, f64) {
    let mut scores: Vec<f32> = pairs.iter().map(|p| p.0).filter(|s| s.is_finite()).collect();
    scores.sort_by(f32::total_cmp);
    scores.dedup();
    let mut candidates = vec![f32::NEG_INFINITY];
    candidates.extend(scores.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    candidates.extend(scores.last().map(|&s| s + 1e-6));
    candidates.into_iter().map(|t| (t, accuracy(pairs, t))).fold((0.0, -1.0), |best, c| if c.1 > best.1 { c } else { best })
}

/// k-fold accuracy: for each fold, the threshold is chosen on the other folds and applied to
/// it. Returns the mean and standard deviation of the per-fold accuracies, or `None` when there
/// are fewer than two folds.
pub fn cross_validated_accuracy(pairs: &[(f32, bool, u32)]) -> Option<(f64, f64)> {
    let mut folds: Vec<u32> = pairs.iter().map(|p| p.2).collect();
    folds.sort_unstable();
    folds.dedup();
    if folds.len() < 2 {
        return None;
    }
    let accs: Vec<f64> = folds
        .iter()
        .map(|&f| {
            let train: Vec<(f32, bool)> = pairs.iter().filter(|p| p.2 != f).map(|p| (p.0, p.1)).collect();
            let test: Vec<(f32, bool)> = pairs.iter().filter(|p| p.2 == f).map(|p| (p.0, p.1)).collect();
            accuracy(&test, best_threshold(&train).0)
        })
        .collect();
    let mean = accs.iter().sum::<f64>() / accs.len() as f64;
    let var = accs.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / accs.len() as f64;
    Some((mean, var.sqrt()))
}

/// One point of a DET curve.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetPoint {
    /// Decision threshold.
    pub threshold: f32,
    /// False-match rate: impostors at or above the threshold.
    pub fmr: f64,
    /// False-non-match rate: genuine pairs below the threshold.
    pub fnmr: f64,
}

/// DET points at each threshold of `thresholds`.
pub fn det_curve(genuine: &[f32], impostors: &[f32], thresholds: impl IntoIterator<Item = f32>) -> Vec<DetPoint> {
    thresholds.into_iter().map(|t| DetPoint { threshold: t, fmr: rate_at_or_above(impostors, t), fnmr: 1.0 - rate_at_or_above(genuine, t) }).collect()
}

/// Median and 90th percentile (nearest rank) of `v`; `None` when empty.
pub fn median_p90(v: &[f64]) -> Option<(f64, f64)> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = |q: f64| s[((q * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1];
    let median = if s.len() % 2 == 1 { s[s.len() / 2] } else { (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0 };
    Some((median, rank(0.9)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_at_fmr_allows_floor_fmr_n_false_matches() {
        let imp = [0.1, 0.9, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 0.0];
        // FMR 0.2 of 10: two impostors (0.9, 0.8) may pass; threshold just above 0.7.
        let t = threshold_at_fmr(&imp, 0.2).unwrap();
        assert!(t > 0.7 && t < 0.7001, "{t}");
        assert_eq!(rate_at_or_above(&imp, t), 0.2);
        // FMR below 1/n: none may pass.
        assert!(threshold_at_fmr(&imp, 0.05).unwrap() > 0.9);
        assert_eq!(threshold_at_fmr(&[], 0.1), None);
    }

    #[test]
    fn accuracy_and_best_threshold_by_hand() {
        let pairs = [(0.9, true), (0.6, true), (0.4, false), (0.5, true), (0.1, false), (0.55, false)];
        assert_eq!(accuracy(&pairs, 0.45), 5.0 / 6.0);
        let (t, acc) = best_threshold(&pairs);
        assert_eq!(acc, 5.0 / 6.0);
        assert!(t > 0.4 && t <= 0.575, "{t}");
        let separable = [(0.8, true), (0.2, false)];
        assert_eq!(best_threshold(&separable).1, 1.0);
    }

    #[test]
    fn cross_validation_uses_held_out_folds() {
        // Fold 1 is separable at 0.5; fold 2 is separable at 0.5 too: 100% both ways.
        let pairs = [(0.9, true, 1), (0.1, false, 1), (0.8, true, 2), (0.2, false, 2)];
        assert_eq!(cross_validated_accuracy(&pairs), Some((1.0, 0.0)));
        assert_eq!(cross_validated_accuracy(&[(0.9, true, 1)]), None);
    }

    #[test]
    fn det_points_by_hand() {
        let d = det_curve(&[0.9, 0.3], &[0.5, 0.1], [0.4]);
        assert_eq!(d, [DetPoint { threshold: 0.4, fmr: 0.5, fnmr: 0.5 }]);
    }

    #[test]
    fn median_and_p90() {
        assert_eq!(median_p90(&[3.0, 1.0, 2.0]), Some((2.0, 3.0)));
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(median_p90(&v), Some((5.5, 9.0)));
        assert_eq!(median_p90(&[]), None);
    }
}

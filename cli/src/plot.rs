//! The DET curve as a PNG: false-non-match rate against false-match rate, both on log axes.

use std::path::Path;

use plotters::prelude::*;

use crate::metrics::DetPoint;

/// Draws `points` (with `marks`: named operating points) into a PNG at `path`.
pub fn det_png(path: &Path, title: &str, points: &[DetPoint], marks: &[(String, DetPoint)]) -> Result<(), String> {
    // Text is drawn with an embedded font, so the plot needs no system fonts.
    let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
    let err = |e: &dyn std::fmt::Display| format!("drawing {}: {e}", path.display());
    let root = BitMapBackend::new(path, (900, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let floor = 1e-7;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d((floor..1.0f64).log_scale(), (1e-4..1.0f64).log_scale())
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("false-match rate (impostor pairs accepted)")
        .y_desc("false-non-match rate (genuine pairs rejected)")
        .x_label_formatter(&|v| rate_label(*v))
        .y_label_formatter(&|v| rate_label(*v))
        .label_style(("sans-serif", 15))
        .draw()
        .map_err(|e| err(&e))?;
    let clamp = |p: &DetPoint| (p.fmr.max(floor), p.fnmr.max(1e-4));
    chart
        .draw_series(LineSeries::new(points.iter().map(clamp), BLUE.stroke_width(2)))
        .map_err(|e| err(&e))?
        .label("facegate (YuNet + SFace)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
    for (name, p) in marks {
        let at = clamp(p);
        chart.draw_series([Circle::new(at, 5, RED.filled())]).map_err(|e| err(&e))?;
        chart
            .draw_series(
                [EmptyElement::at(at) + Text::new(format!("{name}: t={:.3}, FNMR {:.2}%", p.threshold, p.fnmr * 100.0), (10, -18), ("sans-serif", 14))],
            )
            .map_err(|e| err(&e))?;
    }
    // Lower left: the curve runs from the upper left to the lower right, and the operating points'
    // labels sit above it on the right.
    chart.configure_series_labels().position(SeriesLabelPosition::LowerLeft).border_style(BLACK).background_style(WHITE).draw().map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))
}

/// An axis label for a rate on a log axis: a power of ten as "1e-5" (plotters computes the
/// tick as `10^k` in floating point, e.g. 9.999999999999999e-6), 0.001 to 1 as decimals, and any
/// other value to 2 significant digits.
fn rate_label(v: f64) -> String {
    if v.is_nan() || v <= 0.0 {
        return "0".into();
    }
    let exponent = v.log10().round();
    if (v / 10f64.powf(exponent) - 1.0).abs() < 1e-6 {
        let k = exponent as i32;
        return match k {
            0 => "1".into(),
            -3..=-1 => format!("{:.*}", (-k) as usize, 10f64.powi(k)),
            _ => format!("1e{k}"),
        };
    }
    format!("{v:.2e}")
}

#[cfg(test)]
mod tests {
    use super::rate_label;

    #[test]
    fn powers_of_ten_are_labelled_exactly() {
        assert_eq!(rate_label(9.999999999999999e-6), "1e-5");
        assert_eq!(rate_label(1.0000000000000002e-7), "1e-7");
        assert_eq!(rate_label(0.0010000000000000002), "0.001");
        assert_eq!(rate_label(0.01), "0.01");
        assert_eq!(rate_label(0.1), "0.1");
        assert_eq!(rate_label(1.0), "1");
        assert_eq!(rate_label(0.0025), "2.50e-3");
        assert_eq!(rate_label(0.0), "0");
    }
}

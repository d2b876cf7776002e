//! A photo rolled about its centre (the head tilted in the frame), for the tests and the
//! quality bench. Same size as the input, bilinear, black where the turned photo does not reach.

use image::{Rgb, RgbImage};

/// `img` turned by `degrees` clockwise (on screen, y pointing down) about its centre.
pub fn rotated_about_center(img: &RgbImage, degrees: f32) -> RgbImage {
    let (w, h) = (img.width(), img.height());
    let (cx, cy) = ((w as f32 - 1.0) / 2.0, (h as f32 - 1.0) / 2.0);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let texel = |x: i64, y: i64| -> [f32; 3] {
        if x < 0 || y < 0 || x >= i64::from(w) || y >= i64::from(h) {
            [0.0; 3]
        } else {
            img.get_pixel(x as u32, y as u32).0.map(f32::from)
        }
    };
    RgbImage::from_fn(w, h, |x, y| {
        // The source point that lands on (x, y): the inverse rotation.
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (cos * dx + sin * dy + cx, -sin * dx + cos * dy + cy);
        let (x0, y0) = (sx.floor(), sy.floor());
        let (ax, ay) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let (p00, p10, p01, p11) = (texel(x0, y0), texel(x0 + 1, y0), texel(x0, y0 + 1), texel(x0 + 1, y0 + 1));
        Rgb(std::array::from_fn(|c| {
            let top = p00[c] * (1.0 - ax) + p10[c] * ax;
            let bottom = p01[c] * (1.0 - ax) + p11[c] * ax;
            (top * (1.0 - ay) + bottom * ay).round().clamp(0.0, 255.0) as u8
        }))
    })
}

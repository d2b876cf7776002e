//! Exposure, sharpness and covered regions, measured on the 112x112 aligned crop (what the
//! recognizer sees). Pure functions of the crop's RGB bytes.

use serde::Serialize;

use crate::align::ALIGNED_SIZE;

const SIZE: usize = ALIGNED_SIZE as usize;

/// A rectangle of crop rows and columns, half-open: `x0..x1`, `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    /// First column.
    pub x0: usize,
    /// Column after the last.
    pub x1: usize,
    /// First row.
    pub y0: usize,
    /// Row after the last.
    pub y1: usize,
}

/// The face proper in the aligned crop: brows to chin, cheek to cheek (the ArcFace template
/// puts the eyes on row 52, the mouth on row 92).
pub(crate) const FACE: Region = Region { x0: 24, x1: 88, y0: 36, y1: 104 };
/// Both eyes, brows to cheekbones: what dark glasses cover.
pub(crate) const EYE_BAND: Region = Region { x0: 24, x1: 88, y0: 40, y1: 62 };
/// Nose tip, mouth and chin: what a mask covers.
pub(crate) const MOUTH: Region = Region { x0: 32, x1: 80, y0: 74, y1: 104 };
/// Where a lens over the subject's right eye (crop left) may lie: around the template's eye
/// (column 38, row 52), reaching lower than the eye band because a face behind dark glasses is
/// often aligned with its eyes placed on the brows (the lenses then sit 5 to 20 rows below
/// row 52).
pub(crate) const RIGHT_LENS_AREA: Region = Region { x0: 20, x1: 56, y0: 39, y1: 77 };
/// Where a lens over the subject's left eye (crop right, template eye column 74) may lie.
pub(crate) const LEFT_LENS_AREA: Region = Region { x0: 56, x1: 92, y0: 39, y1: 77 };
/// A lens-sized window, columns x rows: inside the rectangle inscribed in a lens of dark
/// glasses (about 0.84 x 0.6 eye distances, 30 x 21 crop pixels).
pub(crate) const LENS_WINDOW: (usize, usize) = (16, 10);
/// Side of the square tiles, crop pixels, within which [`CropMeasures::sharpness`] takes its
/// variances: detail (one to a few pixels) fits inside a tile; the shading of a whole face
/// (tens of pixels) does not.
pub(crate) const SHARPNESS_TILE: usize = 8;
/// Largest absolute 4-neighbour Laplacian of luma (luma levels) of a pixel that counts as flat:
/// skin, lips and shadows photographed at this scale vary by more; a painted or printed
/// surface (a mask, a lens) by less.
pub(crate) const FLAT_LAPLACIAN: f32 = 2.0;

/// What the pixels of one aligned crop say.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CropMeasures {
    /// Mean luma (Rec. 601, 0..255) over the face proper (crop columns 24..88, rows 36..104).
    pub brightness: f32,
    /// Standard deviation of luma over the face proper (0..128).
    pub contrast: f32,
    /// Sharpness: variance of the 4-neighbour Laplacian of luma over the face proper, divided by
    /// the luma variance there (so that it does not depend on exposure or contrast), both
    /// variances taken within 8 x 8 tiles (sums of squared deviations from
    /// each tile's own mean, added over the tiles). Detail at the scale of one crop pixel
    /// raises it; blur and enlarged small faces lower it. Within tiles, light and shade at the
    /// scale of the face (a turned face against a dark background, light falling across it)
    /// does not count as contrast the detail must match: over the whole region it did, and a
    /// sharp face in three-quarter view beside a dark doorway read as blurred.
    pub sharpness: f32,
    /// Fraction of the eye band (columns 24..88, rows 40..62) darker than a third of the face's
    /// mean luma, `0..=1`: high when dark glasses cover the eyes (pupils, lashes and brows
    /// alone make a small fraction).
    pub eyes_dark: f32,
    /// Luma standard deviation over nose tip, mouth and chin (columns 32..80, rows 74..104)
    /// divided by that over the face proper: low when the lower face is one flat colour (a mask).
    pub mouth_texture: f32,
    /// Whether opaque lenses cover both eyes, wherever they landed in the crop: for each eye,
    /// the largest fraction of a lens-sized window (16 x 10 crop pixels) slid over the area
    /// around it (columns 20..56 and 56..92, rows 39..77) that is both dark (as in
    /// `eyes_dark`) and flat (absolute Laplacian at most 2 luma levels); the smaller of the two
    /// eyes, `0..=1`. Opaque lenses make about 1; shadowed or tinted eyes still show lids,
    /// lashes and brows. A window, not a fixed band: faces behind dark glasses are often
    /// aligned with the eyes on the brows, the lenses below the eye band, where a band's
    /// fraction was diluted by skin.
    pub eyes_covered: f32,
    /// Fraction of nose tip, mouth and chin (the `mouth_texture` region) that is flat (absolute
    /// Laplacian at most 2 luma levels), `0..=1`: high under a mask, low on skin and lips.
    pub mouth_flat: f32,
}

/// Luma of each crop pixel (Rec. 601 weights).
fn luma(rgb: &[u8]) -> Vec<f32> {
    rgb.chunks_exact(3).map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])).collect()
}

/// Mean and standard deviation of `values` over `region` of a `SIZE`-wide plane.
fn mean_sd(values: &[f32], r: Region) -> (f32, f32) {
    let (mut sum, mut sum2, mut n) = (0f64, 0f64, 0f64);
    for y in r.y0..r.y1 {
        for &v in &values[y * SIZE + r.x0..y * SIZE + r.x1] {
            sum += f64::from(v);
            sum2 += f64::from(v) * f64::from(v);
            n += 1.0;
        }
    }
    if n == 0.0 {
        return (0.0, 0.0);
    }
    let mean = sum / n;
    (mean as f32, (sum2 / n - mean * mean).max(0.0).sqrt() as f32)
}

/// The 4-neighbour Laplacian `4 v(x,y) - v(x-1,y) - v(x+1,y) - v(x,y-1) - v(x,y+1)` at crop
/// pixel `i` (not on the crop's edge).
fn laplacian_at(values: &[f32], i: usize) -> f32 {
    4.0 * values[i] - values[i - 1] - values[i + 1] - values[i - SIZE] - values[i + SIZE]
}

/// Sum of squared deviations from their mean of `values` (0 when empty).
fn squared_deviations(values: &[f64]) -> f64 {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    values.iter().map(|v| (v - mean).powi(2)).sum()
}

/// [`CropMeasures::sharpness`] over `region`, which must not touch the crop's edge: tiles of
/// [`SHARPNESS_TILE`] pixels from its top-left corner (the last row and column of tiles may be
/// narrower); in each, the squared deviations of the Laplacian and of luma from the tile's
/// means; the ratio of their sums over all tiles (0 for a region without luma variation).
fn tiled_sharpness(values: &[f32], r: Region) -> f32 {
    let (mut detail, mut contrast) = (0f64, 0f64);
    for ty in (r.y0..r.y1).step_by(SHARPNESS_TILE) {
        for tx in (r.x0..r.x1).step_by(SHARPNESS_TILE) {
            let pixels: Vec<usize> =
                (ty..(ty + SHARPNESS_TILE).min(r.y1)).flat_map(|y| (tx..(tx + SHARPNESS_TILE).min(r.x1)).map(move |x| y * SIZE + x)).collect();
            let lap: Vec<f64> = pixels.iter().map(|&i| f64::from(laplacian_at(values, i))).collect();
            let luma: Vec<f64> = pixels.iter().map(|&i| f64::from(values[i])).collect();
            detail += squared_deviations(&lap);
            contrast += squared_deviations(&luma);
        }
    }
    if contrast > 0.0 {
        (detail / contrast) as f32
    } else {
        0.0
    }
}

/// Fraction of `region` with values below `below`.
fn dark_fraction(values: &[f32], r: Region, below: f32) -> f32 {
    let n = (r.x1 - r.x0) * (r.y1 - r.y0);
    let dark = (r.y0..r.y1).map(|y| values[y * SIZE + r.x0..y * SIZE + r.x1].iter().filter(|&&v| v < below).count()).sum::<usize>();
    dark as f32 / n.max(1) as f32
}

/// Fraction of the pixels of `region` whose absolute 4-neighbour Laplacian is at most
/// [`FLAT_LAPLACIAN`] and whose value passes `keep` (the Laplacian reads one pixel around the
/// region: a region touching the crop's edge loses its edge pixels).
fn flat_fraction(values: &[f32], r: Region, keep: impl Fn(f32) -> bool) -> f32 {
    let (mut flat, mut n) = (0usize, 0usize);
    for y in r.y0.max(1)..r.y1.min(SIZE - 1) {
        for x in r.x0.max(1)..r.x1.min(SIZE - 1) {
            let i = y * SIZE + x;
            let lap = laplacian_at(values, i);
            n += 1;
            flat += usize::from(lap.abs() <= FLAT_LAPLACIAN && keep(values[i]));
        }
    }
    flat as f32 / n.max(1) as f32
}

/// Whether each crop pixel is flat (absolute 4-neighbour Laplacian at most [`FLAT_LAPLACIAN`])
/// and passes `keep`, as a summed-area table: `table[y * (SIZE + 1) + x]` counts such pixels
/// in columns `0..x`, rows `0..y` (the crop's outermost pixels, without a Laplacian, never
/// count).
fn flat_table(values: &[f32], keep: impl Fn(f32) -> bool) -> Vec<u32> {
    let w = SIZE + 1;
    let mut table = vec![0u32; w * w];
    for y in 0..SIZE {
        let mut row = 0u32;
        for x in 0..SIZE {
            let i = y * SIZE + x;
            let inside = (1..SIZE - 1).contains(&x) && (1..SIZE - 1).contains(&y);
            if inside {
                let lap = laplacian_at(values, i);
                row += u32::from(lap.abs() <= FLAT_LAPLACIAN && keep(values[i]));
            }
            table[(y + 1) * w + x + 1] = table[y * w + x + 1] + row;
        }
    }
    table
}

/// The largest fraction of counted pixels (see [`flat_table`]) in a `window` (columns, rows)
/// slid over every position inside `area`.
fn densest_window(table: &[u32], area: Region, window: (usize, usize)) -> f32 {
    let (w, (ww, wh)) = (SIZE + 1, window);
    let mut best = 0u32;
    for y0 in area.y0..=area.y1.saturating_sub(wh) {
        for x0 in area.x0..=area.x1.saturating_sub(ww) {
            let (x1, y1) = (x0 + ww, y0 + wh);
            best = best.max(table[y1 * w + x1] + table[y0 * w + x0] - table[y0 * w + x1] - table[y1 * w + x0]);
        }
    }
    best as f32 / (ww * wh).max(1) as f32
}

/// The crop measures of a 112x112 RGB crop (`rgb.len() == 112 * 112 * 3`); `None` otherwise.
pub fn crop_measures(rgb: &[u8]) -> Option<CropMeasures> {
    if rgb.len() != SIZE * SIZE * 3 {
        return None;
    }
    let y = luma(rgb);
    let (brightness, contrast) = mean_sd(&y, FACE);
    let ratio = |sd: f32| if contrast > 0.0 { sd / contrast } else { 0.0 };
    Some(CropMeasures {
        brightness,
        contrast,
        sharpness: tiled_sharpness(&y, FACE),
        eyes_dark: dark_fraction(&y, EYE_BAND, brightness / 3.0),
        mouth_texture: ratio(mean_sd(&y, MOUTH).1),
        eyes_covered: {
            let dark_flat = flat_table(&y, |v| v < brightness / 3.0);
            densest_window(&dark_flat, RIGHT_LENS_AREA, LENS_WINDOW).min(densest_window(&dark_flat, LEFT_LENS_AREA, LENS_WINDOW))
        },
        mouth_flat: flat_fraction(&y, MOUTH, |_| true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crop(f: impl Fn(usize, usize) -> u8) -> Vec<u8> {
        (0..SIZE * SIZE).flat_map(|i| [f(i % SIZE, i / SIZE); 3]).collect()
    }

    #[test]
    fn a_flat_grey_crop_is_bright_flat_and_has_no_sharpness() {
        let m = crop_measures(&crop(|_, _| 100)).unwrap();
        assert!((m.brightness - 100.0).abs() < 1e-3, "{m:?}");
        assert_eq!((m.contrast, m.sharpness, m.eyes_dark, m.mouth_texture), (0.0, 0.0, 0.0, 0.0));
        // Every pixel is flat, none is dark: the mouth region is all flat, the eyes are not covered.
        assert_eq!((m.eyes_covered, m.mouth_flat), (0.0, 1.0));
        assert!(crop_measures(&[0; 10]).is_none());
    }

    #[test]
    fn a_checkerboard_has_the_hand_computed_sharpness() {
        // Alternating 0 / 200: luma mean 100, sd 100 (in every 8 x 8 tile too), every Laplacian
        // +-800 (4 * 200), so Laplacian variance 640,000 and sharpness 640,000 / 10,000 = 64.
        let m = crop_measures(&crop(|x, y| if (x + y) % 2 == 0 { 0 } else { 200 })).unwrap();
        assert!((m.brightness - 100.0).abs() < 1e-3 && (m.contrast - 100.0).abs() < 1e-3, "{m:?}");
        assert!((m.sharpness - 64.0).abs() < 1e-3, "{m:?}");
        // Half the eye band (the 0 pixels) is below a third of the mean (33.3).
        assert!((m.eyes_dark - 0.5).abs() < 1e-3 && (m.mouth_texture - 1.0).abs() < 1e-3, "{m:?}");
        // No pixel is flat: the dark half has texture, like eyes, lashes and brows.
        assert_eq!((m.eyes_covered, m.mouth_flat), (0.0, 0.0));
    }

    #[test]
    fn a_smooth_ramp_is_not_sharp() {
        // A linear ramp has a zero Laplacian everywhere: sharpness 0, whatever its contrast.
        let m = crop_measures(&crop(|x, _| (x * 2) as u8)).unwrap();
        assert!(m.contrast > 30.0 && m.sharpness < 1e-6, "{m:?}");
    }

    #[test]
    fn shading_across_the_face_does_not_read_as_blur() {
        // A checkerboard of 0 / 20 on a ramp of 2 luma levels per column (light falling
        // across the face). The ramp adds nothing to the Laplacian (its second difference is
        // 0): every Laplacian is +-80 (4 * 20), mean 0 in every tile (even numbers of each
        // sign), so squared deviation 6,400 per pixel. Within an 8-column tile the ramp's
        // luma variance is 4 * (8^2 - 1) / 12 = 21 and the checkerboard's 100 (the two do not
        // covary over a tile's even number of rows): 6,400 / 121 = 52.89. Over the whole
        // region (64 columns) the ramp's variance would be 4 * (64^2 - 1) / 12 = 1,365,
        // and the sharpness 6,400 / 1,465 = 4.37: ten times "blurrier" for the same detail.
        let m = crop_measures(&crop(|x, y| (2 * x + if (x + y) % 2 == 0 { 0 } else { 20 }) as u8)).unwrap();
        assert!((m.sharpness - 6400.0 / 121.0).abs() < 1e-2, "{m:?}");
    }

    #[test]
    fn dark_lenses_over_the_eye_band_are_dark() {
        // A face of 150 with a lens of 20 over the left three quarters of the eye band:
        // mean luma 150 - 130 * (48 * 22) / (64 * 68) = 118.5, a third 39.5: the lens counts.
        let lens = |x: usize, y: usize| (24..72).contains(&x) && (40..62).contains(&y);
        let m = crop_measures(&crop(|x, y| if lens(x, y) { 20 } else { 150 })).unwrap();
        assert!((m.eyes_dark - 0.75).abs() < 1e-6, "{m:?}");
        // Dark and flat inside the lens only: its edge pixels (columns 24 and 71, rows 40 and
        // 61) each have a face neighbour; inside, columns 25..=70 x rows 41..=60. Around the
        // right eye (columns 20..56) a whole 16 x 10 window fits inside: 1.0. Around the left
        // eye (columns 56..92) the inside has 15 columns (56..=70): at best 15 x 10 of a
        // window's 160 pixels, 0.9375. The smaller of the two eyes: 0.9375.
        assert!((m.eyes_covered - 150.0 / 160.0).abs() < 1e-6, "{m:?}");
    }

    #[test]
    fn lenses_below_the_eye_band_cover_the_eyes() {
        // A face of 150 with two lenses of 20 below the eye band (rows 62 and more), where
        // faces behind dark glasses are often aligned: a right lens of columns 26..50 x rows
        // 62..76 (24 x 14) and a smaller left lens of columns 62..74 x rows 62..72 (12 x 10).
        // Mean face luma 150 - 130 * (336 + 120) / (64 * 68) = 136.4, a third 45.5: the lenses
        // are dark. Only a lens's inside is flat (its edge pixels have a face neighbour): 22 x 12
        // on the right, which holds a whole 16 x 10 window (1.0); 10 x 8 = 80 on the left, all
        // inside one window: 80 / 160 = 0.5. The smaller of the two eyes: 0.5.
        let right = |x: usize, y: usize| (26..50).contains(&x) && (62..76).contains(&y);
        let left = |x: usize, y: usize| (62..74).contains(&x) && (62..72).contains(&y);
        let m = crop_measures(&crop(|x, y| if right(x, y) || left(x, y) { 20 } else { 150 })).unwrap();
        assert!((m.eyes_covered - 0.5).abs() < 1e-6, "{m:?}");
        // The eye band (rows 40..62) holds neither lens: its dark fraction misses both.
        assert_eq!(m.eyes_dark, 0.0, "{m:?}");
        // One lens alone does not cover both eyes.
        let m = crop_measures(&crop(|x, y| if right(x, y) { 20 } else { 150 })).unwrap();
        assert_eq!(m.eyes_covered, 0.0, "{m:?}");
    }

    #[test]
    fn a_flat_band_over_the_mouth_has_no_mouth_texture() {
        // Stripes everywhere but a flat band over the mouth region.
        let m = crop_measures(&crop(|x, y| {
            if (MOUTH.y0..MOUTH.y1).contains(&y) {
                80
            } else if x % 2 == 0 {
                40
            } else {
                160
            }
        }))
        .unwrap();
        assert_eq!(m.mouth_texture, 0.0, "{m:?}");
        assert_eq!(m.eyes_dark, 0.0, "{m:?}");
        // Flat but for the first and last rows of the band (their neighbours are stripes):
        // 28 of its 30 rows.
        assert!((m.mouth_flat - 28.0 / 30.0).abs() < 1e-6, "{m:?}");
        assert_eq!(m.eyes_covered, 0.0, "{m:?}");
    }
}

//! The YuNet detector: letterbox -> network -> decode -> NMS -> source coordinates.

use crate::config::DetectorConfig;
use crate::decode::{decode_yunet, StrideOutputs};
use crate::error::{ModelKind, Result};
use crate::face::{BoundingBox, Face, Landmarks, Point};
use crate::image::Image;
use crate::letterbox::Letterbox;
use std::sync::Mutex;

use zeroize::Zeroizing;

use tract_onnx::prelude::InferenceModel;

use crate::model::{load_verified, output_slice, plan_for, run, verify_model, Plan, Threads};
use crate::nms::nms;

/// YuNet's feature-map strides, in the order of its outputs.
const STRIDES: [u32; 3] = [8, 16, 32];
/// Colour of the border added when retrying a frame-filling face.
const BORDER_FILL: [u8; 3] = [128, 128, 128];

/// How many input shapes keep their plan (most recently used first): the shapes of the quick
/// look and of the full-size look of a few image formats.
const PLANS_KEPT: usize = 12;

/// The faces of one image, and how they were found.
#[derive(Debug, Clone, PartialEq)]
pub struct Detections {
    /// The faces, in source-image pixels, best score first (see [`Detector::detect`]).
    pub faces: Vec<Face>,
    /// Longest side of the detector input the faces come from, in pixels: the quick look's size
    /// ([`DetectorConfig::quick_input_size`], 320 by default) or `input_size` (640).
    pub input_size: u32,
    /// The network input of that look, width x height in pixels (see [`Letterbox::fit_within`]).
    pub input_width: u32,
    /// See `input_width`.
    pub input_height: u32,
    /// How many times the network ran for this image: 1 (one look), 2 (the quick look was not
    /// enough, or no quick look and a retry with a border), 3 (quick, full size, border), or
    /// 1 + `close_looks` when the faces come from close looks.
    pub runs: u32,
    /// How many faces were looked at again in a window of the full-size input around each
    /// ([`DetectorConfig::close_max_size`]); the faces then come from those looks,
    /// `input_size` is the full size whose scale they ran at and `input_width` x
    /// `input_height` the largest window. 0 when the faces come from a look at the whole image.
    pub close_looks: u32,
    /// Whether the faces come from the retry with a neutral border
    /// ([`DetectorConfig::retry_with_border`]).
    pub with_border: bool,
}

/// Whether the quick look's faces are kept: at least one face, and the largest at least
/// `min_face` pixels wide in the quick input (`scale` = input pixels per source pixel).
/// Below that, landmarks are too coarse for the recognizer and smaller faces may have been
/// missed, so the image is looked at again at full size.
pub fn quick_look_suffices(faces: &[Face], scale: f32, min_face: u32) -> bool {
    faces.iter().map(|f| f.bbox.width * scale).fold(0.0f32, f32::max) >= min_face as f32
}

/// A close look's window: a square of the full-size detector input around one face of the
/// quick look, in input pixels. The network runs on those pixels only, at the full-size look's
/// scale, so the face's landmarks are as precise as the full-size look's at a fraction of its
/// cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseLook {
    /// Left edge, input pixels: a multiple of 32 (YuNet's coarsest stride, so that the window
    /// samples the input as the full-size look does), inside the input where the window fits.
    pub x: i64,
    /// Top edge, input pixels, as `x`.
    pub y: i64,
    /// Side, input pixels: twice the face's width, rounded up to a multiple of 64 (few plan
    /// shapes), at least 128.
    pub side: u32,
}

impl CloseLook {
    /// The window around `face` (source pixels) in the full-size input `letterbox`.
    pub fn around(face: &Face, letterbox: &Letterbox) -> CloseLook {
        let corner = letterbox.to_input(Point::new(face.bbox.x, face.bbox.y));
        let far = letterbox.to_input(Point::new(face.bbox.x + face.bbox.width, face.bbox.y + face.bbox.height));
        let width = (far.x - corner.x).max(1.0);
        let side = ((2.0 * width / 64.0).ceil() as u32 * 64).max(128);
        let place = |centre: f32, extent: u32| {
            let start = (centre - side as f32 / 2.0).round() as i64;
            let start = if side <= extent { start.clamp(0, i64::from(extent - side)) } else { 0 };
            start.div_euclid(32) * 32
        };
        CloseLook { x: place((corner.x + far.x) / 2.0, letterbox.input_width), y: place((corner.y + far.y) / 2.0, letterbox.input_height), side }
    }
}

/// The YuNet face detector. The network is loaded and folded once; each input shape met gets
/// its own plan (tract runs known shapes much faster), made on first use and kept for the
/// twelve most recent shapes (`PLANS_KEPT`).
pub struct Detector {
    model: InferenceModel,
    plans: Mutex<Vec<((u32, u32), Plan)>>,
    config: DetectorConfig,
    threads: Threads,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Detector {
    /// Builds the detector from the YuNet ONNX bytes (checked against
    /// [`DETECTOR_SHA256`](crate::DETECTOR_SHA256)) for `config.input_size`.
    pub fn new(model: &[u8], config: DetectorConfig) -> Result<Detector> {
        config.validate()?;
        verify_model(ModelKind::Detector, model)?;
        Detector::new_verified(model, config, Threads::default())
    }

    /// [`Detector::new`] for bytes whose SHA-256 the caller has checked, running on `threads`.
    pub(crate) fn new_verified(model: &[u8], config: DetectorConfig, threads: Threads) -> Result<Detector> {
        config.validate()?;
        let model = load_verified(ModelKind::Detector, model)?;
        // No input shape is planned here: [`Detector::warm_up`] plans the two squares most
        // photos are looked at with, or the first photo that needs one plans it.
        Ok(Detector { model, plans: Mutex::new(Vec::new()), config, threads })
    }

    /// Plans the first-look square (the quick look's, else the full size), the close look's
    /// square and then the full-size square now, rather than on the first photo that needs them. Idempotent.
    pub fn warm_up(&self) -> Result<()> {
        self.warm_up_first_look()?;
        self.warm_up_close_look()?;
        self.warm_up_full_size()
    }

    /// Plans the square every portrait or square photo is first looked at with: `input_size`
    /// (640 by default), or [`DetectorConfig::quick_input_size`] when a quick look is set.
    pub(crate) fn warm_up_first_look(&self) -> Result<()> {
        let first = self.config.quick_size().unwrap_or(self.config.input_size);
        self.plan(first, first).map(|_| ())
    }

    /// Plans the close-look window most head-and-shoulders portraits get (256 x 256: a face 65
    /// to 128 px wide at 640), when there are close looks ([`DetectorConfig::close_max_size`]).
    pub(crate) fn warm_up_close_look(&self) -> Result<()> {
        match self.config.close_size() {
            Some(max) => self.plan(256.min(max), 256.min(max)).map(|_| ()),
            None => Ok(()),
        }
    }

    /// Plans the full-size square, `input_size` x `input_size` (640 by default).
    pub(crate) fn warm_up_full_size(&self) -> Result<()> {
        self.plan(self.config.input_size, self.config.input_size).map(|_| ())
    }

    /// The plan for an input of `width` x `height`, made now if this shape is new.
    fn plan(&self, width: u32, height: u32) -> Result<Plan> {
        let mut plans = self.plans.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(i) = plans.iter().position(|(shape, _)| *shape == (width, height)) {
            let entry = plans.remove(i);
            let plan = entry.1.clone();
            plans.insert(0, entry);
            return Ok(plan);
        }
        let plan = plan_for(ModelKind::Detector, &self.model, &[1, 3, height as usize, width as usize])?;
        plans.insert(0, ((width, height), plan.clone()));
        plans.truncate(PLANS_KEPT);
        Ok(plan)
    }

    /// Where `image` goes in a network input of longest side `size`.
    fn letterbox(&self, image: &Image, size: u32) -> Letterbox {
        if self.config.square_input {
            Letterbox::fit(image.width(), image.height(), size)
        } else {
            Letterbox::fit_within(image.width(), image.height(), size)
        }
    }

    /// The configuration this detector runs with.
    pub fn config(&self) -> &DetectorConfig {
        &self.config
    }

    /// Finds faces in `image`, in source-image coordinates, best score first
    /// ([`Detector::detections`] without the report).
    pub fn detect(&self, image: &Image) -> Result<Vec<Face>> {
        Ok(self.detections(image)?.faces)
    }

    /// Finds faces in `image` at the smallest detector input that finds them well: the quick
    /// look first ([`DetectorConfig::quick_input_size`]), kept when its largest face is at least
    /// [`DetectorConfig::quick_min_face`] input pixels wide ([`quick_look_suffices`]); else,
    /// when it found faces, a close look at each ([`Detector::close_looks`]); else, or when a
    /// close look loses its face, a look at `input_size`; and when that finds nothing, the
    /// retry with a border ([`Detector::detect_with_border`]). Faces in source pixels, best
    /// score first.
    pub fn detections(&self, image: &Image) -> Result<Detections> {
        let mut runs = 0;
        if let Some(quick) = self.config.quick_size() {
            let (found, letterbox) = self.look(image, quick)?;
            runs += 1;
            if quick_look_suffices(&found.faces, letterbox.scaled_width as f32 / image.width() as f32, self.config.quick_min_face) {
                return Ok(found);
            }
            let (close, close_runs) = self.close_looks(image, &found.faces)?;
            runs += close_runs;
            if let Some(close) = close {
                return Ok(close);
            }
        }
        let (found, _) = self.look(image, self.config.input_size)?;
        runs += 1;
        if !found.faces.is_empty() || !self.config.retry_with_border {
            return Ok(Detections { runs, ..found });
        }
        let framed = self.detect_with_border(image, self.config.input_size)?;
        Ok(Detections { runs: runs + 1, ..framed })
    }

    /// The close looks at the quick look's `faces` ([`DetectorConfig::close_max_size`]): each
    /// face looked at again in a window of the full-size input around it ([`CloseLook`]), at
    /// the full-size look's scale. `None` (with the runs spent) when there is no close look to
    /// make: no face, close looks off, `max_faces` faces (others may have been dropped), a
    /// window larger than `close_max_size`, windows that together would be at least half the
    /// full-size input, or a close look that does not
    /// find its face again (IoU with the quick look's box at most `nms_iou`); the caller then
    /// looks at the whole image at `input_size`.
    pub fn close_looks(&self, image: &Image, faces: &[Face]) -> Result<(Option<Detections>, u32)> {
        let Some(max) = self.config.close_size() else { return Ok((None, 0)) };
        let full = self.letterbox(image, self.config.input_size);
        let windows: Vec<CloseLook> = faces.iter().map(|f| CloseLook::around(f, &full)).collect();
        let area: u64 = windows.iter().map(|w| u64::from(w.side) * u64::from(w.side)).sum();
        let worth_it = 2 * area < u64::from(full.input_width) * u64::from(full.input_height);
        // A quick look that kept `max_faces` faces may have dropped others: the best of all
        // are chosen by the full-size look.
        let capped = faces.len() >= self.config.max_faces;
        if faces.is_empty() || capped || !worth_it || windows.iter().any(|w| w.side > max) {
            return Ok((None, 0));
        }
        // Wiped when dropped, on every path out.
        let input = Zeroizing::new(full.input_tensor(image));
        let mut refined = Vec::with_capacity(faces.len());
        let mut runs = 0;
        let mut lost = false;
        for (face, window) in faces.iter().zip(&windows) {
            let tensor = full.window(&input, window.x, window.y, window.side);
            let found = self.faces_in(tensor, window.side, window.side)?;
            runs += 1;
            let back = |p: Point| full.to_source(Point::new(p.x + window.x as f32, p.y + window.y as f32));
            let best = found
                .into_iter()
                .map(|f| {
                    let corner = back(Point::new(f.bbox.x, f.bbox.y));
                    let far = back(Point::new(f.bbox.x + f.bbox.width, f.bbox.y + f.bbox.height));
                    let bbox = BoundingBox { x: corner.x, y: corner.y, width: far.x - corner.x, height: far.y - corner.y };
                    Face {
                        bbox: bbox.clipped(image.width(), image.height()),
                        score: f.score,
                        landmarks: map_landmarks(&f.landmarks, back),
                        rotation: f.rotation,
                    }
                })
                .filter(|f| f.bbox.area() > 0.0)
                .map(|f| (face.bbox.iou(&f.bbox), f))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match best {
                Some((iou, f)) if iou > self.config.nms_iou => refined.push(f),
                _ => {
                    lost = true;
                    break;
                }
            }
        }
        drop(input);
        if lost {
            return Ok((None, runs));
        }
        let faces = nms(refined, self.config.nms_iou, self.config.max_faces);
        let side = windows.iter().map(|w| w.side).max().unwrap_or(0);
        Ok((
            Some(Detections {
                faces,
                input_size: self.config.input_size,
                input_width: side,
                input_height: side,
                runs: 1 + runs,
                close_looks: runs,
                with_border: false,
            }),
            runs,
        ))
    }

    /// One look at `image` with the detector input's longest side `size` (a multiple of 32
    /// from 96 to 1920): no quick look first, no border retry.
    pub fn detect_at(&self, image: &Image, size: u32) -> Result<Detections> {
        DetectorConfig { input_size: size, ..self.config }.validate()?;
        Ok(self.look(image, size)?.0)
    }

    /// One look at `image` framed with a neutral border of a quarter of its longer side, at
    /// input size `size`: YuNet misses faces that fill the whole frame (ID-photo crops), and
    /// the border recovers them. Faces in the coordinates of `image`.
    pub fn detect_with_border(&self, image: &Image, size: u32) -> Result<Detections> {
        // The framed image is scaled down to the detector input anyway: shrink a large photo
        // first, so that the retry never holds a copy bigger than about 11 MB (1920 x 1920 RGB
        // at the default input), whatever the photo.
        let small = image.shrunk_for_input(size);
        let source = small.as_ref().unwrap_or(image);
        let (sx, sy) = (image.width() as f32 / source.width() as f32, image.height() as f32 / source.height() as f32);
        let border = (source.width().max(source.height()) / 4).max(1);
        let framed = source.with_border(border, BORDER_FILL);
        let back = |p: Point| Point::new((p.x - border as f32) * sx, (p.y - border as f32) * sy);
        let (found, _) = self.look(&framed, size)?;
        let faces = found
            .faces
            .into_iter()
            .map(|f| {
                let corner = back(Point::new(f.bbox.x, f.bbox.y));
                let bbox = BoundingBox { x: corner.x, y: corner.y, width: f.bbox.width * sx, height: f.bbox.height * sy };
                Face { bbox: bbox.clipped(image.width(), image.height()), score: f.score, landmarks: map_landmarks(&f.landmarks, back), rotation: f.rotation }
            })
            .filter(|f| f.bbox.area() > 0.0)
            .collect();
        Ok(Detections { faces, with_border: true, ..found })
    }

    /// Time per tract op kind of one network run on `image` at `input_size` (see
    /// `benches/pipeline.rs`).
    #[doc(hidden)]
    #[cfg(not(target_arch = "wasm32"))]
    pub fn op_times(&self, image: &Image) -> Result<Vec<(String, f64)>> {
        let lb = self.letterbox(image, self.config.input_size);
        let plan = self.plan(lb.input_width, lb.input_height)?;
        crate::model::op_times(ModelKind::Detector, &plan, &[1, 3, lb.input_height as usize, lb.input_width as usize], lb.input_tensor(image))
    }

    /// One network run on `image` at longest side `size`: its faces in `image`'s pixels, and
    /// the letterbox used.
    fn look(&self, image: &Image, size: u32) -> Result<(Detections, Letterbox)> {
        let letterbox = self.letterbox(image, size);
        let found = self.faces_in(letterbox.input_tensor(image), letterbox.input_width, letterbox.input_height)?;
        let faces = found
            .into_iter()
            .map(|f| Face {
                bbox: letterbox.box_to_source(f.bbox).clipped(image.width(), image.height()),
                score: f.score,
                landmarks: map_landmarks(&f.landmarks, |p| letterbox.to_source(p)),
                rotation: f.rotation,
            })
            .filter(|f| f.bbox.area() > 0.0)
            .collect();
        let found = Detections {
            faces,
            input_size: size,
            input_width: letterbox.input_width,
            input_height: letterbox.input_height,
            runs: 1,
            close_looks: 0,
            with_border: false,
        };
        Ok((found, letterbox))
    }

    /// One network run on an input of `width` x `height` (NCHW BGR, as
    /// [`Letterbox::input_tensor`] makes it; wiped once copied into the network's input): its
    /// faces after NMS, in input pixels.
    fn faces_in(&self, input: Vec<f32>, width: u32, height: u32) -> Result<Vec<Face>> {
        let plan = self.plan(width, height)?;
        let shape = [1, 3, height as usize, width as usize];
        let outputs = run(ModelKind::Detector, &plan, &self.threads, &shape, input)?;
        let out = |i| output_slice(ModelKind::Detector, &outputs, i);
        let mut levels = Vec::with_capacity(3);
        for (k, &stride) in STRIDES.iter().enumerate() {
            levels.push(StrideOutputs { stride, cls: out(k)?, obj: out(3 + k)?, bbox: out(6 + k)?, kps: out(9 + k)? });
        }
        let candidates = decode_yunet(&levels, width, self.config.score_threshold);
        Ok(nms(candidates, self.config.nms_iou, self.config.max_faces))
    }
}

fn map_landmarks(l: &Landmarks, f: impl Fn(Point) -> Point) -> Landmarks {
    Landmarks::from_array(l.to_array().map(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(width: f32) -> Face {
        let p = Point::new(0.0, 0.0);
        Face { bbox: BoundingBox { x: 0.0, y: 0.0, width, height: width }, score: 0.9, landmarks: Landmarks::from_array([p; 5]), rotation: Default::default() }
    }

    #[test]
    fn the_quick_look_is_kept_only_with_a_large_enough_face() {
        assert!(!quick_look_suffices(&[], 1.0, 8), "no face: look again");
        // A 1000 px photo seen at 320: 0.32 input px per source px.
        assert!(quick_look_suffices(&[face(100.0), face(400.0)], 0.32, 128), "the largest face is 128 input px");
        assert!(!quick_look_suffices(&[face(100.0), face(399.0)], 0.32, 128), "the largest face is 127.7 input px");
        assert!(quick_look_suffices(&[face(64.0)], 2.0, 128), "a small photo is enlarged");
    }
}

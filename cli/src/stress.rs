//! `facegate eval --transform NAME ...`: the stress evaluation. Every image of the pairs file
//! (or a `--limit`ed, `--split` subset) is transformed the way people's photos are (turned,
//! rolled, blurred, dark, masked, cut, tiny), run through facegate, and compared both with the
//! other transformed photos and with the clean ones. Per transform it reports faces found,
//! faces refused by the quality gate (and why), and TAR and FMR at each shipped threshold
//! among the pairs facegate decided, without and with the gate, from one run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use facegate::{Engine, FaceSelection, Image, ImageLimits, Landmarks, OperatingPoint, QualityMeasures, QualityReason, Rotation, Template};
use indicatif::{ProgressBar, ProgressStyle};

use crate::pairs::{self, Pair};
use crate::transforms::Transform;

/// Which people's photos to use: all, or one of two halves split by a hash of the name (the
/// gate's thresholds were fit on `calibration`; `held-out` checks them on people never seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Split {
    All,
    Calibration,
    HeldOut,
}

impl Split {
    fn keeps(self, identity: &str) -> bool {
        match self {
            Split::All => true,
            Split::Calibration => fnv(identity.as_bytes()).is_multiple_of(2),
            Split::HeldOut => !fnv(identity.as_bytes()).is_multiple_of(2),
        }
    }
}

/// What the stress evaluation was asked to do.
pub struct StressOptions {
    pub pairs: PathBuf,
    pub root: PathBuf,
    pub transforms: Vec<Transform>,
    pub seed: u64,
    pub limit: Option<usize>,
    pub split: Split,
    pub select: FaceSelection,
    pub out: PathBuf,
    pub threads: usize,
}

/// One photo after one transform.
struct Outcome {
    /// The chosen face's landmarks (after straightening), when a face was found.
    landmarks: Option<Landmarks>,
    rotation: Rotation,
    /// The template made whatever the gate says (`None`: no face, or not templatable).
    template: Option<Template>,
    measures: Option<QualityMeasures>,
    /// Why the gate refuses it.
    refused: Option<QualityReason>,
}

impl Outcome {
    fn found(&self) -> bool {
        self.landmarks.is_some()
    }

    /// The template if this photo is decided: found, and (with the gate) passing it.
    fn decided(&self, gate: bool) -> Option<&Template> {
        self.template.as_ref().filter(|_| !gate || self.refused.is_none())
    }
}

/// Counts at the shipped thresholds over one set of pairs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PairStats {
    pub genuine: usize,
    pub genuine_decided: usize,
    /// Genuine decided pairs at or above each threshold of [`OperatingPoint::ALL`].
    pub genuine_accepted: [usize; 3],
    pub impostors: usize,
    pub impostors_decided: usize,
    /// Impostor decided pairs at or above each threshold (false matches).
    pub impostors_accepted: [usize; 3],
}

impl PairStats {
    fn add(&mut self, same: bool, score: Option<f32>) {
        let thresholds = OperatingPoint::ALL.map(|p| p.threshold());
        let (total, decided, accepted) = if same {
            (&mut self.genuine, &mut self.genuine_decided, &mut self.genuine_accepted)
        } else {
            (&mut self.impostors, &mut self.impostors_decided, &mut self.impostors_accepted)
        };
        *total += 1;
        if let Some(s) = score {
            *decided += 1;
            for (k, t) in thresholds.iter().enumerate() {
                accepted[k] += usize::from(s >= *t);
            }
        }
    }

    /// TAR among decided genuine pairs at operating point `k`.
    pub fn tar(&self, k: usize) -> f64 {
        ratio(self.genuine_accepted[k], self.genuine_decided)
    }

    /// FMR among decided impostor pairs at operating point `k`.
    pub fn fmr(&self, k: usize) -> f64 {
        ratio(self.impostors_accepted[k], self.impostors_decided)
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        f64::NAN
    } else {
        n as f64 / d as f64
    }
}

/// The figures of one transform.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransformStats {
    pub transform: String,
    pub images: usize,
    pub found: usize,
    pub refused: usize,
    /// Refusals per reason code.
    pub reasons: BTreeMap<String, usize>,
    /// Faces found in each turn of the photo (degrees -> count).
    pub rotations: BTreeMap<u16, usize>,
    /// Transformed against transformed: without the gate, with it.
    pub both_transformed: [PairStats; 2],
    /// Transformed against clean: without the gate, with it.
    pub against_clean: [PairStats; 2],
    pub seconds: f64,
}

pub fn run(engine: &Engine, opt: &StressOptions) -> Result<(), String> {
    let text = std::fs::read_to_string(&opt.pairs).map_err(|e| format!("reading {}: {e}", opt.pairs.display()))?;
    let pairs = subset(pairs::parse(&text)?, opt.limit, opt.split);
    let images: Vec<PathBuf> = pairs.iter().flat_map(|p| [p.a.clone(), p.b.clone()]).collect::<BTreeSet<_>>().into_iter().collect();
    let identities: Vec<String> = images.iter().map(|p| pairs::identity(p)).collect();
    let index = |p: &Path| images.binary_search_by(|x| x.as_path().cmp(p)).expect("every pair image is listed");
    let pair_index: Vec<(usize, usize, bool)> = pairs.iter().map(|p| (index(&p.a), index(&p.b), p.same)).collect();
    eprintln!("stress: {} pairs, {} images ({:?}), seed {}, {} threads", pairs.len(), images.len(), opt.split, opt.seed, opt.threads);

    let started = Instant::now();
    let clean = process(engine, opt, &images, Transform::None, None);
    let clean_landmarks: Vec<Option<Landmarks>> = clean.iter().map(|o| o.landmarks).collect();
    let clean_seconds = started.elapsed().as_secs_f64();
    std::fs::create_dir_all(&opt.out).map_err(|e| format!("creating {}: {e}", opt.out.display()))?;
    let mut csv = String::from(CSV_HEADER);
    let mut all = Vec::new();
    for &t in &opt.transforms {
        let started = Instant::now();
        let outcomes = if t == Transform::None { None } else { Some(process(engine, opt, &images, t, Some(&clean_landmarks))) };
        let outcomes = outcomes.as_deref().unwrap_or(&clean);
        let seconds = if t == Transform::None { clean_seconds } else { started.elapsed().as_secs_f64() };
        let stats = stats(t, outcomes, &clean, &identities, &pair_index, seconds);
        for (path, o) in images.iter().zip(outcomes) {
            csv_row(&mut csv, t, path, o);
        }
        eprintln!("{}", row_summary(&stats));
        all.push(stats);
    }
    let report = render(&all, pairs.len(), images.len(), opt);
    write(&opt.out.join("quality.csv"), csv.as_bytes())?;
    let json = serde_json::json!({ "pairs": pairs.len(), "images": images.len(), "seed": opt.seed, "split": format!("{:?}", opt.split), "transforms": all });
    write(&opt.out.join("stress.json"), serde_json::to_string_pretty(&json).unwrap_or_default().as_bytes())?;
    println!("{report}wrote {}/stress.json, quality.csv", opt.out.display());
    Ok(())
}

/// The pairs kept: those whose two people are in `split`, then at most `limit`, spread evenly
/// over the file (so genuine and impostor pairs keep their proportions).
fn subset(pairs: Vec<Pair>, limit: Option<usize>, split: Split) -> Vec<Pair> {
    let kept: Vec<Pair> = pairs.into_iter().filter(|p| split.keeps(&pairs::identity(&p.a)) && split.keeps(&pairs::identity(&p.b))).collect();
    match limit {
        Some(n) if n < kept.len() => (0..n).map(|i| kept[i * kept.len() / n].clone()).collect(),
        _ => kept,
    }
}

fn process(engine: &Engine, opt: &StressOptions, images: &[PathBuf], t: Transform, clean: Option<&[Option<Landmarks>]>) -> Vec<Outcome> {
    let bar = ProgressBar::new(images.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(&format!("{:>10} {{bar:30}} {{pos}}/{{len}}, eta {{eta}}", t.name())).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Outcome>>> = images.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..opt.threads.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = images.get(i) else { break };
                let landmarks = clean.and_then(|c| c[i].as_ref());
                let seed = opt.seed ^ fnv(path.to_string_lossy().as_bytes());
                let o = one(engine, &opt.root.join(path), t, landmarks, seed, opt.select);
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(o);
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    slots.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()).expect("every slot was filled")).collect()
}

fn one(engine: &Engine, path: &Path, t: Transform, clean: Option<&Landmarks>, seed: u64, select: FaceSelection) -> Outcome {
    let none = Outcome { landmarks: None, rotation: Rotation::None, template: None, measures: None, refused: None };
    let Ok(photo) = image::open(path) else {
        return none;
    };
    let Some(img) = t.apply(&photo.to_rgb8(), clean, seed) else {
        return none;
    };
    let (w, h) = img.dimensions();
    let Ok(image) = Image::from_rgb(img.into_raw(), w, h, &ImageLimits::default()) else {
        return none;
    };
    let Ok(faces) = engine.detect(&image) else {
        return none;
    };
    let Some(i) = select.pick(&faces, w, h) else {
        return none;
    };
    match engine.measure(&image, &faces[i]) {
        Ok(m) => Outcome {
            landmarks: Some(m.face.landmarks),
            rotation: m.face.rotation,
            refused: m.problem.map(|p| p.reason),
            measures: Some(m.measures),
            template: Some(m.template),
        },
        // Found, but its landmarks make no crop: never templated, counted as refused.
        Err(_) => Outcome { landmarks: Some(faces[i].landmarks), rotation: faces[i].rotation, refused: Some(QualityReason::FaceOutsidePhoto), ..none },
    }
}

fn stats(t: Transform, out: &[Outcome], clean: &[Outcome], who: &[String], pairs: &[(usize, usize, bool)], seconds: f64) -> TransformStats {
    let mut s = TransformStats { transform: t.name().to_string(), images: out.len(), seconds, ..Default::default() };
    for o in out.iter().filter(|o| o.found()) {
        s.found += 1;
        *s.rotations.entry(o.rotation.degrees()).or_default() += 1;
        if let Some(r) = o.refused {
            s.refused += 1;
            *s.reasons.entry(r.code().to_string()).or_default() += 1;
        }
    }
    for (g, gate) in [false, true].into_iter().enumerate() {
        let score = |a: &Outcome, b: &Outcome| a.decided(gate).zip(b.decided(gate)).map(|(x, y)| x.similarity(y).value());
        for &(a, b, same) in pairs.iter().filter(|p| p.2) {
            s.both_transformed[g].add(same, score(&out[a], &out[b]));
            s.against_clean[g].add(same, score(&out[a], &clean[b]));
            s.against_clean[g].add(same, score(&out[b], &clean[a]));
        }
        // Impostors: every pair of photos of different people.
        for i in 0..out.len() {
            for j in 0..out.len() {
                if who[i] == who[j] {
                    continue;
                }
                if i < j {
                    s.both_transformed[g].add(false, score(&out[i], &out[j]));
                }
                s.against_clean[g].add(false, score(&out[i], &clean[j]));
            }
        }
    }
    s
}

fn row_summary(s: &TransformStats) -> String {
    let k = 1; // FMR 1e-3
    format!(
        "{:>10}: found {}/{}, refused {}; transformed pairs TAR {:.1}% FMR {:.1e} (no gate) -> TAR {:.1}% FMR {:.1e} (gate); {:.0} s",
        s.transform,
        s.found,
        s.images,
        s.refused,
        100.0 * s.both_transformed[0].tar(k),
        s.both_transformed[0].fmr(k),
        100.0 * s.both_transformed[1].tar(k),
        s.both_transformed[1].fmr(k),
        s.seconds
    )
}

fn pct(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * v)
    }
}

fn rate(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v == 0.0 {
        "0".into()
    } else {
        format!("{v:.1e}")
    }
}

/// The report: one Markdown table, four rows per transform (pairs of two transformed photos,
/// transformed against clean; each without and with the gate).
pub fn render(all: &[TransformStats], pairs: usize, images: usize, opt: &StressOptions) -> String {
    let mut w = String::new();
    let limit = opt.limit.map_or("all pairs".to_string(), |n| format!("--limit {n}"));
    let _ = writeln!(w, "\n== facegate eval --transform: {} ({limit}, split {:?}, seed {}) ==", opt.pairs.display(), opt.split, opt.seed);
    let _ = writeln!(w, "{pairs} pairs, {images} images; impostors: every pair of photos of different people; thresholds {}", thresholds());
    let _ = writeln!(w, "TAR and FMR are among the pairs decided (both faces found, and with the gate both passing it).\n");
    let _ = writeln!(
        w,
        "| transform | found | refused by gate | pairs | gate | decided genuine | TAR 1e-2 | TAR 1e-3 | decided impostors | FMR 1e-2 | FMR 1e-3 | FMR 1e-4 |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    for s in all {
        let reasons: Vec<String> = s.reasons.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let refused = if s.refused == 0 { "0".to_string() } else { format!("{} ({})", pct(ratio(s.refused, s.found)), reasons.join(", ")) };
        let turned: usize = s.rotations.iter().filter(|(d, _)| **d != 0).map(|(_, n)| n).sum();
        let found = if turned > 0 { format!("{} ({turned} turned)", pct(ratio(s.found, s.images))) } else { pct(ratio(s.found, s.images)) };
        for (name, set) in [("both transformed", &s.both_transformed), ("vs clean", &s.against_clean)] {
            for (g, label) in ["off", "on"].iter().enumerate() {
                let p = &set[g];
                let first = name == "both transformed" && g == 0;
                let _ = writeln!(
                    w,
                    "| {} | {} | {} | {name} | {label} | {} | {} | {} | {} | {} | {} | {} |",
                    if first { s.transform.as_str() } else { "" },
                    if first { found.as_str() } else { "" },
                    if first { refused.as_str() } else { "" },
                    pct(ratio(p.genuine_decided, p.genuine)),
                    pct(p.tar(0)),
                    pct(p.tar(1)),
                    pct(ratio(p.impostors_decided, p.impostors)),
                    rate(p.fmr(0)),
                    rate(p.fmr(1)),
                    rate(p.fmr(2)),
                );
            }
        }
    }
    let secs: f64 = all.iter().map(|s| s.seconds).sum();
    let _ = writeln!(w, "\nwall time: {secs:.0} s");
    w
}

fn thresholds() -> String {
    OperatingPoint::ALL.iter().map(|p| format!("{} = {:.3}", p.label(), p.threshold())).collect::<Vec<_>>().join(", ")
}

const CSV_HEADER: &str = "transform,image,found,rotation,refused,score,interOcularPx,rollDegrees,yaw,fitResidual,faceOrder,insideFraction,landmarksInside,brightness,contrast,sharpness,eyesDark,mouthTexture,eyesCovered,mouthFlat,embeddingNorm\n";

fn csv_row(csv: &mut String, t: Transform, path: &Path, o: &Outcome) {
    let _ = write!(csv, "{},{},{},{},{}", t.name(), path.display(), u8::from(o.found()), o.rotation.degrees(), o.refused.map_or("", |r| r.code()));
    match &o.measures {
        Some(m) => {
            let g = &m.geometry;
            let _ = write!(
                csv,
                ",{:.4},{:.2},{:.2},{:.4},{:.3},{},{:.4},{}",
                m.detector_score,
                g.inter_ocular_px,
                g.roll_degrees,
                g.yaw,
                g.fit_residual,
                u8::from(g.face_order),
                g.inside_fraction,
                u8::from(g.landmarks_inside)
            );
            match &m.crop {
                Some(c) => {
                    let _ = write!(
                        csv,
                        ",{:.2},{:.2},{:.4},{:.4},{:.4},{:.4},{:.4}",
                        c.brightness, c.contrast, c.sharpness, c.eyes_dark, c.mouth_texture, c.eyes_covered, c.mouth_flat
                    );
                }
                None => csv.push_str(",,,,,,,"),
            }
            let _ = writeln!(csv, ",{}", m.embedding_norm.map_or(String::new(), |n| format!("{n:.4}")));
        }
        None => csv.push_str(",,,,,,,,,,,,,,,,\n"),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// FNV-1a, 64-bit: a stable hash for seeds and the split (not for security).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_stats_count_decided_pairs_at_each_threshold() {
        let mut p = PairStats::default();
        p.add(true, Some(0.9));
        p.add(true, Some(0.31));
        p.add(true, None);
        p.add(false, Some(0.35));
        p.add(false, Some(0.1));
        assert_eq!((p.genuine, p.genuine_decided, p.genuine_accepted), (3, 2, [2, 1, 1]));
        assert_eq!((p.impostors, p.impostors_decided, p.impostors_accepted), (2, 2, [1, 0, 0]));
        assert_eq!(p.tar(1), 0.5);
        assert_eq!(p.fmr(0), 0.5);
    }

    #[test]
    fn the_split_halves_people_and_the_limit_spreads_pairs() {
        let names: Vec<String> = (0..200).map(|i| format!("Person_{i}")).collect();
        let cal = names.iter().filter(|n| Split::Calibration.keeps(n)).count();
        let held = names.iter().filter(|n| Split::HeldOut.keeps(n)).count();
        assert_eq!(cal + held, 200);
        assert!((70..130).contains(&cal), "{cal}");
        let pair = |i: u32, same| Pair { a: format!("A{i}/a.jpg").into(), b: format!("B{i}/b.jpg").into(), same, fold: 1 };
        let all: Vec<Pair> = (0..10).map(|i| pair(i, i < 5)).collect();
        let some = subset(all, Some(4), Split::All);
        assert_eq!(some.iter().filter(|p| p.same).count(), 2, "half genuine, as in the file");
    }

    #[test]
    fn the_report_has_four_rows_per_transform() {
        let mut s = TransformStats { transform: "rot180".into(), images: 10, found: 10, refused: 1, ..Default::default() };
        s.reasons.insert("faceRotated".into(), 1);
        s.both_transformed[1].add(true, Some(0.5));
        s.both_transformed[1].add(false, Some(0.2));
        let opt = StressOptions {
            pairs: "pairs.tsv".into(),
            root: ".".into(),
            transforms: vec![Transform::Rot180],
            seed: 1,
            limit: Some(10),
            split: Split::All,
            select: FaceSelection::NearestCenter,
            out: "out".into(),
            threads: 1,
        };
        let r = render(&[s], 5, 10, &opt);
        let rows: Vec<&str> = r.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(rows.len(), 1 + 4, "{r}");
        assert!(rows[1].starts_with("| rot180 | 100.0% | 10.0% (faceRotated 1) | both transformed | off |"), "{}", rows[1]);
        assert!(rows[2].ends_with("| both transformed | on | 100.0% | 100.0% | 100.0% | 100.0% | 0 | 0 | 0 |"), "{}", rows[2]);
        assert!(rows[3].ends_with("| vs clean | off | - | - | - | - | - | - | - |"), "{}", rows[3]);
        assert!(r.contains("--limit 10") && r.contains("FMR 1e-3 = 0.366"), "{r}");
    }
}

//! `facegate eval`: face verification figures on a labelled pairs file.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use facegate::{Engine, FaceSelection, OperatingPoint, Template};
use indicatif::{ProgressBar, ProgressStyle};

use crate::metrics::{self, DetPoint};
use crate::pairs::{self, Pair};
use crate::plot;

/// What `eval` was asked to do.
pub struct EvalOptions {
    pub pairs: PathBuf,
    pub root: PathBuf,
    /// Extra impostor pairs formed across different people (`None`: all such pairs).
    pub impostors: Option<usize>,
    pub select: FaceSelection,
    pub out: PathBuf,
    pub threads: usize,
}

/// Per-image outcome of the pipeline, with stage timings in milliseconds.
struct ImageResult {
    template: Option<Template>,
    error: Option<String>,
    /// Whether the quality gate refused the face (`error` says why).
    refused: bool,
    timing: [f64; 3],
    /// Longest side of the detector input the face came from (0: not detected).
    detector_input: u32,
}

const STAGES: [&str; 3] = ["decode", "detect", "template (straighten, gate, align, embed)"];
const FMRS: [f64; 3] = [1e-2, 1e-3, 1e-4];

pub fn run(engine: &Engine, opt: &EvalOptions) -> Result<(), String> {
    let text = std::fs::read_to_string(&opt.pairs).map_err(|e| format!("reading {}: {e}", opt.pairs.display()))?;
    let pairs = pairs::parse(&text)?;
    let images: Vec<PathBuf> = pairs.iter().flat_map(|p| [p.a.clone(), p.b.clone()]).collect::<BTreeSet<_>>().into_iter().collect();
    eprintln!("{} pairs, {} images, {} threads", pairs.len(), images.len(), opt.threads);

    let started = Instant::now();
    let results = process_images(engine, &opt.root, &images, opt.select, opt.threads);
    let wall = started.elapsed().as_secs_f64();
    let index = |p: &Path| images.binary_search_by(|x| x.as_path().cmp(p)).expect("every pair image was processed");
    let failed: Vec<(&PathBuf, &str)> = images.iter().zip(&results).filter_map(|(p, r)| r.error.as_deref().map(|e| (p, e))).collect();

    // Pair scores; a pair with an image where no face was found scores -1 (counted as a non-match).
    let scored: Vec<(f32, bool, u32)> = pairs
        .iter()
        .map(|p: &Pair| {
            let (a, b) = (&results[index(&p.a)].template, &results[index(&p.b)].template);
            let s = match (a, b) {
                (Some(a), Some(b)) => a.similarity(b).value(),
                _ => -1.0,
            };
            (s, p.same, p.fold)
        })
        .collect();
    let genuine: Vec<f32> = scored.iter().filter(|s| s.1).map(|s| s.0).collect();
    let mut impostors: Vec<f32> = scored.iter().filter(|s| !s.1).map(|s| s.0).collect();
    let extra = extra_impostors(&images, &results, opt.impostors);
    impostors.extend_from_slice(&extra);

    let mut report = String::new();
    let w = &mut report;
    let _ = writeln!(w, "\n== facegate eval: {} ==", opt.pairs.display());
    let _ = writeln!(w, "pairs: {} genuine, {} impostor; images: {}", genuine.len(), scored.len() - genuine.len(), images.len());
    let d = engine.config().detector;
    let _ = writeln!(
        w,
        "face selection: {:?}; detector input {} px, quick look {:?} px (kept from {} px faces), close look {:?} px",
        opt.select,
        d.input_size,
        d.quick_size(),
        d.quick_min_face,
        d.close_size()
    );
    let sizes: BTreeSet<u32> = results.iter().map(|r| r.detector_input).filter(|&s| s > 0).collect();
    let per_size: Vec<String> = sizes.iter().map(|&s| format!("{s} px for {} images", results.iter().filter(|r| r.detector_input == s).count())).collect();
    let _ = writeln!(w, "detector input chosen per image: {}", per_size.join(", "));
    let ftd_pairs = pairs.iter().filter(|p| results[index(&p.a)].template.is_none() || results[index(&p.b)].template.is_none()).count();
    let refused = results.iter().filter(|r| r.refused).count();
    let _ = writeln!(
        w,
        "failure to detect: {} of {} images ({:.2}%); refused by the quality gate: {} ({:.2}%); affecting {} pairs (scored as non-matches)",
        failed.len() - refused,
        images.len(),
        100.0 * (failed.len() - refused) as f64 / images.len().max(1) as f64,
        refused,
        100.0 * refused as f64 / images.len().max(1) as f64,
        ftd_pairs
    );
    for (p, e) in failed.iter().take(10) {
        let _ = writeln!(w, "  {}: {e}", p.display());
    }
    let pairs_only: Vec<(f32, bool)> = scored.iter().map(|s| (s.0, s.1)).collect();
    for point in OperatingPoint::ALL {
        let t = point.threshold();
        let _ = writeln!(
            w,
            "accuracy at shipped {} threshold {:.3}: {:.2}%  (on this data: FMR {:.2e} over {} impostors, FNMR {:.2}%)",
            point.label(),
            t,
            100.0 * metrics::accuracy(&pairs_only, t),
            metrics::rate_at_or_above(&impostors, t),
            impostors.len(),
            100.0 * (1.0 - metrics::rate_at_or_above(&genuine, t))
        );
    }
    // The same accuracy read two other ways: among the pairs facegate decided (both photos
    // templated), and with every undecided pair ("cannot tell") counted as an error.
    let decided: Vec<(f32, bool)> = pairs
        .iter()
        .zip(&pairs_only)
        .filter(|(p, _)| results[index(&p.a)].template.is_some() && results[index(&p.b)].template.is_some())
        .map(|(_, s)| *s)
        .collect();
    for point in OperatingPoint::ALL {
        let t = point.threshold();
        let right = decided.iter().filter(|(s, same)| (*s >= t) == *same).count();
        let _ = writeln!(
            w,
            "  at {:.3}: among the {} decided pairs {:.2}%; undecided pairs counted as errors {:.2}%",
            t,
            decided.len(),
            100.0 * right as f64 / decided.len().max(1) as f64,
            100.0 * right as f64 / pairs_only.len().max(1) as f64
        );
    }
    match metrics::cross_validated_accuracy(&scored) {
        Some((mean, sd)) => {
            let _ = writeln!(w, "best-threshold accuracy, cross-validated over folds: {:.2}% +- {:.2}", 100.0 * mean, 100.0 * sd);
        }
        None => {
            let (t, acc) = metrics::best_threshold(&pairs_only);
            let _ = writeln!(w, "best-threshold accuracy (one fold: threshold {t:.3} chosen on the same pairs, optimistic): {:.2}%", 100.0 * acc);
        }
    }
    let _ = writeln!(w, "impostor scores: {} ({} from the pairs file, {} formed across people)", impostors.len(), impostors.len() - extra.len(), extra.len());
    let mut calibration = Vec::new();
    for fmr in FMRS {
        let allowed = (fmr * impostors.len() as f64).floor();
        if let Some(t) = metrics::threshold_at_fmr(&impostors, fmr) {
            let tar = metrics::rate_at_or_above(&genuine, t);
            let note = if allowed < 10.0 { format!("  (only {allowed} false matches allowed: too few impostors to trust)") } else { String::new() };
            let _ = writeln!(w, "TAR at FMR {fmr:.0e}: {:.2}% (threshold {t:.4}){note}", 100.0 * tar);
            calibration.push(serde_json::json!({ "fmr": fmr, "threshold": t, "tar": tar, "impostors": impostors.len() }));
        }
    }

    let _ = writeln!(w, "per-image latency, ms (median / p90 over {} images, {} threads in parallel):", images.len(), opt.threads);
    for (k, name) in STAGES.iter().enumerate() {
        let v: Vec<f64> = results.iter().filter(|r| r.timing[k] > 0.0).map(|r| r.timing[k]).collect();
        if let Some((m, p90)) = metrics::median_p90(&v) {
            let _ = writeln!(w, "  {name:>6}: {m:7.2} / {p90:7.2}");
        }
    }
    let _ = writeln!(w, "wall time: {wall:.1} s");

    // Artefacts: scores CSV, DET curve PNG, calibration JSON.
    std::fs::create_dir_all(&opt.out).map_err(|e| format!("creating {}: {e}", opt.out.display()))?;
    let mut csv = String::from("img_a,img_b,same,fold,similarity\n");
    for (p, s) in pairs.iter().zip(&scored) {
        let _ = writeln!(csv, "{},{},{},{},{:.6}", p.a.display(), p.b.display(), u8::from(p.same), p.fold, s.0);
    }
    write(&opt.out.join("scores.csv"), csv.as_bytes())?;
    let grid: Vec<f32> = (-20..=100).map(|i| i as f32 / 100.0).collect();
    let curve = metrics::det_curve(&genuine, &impostors, grid);
    let fine: Vec<f32> = (0..=2000).map(|i| -0.2 + i as f32 * 0.0006).collect();
    let det = metrics::det_curve(&genuine, &impostors, fine);
    let marks: Vec<(String, DetPoint)> =
        OperatingPoint::ALL.iter().map(|p| (p.label().to_string(), metrics::det_curve(&genuine, &impostors, [p.threshold()])[0])).collect();
    plot::det_png(&opt.out.join("det.png"), "DET curve: LFW pairs (facegate eval)", &det, &marks)?;
    let json = serde_json::json!({
        "pairs": opt.pairs.display().to_string(),
        "genuine": genuine.len(),
        "impostors": impostors.len(),
        "failureToDetect": failed.len() - refused,
        "refusedByGate": refused,
        "images": images.len(),
        "thresholdsAtFmr": calibration,
        "operatingPoints": marks.iter().map(|(label, p)| serde_json::json!({ "label": label, "threshold": p.threshold, "fmr": p.fmr, "fnmr": p.fnmr })).collect::<Vec<_>>(),
        "curve": curve,
    });
    write(&opt.out.join("calibration.json"), serde_json::to_string_pretty(&json).unwrap_or_default().as_bytes())?;
    let _ = writeln!(w, "wrote {}/scores.csv, det.png, calibration.json", opt.out.display());
    print!("{report}");
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Runs decode -> detect -> select -> align -> embed on every image, on `threads` threads.
fn process_images(engine: &Engine, root: &Path, images: &[PathBuf], select: FaceSelection, threads: usize) -> Vec<ImageResult> {
    let bar = ProgressBar::new(images.len() as u64);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} images, {per_sec}, eta {eta}").unwrap_or_else(|_| ProgressStyle::default_bar()));
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<ImageResult>>> = images.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = images.get(i) else { break };
                let r = process_one(engine, &root.join(path), select);
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    slots.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()).expect("every slot was filled")).collect()
}

fn process_one(engine: &Engine, path: &Path, select: FaceSelection) -> ImageResult {
    let mut timing = [0.0; 3];
    let mut refused = false;
    let mut detector_input = 0;
    let mut lap = Instant::now();
    let mut tick = |k: usize| {
        timing[k] = lap.elapsed().as_secs_f64() * 1e3;
        lap = Instant::now();
    };
    let outcome = (|| -> Result<Template, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("reading: {e}"))?;
        let image = engine.decode(&bytes).map_err(|e| e.to_string())?;
        tick(0);
        let found = engine.detections(&image).map_err(|e| e.to_string())?;
        detector_input = found.input_size;
        let faces = found.faces;
        tick(1);
        let i = select.pick(&faces, image.width(), image.height()).ok_or("no face found")?;
        let t = engine.template(&image, &faces[i]).map_err(|e| {
            refused = matches!(e, facegate::Error::FaceUnusable { .. });
            e.to_string()
        })?;
        tick(2);
        Ok(t)
    })();
    match outcome {
        Ok(t) => ImageResult { template: Some(t), error: None, refused, timing, detector_input },
        Err(e) => ImageResult { template: None, error: Some(e), refused, timing, detector_input },
    }
}

/// Impostor scores between images of different people: all such pairs when `count` is
/// `None`, otherwise `count` pairs drawn with a fixed seed (with replacement).
fn extra_impostors(images: &[PathBuf], results: &[ImageResult], count: Option<usize>) -> Vec<f32> {
    let usable: Vec<(String, &Template)> = images.iter().zip(results).filter_map(|(p, r)| r.template.as_ref().map(|t| (pairs::identity(p), t))).collect();
    let n = usable.len();
    let mut out = Vec::new();
    match count {
        Some(0) => {}
        None => {
            for i in 0..n {
                for j in i + 1..n {
                    if usable[i].0 != usable[j].0 {
                        out.push(usable[i].1.similarity(usable[j].1).value());
                    }
                }
            }
        }
        Some(k) if usable.iter().any(|u| u.0 != usable[0].0) => {
            let mut state = 0x9E37_79B9_7F4A_7C15u64;
            while out.len() < k {
                let (i, j) = ((splitmix(&mut state) % n as u64) as usize, (splitmix(&mut state) % n as u64) as usize);
                if usable[i].0 != usable[j].0 {
                    out.push(usable[i].1.similarity(usable[j].1).value());
                }
            }
        }
        Some(_) => {}
    }
    out
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

//! facegate's command line. `facegate compare A.jpg B.jpg` for people; `facegate eval` for
//! measurement. Everything runs locally; nothing is sent anywhere.

mod compare;
mod eval;
mod metrics;
mod pairs;
mod plot;
mod stress;
mod transforms;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};
use facegate::{DetectorConfig, Engine, EngineConfig, FaceSelection, OrientationConfig, QualityConfig};

#[derive(Parser)]
#[command(name = "facegate", version, about = "Private, on-device face matching: compare photos, evaluate accuracy.")]
struct Cli {
    /// Folder holding the two ONNX models.
    #[arg(long, global = true, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../models"))]
    models: PathBuf,
    /// Detector input size in pixels (a multiple of 32, 96 to 1920).
    #[arg(long, global = true, default_value_t = DetectorConfig::default().input_size)]
    input_size: u32,
    /// Longest side of the detector's quick first look (0: none; see DetectorConfig::quick_input_size).
    #[arg(long, global = true, default_value_t = DetectorConfig::default().quick_input_size.unwrap_or(0))]
    quick_input_size: u32,
    /// Smallest width of the largest face, in quick-input pixels, for the quick look's faces to be kept.
    #[arg(long, global = true, default_value_t = DetectorConfig::default().quick_min_face)]
    quick_min_face: u32,
    /// Largest close-look window around a smaller face of the quick look (0: none; see DetectorConfig::close_max_size).
    #[arg(long, global = true, default_value_t = DetectorConfig::default().close_max_size.unwrap_or(0))]
    close_max_size: u32,
    /// Switch the quality gate off (every face found is templated): for measuring what it does.
    #[arg(long, global = true)]
    no_gate: bool,
    /// Switch the search of turned photos and the straightening of rolled heads off.
    #[arg(long, global = true)]
    no_orientation: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compare the faces in two photos: faces found, similarity, decision at each operating point.
    Compare {
        a: PathBuf,
        b: PathBuf,
        /// Which face of A to compare when it holds several (index as listed, largest first).
        #[arg(long, default_value_t = 0)]
        face_a: usize,
        /// Which face of B to compare.
        #[arg(long, default_value_t = 0)]
        face_b: usize,
        /// Threads the networks run on (tract's matrix products; same results whatever the count).
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// Evaluate verification accuracy on a labelled pairs file.
    Eval {
        /// Pairs file: TSV with header `img_a img_b same [fold]`, or LFW `pairs*.txt`.
        #[arg(long)]
        pairs: PathBuf,
        /// Folder the image paths in the pairs file are relative to.
        #[arg(long)]
        root: PathBuf,
        /// Extra impostor pairs to form across different people: a number, or `all`.
        #[arg(long, default_value = "0")]
        impostors: String,
        /// Which face to use when an image holds several.
        #[arg(long, default_value = "nearest-center", value_parser = select_parser())]
        select: FaceSelection,
        /// Where to write scores.csv, det.png and calibration.json.
        #[arg(long, default_value = "out/eval")]
        out: PathBuf,
        /// Images evaluated at once, one thread each (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Stress evaluation: transform every photo this way (repeatable; `none` is the clean
        /// photo) and report faces found, refused by the gate, TAR and FMR per transform.
        #[arg(long, value_enum)]
        transform: Vec<transforms::Transform>,
        /// Seed of the transforms' noise (stress evaluation).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Use at most this many pairs, spread evenly over the file (stress evaluation).
        #[arg(long)]
        limit: Option<usize>,
        /// Whose photos: all, or a half of the people split by a hash of their name (stress
        /// evaluation).
        #[arg(long, value_enum, default_value_t = stress::Split::All)]
        split: stress::Split,
    },
}

/// `--select`: the rules' own names (FaceSelection::name), so that the command line has no
/// copy of them.
fn select_parser() -> impl TypedValueParser<Value = FaceSelection> {
    clap::builder::PossibleValuesParser::new(FaceSelection::ALL.map(FaceSelection::name))
        .map(|name| FaceSelection::ALL.into_iter().find(|s| s.name() == name).unwrap_or_default())
}

/// The engine, its networks on `threads` threads.
fn engine(cli: &Cli, threads: usize) -> Result<Engine, String> {
    let read = |name: &str| {
        let p = cli.models.join(name);
        std::fs::read(&p).map_err(|e| format!("{}: {e} (pass --models DIR)", p.display()))
    };
    let detector = read("face_detection_yunet_2023mar_int8bq.onnx")?;
    let recognizer = read("face_recognition_sface_2021dec_int8bq.onnx")?;
    let quick_input_size = (cli.quick_input_size != 0).then_some(cli.quick_input_size);
    let close_max_size = (cli.close_max_size != 0).then_some(cli.close_max_size);
    let detector_config =
        DetectorConfig { input_size: cli.input_size, quick_input_size, quick_min_face: cli.quick_min_face, close_max_size, ..Default::default() };
    let config = EngineConfig {
        detector: detector_config,
        threads,
        quality: if cli.no_gate { QualityConfig::off() } else { QualityConfig::default() },
        orientation: if cli.no_orientation { OrientationConfig::off() } else { OrientationConfig::default() },
        ..Default::default()
    };
    Engine::new(&detector, &recognizer, config).map_err(|e| e.to_string())
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Compare { ref a, ref b, face_a, face_b, threads } => compare::run(&engine(&cli, threads)?, a, b, face_a, face_b),
        Command::Eval { ref pairs, ref root, ref impostors, select, ref out, threads, ref transform, seed, limit, split } => {
            let engine = engine(&cli, 1)?;
            let (pairs, root, out) = (pairs.clone(), root.clone(), out.clone());
            let impostors = match impostors.as_str() {
                "all" => None,
                n => Some(n.parse().map_err(|_| format!("--impostors takes a number or `all`, not {n:?}"))?),
            };
            let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
            if transform.is_empty() {
                eval::run(&engine, &eval::EvalOptions { pairs, root, impostors, select, out, threads })
            } else {
                let transforms = transform.clone();
                stress::run(&engine, &stress::StressOptions { pairs, root, transforms, seed, limit, split, select, out, threads })
            }
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("facegate: {e}");
            ExitCode::FAILURE
        }
    }
}

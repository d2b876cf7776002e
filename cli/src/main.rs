//! facegate's command line. `facegate compare A.jpg B.jpg` for people; `facegate eval` for
//! measurement. Everything runs locally; nothing is sent anywhere.

mod compare;
mod eval;
mod metrics;
mod pairs;
mod plot;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use facegate::{DetectorConfig, Engine, EngineConfig, FaceSelection};

#[derive(Parser)]
#[command(name = "facegate", version, about = "Private, on-device face matching: compare photos, evaluate accuracy.")]
struct Cli {
    /// Folder holding the two ONNX models.
    #[arg(long, global = true, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../models"))]
    models: PathBuf,
    /// Detector input size in pixels (a multiple of 32, 96 to 1920).
    #[arg(long, global = true, default_value_t = DetectorConfig::default().input_size)]
    input_size: u32,
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
        #[arg(long, value_enum, default_value_t = Select::NearestCenter)]
        select: Select,
        /// Where to write scores.csv, det.png and calibration.json.
        #[arg(long, default_value = "out/eval")]
        out: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Select {
    Largest,
    MostConfident,
    NearestCenter,
}

impl From<Select> for FaceSelection {
    fn from(s: Select) -> Self {
        match s {
            Select::Largest => FaceSelection::Largest,
            Select::MostConfident => FaceSelection::MostConfident,
            Select::NearestCenter => FaceSelection::NearestCenter,
        }
    }
}

fn engine(cli: &Cli) -> Result<Engine, String> {
    let read = |name: &str| {
        let p = cli.models.join(name);
        std::fs::read(&p).map_err(|e| format!("{}: {e} (pass --models DIR)", p.display()))
    };
    let detector = read("face_detection_yunet_2023mar_int8bq.onnx")?;
    let recognizer = read("face_recognition_sface_2021dec_int8bq.onnx")?;
    let config = EngineConfig { detector: DetectorConfig { input_size: cli.input_size, ..Default::default() }, ..Default::default() };
    Engine::new(&detector, &recognizer, config).map_err(|e| e.to_string())
}

fn run(cli: Cli) -> Result<(), String> {
    let engine = engine(&cli)?;
    match cli.command {
        Command::Compare { a, b, face_a, face_b } => compare::run(&engine, &a, &b, face_a, face_b),
        Command::Eval { pairs, root, impostors, select, out, threads } => {
            let impostors = match impostors.as_str() {
                "all" => None,
                n => Some(n.parse().map_err(|_| format!("--impostors takes a number or `all`, not {n:?}"))?),
            };
            let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
            eval::run(&engine, &eval::EvalOptions { pairs, root, impostors, select: select.into(), out, threads })
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

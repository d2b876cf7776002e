//! `facegate compare A B`: the faces in two photos and whether they are likely the same person.

use std::path::Path;

use facegate::pipeline::choose_face;
use facegate::{Engine, Face, FaceChoice, Image, OperatingPoint, Template};

/// One photo, decoded and searched for faces.
struct Photo {
    image: Image,
    faces: Vec<Face>,
}

fn load(engine: &Engine, path: &Path) -> Result<Photo, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let image = engine.decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let faces = engine.detect(&image).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Photo { image, faces })
}

fn describe(name: &str, path: &Path, photo: &Photo, chosen: usize) {
    println!("{name}: {} ({}x{}), {} face(s)", path.display(), photo.image.width(), photo.image.height(), photo.faces.len());
    for (i, f) in photo.faces.iter().enumerate() {
        let b = f.bbox;
        let mark = if i == chosen { "  <- compared" } else { "" };
        println!("  face {i}: box x={:.0} y={:.0} w={:.0} h={:.0}, detector score {:.2}{mark}", b.x, b.y, b.width, b.height, f.score);
    }
}

fn template(engine: &Engine, photo: &Photo, index: usize, path: &Path) -> Result<Template, String> {
    let chosen = choose_face(&photo.faces, FaceChoice::Index(index)).map_err(|e| format!("{}: {e}", path.display()))?;
    engine.template(&photo.image, &photo.faces[chosen]).map_err(|e| e.to_string())
}

pub fn run(engine: &Engine, a: &Path, b: &Path, face_a: usize, face_b: usize) -> Result<(), String> {
    let (pa, pb) = (load(engine, a)?, load(engine, b)?);
    describe("A", a, &pa, face_a);
    describe("B", b, &pb, face_b);
    let (ta, tb) = (template(engine, &pa, face_a, a)?, template(engine, &pb, face_b, b)?);
    let similarity = ta.similarity(&tb).value();
    println!("similarity (cosine): {similarity:.4}");
    for point in OperatingPoint::ALL {
        let d = engine.decide(&ta, &tb, point);
        let default = if point == OperatingPoint::default() { " (default)" } else { "" };
        println!("  at {}{default}, threshold {:.3}: {}", point.label(), d.threshold, d.wording());
    }
    Ok(())
}

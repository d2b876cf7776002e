//! Labelled pairs files: facegate's TSV (`img_a img_b same [fold]`) and the LFW protocol format.

use std::path::{Path, PathBuf};

/// One labelled pair of image paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// First image, as a path under the root.
    pub a: PathBuf,
    /// Second image.
    pub b: PathBuf,
    /// Whether both show the same person.
    pub same: bool,
    /// Cross-validation fold (1 when the file has none).
    pub fold: u32,
}

/// Parses a pairs file. Two formats are recognised:
/// - TSV with a header `img_a img_b same [fold]`, paths relative to the root;
/// - LFW's `pairs*.txt`: an optional count line, then `name i j` (same person) or
///   `name1 i name2 j` (different people); paths become `name/name_000i.jpg`.
pub fn parse(text: &str) -> Result<Vec<Pair>, String> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).peekable();
    let first = lines.peek().map(|(_, l)| *l).ok_or("the pairs file is empty")?;
    if first.starts_with("img_a") {
        lines.next();
        return lines.map(|(n, l)| tsv_line(l).map_err(|e| format!("line {}: {e}", n + 1))).collect();
    }
    if first.split_whitespace().count() <= 2 && first.split_whitespace().all(|w| w.parse::<u32>().is_ok()) {
        lines.next();
    }
    lines.map(|(n, l)| lfw_line(l).map_err(|e| format!("line {}: {e}", n + 1))).collect()
}

fn tsv_line(line: &str) -> Result<Pair, String> {
    let f: Vec<&str> = line.split('\t').map(str::trim).collect();
    if f.len() < 3 {
        return Err("expected img_a, img_b, same[, fold]".into());
    }
    let same = match f[2] {
        "1" | "true" => true,
        "0" | "false" => false,
        other => return Err(format!("`same` must be 0 or 1, not {other:?}")),
    };
    let fold = f.get(3).map(|s| s.parse().map_err(|_| format!("bad fold {s:?}"))).transpose()?.unwrap_or(1);
    Ok(Pair { a: f[0].into(), b: f[1].into(), same, fold })
}

fn lfw_line(line: &str) -> Result<Pair, String> {
    let f: Vec<&str> = line.split_whitespace().collect();
    let num = |s: &str| s.parse::<u32>().map_err(|_| format!("bad image number {s:?}"));
    let path = |name: &str, i: u32| Path::new(name).join(format!("{name}_{i:04}.jpg"));
    match f.as_slice() {
        [name, i, j] => Ok(Pair { a: path(name, num(i)?), b: path(name, num(j)?), same: true, fold: 1 }),
        [n1, i, n2, j] => Ok(Pair { a: path(n1, num(i)?), b: path(n2, num(j)?), same: false, fold: 1 }),
        _ => Err("expected `name i j` or `name1 i name2 j`".into()),
    }
}

/// The person an image belongs to: its parent folder's name (LFW's layout).
pub fn identity(path: &Path) -> String {
    path.parent().and_then(|p| p.file_name()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tsv_with_folds() {
        let p = parse("img_a\timg_b\tsame\tfold\na/x.jpg\tb/y.jpg\t0\t3\nc/z.jpg\tc/w.jpg\t1\t1\n").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0], Pair { a: "a/x.jpg".into(), b: "b/y.jpg".into(), same: false, fold: 3 });
        assert!(p[1].same);
    }

    #[test]
    fn parses_lfw_format() {
        let p = parse("1100\nAaron_Peirsol\t1\t2\nAJ_Cook\t1\tMarsah_Ambrosius\t1\n").unwrap();
        assert_eq!(p[0].a, Path::new("Aaron_Peirsol/Aaron_Peirsol_0001.jpg"));
        assert_eq!(p[0].b, Path::new("Aaron_Peirsol/Aaron_Peirsol_0002.jpg"));
        assert!(p[0].same && !p[1].same);
        assert_eq!(identity(&p[1].b), "Marsah_Ambrosius");
    }

    #[test]
    fn reports_the_bad_line() {
        let e = parse("img_a\timg_b\tsame\na\tb\tmaybe\n").unwrap_err();
        assert!(e.starts_with("line 2"), "{e}");
    }
}

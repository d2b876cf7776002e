//! No residual biometric or key material in freed memory (PRIVACY.md requirements 9, 12, 13).
//!
//! This test binary's allocator looks at every block freed (or moved by a reallocation) by the
//! thread that armed it, before handing it back, for what must not survive: a template (any
//! 128 consecutive floats parallel to it, so the raw, unnormalised embedding counts too), the
//! pixels of the aligned face as the recognizer's input floats, a photo's decoded pixels, its
//! detector input (letterbox) floats, an export key, a consent name, a purpose, a label, and,
//! for the key derivation, any large block that is not all zeros (Argon2's 32 MiB of working
//! memory, whose last block alone re-derives the key). It runs the real models on real photos.
//!
//! What this cannot see (documented in README.md, "Privacy"): memory tract keeps between runs
//! (its kernels' scratch buffers), the stack, and copies a caller makes of results.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use common::{engine, fixture, fixture_bytes, model_bytes, template_of};
use facegate::pipeline::{CloseLook, Letterbox};
use facegate::{ConsentRecord, FaceChoice, Gallery, GalleryConfig, ImageInput, KdfParams, ManualClock, Purpose, Subject, TeachingConfig, Timestamp};

// ------------------------------------------------------------------------------------------
// The scanning allocator

const MAX_NEEDLES: usize = 8;
const NEEDLE_BYTES: usize = 64;
const TEMPLATE: usize = 128;
/// Freed blocks at least this large must be all zeros while `zero_large` is set.
const LARGE: usize = 1 << 20;

/// What the allocator looks for. Written only while disarmed (tests hold `SERIAL`).
struct Watch {
    needles: [[u8; NEEDLE_BYTES]; MAX_NEEDLES],
    needle_len: [usize; MAX_NEEDLES],
    count: usize,
    template: [f32; TEMPLATE],
    has_template: bool,
    zero_large: bool,
}

struct WatchCell(std::cell::UnsafeCell<Watch>);
// SAFETY: written only while no thread is armed (under SERIAL), read only while armed.
unsafe impl Sync for WatchCell {}

static WATCH: WatchCell = WatchCell(std::cell::UnsafeCell::new(Watch {
    needles: [[0; NEEDLE_BYTES]; MAX_NEEDLES],
    needle_len: [0; MAX_NEEDLES],
    count: 0,
    template: [0.0; TEMPLATE],
    has_template: false,
    zero_large: false,
}));
static NEEDLE_HITS: [AtomicUsize; MAX_NEEDLES] = [const { AtomicUsize::new(0) }; MAX_NEEDLES];
static TEMPLATE_HITS: AtomicUsize = AtomicUsize::new(0);
static LARGE_DIRTY: AtomicUsize = AtomicUsize::new(0);
static LARGE_SEEN: AtomicUsize = AtomicUsize::new(0);
static SERIAL: Mutex<()> = Mutex::new(());

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
}

struct Scanner;

fn armed() -> bool {
    ARMED.try_with(Cell::get).unwrap_or(false)
}

/// Looks at a block about to be freed.
///
/// SAFETY: `p` points to `len` initialised-or-not bytes we own until the free; reading them as
/// bytes is what `zeroize`-style checks do.
unsafe fn inspect(p: *const u8, len: usize) {
    let bytes = unsafe { std::slice::from_raw_parts(p, len) };
    let w = unsafe { &*WATCH.0.get() };
    for (k, hits) in NEEDLE_HITS.iter().enumerate().take(w.count) {
        let needle = &w.needles[k][..w.needle_len[k]];
        if contains(bytes, needle) {
            hits.fetch_add(1, Ordering::Relaxed);
        }
    }
    if w.has_template && len >= TEMPLATE * 4 && (p as usize).is_multiple_of(4) {
        let floats = unsafe { std::slice::from_raw_parts(p as *const f32, len / 4) };
        if holds_parallel(floats, &w.template) {
            TEMPLATE_HITS.fetch_add(1, Ordering::Relaxed);
        }
    }
    if w.zero_large && len >= LARGE {
        LARGE_SEEN.fetch_add(1, Ordering::Relaxed);
        if bytes.iter().any(|&b| b != 0) {
            LARGE_DIRTY.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return false;
    };
    hay.len() >= needle.len() && (0..=hay.len() - needle.len()).any(|i| hay[i] == first && &hay[i + 1..i + needle.len()] == rest)
}

/// Whether 128 consecutive floats of `hay` are parallel to `t` (cosine > 0.99, any scale).
fn holds_parallel(hay: &[f32], t: &[f32; TEMPLATE]) -> bool {
    let anchor = (0..TEMPLATE).max_by(|&a, &b| t[a].abs().total_cmp(&t[b].abs())).unwrap();
    let second = (0..TEMPLATE).filter(|&i| i != anchor).max_by(|&a, &b| t[a].abs().total_cmp(&t[b].abs())).unwrap();
    let tn: f64 = t.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>().sqrt();
    (0..=hay.len() - TEMPLATE).any(|p| {
        let x = hay[p + anchor];
        if !x.is_finite() || x == 0.0 {
            return false;
        }
        let r = x / t[anchor];
        if (hay[p + second] - r * t[second]).abs() > 0.2 * r.abs() * t[second].abs() + 1e-12 {
            return false;
        }
        let w = &hay[p..p + TEMPLATE];
        let dot: f64 = w.iter().zip(t).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum();
        let wn: f64 = w.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>().sqrt();
        wn > 0.0 && (dot / (wn * tn)).abs() > 0.99
    })
}

unsafe impl GlobalAlloc for Scanner {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if armed() {
            unsafe { inspect(p, layout.size()) };
        }
        unsafe { System.dealloc(p, layout) }
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !armed() {
            return unsafe { System.realloc(p, layout, new_size) };
        }
        // Always move, so that the old block is looked at as it is freed.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let q = unsafe { System.alloc(new_layout) };
        if !q.is_null() {
            unsafe { std::ptr::copy_nonoverlapping(p, q, layout.size().min(new_size)) };
            unsafe { inspect(p, layout.size()) };
            unsafe { System.dealloc(p, layout) };
        }
        q
    }
}

#[global_allocator]
static ALLOC: Scanner = Scanner;

/// What was found while armed.
#[derive(Debug, PartialEq)]
struct Findings {
    needles: Vec<(&'static str, usize)>,
    template: usize,
    large_dirty: usize,
    large_seen: usize,
}

/// Runs `f` armed, watching for `needles`, `template` and (with `zero_large`) dirty large blocks.
fn watch<T>(needles: &[(&'static str, Vec<u8>)], template: Option<&[f32]>, zero_large: bool, f: impl FnOnce() -> T) -> (T, Findings) {
    {
        // SAFETY: nothing is armed (SERIAL is held by the caller).
        let w = unsafe { &mut *WATCH.0.get() };
        assert!(needles.len() <= MAX_NEEDLES);
        w.count = needles.len();
        for (k, (_, n)) in needles.iter().enumerate() {
            let len = n.len().min(NEEDLE_BYTES);
            w.needles[k][..len].copy_from_slice(&n[..len]);
            w.needle_len[k] = len;
            NEEDLE_HITS[k].store(0, Ordering::SeqCst);
        }
        w.has_template = template.is_some();
        if let Some(t) = template {
            w.template.copy_from_slice(t);
        }
        w.zero_large = zero_large;
        TEMPLATE_HITS.store(0, Ordering::SeqCst);
        LARGE_DIRTY.store(0, Ordering::SeqCst);
        LARGE_SEEN.store(0, Ordering::SeqCst);
    }
    ARMED.with(|a| a.set(true));
    let out = f();
    ARMED.with(|a| a.set(false));
    let findings = Findings {
        needles: needles
            .iter()
            .enumerate()
            .filter(|(k, _)| NEEDLE_HITS[*k].load(Ordering::SeqCst) > 0)
            .map(|(k, (name, _))| (*name, NEEDLE_HITS[k].load(Ordering::SeqCst)))
            .collect(),
        template: TEMPLATE_HITS.load(Ordering::SeqCst),
        large_dirty: LARGE_DIRTY.load(Ordering::SeqCst),
        large_seen: LARGE_SEEN.load(Ordering::SeqCst),
    };
    (out, findings)
}

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn floats_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

// ------------------------------------------------------------------------------------------
// The checks

const NAME: &str = "Zoë Quillfeather-Needle";
const PURPOSE: &str = "to open the shed door at Needleville";
const LABEL: &str = "Needle label 7731";

fn consent(clock: &ManualClock) -> Option<ConsentRecord> {
    let subject = Subject::OtherPersonConsented { name: NAME.to_string() };
    Some(ConsentRecord::new(subject, Purpose::Other { description: PURPOSE.to_string() }, "Zoë agreed.", None, clock).unwrap())
}

fn gallery(clock: &ManualClock) -> Gallery {
    Gallery::with_clock(GalleryConfig { teaching: TeachingConfig::LESSON, ..Default::default() }, clock.clone()).unwrap()
}

/// 16 floats of the recognizer's input for the face of `name` (its red plane, values 0..255,
/// from the middle of the aligned crop): what tract's input tensor holds.
fn aligned_needle(name: &str) -> Vec<u8> {
    let img = fixture(name);
    let faces = engine().detect(&img).unwrap();
    let aligned = engine().align(&img, &faces[0]).unwrap();
    let mid = 112 * 56 + 40;
    let red: Vec<f32> = (mid..mid + 16).map(|i| f32::from(aligned.as_rgb()[i * 3])).collect();
    floats_bytes(&red)
}

#[test]
fn freed_tract_tensors_and_templates_hold_no_template_or_face() {
    let _s = serial();
    let (t, _) = template_of("person_b_1.jpg");
    let template = t.as_slice().to_vec();
    drop(t);
    let needles = [("aligned face (recognizer input)", aligned_needle("person_b_1.jpg"))];
    let clock = ManualClock::new(Timestamp::from_unix_ms(1_000_000));
    let bytes = fixture_bytes("person_b_1.jpg");
    let probe = fixture_bytes("person_b_2.jpg");
    let (_, found) = watch(&needles, Some(&template), false, || {
        let mut g = gallery(&clock);
        let id = g.enroll(engine(), ImageInput::Encoded(&bytes), FaceChoice::Auto, LABEL, consent(&clock)).unwrap();
        let m = g.verify(engine(), ImageInput::Encoded(&probe), FaceChoice::Auto, id).unwrap();
        assert!(m.decision().unwrap().likely_same_person);
        drop(g.identify(engine(), ImageInput::Encoded(&bytes), FaceChoice::Auto).unwrap());
        let a = g.explain(engine(), ImageInput::Encoded(&bytes), FaceChoice::Auto, consent(&clock)).unwrap();
        g.compare_explained(a.id, a.id).unwrap();
        drop(a);
        g.withdraw(id).unwrap();
        drop(g);
    });
    assert_eq!(found, Findings { needles: vec![], template: 0, large_dirty: 0, large_seen: 0 }, "a freed block held a template or the aligned face");
}

#[test]
fn freed_letterbox_tensor_and_decoded_pixels_hold_no_photo() {
    let _s = serial();
    let img = fixture("person_a_1.jpg");
    let (w, h) = (img.width() as usize, img.height() as usize);
    // 48 bytes of decoded RGB from the middle of the photo (the face), and 16 floats of each
    // detector input the engine builds for it: the quick look's, the full-size input and the
    // close look's window of it (its face is small enough to be looked at again in a window).
    let at = ((h / 2) * w + w / 2) * 3;
    let rgb = img.as_rgb()[at..at + 48].to_vec();
    let config = engine().config().detector;
    let middle_floats = |input: &[f32], width: usize, height: usize| {
        let mid = width * height / 2 + width / 2;
        floats_bytes(&input[mid..mid + 16])
    };
    let quick = Letterbox::fit_within(img.width(), img.height(), config.quick_size().unwrap());
    let quick_input = middle_floats(&quick.input_tensor(&img), quick.input_width as usize, quick.input_height as usize);
    let full = Letterbox::fit_within(img.width(), img.height(), config.input_size);
    let full_tensor = full.input_tensor(&img);
    let full_input = middle_floats(&full_tensor, full.input_width as usize, full.input_height as usize);
    let detector = facegate::pipeline::Detector::new(&model_bytes().0, config).unwrap();
    let quick_faces = detector.detect_at(&img, config.quick_size().unwrap()).unwrap().faces;
    let window = CloseLook::around(&quick_faces[0], &full);
    let side = window.side as usize;
    let close_input = middle_floats(&full.window(&full_tensor, window.x, window.y, window.side), side, side);
    let ran = detector.detections(&img).unwrap();
    assert_eq!(ran.close_looks, 1, "the engine looks at this photo closely: {ran:?}");
    drop((full_tensor, detector));
    drop(img);
    let bytes = fixture_bytes("person_a_1.jpg");
    let needles = [("decoded pixels", rgb), ("quick-look tensor", quick_input), ("full-size tensor", full_input), ("close-look window", close_input)];
    // The same detection once before, on this thread: tract's plans for every input shape, and
    // the scratch buffers its kernels keep per thread and grow to the largest input met (what
    // they held of an earlier input is freed as they grow: tract's memory, as documented on
    // `model::run`), are then in place, so that what is watched is facegate's own buffers.
    engine().detect(&engine().decode(&bytes).unwrap()).unwrap();
    let (faces, found) = watch(&needles, None, false, || {
        let img = engine().decode(&bytes).unwrap();
        let faces = engine().detect(&img).unwrap();
        drop(img);
        faces.len()
    });
    assert_eq!(faces, 1);
    assert_eq!(found.needles, vec![], "a freed block held the photo's pixels or the detector input");
}

#[test]
fn freed_argon2_blocks_and_buffers_hold_no_key_and_no_names() {
    let _s = serial();
    const FAST: KdfParams = KdfParams { memory_kib: 8 * 1024, iterations: 5, parallelism: 1 };
    const PASS: &str = "residue check: violet harbour lantern quietly";
    let clock = ManualClock::new(Timestamp::from_unix_ms(1_000_000));
    let bytes = fixture_bytes("person_a_1.jpg");
    let mut g = gallery(&clock);
    g.enroll(engine(), ImageInput::Encoded(&bytes), FaceChoice::Auto, LABEL, consent(&clock)).unwrap();
    let file = g.export_with(PASS, FAST).unwrap();
    // The key the export was sealed with, derived here as any reader would (RFC 9106).
    let salt = &file[facegate::export_layout::SALT];
    let params = argon2::Params::new(FAST.memory_kib, FAST.iterations, FAST.parallelism, Some(48)).unwrap();
    let mut okm = [0u8; 48];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params).hash_password_into(PASS.as_bytes(), salt, &mut okm).unwrap();
    let needles = [
        ("export key", okm[..32].to_vec()),
        ("consent name", NAME.as_bytes().to_vec()),
        ("purpose", PURPOSE.as_bytes().to_vec()),
        ("label", LABEL.as_bytes().to_vec()),
    ];
    let (_, found) = watch(&needles, None, true, || {
        let again = g.export_with(PASS, FAST).unwrap();
        let mut h = gallery(&clock);
        assert_eq!(h.import(&file, PASS).unwrap().added, 1);
        let listed = h.list();
        assert_eq!(listed[0].label, LABEL);
        drop(listed);
        h.erase_all(Default::default());
        g.erase_all(Default::default());
        drop((h, again));
    });
    assert!(found.large_seen >= 2, "the key derivation's working memory was seen freed: {found:?}");
    assert_eq!(found.large_dirty, 0, "Argon2's working memory was freed without being overwritten");
    assert_eq!(found.needles, vec![], "a freed block held the key, a name, a purpose or a label");
}

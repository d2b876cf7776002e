//! The consent-gated gallery on the real models and real photos (see tests/fixtures/CREDITS.md):
//! one test per privacy rule, named after it. The memory-overwrite proofs run as unit tests
//! (src/gallery/tests.rs), where a test-only hook can look at a buffer before it is freed.

#[path = "common/mod.rs"]
mod common;

#[path = "gallery/support.rs"]
mod support;

#[path = "gallery/api_surface.rs"]
mod api_surface;
#[path = "gallery/audit.rs"]
mod audit;
#[path = "gallery/consent.rs"]
mod consent;
#[path = "gallery/erasure.rs"]
mod erasure;
#[path = "gallery/export.rs"]
mod export;
#[path = "gallery/faces.rs"]
mod faces;
#[path = "gallery/listing.rs"]
mod listing;
#[path = "gallery/matching.rs"]
mod matching;

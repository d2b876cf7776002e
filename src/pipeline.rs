//! The pipeline's steps, one small pure function or type each, for those who want to run,
//! study or test a step on its own. [`Engine`](crate::Engine) and [`Gallery`](crate::Gallery)
//! run them in this order; most users need neither this module nor its names.
//!
//! 1. Fit the image into the detector's input: [`Letterbox`].
//! 2. Detect: [`Detector`] runs YuNet; [`decode_yunet`] turns its raw outputs
//!    ([`StrideOutputs`]) into scored boxes with 5 landmarks; [`nms`] keeps one box per face;
//!    [`quick_look_suffices`] tells when the quick, small look found every face, and
//!    [`CloseLook`] where a smaller face of it is looked at again ([`Detections`] reports what
//!    ran).
//! 3. Check the face's quality: [`face_geometry`] and [`geometry`] (pose, size, position:
//!    [`Geometry`]), [`crop_measures`] (light, contrast, sharpness: [`CropMeasures`]).
//! 4. Align: [`alignment_transform`] ([`umeyama`]'s similarity transform, a
//!    [`SimilarityTransform`], onto [`ARCFACE_TEMPLATE`]), then [`warp_bilinear`] to a
//!    [`ALIGNED_SIZE`] x [`ALIGNED_SIZE`] crop ([`AlignedFace`]).
//! 5. Embed: [`Recognizer`] runs SFace; [`l2_normalize`] makes the template unit-length.
//! 6. Compare: [`cosine`] of two templates.
//! 7. Choose the face a caller means: [`choose_face`] (a person's [`FaceChoice`](crate::FaceChoice)).
//!    Between showing the faces and the call that uses the chosen one, [`HeldDetections`] keeps
//!    the decoded image and its faces ([`HeldDetection`], used once through
//!    [`ImageInput::Detected`](crate::ImageInput::Detected)), so that one user action detects once.
//!
//! Models: [`verify_model`] checks the bytes against their SHA-256 ([`sha256_hex`]);
//! [`fold_constant_dequantize`] folds the recognizer's quantised weights once at load.
//!
//! The teaching view ([`Gallery::explain`](crate::Gallery::explain)) shows these steps for one
//! face: [`FaceSteps`], and the pictures it may hand out, a [`Strip`] per template and a cosine
//! step by step ([`CosineSteps`], [`CosineRow`], at [`PRINTED_POSITIONS`]).

pub use crate::align::{alignment_transform, umeyama, warp_bilinear, SimilarityTransform, ALIGNED_SIZE, ARCFACE_TEMPLATE};
pub use crate::decode::{decode_yunet, StrideOutputs};
pub use crate::detector::{quick_look_suffices, CloseLook, Detections, Detector};
pub use crate::engine::{HeldDetection, HeldDetections};
pub use crate::face::choose_face;
pub use crate::gallery::explain::{CosineRow, CosineSteps, FaceSteps, Strip, PRINTED_POSITIONS};
pub use crate::letterbox::Letterbox;
pub use crate::model::{sha256_hex, verify_model};
pub use crate::nms::nms;
pub use crate::onnx_fold::fold_constant_dequantize;
pub use crate::quality::{crop_measures, face_geometry, geometry, CropMeasures, Geometry};
pub use crate::recognizer::{AlignedFace, Recognizer};
pub use crate::template::{cosine, l2_normalize};

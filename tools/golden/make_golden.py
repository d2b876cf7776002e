#!/usr/bin/env python3
"""Independent onnxruntime reference for facegate's tract inference (tests/golden.rs).

Writes, under tests/golden/:
  yunet_input_640.png  tests/fixtures/person_b_1.jpg letterboxed to 640x640 (PIL, bilinear,
                       longest side to 640, top-left on black). The PNG itself is the input, so
                       resampling differences between PIL and Rust do not matter.
  sface_input_112.png  a 240x240 crop of the same letterboxed image below the face (scarf and
                       coat, no face: see REC_CROP) resized to 112x112 with PIL, bilinear.
  reference.json       onnxruntime outputs: every SFace fc1 value, and for each YuNet output
                       its shape plus a deterministic sample of flat indices and values.

Input tensors: YuNet gets the PNG pixels as BGR float32 NCHW in 0..255; SFace gets RGB float32
NCHW in 0..255 (the network subtracts 127.5 and scales by 1/128 itself).

Needs Python with numpy, pillow, onnx and onnxruntime. Run from anywhere:
    python tools/golden/make_golden.py
CI does not run this; it only runs the Rust test against the committed output.
"""

import hashlib
import json
import platform
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import PIL
from onnx import numpy_helper
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
OUT = ROOT / "tests" / "golden"
SOURCE_PHOTO = ROOT / "tests" / "fixtures" / "person_b_1.jpg"

DETECTOR = ("face_detection_yunet_2023mar_int8bq.onnx",
            "49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10")
RECOGNIZER = ("face_recognition_sface_2021dec_int8bq.onnx",
              "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee")

DET_SIZE = 640
REC_SIZE = 112
STRIDES = (8, 16, 32)
SAMPLE_EVERY = 37       # every 37th flattened value of each YuNet output ...
TOP_ANCHORS = 50        # ... plus every value at the 50 anchors with the highest score
# SFace input: a square of scarf and coat below the face in the letterboxed photo. Not a face on
# purpose: reference.json stores SFace's output in full, and the output for a face would be a
# biometric template of the person photographed. Runtime equivalence needs no face.
REC_CROP = (120, 400, 360, 640)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_model(name: str, expected: str) -> bytes:
    data = (MODELS / name).read_bytes()
    actual = sha256(data)
    if actual != expected:
        sys.exit(f"{name}: sha256 {actual}, expected {expected}")
    return data


def drop_unused_inputs(model: onnx.ModelProto) -> int:
    """SFace declares graph inputs no node reads (old weight names); onnxruntime would
    otherwise demand a value for each. Returns how many were dropped."""
    graph = model.graph
    used = {name for node in graph.node for name in node.input}
    keep = [i for i in graph.input if i.name in used]
    dropped = len(graph.input) - len(keep)
    del graph.input[:]
    graph.input.extend(keep)
    return dropped


def single_blocks_per_tensor(model: onnx.ModelProto) -> int:
    """onnxruntime refuses a blocked DequantizeLinear whose scale holds a single value (one block
    covering the whole axis: "block_size must be 0 for per-tensor quantization"), although the
    ONNX spec allows it. Rewrites each such node as the equivalent per-tensor one (scalar scale
    and zero point, no block_size); every other DequantizeLinear stays for onnxruntime to run."""
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    count = 0
    for node in graph.node:
        attrs = {a.name: a.i for a in node.attribute}
        if node.op_type != "DequantizeLinear" or attrs.get("block_size", 0) == 0:
            continue
        if numpy_helper.to_array(inits[node.input[1]]).size != 1:
            continue
        for k in range(1, len(node.input)):
            if node.input[k]:
                scalar = numpy_helper.to_array(inits[node.input[k]]).reshape(())
                name = f"{node.input[k]}__per_tensor"
                graph.initializer.append(numpy_helper.from_array(scalar, name))
                node.input[k] = name
        kept = [a for a in node.attribute if a.name not in ("block_size", "axis")]
        del node.attribute[:]
        node.attribute.extend(kept)
        count += 1
    return count


def fold_dequantize(model: onnx.ModelProto) -> int:
    """Replaces each DequantizeLinear whose inputs are all initializers by a float32 initializer
    (x - zero_point) * scale, with scale/zero_point per tensor, per axis, or per block of
    `block_size` along `axis`. A second implementation, only used as a cross-check."""
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    keep, folded = [], []
    for node in graph.node:
        if node.op_type != "DequantizeLinear" or not all(i in inits for i in node.input if i):
            keep.append(node)
            continue
        attrs = {a.name: a.i for a in node.attribute}
        x = numpy_helper.to_array(inits[node.input[0]]).astype(np.int64)
        scale = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        has_zero = len(node.input) > 2 and node.input[2]
        zero = numpy_helper.to_array(inits[node.input[2]]).astype(np.int64) if has_zero else np.zeros(scale.shape, np.int64)
        axis = attrs.get("axis", 1) % max(x.ndim, 1)
        block = attrs.get("block_size", 0)
        if scale.size == 1:
            s, z = scale.reshape(()), zero.reshape(())
        elif block > 0:
            # repeat each scale block_size times along axis, then trim to x's extent
            s = np.repeat(scale, block, axis=axis).take(range(x.shape[axis]), axis=axis)
            z = np.repeat(zero, block, axis=axis).take(range(x.shape[axis]), axis=axis)
        else:
            shape = [1] * x.ndim
            shape[axis] = -1
            s, z = scale.reshape(shape), zero.reshape(shape)
        value = ((x - z).astype(np.float32) * s).astype(np.float32)
        folded.append(numpy_helper.from_array(value, node.output[0]))
    del graph.node[:]
    graph.node.extend(keep)
    graph.initializer.extend(folded)
    used = {name for node in graph.node for name in node.input} | {o.name for o in graph.output}
    live = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(live)
    drop_unused_inputs(model)
    return len(folded)


def session(model: onnx.ModelProto) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def run(model: onnx.ModelProto, feed: np.ndarray) -> dict:
    sess = session(model)
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, {sess.get_inputs()[0].name: feed})))


def letterbox(img: Image.Image, size: int) -> Image.Image:
    w, h = img.size
    scale = size / max(w, h)
    scaled = img.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.BILINEAR)
    canvas = Image.new("RGB", (size, size), (0, 0, 0))
    canvas.paste(scaled, (0, 0))
    return canvas


def nchw(rgb: np.ndarray, bgr: bool) -> np.ndarray:
    """HxWx3 uint8 -> 1x3xHxW float32 in 0..255."""
    if bgr:
        rgb = rgb[:, :, ::-1]
    return np.ascontiguousarray(rgb.transpose(2, 0, 1)[None].astype(np.float32))


def f32(values) -> list:
    """float32 values as JSON numbers with 9 significant digits (enough to round-trip f32)."""
    return [float(f"{float(v):.9g}") for v in np.asarray(values, np.float32).ravel()]


def save_png(img: Image.Image, path: Path) -> np.ndarray:
    img.save(path, format="PNG", optimize=True)
    back = Image.open(path)
    back.load()
    assert back.mode == "RGB" and back.size == img.size
    return np.asarray(back)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    det_bytes = load_model(*DETECTOR)
    rec_bytes = load_model(*RECOGNIZER)

    # --- detector -----------------------------------------------------------------------
    photo = ImageOps.exif_transpose(Image.open(SOURCE_PHOTO)).convert("RGB")
    det_png = OUT / "yunet_input_640.png"
    det_pixels = save_png(letterbox(photo, DET_SIZE), det_png)
    det_feed = nchw(det_pixels, bgr=True)

    det_model = onnx.load_from_string(det_bytes)
    det_rewritten = single_blocks_per_tensor(det_model)      # the other blocked DQ run in ORT
    det_out = run(det_model, det_feed)
    det_folded = onnx.load_from_string(det_bytes)
    det_folds = fold_dequantize(det_folded)
    det_out_folded = run(det_folded, det_feed)
    det_cross = max(float(np.abs(det_out[k] - det_out_folded[k]).max()) for k in det_out)

    # the anchors with the highest detection score sqrt(cls * obj) over all strides (ties: stride
    # order, then anchor order); cls alone peaks on stride-8 background, where obj is ~0
    ranked = []
    for k, s in enumerate(STRIDES):
        score = np.sqrt(np.clip(det_out[f"cls_{s}"][0, :, 0], 0, 1) * np.clip(det_out[f"obj_{s}"][0, :, 0], 0, 1))
        ranked += [(-float(v), k, i, s) for i, v in enumerate(score)]
    top = [(s, i) for _, _, i, s in sorted(ranked)[:TOP_ANCHORS]]

    outputs = []
    for name in [o.name for o in det_model.graph.output]:
        value = det_out[name]
        flat = value.ravel()
        channels = value.shape[2]
        stride = int(name.split("_")[1])
        picked = set(range(0, flat.size, SAMPLE_EVERY))
        picked.update(i * channels + c for s, i in top if s == stride for c in range(channels))
        idx = sorted(picked)
        outputs.append({"name": name, "shape": list(value.shape), "indices": idx, "values": f32(flat[idx])})

    # --- recognizer ---------------------------------------------------------------------
    crop = Image.fromarray(det_pixels).crop(REC_CROP).resize((REC_SIZE, REC_SIZE), Image.BILINEAR)
    rec_png = OUT / "sface_input_112.png"
    rec_pixels = save_png(crop, rec_png)
    rec_feed = nchw(rec_pixels, bgr=False)

    rec_model = onnx.load_from_string(rec_bytes)
    rec_dropped = drop_unused_inputs(rec_model)              # ORT needs this
    rec_rewritten = single_blocks_per_tensor(rec_model)
    fc1 = run(rec_model, rec_feed)["fc1"]
    rec_folded = onnx.load_from_string(rec_bytes)
    rec_folds = fold_dequantize(rec_folded)
    rec_cross = float(np.abs(fc1 - run(rec_folded, rec_feed)["fc1"]).max())

    reference = {
        "generator": "tools/golden/make_golden.py",
        "onnxruntime": ort.__version__,
        "onnx": onnx.__version__,
        "numpy": np.__version__,
        "pillow": PIL.__version__,
        "python": platform.python_version(),
        "note": "onnxruntime CPU, 1 thread. Models as shipped, blocked DequantizeLinear run by onnxruntime, except "
                "single-block nodes rewritten as the equivalent per-tensor ones (onnxruntime rejects them) and, for "
                "SFace, unused graph inputs dropped. fold_cross_check_max_abs: max difference to the same run on "
                "the models with every DequantizeLinear folded to float32 by numpy.",
        "detector": {
            "model": DETECTOR[0],
            "model_sha256": DETECTOR[1],
            "input_png": det_png.name,
            "input_png_sha256": sha256(det_png.read_bytes()),
            "input_layout": "BGR float32 NCHW 0..255",
            "input_shape": list(det_feed.shape),
            "single_block_nodes_rewritten": det_rewritten,
            "fold_cross_check_max_abs": det_cross,
            "folded_nodes": det_folds,
            "sample": f"flat indices 0, {SAMPLE_EVERY}, {2 * SAMPLE_EVERY}, ... of each output, plus all channels "
                      f"at the {TOP_ANCHORS} anchors with the highest score sqrt(cls * obj) over all strides; "
                      "top_anchors lists them as [stride, anchor]",
            "top_anchors": [[s, i] for s, i in top],
            "outputs": outputs,
        },
        "recognizer": {
            "model": RECOGNIZER[0],
            "model_sha256": RECOGNIZER[1],
            "input_png": rec_png.name,
            "input_png_sha256": sha256(rec_png.read_bytes()),
            "input_layout": "RGB float32 NCHW 0..255",
            "input_shape": list(rec_feed.shape),
            "unused_graph_inputs_dropped": rec_dropped,
            "single_block_nodes_rewritten": rec_rewritten,
            "fold_cross_check_max_abs": rec_cross,
            "folded_nodes": rec_folds,
            "output": "fc1",
            "output_shape": list(fc1.shape),
            "values": f32(fc1),
        },
    }
    path = OUT / "reference.json"
    path.write_text(json.dumps(reference, indent=1) + "\n")
    print(f"onnxruntime {ort.__version__}")
    print(f"detector: {det_rewritten} single-block DequantizeLinear rewritten per-tensor; {det_folds} DequantizeLinear folded for the cross-check, max |ORT - ORT(numpy fold)| = {det_cross:.3g}")
    print(f"recognizer: dropped {rec_dropped} unused graph inputs, {rec_rewritten} single-block rewritten; {rec_folds} folded for the cross-check, "
          f"max |ORT - ORT(numpy fold)| = {rec_cross:.3g}")
    for p in (det_png, rec_png, path):
        print(f"wrote {p.relative_to(ROOT)} ({p.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

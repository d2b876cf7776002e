#!/usr/bin/env python3
"""The Python half of facegate's side-by-side benchmark (run by bench/run.mjs in bench/.venv).

  peers.py fold OUT_DIR
      Writes yunet.onnx and sface.onnx for onnxruntime: every DequantizeLinear whose inputs are
      constants folded to float32 weights ((x - zero_point) * scale, per tensor, per axis or per
      block of block_size along axis), graph inputs no node reads dropped, and YuNet's input height
      and width (and every declared intermediate or output shape) left free so that it runs at the
      input size facegate picks for each image.

  peers.py native OUT_DIR PHOTO... --json FILE [--runs N] [--geometry fit|square]
      Native onnxruntime (CPU, one thread) on those files with facegate's pre- and
      post-processing in numpy: median and p90 per stage over the photos, after a warm-up lap.
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
MODELS = {
    "yunet.onnx": ("face_detection_yunet_2023mar_int8bq.onnx", "49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10"),
    "sface.onnx": ("face_recognition_sface_2021dec_int8bq.onnx", "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee"),
}
ARCFACE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]])
STRIDES = (8, 16, 32)


def dequantized(node, inits):
    """The float32 value of a DequantizeLinear node whose inputs are all constants."""
    attrs = {a.name: a.i for a in node.attribute}
    q = numpy_helper.to_array(inits[node.input[0]]).astype(np.float32)
    scale = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
    zero_name = node.input[2] if len(node.input) > 2 else ""
    zero = numpy_helper.to_array(inits[zero_name]).astype(np.float32) if zero_name else np.zeros_like(scale)
    if scale.size == 1:
        return (q - zero.reshape(())) * scale.reshape(())
    axis = attrs.get("axis", 1) % q.ndim
    block = attrs.get("block_size", 0)
    if block:
        expand = lambda t: np.repeat(t, block, axis=axis)[tuple(slice(0, n) for n in q.shape)]
        return (q - expand(zero)) * expand(scale)
    shape = [1] * q.ndim
    shape[axis] = -1
    return (q - zero.reshape(shape)) * scale.reshape(shape)


def fold(model, free_hw):
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    nodes = []
    for node in g.node:
        if node.op_type == "DequantizeLinear" and all(i in inits for i in node.input if i):
            value = dequantized(node, inits).astype(np.float32)
            inits[node.output[0]] = numpy_helper.from_array(value, node.output[0])
        else:
            nodes.append(node)
    used = {i for n in nodes for i in n.input} | {o.name for o in g.output}
    del g.node[:]
    g.node.extend(nodes)
    kept = [t for name, t in inits.items() if name in used]
    del g.initializer[:]
    g.initializer.extend(kept)
    live_inputs = [i for i in g.input if i.name in used]
    del g.input[:]
    g.input.extend(live_inputs)
    if free_hw:
        dims = g.input[0].type.tensor_type.shape.dim
        dims[2].dim_param, dims[3].dim_param = "height", "width"
        del g.value_info[:]
        for o in g.output:
            for k, d in enumerate(o.type.tensor_type.shape.dim):
                if k == 1:
                    d.dim_param = f"{o.name}_anchors"
    onnx.checker.check_model(model)
    return model


def cmd_fold(out: Path):
    import hashlib
    out.mkdir(parents=True, exist_ok=True)
    for target, (name, sha) in MODELS.items():
        data = (ROOT / "models" / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            sys.exit(f"{name}: unexpected SHA-256")
        model = fold(onnx.load_from_string(data), free_hw=target == "yunet.onnx")
        (out / target).write_bytes(model.SerializeToString())
        print(f"folded {name} -> {out / target} ({(out / target).stat().st_size} bytes)")


def geometry(w, h, max_side, mode):
    """As bench/page/pipeline.js detectorGeometry and src/letterbox.rs (fit / fit_within)."""
    scale = max_side / max(w, h, 1)
    side = lambda n: min(max(int(np.floor(n * scale + 0.5)), 1), max_side)
    sw, sh = side(w), side(h)
    up32 = lambda n: min(max(32, -(-n // 32) * 32), max(max_side, 32))
    if mode == "square":
        return sw, sh, max_side, max_side
    ih = up32(sh)
    return sw, sh, max(up32(sw), ih), ih


def session(path):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def detect(sess, img, rgb, max_side, mode):
    h, w = rgb.shape[:2]
    sw, sh, iw, ih = geometry(w, h, max_side, mode)
    scaled = np.asarray(img.resize((sw, sh), Image.BILINEAR)) if (sw, sh) != (w, h) else rgb
    x = np.zeros((1, 3, ih, iw), np.float32)
    x[0, :, :sh, :sw] = scaled[:, :, ::-1].transpose(2, 0, 1)
    out = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {"input": x})))
    boxes, scores, marks = [], [], []
    for s in STRIDES:
        cls, obj = out[f"cls_{s}"].reshape(-1), out[f"obj_{s}"].reshape(-1)
        score = np.sqrt(np.clip(cls, 0, 1) * np.clip(obj, 0, 1))
        idx = np.nonzero(score >= 0.6)[0]
        cols = iw // s
        row, col = (idx // cols).astype(np.float32), (idx % cols).astype(np.float32)
        b = out[f"bbox_{s}"].reshape(-1, 4)[idx]
        k = out[f"kps_{s}"].reshape(-1, 10)[idx].reshape(-1, 5, 2)
        cx, cy = (col + b[:, 0]) * s, (row + b[:, 1]) * s
        bw, bh = np.exp(b[:, 2]) * s, np.exp(b[:, 3]) * s
        boxes.append(np.stack([cx - bw / 2, cy - bh / 2, bw, bh], 1))
        scores.append(score[idx])
        marks.append((k + np.stack([col, row], 1)[:, None, :]) * s)
    boxes, scores, marks = np.concatenate(boxes), np.concatenate(scores), np.concatenate(marks)
    order = np.argsort(-scores, kind="stable")
    kept = []
    for i in order:
        ok = True
        for j in kept:
            x0, y0 = max(boxes[i, 0], boxes[j, 0]), max(boxes[i, 1], boxes[j, 1])
            x1 = min(boxes[i, 0] + boxes[i, 2], boxes[j, 0] + boxes[j, 2])
            y1 = min(boxes[i, 1] + boxes[i, 3], boxes[j, 1] + boxes[j, 3])
            inter = max(0, x1 - x0) * max(0, y1 - y0)
            if inter / (boxes[i, 2] * boxes[i, 3] + boxes[j, 2] * boxes[j, 3] - inter) > 0.3:
                ok = False
                break
        if ok:
            kept.append(i)
    sx, sy = sw / w, sh / h
    faces = [(boxes[i] / [sx, sy, sx, sy], marks[i] / [sx, sy]) for i in kept]
    faces.sort(key=lambda f: -f[0][2] * f[0][3])
    return faces


def align(rgb, landmarks):
    src = landmarks - landmarks.mean(0)
    dst = ARCFACE - ARCFACE.mean(0)
    var = (src ** 2).sum()
    re = (src * dst).sum()
    im = (src[:, 0] * dst[:, 1] - src[:, 1] * dst[:, 0]).sum()
    a, b = re / var, im / var
    sm, dm = landmarks.mean(0), ARCFACE.mean(0)
    tx, ty = dm[0] - (a * sm[0] - b * sm[1]), dm[1] - (b * sm[0] + a * sm[1])
    d = a * a + b * b
    ia, ib = a / d, -b / d
    itx, ity = -(ia * tx - ib * ty), -(ib * tx + ia * ty)
    ys, xs = np.mgrid[0:112, 0:112].astype(np.float64)
    sx, sy = ia * xs - ib * ys + itx, ib * xs + ia * ys + ity
    h, w = rgb.shape[:2]
    inside = (sx > -1) & (sy > -1) & (sx < w) & (sy < h)
    x0, y0 = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
    ax, ay = (sx - x0)[..., None], (sy - y0)[..., None]
    padded = np.zeros((h + 2, w + 2, 3), np.float64)
    padded[1:-1, 1:-1] = rgb
    px = lambda x, y: padded[np.clip(y + 1, 0, h + 1), np.clip(x + 1, 0, w + 1)]
    top = px(x0, y0) * (1 - ax) + px(x0 + 1, y0) * ax
    bottom = px(x0, y0 + 1) * (1 - ax) + px(x0 + 1, y0 + 1) * ax
    crop = np.clip(np.round(top * (1 - ay) + bottom * ay), 0, 255) * inside[..., None]
    return np.ascontiguousarray(crop.transpose(2, 0, 1)[None].astype(np.float32))


def stats(values):
    s = sorted(values)
    return {"median": s[len(s) // 2], "p90": s[-(-9 * len(s) // 10) - 1], "n": len(s)}


def cmd_native(args):
    det, rec = session(Path(args.models) / "yunet.onnx"), session(Path(args.models) / "sface.onnx")
    photos = []
    for p in args.photos:
        img = ImageOps.exif_transpose(Image.open(p)).convert("RGB")
        photos.append((img, np.asarray(img)))
    results = {}
    for max_side in (640, 320):
        stages = {"detect": [], "align": [], "embed": [], "e2e": []}
        n = len(photos)
        for i in range(n + args.runs):
            img, rgb = photos[i % n]
            t0 = time.perf_counter()
            faces = detect(det, img, rgb, max_side, args.geometry)
            t1 = time.perf_counter()
            crop = align(rgb, faces[0][1])
            t2 = time.perf_counter()
            emb = rec.run(None, {"data": crop})[0][0]
            emb = emb / np.linalg.norm(emb)
            t3 = time.perf_counter()
            if i >= n:
                for k, v in (("detect", t1 - t0), ("align", t2 - t1), ("embed", t3 - t2), ("e2e", t3 - t0)):
                    stages[k].append(v * 1e3)
        results[str(max_side)] = {k: stats(v) for k, v in stages.items()}
    info = {"onnxruntime": ort.__version__, "python": platform.python_version(), "threads": 1, "geometry": args.geometry}
    Path(args.json).write_text(json.dumps({"info": info, "results": results}, indent=1))
    print(json.dumps(results))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fold")
    f.add_argument("out")
    n = sub.add_parser("native")
    n.add_argument("models")
    n.add_argument("photos", nargs="+")
    n.add_argument("--json", required=True)
    n.add_argument("--runs", type=int, default=27)
    n.add_argument("--geometry", default="fit")
    args = ap.parse_args()
    if args.cmd == "fold":
        cmd_fold(Path(args.out))
    else:
        cmd_native(args)


if __name__ == "__main__":
    main()

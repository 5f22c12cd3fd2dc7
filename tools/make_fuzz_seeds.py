#!/usr/bin/env python3
"""Writes the small seed inputs of the fuzzing harness that no other fixture provides:
.npy / .npz arrays written by numpy itself (also read back exactly by NPYTests) and tiny PNGs
of several colour types. Run with Debian's interpreter: /usr/bin/python3 tools/make_fuzz_seeds.py
Outputs go to Tests/SC2EngineTests/Fixtures/fuzz-seeds/."""
import os, struct, zlib
import numpy as np

import safetensors_io

ROOT = os.path.join(os.path.dirname(__file__), "..", "Tests", "SC2EngineTests", "Fixtures", "fuzz-seeds")


def out(kind, name):
    d = os.path.join(ROOT, kind)
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, name)


def arrays():
    # The values NPYTests expects: arange-based, so a reader's mistake shows as a wrong number.
    boundary = (np.arange(16, dtype=np.float32) - 7.5).reshape(1, 16) / 4
    np.save(out("npy", "boundary_f32.npy"), boundary)                      # InterFaceGAN boundary layout
    np.save(out("npy", "ws_f64.npy"), (np.arange(2 * 3 * 4, dtype=np.float64) * 0.5).reshape(2, 3, 4))
    np.save(out("npy", "image_u1.npy"), (np.arange(2 * 2 * 3) * 20).astype(np.uint8).reshape(2, 2, 3))
    np.save(out("npy", "half_f2.npy"), np.array([0.5, -1.5, 65504], dtype=np.float16))
    np.save(out("npy", "ints_i8.npy"), np.array([-3, 0, 7], dtype=np.int64))
    np.save(out("npy", "scalar_f4.npy"), np.float32(2.25))
    np.save(out("npy", "empty_f4.npy"), np.zeros((0, 16), dtype=np.float32))
    np.save(out("npy", "flags_b1.npy"), np.array([True, False, True]))
    np.save(out("npy", "fortran_f4.npy"), np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    np.save(out("npy", "object.npy"), np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(out("npy", "bigendian_f4.npy"), np.arange(3, dtype=">f4"))
    w = (np.arange(1 * 4 * 16, dtype=np.float32) / 64).reshape(1, 4, 16)
    np.savez(out("npz", "projected_w.npz"), w=w)                           # stylegan2-ada projector layout
    np.savez_compressed(out("npz", "components_compressed.npz"),
                        comp=np.eye(3, 16, dtype=np.float32), std=np.array([3.0, 2.0, 1.0], dtype=np.float32))
    np.savez(out("npz", "object.npz"), o=np.array([None], dtype=object))


def png(name, width, height, colour_type, bit_depth, rows, palette=None):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0))
    if palette is not None:
        data += chunk(b"PLTE", bytes(palette))
    data += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    with open(out("png", name), "wb") as f:
        f.write(data)


def pngs():
    png("rgb4.png", 4, 3, 2, 8, [[(x * 60 + y * 20 + c * 7) % 256 for x in range(4) for c in range(3)] for y in range(3)])
    png("rgba2.png", 2, 2, 6, 8, [[10, 20, 30, 255, 200, 100, 50, 128], [0, 0, 0, 0, 255, 255, 255, 255]])
    png("gray3.png", 3, 1, 0, 8, [[0, 128, 255]])
    png("palette2.png", 2, 1, 3, 8, [[0, 1]], palette=[255, 0, 0, 0, 0, 255])


def safetensors(path, tensors, metadata):
    safetensors_io.save({k: np.asarray(v, dtype=np.float32) for k, v in tensors.items()}, path, metadata)


def classifier():
    # A FaceWorld-layout classifier small enough for the fuzzer's input limit: 8 px input,
    # two conv stages of 2 channels, a hidden layer of 4, three attributes.
    r = np.random.RandomState(0)
    t = {"conv0.weight": r.randn(2, 3, 3, 3), "conv0.bias": r.randn(2), "conv1.weight": r.randn(2, 2, 3, 3),
         "conv1.bias": r.randn(2), "fc0.weight": r.randn(4, 2 * 2 * 2), "fc0.bias": r.randn(4),
         "fc1.weight": r.randn(3, 4), "fc1.bias": r.randn(3)}
    safetensors(out("classifier", "tiny8.safetensors"), t, {"attributes": "age,eyeglasses,smile"})


def hostile():
    # The files issue 13 reported as crashes or silent acceptance, kept as regression inputs
    # (Tests/SC2EngineTests/Fixtures/fuzz/TARGET/, replayed by HostileFileTests).
    fx = os.path.join(ROOT, "..")
    g, gm = safetensors_io.load(os.path.join(fx, "checkpoints", "generator_nvidia.safetensors"))
    def gen(name, edit, meta=None):
        t = dict(g); m = dict(gm); edit(t); m.update(meta or {})
        d = os.path.join(fx, "fuzz", "generator"); os.makedirs(d, exist_ok=True)
        safetensors(os.path.join(d, name), t, m)
    def far(t):
        for k in range(4, 63):
            t["synthesis.b%d.conv1.weight" % (1 << k)] = np.zeros((0, 0, 3, 3))
    gen("blocks-beyond-any-resolution.safetensors", far)
    gen("zero-channels.safetensors", lambda t: t.update({"synthesis.b8.conv1.weight": np.zeros((0, 8, 3, 3))}))
    gen("zero-z.safetensors", lambda t: t.update({"mapping.fc0.weight": np.zeros((16, 0))}))
    gen("nan-lr-mul.safetensors", lambda t: None, {"mapping_lr_mul": "nan"})
    def gap(t):
        t["mapping.fc2.weight"], t["mapping.fc2.bias"] = t.pop("mapping.fc1.weight"), t.pop("mapping.fc1.bias")
    gen("mapping-gap.safetensors", gap)
    c, cm = safetensors_io.load(os.path.join(ROOT, "classifier", "tiny8.safetensors"))
    def cls(name, edit):
        t = dict(c); edit(t)
        d = os.path.join(fx, "fuzz", "classifier"); os.makedirs(d, exist_ok=True)
        safetensors(os.path.join(d, name), t, cm)
    def stages(t):
        for i in range(2, 40):
            t["conv%d.weight" % i] = np.zeros((0, 0, 3, 3)); t["conv%d.bias" % i] = np.zeros((0,))
    cls("many-stages.safetensors", stages)
    cls("zero-out-channels.safetensors", lambda t: t.update({"conv1.weight": np.zeros((0, 2, 3, 3)), "conv1.bias": np.zeros((0,))}))


if __name__ == "__main__":
    arrays()
    pngs()
    classifier()
    hostile()

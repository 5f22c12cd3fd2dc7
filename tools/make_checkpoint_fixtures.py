"""Makes the fixtures of the checkpoint-reader tests (Tests/SC2EngineTests/CheckpointTests.swift)
in Tests/SC2EngineTests/Fixtures/checkpoints/. All are tiny (a few KB).

  dtypes.safetensors        F32 / F16 / BF16 / F64 tensors of known, exactly representable values
  generator_nvidia.safetensors  a tiny random sg2torch generator, NVIDIA names (the reference)
  generator_rosinality.pt   the same weights, torch.save of sg2torch.to_rosinality(...) (+ blur kernels)
  generator_nvidia.pt       the same weights as {'G_ema': parameters + resample_filter buffers, 'D': ...}
  views.pt                  strided, offset, transposed and expanded views of shared storages
  rosinality_train.pt       a training checkpoint as rosinality's train.py saves it: {g, d, g_ema,
                            g_optim, d_optim, args (an argparse.Namespace), ada_aug_p}, no latent_avg
  rosinality_train_g_ema.pt / rosinality_train_g.pt  its g_ema / g converted to {g_ema, latent_avg},
                            latent_avg the mean w of 4096 z drawn as RandomState(0).randn(4096, z_dim)
  bad_*                     damaged or hostile files, each refused with a named problem

Run with the project's Python (torch 1.13, numpy): /usr/bin/python3 tools/make_checkpoint_fixtures.py
The hostile pickles are only written, never loaded: nothing here runs their payloads."""
import argparse
import collections
import copy
import io
import json
import os
import pickletools
import struct
import sys
import zipfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import sg2torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "SC2EngineTests", "Fixtures", "checkpoints")
PWNED = "/tmp/sc2gan-pwned"

# Exactly representable in their dtypes; CheckpointTests.swift lists the same values.
F16_VALUES = [0.0, 0.5, -1.5, 65504.0, 2.0 ** -24, -(2.0 ** -14), 0.333251953125, 1024.0]
BF16_VALUES = [1.0, -2.5, 0.15625, 98304.0, 2.0 ** 100, -(2.0 ** -130)]
F64_VALUES = [1.5, -2.25, 1024.125]


def path(name):
    return os.path.join(OUT, name)


# ---- safetensors, written by hand so that every byte (and every lie) is under our control ----

def safetensors_bytes(entries, metadata=None, header_length=None):
    """entries: list of (name, dtype, shape, raw bytes[, (begin, end)]); offsets default to packed."""
    header, blobs, offset = {}, [], 0
    for name, dtype, shape, raw, *offsets in entries:
        span = offsets[0] if offsets else (offset, offset + len(raw))
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": list(span)}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    return raw_safetensors(json.dumps(header).encode(), b"".join(blobs), header_length)


def raw_safetensors(header, data, header_length=None):
    header += b" " * ((8 - len(header) % 8) % 8)
    length = len(header) if header_length is None else header_length
    return struct.pack("<Q", length) + header + data


def bf16_bytes(values):
    t = torch.tensor(values, dtype=torch.bfloat16)
    assert t.float().tolist() == values, "BF16 fixture values must be exact"
    return t.view(torch.int16).numpy().astype("<i2").tobytes()


def f16_bytes(values):
    a = np.array(values, dtype="<f2")
    assert a.astype(np.float64).tolist() == values, "F16 fixture values must be exact"
    return a.tobytes()


def f32_bytes(a):
    return np.ascontiguousarray(a, dtype="<f4").tobytes()


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def make_dtypes():
    f32 = np.arange(12, dtype=np.float32).reshape(3, 4) * 0.25
    entries = [
        ("f32", "F32", [3, 4], f32_bytes(f32)),
        ("f16", "F16", [2, 4], f16_bytes(F16_VALUES)),
        ("bf16", "BF16", [6], bf16_bytes(BF16_VALUES)),
        ("f64", "F64", [3], np.array(F64_VALUES, dtype="<f8").tobytes()),
    ]
    good = safetensors_bytes(entries, metadata={"producer": "make_checkpoint_fixtures.py", "note": "dtypes"})
    write("dtypes.safetensors", good)
    return good


def make_bad_safetensors(good):
    four = f32_bytes(np.arange(4))
    write("bad_empty.safetensors", b"")
    write("bad_short.safetensors", good[:5])
    write("bad_truncated.safetensors", good[:-10])
    write("bad_lying_header.safetensors", struct.pack("<Q", 1_000_000) + good[8:])
    write("bad_absurd_header.safetensors", struct.pack("<Q", 1 << 40) + good[8:])
    write("bad_not_json.safetensors", raw_safetensors(b"this is not json", b""))
    write("bad_not_object.safetensors", raw_safetensors(b"[1, 2, 3]", b""))
    write("bad_dtype.safetensors", safetensors_bytes([("w", "Q8", [4], four[:4])]))
    write("bad_offsets.safetensors", safetensors_bytes([("w", "F32", [256], four, (0, 1024))]))
    write("bad_shape.safetensors", safetensors_bytes([("w", "F32", [3], four[:8])]))
    write("bad_negative_dim.safetensors", safetensors_bytes([("w", "F32", [-1, 2], four[:8])]))
    write("bad_overlap.safetensors", safetensors_bytes([("a", "F32", [2], four[:8]), ("b", "F32", [2], four[8:], (4, 12))]))
    nan = np.array([1.0, np.nan, 2.0, 3.0], dtype=np.float32).reshape(2, 2, 1, 1)
    write("bad_nan.safetensors", safetensors_bytes([
        ("mapping.fc0.weight", "F32", [2, 2], f32_bytes(np.eye(2))),
        ("synthesis.b8.conv0.weight", "F32", [2, 2, 1, 1], f32_bytes(nan)),
    ]))


# ---- the tiny generator in three layouts ----

def make_generators():
    torch.manual_seed(0)
    G = sg2torch.Generator(z_dim=16, w_dim=16, resolution=8, mapping_layers=2, channels={4: 8, 8: 8})
    with torch.no_grad():
        for v in G.state_dict().values():  # every tensor random, buffers included
            v.copy_(torch.randn_like(v))
    sd = G.state_dict()
    safetensors_io.save(sd, path("generator_nvidia.safetensors"), metadata={"tensor_count": len(sd)})

    ros = sg2torch.to_rosinality(sd, G.num_ws, 8)
    g_ema = collections.OrderedDict(ros["g_ema"])
    g_ema._metadata = collections.OrderedDict({"": {"version": 1}})  # as Module.state_dict() has
    blur = torch.outer(sg2torch.FIR, sg2torch.FIR)
    g_ema["convs.0.conv.blur.kernel"] = blur / blur.sum() * 4
    g_ema["to_rgbs.0.upsample.kernel"] = blur / blur.sum() * 4
    torch.save({"g_ema": g_ema, "latent_avg": ros["latent_avg"]}, path("generator_rosinality.pt"))

    weights = dict(G.named_parameters())  # nn.Parameter: pickled through _rebuild_parameter
    weights.update(G.named_buffers())
    for name in ["synthesis.b4.resample_filter", "synthesis.b8.resample_filter", "synthesis.b8.conv0.resample_filter"]:
        weights[name] = blur / blur.sum()
    torch.save({"G_ema": weights, "D": {"b8.fromrgb.weight": torch.randn(4, 3, 1, 1)}, "training_set_kwargs": {"resolution": 8}},
               path("generator_nvidia.pt"))


W_AVG_SAMPLES = 4096  # the Swift loader estimates a missing latent_avg the same way


def estimated_w_avg(G):
    z = torch.from_numpy(np.random.RandomState(0).randn(W_AVG_SAMPLES, G.z_dim)).float()
    with torch.no_grad():
        return G.mapping(z)[:, 0].double().mean(0).float()


def rosinality_state(G):
    """G's weights as rosinality's Generator.state_dict() names them (blur kernels included)."""
    sd = collections.OrderedDict(sg2torch.to_rosinality(G.state_dict(), G.num_ws, 8)["g_ema"])
    sd._metadata = collections.OrderedDict({"": {"version": 1}})
    blur = torch.outer(sg2torch.FIR, sg2torch.FIR)
    sd["convs.0.conv.blur.kernel"] = blur / blur.sum() * 4
    sd["to_rgbs.0.upsample.kernel"] = blur / blur.sum() * 4
    return sd


def make_rosinality_training():
    """What rosinality's train.py writes every N iterations, made by real torch objects: Adam
    states after a real step, the parsed arguments as an argparse.Namespace."""
    torch.manual_seed(1)
    G = sg2torch.Generator(z_dim=16, w_dim=16, resolution=8, mapping_layers=2, channels={4: 8, 8: 8})
    with torch.no_grad():
        for v in G.state_dict().values():
            v.copy_(torch.randn_like(v))
    G_ema = copy.deepcopy(G)
    with torch.no_grad():  # the EMA copy differs from the training generator
        for v in G_ema.parameters():
            v.mul_(0.5).add_(0.1 * torch.randn_like(v))
    D = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.LeakyReLU(0.2), torch.nn.Flatten(), torch.nn.Linear(4 * 8 * 8, 1))
    g_optim = torch.optim.Adam(G.parameters(), lr=0.002 * 4 / 5, betas=(0, 0.99 ** (4 / 5)))
    d_optim = torch.optim.Adam(D.parameters(), lr=0.002 * 16 / 17, betas=(0, 0.99 ** (16 / 17)))
    z = torch.randn(2, 16)
    D(G(z)).mean().backward()  # one real step of each optimiser, so that their states hold tensors
    g_optim.step()
    d_optim.step()
    parser = argparse.ArgumentParser()  # a subset of train.py's arguments, parsed as it does
    parser.add_argument("path", type=str)
    parser.add_argument("--iter", type=int, default=800000)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--r1", type=float, default=10)
    parser.add_argument("--mixing", type=float, default=0.9)
    parser.add_argument("--ckpt", type=str, default=None)
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--channel_multiplier", type=int, default=2)
    parser.add_argument("--wandb", action="store_true")
    parser.add_argument("--augment", action="store_true")
    parser.add_argument("--ada_target", type=float, default=0.6)
    args = parser.parse_args(["lmdb/ffhq", "--size", "8", "--batch", "2"])
    args.latent, args.n_mlp, args.start_iter, args.distributed = 16, 2, 0, False
    ckpt = {"g": rosinality_state(G), "d": D.state_dict(), "g_ema": rosinality_state(G_ema),
            "g_optim": g_optim.state_dict(), "d_optim": d_optim.state_dict(), "args": args, "ada_aug_p": 0.0}
    assert isinstance(ckpt["args"], argparse.Namespace) and torch.is_tensor(ckpt["g_optim"]["state"][0]["exp_avg"])
    torch.save(ckpt, path("rosinality_train.pt"))
    for name, net in [("g_ema", G_ema), ("g", G)]:
        torch.save({"g_ema": rosinality_state(net), "latent_avg": estimated_w_avg(net)}, path(f"rosinality_train_{name}.pt"))


def make_views():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.25
    views = {
        "transposed": base.t(),                             # [6, 4], strides (1, 6)
        "column": base[:, 2],                               # offset 2, stride 6
        "window": base.view(-1)[5:11].view(2, 3),           # offset 5, contiguous
        "expanded": base[1].expand(2, 6),                   # stride 0
        "half_strided": base.half()[1:3, ::2],              # F16, offset 6, strides (6, 2)
        "bf16_transposed": base.bfloat16().t()[1:],         # BF16, offset 1, strides (1, 6)
        "double_column": base.double()[::2, 3],             # F64, offset 3, stride 12
    }
    assert not views["transposed"].is_contiguous() and views["column"].storage_offset() == 2
    torch.save(views, path("views.pt"))


# ---- torch zips: hostile, damaged, or written by hand ----

class Payload:
    """Pickles as a call of os.system: what a malicious checkpoint would carry."""

    def __reduce__(self):
        return (os.system, (f"touch {PWNED}",))


def pk_str(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def pk_int(i):
    return b"K" + bytes([i]) if 0 <= i < 256 else b"J" + struct.pack("<i", i)


def pk_global(module, name):
    return b"c" + f"{module}\n{name}\n".encode()


def pk_tensor(key, numel, offset, size, stride):
    """_rebuild_tensor_v2 of a view into FloatStorage `key`, as torch.save pickles it."""
    ints = lambda xs: b"(" + b"".join(map(pk_int, xs)) + b"t"
    pid = b"(" + pk_str("storage") + pk_global("torch", "FloatStorage") + pk_str(key) + pk_str("cpu") + pk_int(numel) + b"t"
    hooks = pk_global("collections", "OrderedDict") + b")R"
    return pk_global("torch._utils", "_rebuild_tensor_v2") + b"(" + pid + b"Q" + pk_int(offset) + ints(size) + ints(stride) + b"\x89" + hooks + b"tR"


def pk_dict(items):
    """A protocol-2 pickle of a dict of already-pickled values."""
    return b"\x80\x02}(" + b"".join(pk_str(k) + v for k, v in items) + b"u."


def torch_zip(name, pickle_bytes, storages=None, with_pickle=True):
    if with_pickle:
        pickletools.dis(pickle_bytes, out=io.StringIO())  # well-formed (disassembly runs nothing)
    with zipfile.ZipFile(path(name), "w", zipfile.ZIP_STORED) as z:
        def add(entry, data):
            z.writestr(zipfile.ZipInfo(f"archive/{entry}", date_time=(2020, 1, 1, 0, 0, 0)), data)
        if with_pickle:
            add("data.pkl", pickle_bytes)
        for key, data in (storages or {}).items():
            add(f"data/{key}", data)
        add("version", b"3\n")


def make_bad_torch():
    existed = os.path.exists(PWNED)
    torch.save({"g_ema": {"style.1.weight": torch.ones(2, 2)}, "payload": Payload()}, path("bad_os_system.pt"))
    assert not os.path.exists(PWNED) or existed, "pickling must not run the payload"
    # protocol 4 form: STACK_GLOBAL builtins.eval, called on a string
    torch_zip("bad_eval.pt", b"\x80\x04" + pk_str("builtins") + pk_str("eval") + b"\x93" + pk_str("print('pwned')") + b"\x85R.")
    torch_zip("bad_no_datapkl.pt", b"", {"0": f32_bytes(np.arange(4))}, with_pickle=False)
    with open(path("generator_rosinality.pt"), "rb") as f:
        data = f.read()
    write("bad_truncated.pt", data[: len(data) // 2])
    torch.save({"step": torch.tensor([1, 2])}, path("bad_long_storage.pt"))
    torch_zip("bad_view_out_of_range.pt", pk_dict([("w", pk_tensor("0", 4, 2, [4], [1]))]), {"0": f32_bytes(np.arange(4))})
    torch_zip("bad_storage_short.pt", pk_dict([("w", pk_tensor("0", 4, 0, [4], [1]))]), {"0": f32_bytes(np.arange(2))})
    torch_zip("bad_deep.pt", pk_dict([("w", b")" + b"\x85" * 100)]))
    torch_zip("bad_cyclic.pt", pk_dict([("w", b"]q\x00h\x00a")]))  # a list appended to itself
    # the Namespace is only ever instantiated empty; no other class may be instantiated
    torch_zip("bad_namespace_call.pt", pk_dict([("args", pk_global("argparse", "Namespace") + b"(" + pk_str("x") + b"tR")]))
    torch_zip("bad_newobj.pt", pk_dict([("args", pk_global("collections", "OrderedDict") + b")\x81")]))
    # what a pre-1.6 torch.save or an NVIDIA .pkl starts with: a bare pickle (made by hand: the
    # legacy torch writer names storages by address, so its output differs from run to run)
    write("bad_plain_pickle.pt", pk_dict([("w", pk_int(1))]))


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    make_bad_safetensors(make_dtypes())
    make_generators()
    make_views()
    make_rosinality_training()
    make_bad_torch()
    if os.path.exists(PWNED):  # never made by this script; cleared so that the Swift test can tell
        os.remove(PWNED)
    total = sum(os.path.getsize(path(n)) for n in os.listdir(OUT))
    print(f"{len(os.listdir(OUT))} fixtures, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()

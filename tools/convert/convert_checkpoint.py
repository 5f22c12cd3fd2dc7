#!/usr/bin/python3
"""Convert an NVIDIA StyleGAN2 network pickle (stylegan2-ada-pytorch, or a TF model already
converted to that format) into safetensors with NVIDIA key names, for `sc2gan --model`.

    /usr/bin/python3 tools/convert/convert_checkpoint.py ffhq.pkl ffhq.safetensors [--net G_ema]
    /usr/bin/python3 tools/convert/convert_checkpoint.py --self-test

Such pickles hold whole Python objects whose classes carry their module's source code; loading
them the usual way executes that code. This converter never does: a restricted unpickler turns
every persistent object into its plain state (parameters, buffers, sub-modules, attributes),
rebuilds tensors with torch's own weights-only loader, rebuilds numpy scalars (a layer's
weight_gain is a numpy.float64) from their dtype and bytes without calling numpy, and refuses any
other global."""
import argparse
import collections
import io
import os
import pickle
import struct
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))  # tools/lib: safetensors_io, sg2torch
import safetensors_io  # noqa: E402


class PersistentState(dict):
    """What a persistent network object becomes: its __dict__ (never its class)."""


def _reconstruct_persistent_obj(meta):
    return PersistentState(meta.get("state") or {})


def _load_storage_from_bytes(b):
    return torch.load(io.BytesIO(b), weights_only=True)


class EasyDict(dict):
    pass


class NumpyDType:
    """What `numpy.dtype(name, align, copy)` and its BUILD state become: the type code and the
    byte order, as plain data. numpy is never called; structured dtypes are refused."""

    def __init__(self, name, align=False, copy=False):
        if not isinstance(name, str) or name not in NUMPY_SCALAR_FORMATS:
            raise pickle.UnpicklingError(f"refusing numpy dtype {name!r} (only numeric scalars are rebuilt)")
        self.name, self.byteorder = name, "="

    def __setstate__(self, state):
        # (version, byteorder, subarray, names, fields, elsize, alignment, flags)
        if not isinstance(state, tuple) or len(state) < 5 or state[1] not in ("<", ">", "|", "=") or any(x is not None for x in state[2:5]):
            raise pickle.UnpicklingError(f"refusing numpy dtype state {state!r}")
        self.byteorder = state[1]


# numpy type code -> struct format of one element
NUMPY_SCALAR_FORMATS = {"f2": "e", "f4": "f", "f8": "d", "i1": "b", "i2": "h", "i4": "i", "i8": "q",
                        "u1": "B", "u2": "H", "u4": "I", "u8": "Q", "b1": "?"}


def numpy_scalar(dtype, data):
    """`numpy.core.multiarray.scalar(dtype, bytes)` as the Python number it holds."""
    if not isinstance(dtype, NumpyDType) or not isinstance(data, bytes):
        raise pickle.UnpicklingError("refusing a numpy scalar without a dtype and bytes")
    order = ">" if dtype.byteorder == ">" or (dtype.byteorder == "=" and sys.byteorder == "big") else "<"
    fmt = order + NUMPY_SCALAR_FORMATS[dtype.name]
    if len(data) != struct.calcsize(fmt):
        raise pickle.UnpicklingError(f"numpy {dtype.name} scalar of {len(data)} bytes")
    return struct.unpack(fmt, data)[0]


class SafeUnpickler(pickle.Unpickler):
    ALLOWED = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("torch._utils", "_rebuild_tensor_v2"): torch._utils._rebuild_tensor_v2,
        ("torch._utils", "_rebuild_parameter"): torch._utils._rebuild_parameter,
        ("torch.storage", "_load_from_bytes"): _load_storage_from_bytes,
        ("torch_utils.persistence", "_reconstruct_persistent_obj"): _reconstruct_persistent_obj,
        ("dnnlib.util", "EasyDict"): EasyDict,
        ("torch", "device"): torch.device,
        ("numpy", "dtype"): NumpyDType,
        ("numpy.core.multiarray", "scalar"): numpy_scalar,   # numpy 1.x
        ("numpy._core.multiarray", "scalar"): numpy_scalar,  # numpy 2.x
    }

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return self.ALLOWED[(module, name)]
        if module == "torch" and name.endswith("Storage"):
            return getattr(torch, name)
        raise pickle.UnpicklingError(f"refusing global {module}.{name}")


def flatten(state, prefix=""):
    """Module state -> {dotted name: tensor} over _parameters, _buffers, _modules."""
    out = {}
    for key in ("_parameters", "_buffers"):
        for k, v in (state.get(key) or {}).items():
            if v is not None:
                out[prefix + k] = v.detach().float() if hasattr(v, "detach") else v
    for k, sub in (state.get("_modules") or {}).items():
        if isinstance(sub, dict):
            out.update(flatten(sub, prefix + k + "."))
    return out


def find_attr(state, name):
    if isinstance(state, dict):
        if name in state and not isinstance(state[name], dict):
            return state[name]
        for v in state.get("_modules", {}).values() if "_modules" in state else []:
            r = find_attr(v, name)
            if r is not None:
                return r
    return None


def convert(src, dst, net="G_ema"):
    with open(src, "rb") as f:
        data = SafeUnpickler(f).load()
    if not isinstance(data, dict) or net not in data:
        raise SystemExit(f"{src}: no '{net}' network in this pickle (found: {list(data)[:5] if isinstance(data, dict) else type(data).__name__})")
    state = data[net]
    tensors = {k: v for k, v in flatten(state).items() if "resample_filter" not in k}
    if "mapping.fc0.weight" not in tensors:
        raise SystemExit(f"{src}: '{net}' does not look like a StyleGAN2 generator")
    clamp = find_attr(state, "conv_clamp")
    mapping = (state.get("_modules") or {}).get("mapping") or {}
    lr_mul = find_attr(mapping, "lr_multiplier") or 0.01
    meta = {"conv_clamp": clamp if clamp is not None else "none", "mapping_lr_mul": lr_mul,
            "source": f"tools/convert/convert_checkpoint.py from {os.path.basename(src)}"}
    safetensors_io.save(tensors, dst, meta)
    print(f"wrote {dst}: {len(tensors)} tensors, conv_clamp {meta['conv_clamp']}")


def self_test():
    """Builds a pickle shaped like stylegan2-ada-pytorch's (persistent objects carrying source
    code, plus a hostile global) and checks the conversion and the refusal."""
    import tempfile
    import types
    import sg2torch
    persistence = types.ModuleType("torch_utils.persistence")

    def marker(meta):  # never called: the converter maps this name to its own function
        raise AssertionError("executed")
    marker.__module__, marker.__qualname__ = "torch_utils.persistence", "_reconstruct_persistent_obj"
    persistence._reconstruct_persistent_obj = marker
    sys.modules["torch_utils"] = types.ModuleType("torch_utils")
    sys.modules["torch_utils.persistence"] = persistence

    def wrap(module):
        st = dict(module.__dict__)
        st["_modules"] = collections.OrderedDict((k, wrap(m)) for k, m in module._modules.items())
        st["_orig_module_src"] = "import os\nos.system('echo pwned')\n"
        return Persistent(st)

    class Persistent:
        def __init__(self, st):
            self.st = st

        def __reduce__(self):
            return (marker, (dict(type="class", version=6, module_src=self.st["_orig_module_src"],
                                  class_name="Generator", state=self.st),))
    import numpy as np
    torch.manual_seed(0)
    G = sg2torch.Generator(z_dim=16, w_dim=16, resolution=8, mapping_layers=2, channels={4: 8, 8: 8}, conv_clamp=256)
    for layer in [G.synthesis.b4.conv1, G.synthesis.b8.conv0, G.synthesis.b8.conv1]:
        layer.conv_clamp = 256
    scalars = {"f8": np.float64(0.125), "f4": np.float32(-1.5), "f2": np.float16(2.0), "i8": np.int64(-3),
               "u1": np.uint8(200), "b1": np.bool_(True), "i4": np.int32(7)}
    G.mapping.lr_multiplier = np.float64(0.01)  # as NVIDIA's layers hold them
    G.numpy_scalars = scalars
    with tempfile.TemporaryDirectory() as d:
        pkl, out = os.path.join(d, "net.pkl"), os.path.join(d, "net.safetensors")
        with open(pkl, "wb") as f:
            pickle.dump({"G_ema": wrap(G), "G": wrap(G), "D": None}, f, protocol=4)
        convert(pkl, out)
        got, meta = safetensors_io.load(out)
        want = G.state_dict()
        assert set(got) == set(want), set(got) ^ set(want)
        for k in want:
            assert (torch.from_numpy(got[k]) == want[k]).all(), k
        assert meta["conv_clamp"] == "256", meta
        with open(pkl, "rb") as f:
            state = SafeUnpickler(f).load()["G_ema"]
        for k, v in scalars.items():
            r = state["numpy_scalars"][k]
            assert type(r) in (float, int, bool) and r == v.item() and type(r) is type(v.item()), (k, r, v)
        big = NumpyDType("f8")
        big.__setstate__((3, ">", None, None, None, -1, -1, 0))
        assert numpy_scalar(big, struct.pack(">d", 3.5)) == 3.5
        for bad in [b"\x80\x04cnumpy.core.multiarray\n_reconstruct\n.", b"\x80\x04cnumpy\ndtype\n(VO8\n\x89\x88tR."]:
            with open(pkl, "wb") as f:
                f.write(bad)
            try:
                convert(pkl, out)
                raise AssertionError("numpy array or object dtype accepted")
            except pickle.UnpicklingError:
                pass
        with open(pkl, "wb") as f:
            f.write(b"\x80\x04cos\nsystem\n(S'echo pwned'\ntR.")
        try:
            convert(pkl, out)
            raise AssertionError("hostile pickle was accepted")
        except pickle.UnpicklingError as e:
            assert "os.system" in str(e)
    print("self-test passed: persistent pickle converted exactly, numpy scalars rebuilt, hostile globals refused")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", nargs="?")
    ap.add_argument("dst", nargs="?")
    ap.add_argument("--net", default="G_ema")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(2)
    if a.self_test:
        return self_test()
    if not a.src or not a.dst:
        ap.error("give SRC.pkl and DST.safetensors")
    try:
        convert(a.src, a.dst, a.net)
    except pickle.UnpicklingError as e:
        raise SystemExit(f"{a.src}: {e}")


if __name__ == "__main__":
    main()

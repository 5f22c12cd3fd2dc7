#!/usr/bin/python3
"""Write the Swift engine's parity fixtures to Tests/SC2EngineTests/Fixtures/parity/.

    /usr/bin/python3 tools/make_parity_fixtures.py [--out DIR]

For four small random StyleGAN2 generators (tools/sg2torch.py, every parameter perturbed so
that every code path matters) it writes the model itself and the reference outputs:

  nv16_clamp.safetensors  NVIDIA names, 16 px, z=w=32, 2 mapping layers, conv_clamp 0.5
  nv32.safetensors        NVIDIA names, 32 px, z=w=24, 3 mapping layers, no clamp
  ros16.pt                rosinality layout (torch zip), 16 px, z=w=32, 2 mapping layers
  ros32.pt                rosinality layout (torch zip), 32 px, z=w=16, 2 mapping layers
  <name>.expected.safetensors  float32 reference tensors (see EXPECTED below), the model's
                               configuration in __metadata__

and numpy_randn.json: {"<seed>": first 600 values of numpy.random.RandomState(seed).randn(600)}
for the Swift NumPyRandom test. Deterministic and idempotent: rerunning rewrites identical files.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import sg2torch  # noqa: E402

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "Tests", "SC2EngineTests", "Fixtures", "parity")

SEEDS = [0, 1, 42]           # z seeds of the expected outputs
PSI = 0.7                    # truncation of `w` / `img` / `img_preview` (all layers)
CUT_PSI, CUTOFF = 0.5, 2     # truncation of `w_cut` / `img_cut` (first CUTOFF rows only)
RANDN_SEEDS = [0, 1, 2, 42, 1234, 4294967295]
RANDN_COUNT = 600

MODELS = [
    dict(name="nv16_clamp", naming="nvidia", resolution=16, z_dim=32, w_dim=32, mapping_layers=2,
         channels={4: 32, 8: 16, 16: 16}, conv_clamp=0.5, seed=1601),
    dict(name="nv32", naming="nvidia", resolution=32, z_dim=24, w_dim=24, mapping_layers=3,
         channels={4: 16, 8: 16, 16: 8, 32: 8}, conv_clamp=None, seed=3201),
    dict(name="ros16", naming="rosinality", resolution=16, z_dim=32, w_dim=32, mapping_layers=2,
         channels={4: 16, 8: 16, 16: 8}, conv_clamp=None, seed=1602),
    dict(name="ros32", naming="rosinality", resolution=32, z_dim=16, w_dim=16, mapping_layers=2,
         channels={4: 16, 8: 8, 16: 8, 32: 8}, conv_clamp=None, seed=3202),
]

EXPECTED = """tensors in <name>.expected.safetensors (N = len(seeds), all float32 except seeds):
  seeds      [N] int32
  z          [N, z_dim]            numpy.random.RandomState(seed).randn(1, z_dim)
  w          [N, num_ws, w_dim]    mapping(z), psi, all rows truncated
  img        [N, 3, R, R]          synthesis(w), noise const
  img_preview[N, 3, R/2, R/2]      synthesis(w) stopped after block R/2, noise const
  w_cut      [N, num_ws, w_dim]    mapping(z), cutoff_psi on the first `cutoff` rows only
  img_cut    [N, 3, R, R]          synthesis(w_cut), noise const
  wplus      [N, num_ws, w_dim]    random W+ codes (every row different)
  img_wplus  [N, 3, R, R]          synthesis(wplus), noise none"""


# ----------------------------------------------------------------------------------------------
# Model construction


def build(cfg):
    torch.manual_seed(cfg["seed"])
    G = sg2torch.Generator(z_dim=cfg["z_dim"], w_dim=cfg["w_dim"], resolution=cfg["resolution"],
                           mapping_layers=cfg["mapping_layers"], channels=cfg["channels"],
                           conv_clamp=cfg["conv_clamp"])
    g = torch.Generator().manual_seed(cfg["seed"] + 7)

    def rnd(shape, scale=1.0, mean=0.0):
        return torch.randn(shape, generator=g) * scale + mean

    with torch.no_grad():
        m = G.mapping
        for i in range(m.num_layers):
            fc = getattr(m, f"fc{i}")
            # stored bias is scaled by lr_mul (0.01) at run time: make the effective bias ~0.3
            fc.bias.copy_(rnd(fc.bias.shape, 0.3 / fc.lr_mul))
        m.w_avg.copy_(rnd(m.w_avg.shape, 0.5))
        for r in G.synthesis.resolutions:
            b = getattr(G.synthesis, f"b{r}")
            if r == 4:
                b.const.copy_(rnd(b.const.shape))
            layers = [b.conv1] if r == 4 else [b.conv0, b.conv1]
            for L in layers:
                L.affine.bias.copy_(rnd(L.affine.bias.shape, 0.25, 1.0))
                L.bias.copy_(rnd(L.bias.shape, 0.3))
                L.noise_strength.copy_(0.1 + 0.4 * torch.rand([], generator=g))
                L.noise_const.copy_(rnd(L.noise_const.shape))
            b.torgb.affine.bias.copy_(rnd(b.torgb.affine.bias.shape, 0.25, 1.0))
            b.torgb.bias.copy_(rnd(b.torgb.bias.shape, 0.3))
            b.torgb.weight.mul_(0.3)  # keeps the summed image near [-2, 2] (like a trained net)
    G.eval()
    return G


def assert_same_state(a, b, what, scalar_as_1=False):
    """Exact equality of two state dicts. scalar_as_1: accept [1] for a 0-d tensor
    (tools/safetensors_io.py writes 0-d arrays as [1]: numpy.ascontiguousarray makes them 1-d)."""
    ka, kb = set(a), set(b)
    assert ka == kb, f"{what}: key mismatch: only left {sorted(ka - kb)}, only right {sorted(kb - ka)}"
    for k in sorted(ka):
        ta, tb = torch.as_tensor(a[k]), torch.as_tensor(b[k])
        if scalar_as_1 and ta.dim() + tb.dim() == 1 and ta.numel() == tb.numel() == 1:
            ta, tb = ta.reshape([]), tb.reshape([])
        assert ta.shape == tb.shape, f"{what}: {k} shape {tuple(ta.shape)} vs {tuple(tb.shape)}"
        assert ta.dtype == tb.dtype, f"{what}: {k} dtype {ta.dtype} vs {tb.dtype}"
        assert torch.equal(ta, tb), f"{what}: {k} differs"


# ----------------------------------------------------------------------------------------------
# Reference outputs


def count_clamped(G, ws, noise_mode):
    """Runs synthesis while counting the pre-clamp activations outside ±conv_clamp."""
    stats = {"clamped": 0, "total": 0}
    orig = sg2torch.bias_act

    def counting(x, b, act, clamp):
        y = orig(x, b, act, None)
        if clamp is not None:
            stats["clamped"] += int((y.abs() > clamp).sum())
            stats["total"] += y.numel()
            y = y.clamp(-clamp, clamp)
        return y

    sg2torch.bias_act = counting
    try:
        with torch.no_grad():
            G.synthesis(ws, noise_mode=noise_mode)
    finally:
        sg2torch.bias_act = orig
    return stats


def expected_outputs(G, cfg):
    R, num_ws, w_dim = cfg["resolution"], G.num_ws, cfg["w_dim"]
    z = torch.cat([sg2torch.seed_z(s, cfg["z_dim"]) for s in SEEDS])
    gen = torch.Generator().manual_seed(cfg["seed"] + 99)
    with torch.no_grad():
        w = G.mapping(z, psi=PSI)
        img = G.synthesis(w, noise_mode="const")
        img_preview = G.synthesis(w, noise_mode="const", stop_res=R // 2)
        w_cut = G.mapping(z, psi=CUT_PSI, cutoff=CUTOFF)
        img_cut = G.synthesis(w_cut, noise_mode="const")
        wplus = G.mapping.w_avg + torch.randn(len(SEEDS), num_ws, w_dim, generator=gen)
        img_wplus = G.synthesis(wplus, noise_mode="none")
    out = dict(seeds=np.array(SEEDS, dtype=np.int32), z=z, w=w, img=img, img_preview=img_preview,
               w_cut=w_cut, img_cut=img_cut, wplus=wplus, img_wplus=img_wplus)
    out = {k: (v if isinstance(v, np.ndarray) else v.detach().float().contiguous().numpy())
           for k, v in out.items()}

    # sanity checks: shapes, finiteness, and that the perturbations are visible
    N = len(SEEDS)
    assert out["z"].shape == (N, cfg["z_dim"])
    assert out["w"].shape == out["w_cut"].shape == out["wplus"].shape == (N, num_ws, w_dim)
    for k in ("img", "img_cut", "img_wplus"):
        assert out[k].shape == (N, 3, R, R), k
    assert out["img_preview"].shape == (N, 3, R // 2, R // 2)
    for k, v in out.items():
        assert np.all(np.isfinite(v)), k
    assert not np.allclose(out["w"][:, 0], out["w_cut"][:, 0])
    assert np.array_equal(out["w_cut"][:, CUTOFF:], out["w_cut"][:, CUTOFF:CUTOFF + 1].repeat(num_ws - CUTOFF, 1))
    assert not np.allclose(out["w_cut"][:, 0], out["w_cut"][:, CUTOFF])
    assert len({out["wplus"][0, i].tobytes() for i in range(num_ws)}) == num_ws
    for k in ("img", "img_cut", "img_wplus", "img_preview"):
        assert not np.allclose(out[k][0], out[k][1]), f"{k}: seeds give the same picture"
    with torch.no_grad():  # noise really matters
        img_none = G.synthesis(w, noise_mode="none")
    assert not np.allclose(img_none.numpy(), out["img"], atol=1e-4), "noise_const has no effect"
    stats = None
    if cfg["conv_clamp"] is not None:
        stats = count_clamped(G, w, "const")
        assert stats["clamped"] > 0, "conv_clamp never bites"
        assert stats["clamped"] < stats["total"], "conv_clamp clamps everything"
        # each block adds a ToRGB output clamped to ±c to an upsampled image (taps sum to 1)
        bound = cfg["conv_clamp"] * len(G.synthesis.resolutions) + 1e-5
        assert np.abs(out["img"]).max() <= bound, "clamp missing from the image path"
    return out, stats


def metadata(G, cfg, model_file):
    return {
        "format": "sc2gan-parity-1",
        "model": model_file,
        "naming": cfg["naming"],
        "resolution": cfg["resolution"],
        "z_dim": cfg["z_dim"],
        "w_dim": cfg["w_dim"],
        "num_ws": G.num_ws,
        "mapping_layers": cfg["mapping_layers"],
        "mapping_lr_mul": 0.01,
        "channels": json.dumps({str(k): v for k, v in sorted(cfg["channels"].items())}),
        "conv_clamp": "none" if cfg["conv_clamp"] is None else repr(float(cfg["conv_clamp"])),
        "seeds": json.dumps(SEEDS),
        "psi": repr(PSI),
        "cutoff_psi": repr(CUT_PSI),
        "cutoff": CUTOFF,
        "noise_mode": "img,img_cut,img_preview: const; img_wplus: none",
        "preview_res": cfg["resolution"] // 2,
    }


# ----------------------------------------------------------------------------------------------


def write_model(G, cfg, out_dir):
    sd = {k: v.detach().clone() for k, v in G.state_dict().items()}
    if cfg["naming"] == "nvidia":
        fname = f"{cfg['name']}.safetensors"
        path = os.path.join(out_dir, fname)
        safetensors_io.save(sd, path)
        back, _ = safetensors_io.load(path)
        assert_same_state({k: torch.from_numpy(v) for k, v in back.items()}, sd, f"{fname} reload", scalar_as_1=True)
    else:
        fname = f"{cfg['name']}.pt"
        path = os.path.join(out_dir, fname)
        ckpt = sg2torch.to_rosinality(G.state_dict(), G.num_ws, cfg["resolution"])
        # torch names the zip's top folder after the file's stem ("ros16/data.pkl"): write under
        # the final name in a scratch folder beside it, then move it into place atomically
        tmp_dir = os.path.join(out_dir, f".tmp-{os.getpid()}")
        os.makedirs(tmp_dir, exist_ok=True)
        torch.save(ckpt, os.path.join(tmp_dir, fname))
        os.replace(os.path.join(tmp_dir, fname), path)
        os.rmdir(tmp_dir)
        # self-test: the rosinality file, mapped back, is exactly the NVIDIA state dict
        loaded = torch.load(path, map_location="cpu")
        assert set(loaded) == {"g_ema", "latent_avg"}, sorted(loaded)
        back = sg2torch.from_rosinality(loaded, cfg["resolution"])
        assert_same_state(back, sd, f"{fname} -> NVIDIA names")
        # ... and no rosinality key was left unused
        n_used = len(sd) - 1  # latent_avg is outside g_ema
        assert len(loaded["g_ema"]) == n_used, (len(loaded["g_ema"]), n_used)
        # ... and a generator rebuilt from it renders identically
        G2 = sg2torch.Generator(z_dim=cfg["z_dim"], w_dim=cfg["w_dim"], resolution=cfg["resolution"],
                                mapping_layers=cfg["mapping_layers"], channels=cfg["channels"],
                                conv_clamp=cfg["conv_clamp"])
        G2.load_state_dict(back)
        z = sg2torch.seed_z(5, cfg["z_dim"])
        with torch.no_grad():
            assert torch.equal(G(z, PSI), G2(z, PSI)), f"{fname}: rebuilt generator differs"
    return fname, path


def write_randn(out_dir):
    data = {}
    for s in RANDN_SEEDS:
        v = np.random.RandomState(s).randn(RANDN_COUNT)
        # randn(1, n) (what the generate script calls) draws the same stream
        assert np.array_equal(np.random.RandomState(s).randn(1, 7)[0], v[:7])
        data[str(s)] = [float(x) for x in v]
    path = os.path.join(out_dir, "numpy_randn.json")
    text = "{\n" + ",\n".join(f'  "{k}": [' + ", ".join(repr(x) for x in vals) + "]"
                              for k, vals in data.items()) + "\n}\n"
    assert json.loads(text) == data
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    np.random.seed(0)

    print(f"parity fixtures -> {os.path.relpath(args.out, ROOT) if args.out.startswith(ROOT) else args.out}")
    for cfg in MODELS:
        G = build(cfg)
        fname, mpath = write_model(G, cfg, args.out)
        out, stats = expected_outputs(G, cfg)
        epath = os.path.join(args.out, f"{cfg['name']}.expected.safetensors")
        safetensors_io.save(out, epath, metadata=metadata(G, cfg, fname))
        n_params = sum(v.numel() for v in G.state_dict().values())
        clamp = (f", clamp {cfg['conv_clamp']} bites on {stats['clamped']}/{stats['total']} activations"
                 if stats else "")
        print(f"  {cfg['name']:<11} {cfg['naming']:<10} {cfg['resolution']:>2}px num_ws {G.num_ws:>2} "
              f"{n_params:>6} params  {fname} {os.path.getsize(mpath) / 1024:.1f} KiB, "
              f"expected {os.path.getsize(epath) / 1024:.1f} KiB; img range "
              f"[{out['img'].min():.3f}, {out['img'].max():.3f}]{clamp}")
    rpath = write_randn(args.out)
    print(f"  numpy_randn.json: seeds {RANDN_SEEDS}, {RANDN_COUNT} values each, "
          f"{os.path.getsize(rpath) / 1024:.1f} KiB")
    total = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out))
    assert total < 1024 * 1024, f"fixtures too large: {total} bytes"
    print(f"  total {total / 1024:.1f} KiB in {len(os.listdir(args.out))} files")
    print(EXPECTED)


if __name__ == "__main__":
    main()

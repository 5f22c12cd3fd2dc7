#!/usr/bin/python3
"""Makes the stylegan2-ada-pytorch fixture of the converter test
(Tests/CLITests/AdaSnapshotCLITests.swift) with NVIDIA's own code, which is not part of this
project: pass the path of a checkout of NVlabs/stylegan2-ada-pytorch.

    /usr/bin/python3 tools/make_ada_snapshot.py /tmp/stylegan2-ada-pytorch

Writes Tests/SC2EngineTests/Fixtures/ada/:
  network-snapshot.pkl   {training_set_kwargs, G, D, G_ema, augment_pipe: None}, pickled with
                         plain pickle.dump exactly as training/training_loop.py saves a snapshot:
                         every network is a torch_utils.persistence object, so the pickle
                         carries the official networks.py source as data (it is never run by
                         the converter or the tests) and numpy scalars (each layer's
                         weight_gain is a numpy.float64).
  official_psi1_seedN.png, official_psi07_seedN.png   G_ema's images for seeds 0-3 at
                         truncation 1 and 0.7, drawn as generate.py draws them (z from
                         RandomState(seed), noise_mode='const', x*127.5+128 clamped to uint8).

A tiny generator (32 px, 8 channels, 2 mapping layers, conv_clamp 256 as train.py's configs
use) runs on the CPU, where the official custom ops use their reference implementations. Every
weight and buffer is randomised (the official initialisation leaves biases, noise strengths
and w_avg at zero, which would test little), and G_ema differs from G."""
import argparse
import copy
import os
import pickle
import struct
import sys
import zlib

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "SC2EngineTests", "Fixtures", "ada")
SEEDS = [0, 1, 2, 3]


def write_png(path, rgb):
    """An 8-bit RGB PNG (no filter), written by hand to need nothing beyond numpy."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def randomise(module, seed):
    """Perturbs every weight and buffer around the official initialisation: 10% of its spread
    added to a random tensor, 0.1 * randn added to a constant one (zero biases and noise
    strengths, the affine layers' bias of 1, w_avg); the ToRGB weights are halved."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, v in list(module.named_parameters()) + list(module.named_buffers()):
            if name.endswith("resample_filter"):
                continue  # the FIR filter is a constant of the architecture
            spread = v.std().item() if v.numel() > 1 else 0.0
            v.add_(torch.randn(v.shape, generator=g) * (0.1 * spread if spread > 0 else 0.1))
            if name.endswith("torgb.weight"):
                v.mul_(0.5)  # fewer pixels clipped to 0 or 255, so that more of them test something


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("official", help="a checkout of NVlabs/stylegan2-ada-pytorch")
    ap.add_argument("--out", default=OUT)
    a = ap.parse_args()
    torch.set_num_threads(2)
    sys.path.insert(0, os.path.abspath(a.official))
    import dnnlib  # noqa: E402  (the official code)
    from training import networks  # noqa: E402

    common = dict(c_dim=0, img_resolution=32, img_channels=3)
    G = networks.Generator(z_dim=32, w_dim=32, **common, mapping_kwargs=dict(num_layers=2),
                           synthesis_kwargs=dict(channel_base=256, channel_max=8, num_fp16_res=0, conv_clamp=256))
    D = networks.Discriminator(**common, channel_base=256, channel_max=8, num_fp16_res=0, conv_clamp=256)
    randomise(G, 1)
    randomise(D, 2)
    G_ema = copy.deepcopy(G).eval()
    randomise(G_ema, 3)
    assert isinstance(G.synthesis.b8.conv0.affine.weight_gain, np.float64), "the layers hold numpy scalars"

    # training/training_loop.py, "Save network snapshot", with the kwargs train.py would record.
    training_set_kwargs = dnnlib.EasyDict(class_name="training.dataset.ImageFolderDataset", path="datasets/tiny.zip",
                                          use_labels=False, max_size=100, xflip=False, resolution=32)
    snapshot_data = dict(training_set_kwargs=dict(training_set_kwargs))
    for name, module in [("G", G), ("D", D), ("G_ema", G_ema), ("augment_pipe", None)]:
        if module is not None:
            module = copy.deepcopy(module).eval().requires_grad_(False).cpu()
        snapshot_data[name] = module
        del module
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "network-snapshot.pkl"), "wb") as f:
        pickle.dump(snapshot_data, f)

    # generate.py's drawing, on G_ema (const noise).
    for psi, tag in [(1.0, "psi1"), (0.7, "psi07")]:
        for seed in SEEDS:
            z = torch.from_numpy(np.random.RandomState(seed).randn(1, G_ema.z_dim))
            with torch.no_grad():
                img = G_ema(z, None, truncation_psi=psi, noise_mode="const")
            img = (img.permute(0, 2, 3, 1) * 127.5 + 128).clamp(0, 255).to(torch.uint8)
            write_png(os.path.join(a.out, f"official_{tag}_seed{seed}.png"), img[0].numpy())
    total = sum(os.path.getsize(os.path.join(a.out, n)) for n in os.listdir(a.out))
    print(f"wrote {len(os.listdir(a.out))} files, {total} bytes, in {a.out}")


if __name__ == "__main__":
    main()

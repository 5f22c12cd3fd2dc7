#!/usr/bin/python3
"""Writes a random-weight StyleGAN2 generator with NVIDIA key names as safetensors, for
benchmarks and load tests: config-f channels (base 32768, max 512, z = w = 512, 8 mapping
layers) at any resolution, or a small model.

    /usr/bin/python3 tools/bench/make_random_model.py --resolution 1024 --out .cache/configf-1024.safetensors
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))  # tools/lib: safetensors_io, sg2torch
import safetensors_io  # noqa: E402
import sg2torch  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--resolution", type=int, default=1024)
    ap.add_argument("--z-dim", type=int, default=512)
    ap.add_argument("--mapping-layers", type=int, default=8)
    ap.add_argument("--channel-base", type=int, default=32768)
    ap.add_argument("--channel-max", type=int, default=512)
    ap.add_argument("--conv-clamp", type=float, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    G = sg2torch.Generator(z_dim=a.z_dim, w_dim=a.z_dim, resolution=a.resolution, mapping_layers=a.mapping_layers,
                           channel_base=a.channel_base, channel_max=a.channel_max,
                           conv_clamp=a.conv_clamp if a.conv_clamp > 0 else None)
    with torch.no_grad():
        for name, p in G.named_parameters():
            if name.endswith("noise_strength"):
                p.uniform_(0.02, 0.2)
            elif name.endswith(".bias") and "affine" not in name:
                p.normal_(0, 0.1)
        G.mapping.w_avg.normal_(0, 0.5)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    meta = {"conv_clamp": a.conv_clamp if a.conv_clamp > 0 else "none", "mapping_lr_mul": 0.01,
            "source": "tools/bench/make_random_model.py (random weights)"}
    safetensors_io.save(G.state_dict(), a.out, meta)
    n = sum(p.numel() for p in G.parameters())
    print(f"wrote {a.out}: {a.resolution}px, {n / 1e6:.1f}M parameters")


if __name__ == "__main__":
    main()

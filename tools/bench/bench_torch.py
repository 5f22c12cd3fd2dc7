#!/usr/bin/python3
"""The PyTorch side of the generation benchmark: the same safetensors weights in
tools/lib/sg2torch.py, the same batch, seeds and noise mode, 2 threads. Prints one JSON line.

    /usr/bin/python3 tools/bench/bench_torch.py --model M.safetensors --batch 4 --iterations 3
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))  # tools/lib: safetensors_io, sg2torch
import safetensors_io  # noqa: E402
import sg2torch  # noqa: E402


def load(path):
    sd, meta = safetensors_io.load(path)
    layers = 0
    while f"mapping.fc{layers}.weight" in sd:
        layers += 1
    w_dim, z_dim = sd["mapping.fc0.weight"].shape
    channels, r = {}, 4
    while f"synthesis.b{r}.conv1.weight" in sd:
        channels[r] = sd[f"synthesis.b{r}.conv1.weight"].shape[0]
        r *= 2
    clamp = meta.get("conv_clamp", "none")
    G = sg2torch.Generator(z_dim=z_dim, w_dim=w_dim, resolution=r // 2, mapping_layers=layers, channels=channels,
                           conv_clamp=None if clamp in ("none", "None", "") else float(clamp))
    G.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items() if "resample_filter" not in k}, strict=True)
    return G.eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--iterations", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--write-pngs", metavar="DIR", help="generate --count images in batches and write each as DIR/seedNNNN.png "
                    "(PIL, its default compression), as `sc2gan generate` does: time the whole process from outside")
    ap.add_argument("--count", type=int, default=2048)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    G = load(a.model)
    if a.write_pngs:
        from PIL import Image
        os.makedirs(a.write_pngs, exist_ok=True)
        with torch.no_grad():
            for start in range(0, a.count, a.batch):
                seeds = range(start, min(a.count, start + a.batch))
                img = G(torch.cat([sg2torch.seed_z(s, G.z_dim) for s in seeds]))
                px = (img * 127.5 + 128).clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).numpy()
                for s, p in zip(seeds, px):
                    Image.fromarray(p).save(os.path.join(a.write_pngs, f"seed{s:04d}.png"))
        return

    def zs(i):
        return torch.cat([sg2torch.seed_z(i * a.batch + k, G.z_dim) for k in range(a.batch)])
    with torch.no_grad():
        G(zs(0))
        t0 = time.time()
        for i in range(a.iterations):
            G(zs(i))
        dt = time.time() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"engine": "pytorch", "torch": torch.__version__, "batch": a.batch,
                      "images_per_s": round(a.batch * a.iterations / dt, 3), "threads": a.threads,
                      "peak_rss_mib": round(rss, 1)}))


if __name__ == "__main__":
    main()

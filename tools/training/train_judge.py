#!/usr/bin/python3
"""Train FaceWorld's judge: an attribute predictor that shares nothing with the classifier the
pipeline uses (assets/faceworld/classifier.safetensors) except the attribute definitions, so that
`sc2gan evaluate` can score the results with a model the correction never saw.

What differs from tools/training/train_classifier.py, on purpose:
- architecture: a residual network in torchvision's ResNet layout (7x7 stride-2 stem with batch
  norm, 3x3 max pool, BasicBlock stages with strided 3x3 convs and 1x1 downsampling shortcuts,
  global average pooling, linear head) instead of a plain conv/avg-pool stack; sc2gan reads it
  with its torchvision ResNet predictor, keys and all;
- data: its own renders (other seeds), with its own augmentation (stronger blur, JPEG-like
  block noise is not used; random resized crops and horizontal flips are), its own init seed;

    sc2gan faceworld render --preset independent --count 30000 --seed 21 --out .train/data/judge-train
    sc2gan faceworld render --preset independent --count 4000 --seed 22 --out .train/data/judge-test
    /usr/bin/python3 tools/training/train_judge.py --out assets/faceworld/judge.safetensors

The file holds torchvision's key names (conv1.weight, bn1.running_mean, layer1.0.conv1.weight,
..., fc.bias) and, in its metadata, what sc2gan needs to run it (attributes, input size, resize,
head layout, domain)."""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))  # tools/lib: safetensors_io, sg2torch
import safetensors_io  # noqa: E402
from train_classifier import load, to_float, evaluate as evaluate_with_scores  # noqa: E402  (same data format)


def evaluate(model, x, y):
    return evaluate_with_scores(model, x, y)[0]

ATTRS = ["age", "eyeglasses", "lipstick", "long_hair", "smile", "beard"]
WIDTHS = [32, 48, 64, 96]
INPUT = 64


class Block(nn.Module):
    """torchvision's BasicBlock, same attribute names (conv1, bn1, conv2, bn2, downsample)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class Judge(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, WIDTHS[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(WIDTHS[0])
        cin = WIDTHS[0]
        for i, c in enumerate(WIDTHS):
            setattr(self, f"layer{i + 1}", nn.Sequential(Block(cin, c, 1 if i == 0 else 2)))
            cin = c
        self.fc = nn.Linear(cin, len(ATTRS))

    def forward(self, x):
        if x.shape[-1] != INPUT:
            x = F.interpolate(x, size=(INPUT, INPUT), mode="bilinear", align_corners=False)
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        for i in range(len(WIDTHS)):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(x.mean((2, 3)))


def augment(x):
    """Random resized crop (scale 0.85-1), flip, Gaussian blur of random width, brightness and
    contrast jitter, pixel noise: GAN samples are softer and noisier than renders."""
    n, _, h, w = x.shape
    s = float(np.random.uniform(0.85, 1.0))
    ch, cw = int(round(h * s)), int(round(w * s))
    oy, ox = np.random.randint(0, h - ch + 1), np.random.randint(0, w - cw + 1)
    x = F.interpolate(x[:, :, oy:oy + ch, ox:ox + cw], size=(h, w), mode="bilinear", align_corners=False)
    flip = torch.rand(n) < 0.5
    x[flip] = x[flip].flip(3)
    sigma = float(np.random.uniform(0.1, 1.2))
    r = torch.arange(-2, 3, dtype=torch.float32)
    g = torch.exp(-r * r / (2 * sigma * sigma))
    g = g / g.sum()
    k = (g[:, None] * g[None, :])[None, None].repeat(3, 1, 1, 1)
    x = F.conv2d(F.pad(x, [2, 2, 2, 2], mode="replicate"), k, groups=3)
    mean = x.mean((1, 2, 3), keepdim=True)
    x = (x - mean) * (1 + 0.15 * torch.randn(n, 1, 1, 1)) + mean + 0.08 * torch.randn(n, 1, 1, 1)
    x = x + 0.04 * torch.rand(n, 1, 1, 1) * torch.randn_like(x)
    return x.clamp(-1, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", default=".train/data/judge-train")
    ap.add_argument("--test", default=".train/data/judge-test")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="assets/faceworld/judge.safetensors")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    xtr, ytr = load(a.train)
    xte, yte = load(a.test)
    model = Judge()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = a.epochs * (len(xtr) // a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    t0 = time.time()
    step = 0
    for ep in range(a.epochs):
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr) - a.batch + 1, a.batch):
            idx = perm[i:i + a.batch]
            loss = F.binary_cross_entropy_with_logits(model(augment(to_float(xtr[idx]))), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 100 == 0:
                print(f"epoch {ep} step {step}/{steps} loss {loss.item():.4f} ({time.time() - t0:.0f}s)", flush=True)
        acc = evaluate(model, xte, yte)
        print(f"epoch {ep}: held-out accuracy " + ", ".join(f"{n} {v * 100:.2f}%" for n, v in zip(ATTRS, acc)), flush=True)
    acc = evaluate(model, xte, yte)
    report = {n: float(v) for n, v in zip(ATTRS, acc)}
    print(json.dumps(report, indent=1))
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    meta = {"attributes": ",".join(ATTRS), "architecture": "torchvision-resnet", "input_size": str(INPUT),
            "resize": "bilinear", "align_corners": "false", "head": "sigmoid", "domain": "faceworld",
            "input": f"rgb {INPUT}x{INPUT} in [-1,1], NCHW", "widths": ",".join(map(str, WIDTHS)),
            "accuracy": json.dumps(report), "source": "tools/train_judge.py", "seed": str(a.seed),
            "seconds": f"{time.time() - t0:.0f}"}
    safetensors_io.save(state, a.out, meta)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()

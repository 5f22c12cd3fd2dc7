#!/usr/bin/python3
"""Train FaceWorld's attribute classifier: a small CNN with six sigmoid outputs (age, eyeglasses,
lipstick, long_hair, smile, beard), on renders of the *independent* preset so that it cannot
learn the biased world's shortcuts (grey hair => glasses). Augmented with blur, noise, colour
and shift jitter so that it transfers to GAN samples. Exports safetensors for the Swift
AttributeClassifier.

    sc2gan faceworld render --preset independent --count 40000 --seed 2 --out .train/data/cls-train
    sc2gan faceworld render --preset independent --count 4000 --seed 3 --out .train/data/cls-test
    sc2gan faceworld render --preset biased --count 4000 --seed 4 --out .train/data/cls-test-biased
    /usr/bin/python3 tools/training/train_classifier.py --out assets/faceworld/classifier.safetensors

Architecture (input 64x64 RGB in [-1, 1], NCHW): four [conv3x3 pad 1 + bias, lrelu 0.2,
avgpool 2] stages with 16, 32, 64, 64 channels, flatten (C, H, W order), fc 1024->128 + lrelu,
fc 128->6. Outputs are logits; p = sigmoid(logit)."""
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

ATTRS = ["age", "eyeglasses", "lipstick", "long_hair", "smile", "beard"]
CHANNELS = [16, 32, 64, 64]


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        cin = 3
        for i, c in enumerate(CHANNELS):
            setattr(self, f"conv{i}", nn.Conv2d(cin, c, 3, padding=1))
            cin = c
        self.fc0 = nn.Linear(cin * 16, 128)
        self.fc1 = nn.Linear(128, len(ATTRS))

    def forward(self, x):
        for i in range(len(CHANNELS)):
            x = F.avg_pool2d(F.leaky_relu(getattr(self, f"conv{i}")(x), 0.2), 2)
        x = F.leaky_relu(self.fc0(x.flatten(1)), 0.2)
        return self.fc1(x)


def load(stem):
    imgs = np.load(stem + ".images.npy")
    labels = np.load(stem + ".labels.npy").astype(np.float32)
    return torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(labels)


def to_float(u8):
    return u8.float() / 127.5 - 1


def augment(x):
    n = x.shape[0]
    # Blur a random half (3x3 binomial, random strength), like GAN samples' softness.
    k = torch.tensor([1.0, 2.0, 1.0])
    k = (k[:, None] * k[None, :]) / 16
    blurred = F.conv2d(F.pad(x, [1, 1, 1, 1], mode="replicate"), k[None, None].repeat(3, 1, 1, 1), groups=3)
    a = (torch.rand(n, 1, 1, 1) < 0.5).float() * torch.rand(n, 1, 1, 1)
    x = x * (1 - a) + blurred * a
    # Colour gain/offset jitter, noise.
    x = x * (1 + 0.1 * torch.randn(n, 3, 1, 1)) + 0.05 * torch.randn(n, 3, 1, 1)
    x = x + torch.rand(n, 1, 1, 1) * 0.06 * torch.randn_like(x)
    # Small shifts.
    dx, dy = np.random.randint(-2, 3, size=2)
    x = torch.roll(x, shifts=(int(dy), int(dx)), dims=(2, 3))
    return x.clamp(-1, 1)


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        p = torch.cat([torch.sigmoid(model(to_float(x[i:i + 500]))) for i in range(0, len(x), 500)])
    model.train()
    return ((p > 0.5).float() == y).float().mean(0).numpy(), p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", default=".train/data/cls-train")
    ap.add_argument("--test", default=".train/data/cls-test")
    ap.add_argument("--test-biased", default=".train/data/cls-test-biased")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="assets/faceworld/classifier.safetensors")
    ap.add_argument("--seed", type=int, default=0,
                    help="initialisation and batch order (the generator's teacher uses another seed and other renders)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    xtr, ytr = load(a.train)
    xte, yte = load(a.test)
    model = Classifier()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps = a.epochs * (len(xtr) // a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    t0 = time.time()
    step = 0
    for ep in range(a.epochs):
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr) - a.batch + 1, a.batch):
            idx = perm[i:i + a.batch]
            x = augment(to_float(xtr[idx]))
            loss = F.binary_cross_entropy_with_logits(model(x), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 100 == 0:
                print(f"epoch {ep} step {step}/{steps} loss {loss.item():.4f} ({time.time() - t0:.0f}s)", flush=True)
        acc, _ = evaluate(model, xte, yte)
        print(f"epoch {ep}: held-out accuracy " + ", ".join(f"{n} {v * 100:.2f}%" for n, v in zip(ATTRS, acc)), flush=True)
    acc, _ = evaluate(model, xte, yte)
    report = {"independent": {n: float(v) for n, v in zip(ATTRS, acc)}}
    if os.path.exists(a.test_biased + ".images.npy"):
        xb, yb = load(a.test_biased)
        accb, _ = evaluate(model, xb, yb)
        report["biased"] = {n: float(v) for n, v in zip(ATTRS, accb)}
    print(json.dumps(report, indent=1))
    # "source" is a marker, not a path: the name this script had when the shipped files were made,
    # which sc2gan (AttributeClassifier.swift) and tools/scorers/faceworld_scorer.py read as FaceWorld's.
    meta = {"attributes": ",".join(ATTRS), "input": "rgb 64x64 in [-1,1], NCHW", "architecture": "sc2gan-cnn-1",
            "channels": ",".join(map(str, CHANNELS)), "accuracy": json.dumps(report), "source": "tools/train_classifier.py"}
    safetensors_io.save(model.state_dict(), a.out, meta)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()

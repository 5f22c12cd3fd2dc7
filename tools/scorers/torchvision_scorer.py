#!/usr/bin/python3
"""Any torchvision classifier served over sc2gan-scorer/1 (docs/SCORER.md): a state-dict file,
the architecture's name and the names of its outputs. Each output is an attribute; scores are
sigmoid(logit) (multi-label heads, e.g. a CelebA ResNet) or softmax over the outputs.

    sc2gan directions fit --attribute Smiling --scorer '/usr/bin/python3 tools/scorers/torchvision_scorer.py
        --arch resnet50 --weights celeba_resnet50.pt --attributes-file celeba40.txt --input-size 224'

  --weights          torch.save of a state dict (also {'state_dict': ...} or {'model': ...};
                     a 'module.' prefix from DataParallel is dropped); read with weights_only
  --attributes       comma-separated output names (or --attributes-file, one per line)
  --input-size       the side sc2gan resizes images to (default 224)
  --mean / --std     per-channel normalisation of [0, 1] RGB (default ImageNet's)
  --activation       sigmoid (default) or softmax

  --make-example W --arch A --attributes ...   writes a randomly initialised state dict (seed 0)
  --score-rgb FILE N                           scores N images of raw RGB bytes directly, no protocol
                                               (the tests compare the two)"""
import argparse
import hashlib
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sc2gan_scorer  # noqa: E402


def build(arch, classes):
    import torchvision
    factory = getattr(torchvision.models, arch, None)
    if factory is None or not callable(factory):
        raise SystemExit(f"torchvision has no model {arch!r}")
    return factory(num_classes=classes)


def load_state(path):
    state = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    return {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--weights")
    ap.add_argument("--attributes")
    ap.add_argument("--attributes-file")
    ap.add_argument("--input-size", type=int, default=224)
    ap.add_argument("--mean", type=float, nargs=3, default=[0.485, 0.456, 0.406])
    ap.add_argument("--std", type=float, nargs=3, default=[0.229, 0.224, 0.225])
    ap.add_argument("--activation", choices=["sigmoid", "softmax"], default="sigmoid")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--make-example")
    ap.add_argument("--score-rgb", nargs=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.attributes_file:
        with open(a.attributes_file) as f:
            attributes = [line.strip() for line in f if line.strip()]
    elif a.attributes:
        attributes = [s.strip() for s in a.attributes.split(",")]
    else:
        ap.error("give --attributes or --attributes-file")
    if a.make_example:
        torch.manual_seed(0)
        torch.save(build(a.arch, len(attributes)).state_dict(), a.make_example)
        return
    if not a.weights:
        ap.error("give --weights")
    model = build(a.arch, len(attributes))
    model.load_state_dict(load_state(a.weights))
    model.eval()
    mean = torch.tensor(a.mean).view(1, 3, 1, 1)
    std = torch.tensor(a.std).view(1, 3, 1, 1)

    def score(images):
        x = (torch.from_numpy(images.copy()).permute(0, 3, 1, 2).float() / 255 - mean) / std
        with torch.no_grad():
            logits = model(x)
        p = torch.sigmoid(logits) if a.activation == "sigmoid" else torch.softmax(logits, 1)
        return p.double().numpy()

    if a.score_rgb:
        path, n = a.score_rgb[0], int(a.score_rgb[1])
        images = np.fromfile(path, dtype=np.uint8).reshape(n, a.input_size, a.input_size, 3)
        np.savetxt(sys.stdout, score(images), fmt="%.9g")
        return
    with open(a.weights, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    identity = f"torchvision-{a.arch}-{digest}-{a.activation}-{a.mean}-{a.std}"
    sc2gan_scorer.serve(attributes, a.input_size, score, identity=identity)


if __name__ == "__main__":
    main()

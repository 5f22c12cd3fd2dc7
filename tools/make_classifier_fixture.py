#!/usr/bin/python3
"""Fixture for the Swift AttributeClassifier: 16 rendered faces (uint8, from a held-out render)
and the PyTorch classifier's logits on them, for the committed classifier in assets/.

    /usr/bin/python3 tools/make_classifier_fixture.py --data .train/data/cls-test-biased \
        --classifier assets/faceworld/classifier.safetensors \
        --out Tests/SC2EngineTests/Fixtures/classifier/faces16.safetensors
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from train_classifier import Classifier  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=".train/data/cls-test-biased")
    ap.add_argument("--classifier", default="assets/faceworld/classifier.safetensors")
    ap.add_argument("--out", default="Tests/SC2EngineTests/Fixtures/classifier/faces16.safetensors")
    ap.add_argument("--count", type=int, default=16)
    a = ap.parse_args()
    torch.set_num_threads(1)
    sd, meta = safetensors_io.load(a.classifier)
    model = Classifier()
    model.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
    model.eval()
    imgs = np.load(a.data + ".images.npy", mmap_mode="r")[:a.count]
    labels = np.load(a.data + ".labels.npy")[:a.count]
    x = torch.from_numpy(np.array(imgs)).permute(0, 3, 1, 2).float() / 127.5 - 1
    with torch.no_grad():
        logits = model(x)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    safetensors_io.save({"images": torch.from_numpy(np.array(imgs)).permute(0, 3, 1, 2).contiguous().float(),
                         "labels": torch.from_numpy(labels.astype(np.float32)), "logits": logits},
                        a.out, {"classifier_hash_note": "logits of assets/faceworld/classifier.safetensors",
                                "images": "uint8 values stored as float32, NCHW"})
    agree = ((logits > 0).numpy() == (labels > 0)).mean()
    print(f"wrote {a.out}: {a.count} faces, PyTorch labels agree with ground truth on {agree * 100:.1f}%")


if __name__ == "__main__":
    main()

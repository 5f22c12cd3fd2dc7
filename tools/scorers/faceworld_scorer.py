#!/usr/bin/python3
"""FaceWorld's attribute classifier served over sc2gan-scorer/1 (docs/SCORER.md): the same
network as sc2gan's built-in one (tools/training/train_classifier.py), run by torch. Its scores match
the built-in classifier's (Tests/SC2EngineTests/ExternalScorerTests.swift checks 1e-4).

    sc2gan directions fit --attribute smile --scorer '/usr/bin/python3 tools/scorers/faceworld_scorer.py'
    ... --scorer '/usr/bin/python3 tools/scorers/faceworld_scorer.py --classifier other.safetensors'"""
import argparse
import hashlib
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))       # safetensors_io
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "training"))  # train_classifier
import safetensors_io  # noqa: E402
import sc2gan_scorer  # noqa: E402
import train_classifier  # noqa: E402

DEFAULT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "assets", "faceworld", "classifier.safetensors")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--classifier", default=DEFAULT, help="a classifier written by tools/training/train_classifier.py")
    a = ap.parse_args()
    torch.set_num_threads(1)
    tensors, meta = safetensors_io.load(a.classifier)
    model = train_classifier.Classifier()
    model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()})
    model.eval()
    attributes = meta.get("attributes", ",".join(train_classifier.ATTRS)).split(",")
    with open(a.classifier, "rb") as f:
        identity = "faceworld-classifier-" + hashlib.sha256(f.read()).hexdigest()[:16]
    size = 4 * 2 ** len(train_classifier.CHANNELS)  # the 4x4 map fc0 reads, before the pools: 64 px
    domain = meta.get("domain") or ("faceworld" if meta.get("source") == "tools/train_classifier.py" else None)

    def score(images):
        x = torch.from_numpy(images.copy()).permute(0, 3, 1, 2).float() / 127.5 - 1
        with torch.no_grad():
            return torch.sigmoid(model(x)).numpy()

    sc2gan_scorer.serve(attributes, size, score, domain=domain, identity=identity)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Write the normals of a --lin-weight run's linear head (RUN/lin_head.pt) as sc2gan direction files.

With --lin-ortho and --lin-edit the generator is trained to follow these half-spaces of W also where
the data are sparse, so each normal is a known disentangled direction: the ground truth the
original, conditional and SC² directions can be compared with. The files copy the provenance of a
direction fitted on the same model (so that sc2gan accepts them for it) and are named
ATTRIBUTE.interfacegan.json, for `sc2gan evaluate --methods original`.

    /usr/bin/python3 tools/research/head_directions.py --head RUN/lin_head.pt --like DIR/age.interfacegan.json --out HEAD_DIR
"""
import argparse
import json
import os
import tempfile

import torch

ATTRIBUTES = ["age", "eyeglasses", "lipstick", "long_hair", "smile", "beard"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--head", required=True, help="lin_head.pt of a --lin-weight run")
    ap.add_argument("--like", required=True, help="a direction file fitted on the same model (provenance)")
    ap.add_argument("--out", required=True, help="output folder")
    args = ap.parse_args()
    weight = torch.load(args.head, map_location="cpu", weights_only=True)["weight"]
    if weight.shape[0] != len(ATTRIBUTES):
        raise SystemExit(f"error: {args.head}: expected {len(ATTRIBUTES)} head rows, found {weight.shape[0]}")
    like = json.load(open(args.like))
    if len(like["vector"]) != weight.shape[1]:
        raise SystemExit(f"error: {args.like} has {len(like['vector'])} dimensions, the head {weight.shape[1]}")
    normals = torch.nn.functional.normalize(weight.double(), dim=1)
    cos = normals @ normals.t()
    os.makedirs(args.out, exist_ok=True)
    for i, name in enumerate(ATTRIBUTES):
        d = dict(like, attribute=name, method="interfacegan", vector=[float(v) for v in normals[i]])
        d["provenance"] = dict(like["provenance"], source=f"normal of {args.head}")
        fd, tmp = tempfile.mkstemp(dir=args.out, suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            json.dump(d, f, indent=2)
        os.replace(tmp, os.path.join(args.out, f"{name}.interfacegan.json"))
    off = (cos - torch.eye(len(ATTRIBUTES), dtype=cos.dtype)).abs().max()
    print(f"wrote {len(ATTRIBUTES)} head normals to {args.out} (largest |cosine| between two: {off:.3f})")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""SeFa (Shen & Zhou 2021) in NumPy, from the published formula, as the reference for sc2gan's
own: stack the style affine weights of the synthesis convolutions (not ToRGB), normalise each
output channel's weight vector, and take the eigenvectors of A^T A by decreasing eigenvalue.
Reads an NVIDIA-named .safetensors generator (no torch needed).
  /usr/bin/python3 tools/sefa_reference.py MODEL.safetensors [--top K]   # JSON on stdout"""
import argparse, json, re
import numpy as np

import safetensors_io


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--top", type=int, default=5)
    args = ap.parse_args()
    t = {k: v.astype(np.float64) for k, v in safetensors_io.load(args.model)[0].items()}
    names = sorted(k for k in t if re.fullmatch(r"synthesis\.b\d+\.conv[01]\.affine\.weight", k))
    weight = np.concatenate([t[k].T for k in names], axis=1)                  # [w_dim, sum C]
    weight = weight / np.linalg.norm(weight, axis=0, keepdims=True)           # each channel's column
    values, vectors = np.linalg.eigh(weight.dot(weight.T))                   # symmetric: eigh
    order = np.argsort(values)[::-1][:args.top]
    print(json.dumps({"layers": names, "eigenvalues": values[order].tolist(), "vectors": vectors[:, order].T.tolist()}))


if __name__ == "__main__":
    main()

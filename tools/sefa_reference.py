#!/usr/bin/env python3
"""SeFa (Shen & Zhou 2021) in NumPy, from the published formula, as the reference for sc2gan's
own: stack the style affine weights of the synthesis convolutions (not ToRGB), normalise each
output channel's weight vector, and take the eigenvectors of A^T A by decreasing eigenvalue.
Reads an NVIDIA-named .safetensors generator (no torch needed).
  /usr/bin/python3 tools/sefa_reference.py MODEL.safetensors [--top K]   # JSON on stdout"""
import argparse, json, re, struct
import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    kinds = {"F32": "<f4", "F16": "<f2", "F64": "<f8"}
    out = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + a:8 + n + b], dtype=kinds[h["dtype"]]).reshape(h["shape"]).astype(np.float64)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--top", type=int, default=5)
    args = ap.parse_args()
    t = read_safetensors(args.model)
    names = sorted(k for k in t if re.fullmatch(r"synthesis\.b\d+\.conv[01]\.affine\.weight", k))
    weight = np.concatenate([t[k].T for k in names], axis=1)                  # [w_dim, sum C]
    weight = weight / np.linalg.norm(weight, axis=0, keepdims=True)           # each channel's column
    values, vectors = np.linalg.eigh(weight.dot(weight.T))                   # symmetric: eigh
    order = np.argsort(values)[::-1][:args.top]
    print(json.dumps({"layers": names, "eigenvalues": values[order].tolist(), "vectors": vectors[:, order].T.tolist()}))


if __name__ == "__main__":
    main()

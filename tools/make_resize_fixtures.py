#!/usr/bin/python3
"""Reference fixtures for the area-average resize (Sources/Resampling/AreaAverage.swift):
torch.nn.functional.adaptive_avg_pool2d, which F.interpolate(mode='area') is, on small seeded
batches at integer and non-integer ratios, shrinking and growing, several channels.

    /usr/bin/python3 tools/make_resize_fixtures.py --out Tests/TensorTests/Fixtures/area_resize.json

Each case holds the input [N, C, H, W] as float32 values and torch's output computed in float64
from them (the exact mean of each window), both written as the shortest decimal that reads back
as the same float32 (within 3e-8 of the float64 mean; the test allows 1e-6). Cases named "bytes-..." hold whole numbers 0...255:
the 8-bit resize must give torch's mean rounded to the nearest integer (halves away from zero).
Needs Debian's python3-torch.
"""
import argparse
import json

import numpy as np
import torch
import torch.nn.functional as F

# (name, N, C, H, W, OH, OW)
CASES = [
    ("7to3", 1, 3, 7, 7, 3, 3),
    ("64to24", 1, 2, 64, 64, 24, 24),
    ("10to4", 2, 2, 10, 10, 4, 4),
    ("5to8", 1, 3, 5, 5, 8, 8),
    ("7x10to3x4", 1, 2, 7, 10, 3, 4),
    ("5x9to8x4", 1, 3, 5, 9, 8, 4),
    ("6x4to9x10", 1, 1, 6, 4, 9, 10),
    ("3to1", 1, 3, 3, 3, 1, 1),
    ("16to8", 1, 3, 16, 16, 8, 8),
    ("bytes-7to3", 1, 3, 7, 7, 3, 3),
    ("bytes-10x6to4x5", 1, 3, 10, 6, 4, 5),
    ("bytes-5to8", 1, 3, 5, 5, 8, 8),
]


class Raw:
    """A tensor written as a JSON array of shortest float32 decimals (json.dumps would write
    each float64 value in full)."""
    made = []

    def __init__(self, t):
        self.key = "@raw%d@" % len(Raw.made)
        values = t.flatten().numpy().astype(np.float32)
        self.text = "[" + ",".join(np.format_float_positional(v, unique=True, trim="-") for v in values) + "]"
        Raw.made.append(self)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(20240624)
    cases = []
    for name, n, c, h, w, oh, ow in CASES:
        if name.startswith("bytes-"):
            x = torch.randint(0, 256, (n, c, h, w), generator=g).to(torch.float32)
        else:
            x = (torch.rand((n, c, h, w), generator=g) * 2 - 1).to(torch.float32)
        want = F.adaptive_avg_pool2d(x.double(), (oh, ow))
        # mode='area' is the same operation (checked here so the fixture says what both do).
        alt = F.interpolate(x.double(), size=(oh, ow), mode="area")
        assert torch.equal(want, alt), name
        cases.append({
            "name": name, "shape": [n, c, h, w], "output": [oh, ow],
            "input": Raw(x), "expected": Raw(want),
        })
    text = json.dumps({"generator": "tools/make_resize_fixtures.py", "torch": torch.__version__, "cases": cases},
                      default=lambda r: r.key)
    for r in Raw.made:
        text = text.replace(json.dumps(r.key), r.text)
    with open(args.out, "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()

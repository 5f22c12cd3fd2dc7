#!/usr/bin/env python3
"""Where each fitted direction points, relative to its base: for every restart folder of an
evaluation (OUT/fits/restart-R), each method's unit direction split into three orthogonal parts:
along the conditional direction (the target with the correlated attributes projected out), along
the part of the original that the conditional removed (the correlated attributes' share), and the
rest (orthogonal to both). Mean and spread over restarts.

  /usr/bin/python3 tools/research/direction_components.py eval/shipped/fits lipstick [--methods sc2,sc2-dense-only]
  /usr/bin/python3 tools/research/direction_components.py eval/bases/fits/class-mean age   # another base's fits

A corrected direction that keeps a large "correlated" part still carries the correlated attribute
along; "rest" is the share the re-fit moved to directions neither base method uses.
"""
import argparse, json, os, sys
import numpy as np


def unit(path):
    with open(path) as f:
        v = np.array(json.load(f)["vector"], dtype=float)
    return v / np.linalg.norm(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("fits", help="the fits folder of an evaluation (holds restart-0, restart-1, ...)")
    ap.add_argument("attribute")
    ap.add_argument("--methods", default="interfacegan,sc2,sc2-dense-only,sc2-conditional")
    a = ap.parse_args()
    restarts = sorted(d for d in os.listdir(a.fits) if d.startswith("restart-"))
    if not restarts:
        sys.exit(f"direction_components: no restart-* folders in {a.fits}")
    parts = {m: [] for m in a.methods.split(",")}
    for r in restarts:
        folder = os.path.join(a.fits, r)
        orig_name, cond_name = f"{a.attribute}.interfacegan.json", f"{a.attribute}.conditional.json"
        try:
            o, c = unit(os.path.join(folder, orig_name)), unit(os.path.join(folder, cond_name))
        except FileNotFoundError as e:
            sys.exit(f"direction_components: {e.filename} is missing")
        corr = o - (o @ c) * c
        corr /= np.linalg.norm(corr)
        for m in parts:
            name = orig_name if m == "interfacegan" else f"{a.attribute}.{m}.json"
            p = os.path.join(folder, name)
            if not os.path.exists(p):
                continue
            x = unit(p)
            along_c, along_corr = x @ c, x @ corr
            parts[m].append((along_c, along_corr, np.sqrt(max(0.0, 1 - along_c ** 2 - along_corr ** 2))))
    print(f"{a.attribute}: {len(restarts)} restarts in {a.fits}")
    print(f"{'method':<18} {'conditional':>14} {'correlated':>14} {'rest':>14}")
    for m, rows in parts.items():
        if not rows:
            continue
        v = np.array(rows)
        cells = [f"{v[:, k].mean():.2f} ± {v[:, k].std(ddof=1) if len(v) > 1 else 0:.2f}" for k in range(3)]
        print(f"{m:<18} {cells[0]:>14} {cells[1]:>14} {cells[2]:>14}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Rank FaceWorld generator snapshots by issue 3's acceptance numbers.

    /usr/bin/python3 tools/rank_snapshots.py .train/gan/snap-*.safetensors [--samples 1000]

For each snapshot, runs `sc2gan faceworld report --json` (release build) and prints the share of
samples confident on every attribute, the largest gap between generated and training-data
frequencies, and the generated phi of the designed pairs. Sorted best first: snapshots that meet
both bars (>= 80% confident, gaps <= 5 points) by gap, then the rest.

--linearity smile,lipstick also fits InterFaceGAN directions for those attributes on
--linearity-samples seeds (`sc2gan directions fit`, a throwaway cache) and prints their validation
accuracy: how linearly W separates each attribute, which the SC² pipeline relies on (a later
snapshot can match the marginals better yet have a W in which mouth attributes are not linear)."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("snapshots", nargs="+")
ap.add_argument("--samples", type=int, default=1000)
ap.add_argument("--binary", default=".build/release/sc2gan")
ap.add_argument("--linearity", default="", help="comma-separated attributes whose SVM validation accuracy to report")
ap.add_argument("--linearity-samples", type=int, default=4000)
args = ap.parse_args()

rows = []
for snap in args.snapshots:
    with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
        r = subprocess.run([args.binary, "faceworld", "report", "--model", snap, "--samples", str(args.samples),
                            "--json", tmp.name], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"{snap}: report failed: {r.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        j = json.load(open(tmp.name))
    names = j["attributes"]
    gaps = [abs(g - d) * 100 for g, d in zip(j["generated_frequency"], j["data_frequency"])]
    worst = max(range(len(gaps)), key=lambda k: gaps[k])
    phi = j["generated_phi"]
    ix = {n: i for i, n in enumerate(names)}
    pairs = [("age", "eyeglasses"), ("lipstick", "long_hair"), ("lipstick", "beard")]
    phis = " ".join(f"{a[:3]}-{b[:3]} {phi[ix[a]][ix[b]]:+.2f}" for a, b in pairs if a in ix and b in ix)
    for attr in filter(None, args.linearity.split(",")):
        with tempfile.TemporaryDirectory() as cache:
            out = os.path.join(cache, "d.json")
            r = subprocess.run([args.binary, "directions", "fit", "--model", snap, "--samples", str(args.linearity_samples),
                                "--attribute", attr, "--cache", cache, "--out", out], capture_output=True, text=True)
            acc = json.load(open(out))["provenance"].get("validation_accuracy") if r.returncode == 0 else None
        phis += f" {attr[:5]} {float(acc) * 100:.0f}%" if acc else f" {attr[:5]} failed"
    ok = j["confident_all"] >= 0.8 and max(gaps) <= 5
    rows.append((not ok, max(gaps), os.path.basename(snap), j["confident_all"] * 100, names[worst], phis))
    print(f"{os.path.basename(snap)}: confident {j['confident_all'] * 100:.1f}%, largest gap {max(gaps):.1f} pts ({names[worst]}), {phis}",
          flush=True)
print("\nbest first:")
for bad, gap, name, conf, worst, phis in sorted(rows):
    print(f"{'ok ' if not bad else '   '} {name}  confident {conf:5.1f}%  gap {gap:4.1f} ({worst})  {phis}")

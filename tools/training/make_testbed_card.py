#!/usr/bin/env python3
"""Measures a FaceWorld testbed generator and writes its model card (MODEL_CARD.md and card.json
in the testbed's folder): how rare each biased pair's rare combinations are in the training data
and in the generator's samples (does the generator drop them?), the correlations and the cosines
between the attributes' InterFaceGAN normals, and, from a validation evaluation, each method's
leakage (the conditional manipulation's above all: the regime is the one where it fails) and how
many real rare samples the dense-only ablation found per fit. numpy and the built sc2gan only.

    /usr/bin/python3 tools/training/make_testbed_card.py --testbed assets/testbeds/strong \\
        --data .train/data/faceworld-strong --eval eval-strong/validation

--eval names the output folder of a validation run of `sc2gan evaluate` on this generator
(methods original, conditional, sc2-dense-only at least); without it the card has no leakage
section. The history paragraph is read from HISTORY.md in the testbed's folder when present.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sc2gan(args):
    binary = os.environ.get("SC2GAN_BIN", os.path.join(ROOT, ".build", "release", "sc2gan"))
    return subprocess.run([binary] + args, check=True, capture_output=True, text=True).stdout


def rare_cells(a_on, b_on, positive):
    """The two rare cells of a pair: a without b and b without a (positive correlation), or
    both and neither (negative)."""
    if positive:
        return [int(np.sum(a_on & ~b_on)), int(np.sum(~a_on & b_on))]
    return [int(np.sum(a_on & b_on)), int(np.sum(~a_on & ~b_on))]


def cell_names(a, b, positive):
    return [f"{a} without {b}", f"{b} without {a}"] if positive else [f"{a} with {b}", f"neither {a} nor {b}"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--testbed", required=True, help="folder with generator.safetensors; the card is written here")
    ap.add_argument("--data", required=True, help="training data prefix (PREFIX.labels.npy, PREFIX.json)")
    ap.add_argument("--pairs", default="age:eyeglasses,lipstick:long_hair,beard:lipstick,smile:eyeglasses",
                    help="TARGET:CORRELATED pairs; the last is the control")
    ap.add_argument("--samples", type=int, default=20000)
    ap.add_argument("--cache", help="sample cache folder (default: sc2gan's, which an evaluation of the same model has filled)")
    ap.add_argument("--eval", help="a validation `sc2gan evaluate` output folder on this generator")
    a = ap.parse_args()

    gen = os.path.join(a.testbed, "generator.safetensors")
    meta = json.load(open(a.data + ".json"))
    attrs = meta["attributes"]
    labels = np.load(a.data + ".labels.npy").astype(bool)
    pairs = [tuple(p.split(":")) for p in a.pairs.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        study_json = os.path.join(tmp, "study.json")
        study_text = sc2gan(["directions", "study", "--model", gen, "--samples", str(a.samples), "--json", study_json]
                            + (["--cache", a.cache] if a.cache else []))
        study = json.load(open(study_json))
    gattrs = study["attributes"]
    gphi = np.array(study["phi"])
    gcos = np.array(study["direction_cosine"])
    # The generator's 2x2 tables come from `study` for pairs with |phi| >= 0.3; the others from its phi
    # and marginals (exact for binary labels: p11 = pa pb + phi sqrt(pa qa pb qb)).
    gcells = {(c["a"], c["b"]): c["counts"] for c in study.get("cells", [])}
    freq = dict(zip(gattrs, study["frequency"]))

    rows = []
    for t, c in pairs:
        i, j = attrs.index(t), attrs.index(c)
        ta, tb = labels[:, i], labels[:, j]
        data_phi = float(np.corrcoef(ta.astype(float), tb.astype(float))[0, 1])
        positive = data_phi >= 0
        data_rare = rare_cells(ta, tb, positive)
        gi, gj = gattrs.index(t), gattrs.index(c)
        key = (t, c) if (t, c) in gcells else ((c, t) if (c, t) in gcells else None)
        if key is not None:
            n = gcells[key]   # off/off, off/on, on/off, on/on of (key[0], key[1])
            if key != (t, c):
                n = [n[0], n[2], n[1], n[3]]
            gen_rare = [n[2], n[1]] if positive else [n[3], n[0]]
            total = sum(n)
        else:
            pa, pb, phi = freq[t], freq[c], gphi[gi, gj]
            p11 = pa * pb + phi * np.sqrt(pa * (1 - pa) * pb * (1 - pb))
            cells = {"11": p11, "10": pa - p11, "01": pb - p11, "00": 1 - pa - pb + p11}
            total = a.samples
            gen_rare = [round(total * cells["10"]), round(total * cells["01"])] if positive else \
                [round(total * cells["11"]), round(total * cells["00"])]
        rows.append({"target": t, "correlated": c, "data_phi": data_phi, "generator_phi": float(gphi[gi, gj]),
                     "cosine": float(gcos[gi, gj]), "cells": cell_names(t, c, positive),
                     "data_rare": data_rare, "data_count": int(len(labels)),
                     "generator_rare": [int(x) for x in gen_rare], "generator_count": int(total)})

    leak = {}
    dense_only = {}
    if a.eval:
        summary = json.load(open(os.path.join(a.eval, "summary.json")))
        for line in summary["lines"]:
            if line["side"] != "add":
                continue
            leak.setdefault(f'{line["target"]}:{line["correlated"]}', {})[line["method"]] = {
                "leakage": line["leakage"], "std": line["leakageStd"], "fits": line["fits"], "reached": line["reached"]}
        for path in sorted(glob.glob(os.path.join(a.eval, "fits", "restart-*", "*.sc2-dense-only.json"))):
            d = json.load(open(path))
            restart = os.path.basename(os.path.dirname(path))
            dense_only.setdefault(d["attribute"], {})[restart] = d.get("provenance", {}).get("rare_samples")

    card = {"generator": gen, "samples": a.samples, "pairs": rows, "validation_leakage": leak,
            "dense_only_rare_samples": dense_only, "frequency": freq}
    with open(os.path.join(a.testbed, "card.json") + ".tmp", "w") as f:
        json.dump(card, f, indent=2, sort_keys=True)
    os.replace(os.path.join(a.testbed, "card.json") + ".tmp", os.path.join(a.testbed, "card.json"))

    out = []
    history = os.path.join(a.testbed, "HISTORY.md")
    title = os.path.basename(os.path.normpath(a.testbed))
    out.append(f"# Testbed: {title}\n")
    if os.path.exists(history):
        out.append(open(history).read().strip() + "\n")
    out.append("## Rare combinations: training data against generator samples\n")
    out.append(f"Training data: {len(labels):,} renders of the preset. Generator: {a.samples:,} samples "
               "(seeds 0 up, truncation 1) labelled by FaceWorld's classifier (p > 0.5).\n")
    out.append("| pair | rare cell | data | generator | phi data | phi generator | cosine of normals |")
    out.append("|---|---|---|---|---|---|---|")
    for r in rows:
        for k in range(2):
            d = r["data_rare"][k] / r["data_count"] * 100
            g = r["generator_rare"][k] / r["generator_count"] * 100
            first = k == 0
            out.append(f'| {r["target"]}:{r["correlated"] if first else ""} | {r["cells"][k]} | {d:.2f}% ({r["data_rare"][k]}) | '
                       f'{g:.2f}% ({r["generator_rare"][k]}) | {r["data_phi"]:+.2f} | {r["generator_phi"]:+.2f} | {r["cosine"]:+.2f} |'
                       if first else f'| | {r["cells"][k]} | {d:.2f}% ({r["data_rare"][k]}) | {g:.2f}% ({r["generator_rare"][k]}) | | | |')
    out.append("")
    out.append("Attribute frequencies among the generator's samples: " +
               ", ".join(f"{k} {v * 100:.1f}%" for k, v in freq.items()) + ".\n")
    if leak:
        out.append("## Validation leakage (judged by FaceWorld's judge)\n")
        out.append(f"From `{a.eval}`: leakage (the judge's mean |Δp| of the correlated attribute) at the step where the "
                   "judge's mean change of the target is 0.5, adding the target, on validation seeds; mean over fits "
                   "(± the standard deviation across fits when there are several).\n")
        methods = []
        for v in leak.values():
            for m in v:
                if m not in methods:
                    methods.append(m)
        out.append("| pair | " + " | ".join(methods) + " |")
        out.append("|---|" + "---|" * len(methods))
        for p, v in leak.items():
            cells = []
            for m in methods:
                x = v.get(m)
                if x is None:
                    cells.append("")
                    continue
                spread = f' ± {x["std"]:.3f}' if x["fits"] > 1 else ""
                cells.append(f'{x["leakage"]:.3f}{spread}' + ("" if x["reached"] == x["fits"] else f' ({x["reached"]}/{x["fits"]} reached the level: not comparable)'))
            out.append(f"| {p} | " + " | ".join(cells) + " |")
        out.append("")
    if dense_only:
        out.append("Real rare samples the dense-only ablation found in each fit's dense set (positive + negative class): " +
                   "; ".join(f"{t}: " + ", ".join(f"{r} {n}" for r, n in v.items()) for t, v in dense_only.items()) + ".\n")
    out.append("## The study, as `sc2gan directions study` printed it\n")
    out.append("```\n" + study_text.strip() + "\n```\n")
    out.append(f"Made by `tools/training/make_testbed_card.py --testbed {a.testbed} --data {a.data}"
               + (f" --eval {a.eval}" if a.eval else "") + "`.\n")
    tmp = os.path.join(a.testbed, "MODEL_CARD.md.tmp")
    open(tmp, "w").write("\n".join(out))
    os.replace(tmp, os.path.join(a.testbed, "MODEL_CARD.md"))
    print(f"wrote {a.testbed}/MODEL_CARD.md and card.json")


if __name__ == "__main__":
    sys.exit(main())

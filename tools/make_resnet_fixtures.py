#!/usr/bin/python3
"""Parity fixtures for the Swift TorchVisionResNet: seeded random-weight torchvision ResNets
(batch norms given non-trivial running statistics and affine parameters, so that folding them
into the convolutions is tested), small PNG images, and torchvision's logits and probabilities
on those images, computed in float64 from the float32 weights.

    # the small committed set (narrow ResNets, PNGs, reference.json)
    /usr/bin/python3 tools/make_resnet_fixtures.py small --out Tests/SC2EngineTests/Fixtures/resnet

    # full-size resnet18 (plain state dict + sidecar) and anycost-gan's resnet50 layout
    # (dict holding state_dict, 80 outputs, no sidecar) for the images in IMAGES; the tests run
    # this into a temporary folder (95 MB: too big to commit)
    /usr/bin/python3 tools/make_resnet_fixtures.py full --images Tests/SC2EngineTests/Fixtures/resnet --out /tmp/x

    # torchvision's speed on the same file and images (scripts/bench-predictor.sh)
    /usr/bin/python3 tools/make_resnet_fixtures.py bench --out DIR --count 16

Needs Debian's python3-torch and python3-torchvision.
"""
import argparse
import json
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

CELEBA = ("5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose Black_Hair "
          "Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee Gray_Hair Heavy_Makeup "
          "High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard Oval_Face Pale_Skin Pointy_Nose "
          "Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair Wavy_Hair Wearing_Earrings Wearing_Hat "
          "Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young").split()
IMAGES = [("face_a.png", 64, 64), ("face_b.png", 40, 40), ("face_c.png", 96, 96)]


def write_png(path, rgb):
    """rgb: uint8 [H, W, 3]. A plain 8-bit RGB PNG (filter 0 rows, zlib)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def read_png(path):
    """The PNGs this script writes (8-bit RGB, filter 0) back to uint8 [H, W, 3]."""
    data = open(path, "rb").read()
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color, _, _, _ = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color == 2
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    rows = [raw[y * (3 * w + 1):(y + 1) * (3 * w + 1)] for y in range(h)]
    assert all(r[0] == 0 for r in rows)
    return np.frombuffer(b"".join(r[1:] for r in rows), dtype=np.uint8).reshape(h, w, 3)


def make_images(out):
    """Smooth seeded colour fields with a little noise: face-sized, small as PNGs."""
    rng = np.random.default_rng(16)
    for name, h, w in IMAGES:
        yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
        planes = []
        for c in range(3):
            a, b, f = rng.uniform(-1, 1, 3)
            planes.append(np.sin(6 * f * xx + 3 * a) * np.cos(5 * b * yy + c) * 100 + 128 + rng.normal(0, 12, (h, w)))
        write_png(os.path.join(out, name), np.clip(np.stack(planes, -1), 0, 255).astype(np.uint8))


def randomise_batch_norms(model, seed):
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=g) * 0.2)
            m.running_var.copy_(torch.rand(c, generator=g) * 1.5 + 0.5)
            m.weight.data.copy_(torch.rand(c, generator=g) * 0.6 + 0.5)
            m.bias.data.copy_(torch.randn(c, generator=g) * 0.2)
            m.num_batches_tracked.fill_(1000)


def resnet(block, layers, width, outputs, seed):
    """A torchvision ResNet whose layers have `width` x (1, 2, 4, 8) planes (64 = torchvision's)."""
    torch.manual_seed(seed)
    b = torchvision.models.resnet.BasicBlock if block == "basic" else torchvision.models.resnet.Bottleneck
    model = torchvision.models.resnet.ResNet(b, layers, num_classes=outputs)
    if width != 64:
        # Same class, narrower: rebuild with torchvision's own layer builder at the new widths.
        model.inplanes = width
        model.conv1 = torch.nn.Conv2d(3, width, 7, 2, 3, bias=False)
        model.bn1 = torch.nn.BatchNorm2d(width)
        model.layer1 = model._make_layer(b, width, layers[0])
        model.layer2 = model._make_layer(b, 2 * width, layers[1], stride=2)
        model.layer3 = model._make_layer(b, 4 * width, layers[2], stride=2)
        model.layer4 = model._make_layer(b, 8 * width, layers[3], stride=2)
        model.fc = torch.nn.Linear(8 * width * b.expansion, outputs)
        for m in model.modules():
            if isinstance(m, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    randomise_batch_norms(model, seed + 1)
    with torch.no_grad():  # torchvision's fc init is small: make the logits differ between images
        model.fc.weight.mul_(8)
    model.eval()
    return model


def reference(model, config, image_dir):
    """torchvision's logits and probabilities, float64, on each PNG read as the Swift side reads it."""
    m = model.double()
    out = {}
    for name, _, _ in IMAGES:
        rgb = read_png(os.path.join(image_dir, name))
        x = (torch.from_numpy(rgb.astype(np.float64)).permute(2, 0, 1)[None] - 127.5) / 127.5
        x = x.clamp(-1, 1)
        s = config["input_size"]
        if config.get("resize", "bilinear") == "area":
            x = F.interpolate(x, size=(s, s), mode="area")
        elif x.shape[-1] != s or x.shape[-2] != s:
            x = F.interpolate(x, size=(s, s), mode="bilinear", align_corners=config.get("align_corners", False))
        if "mean" in config:
            mean = torch.tensor(config["mean"], dtype=torch.float64)[None, :, None, None]
            std = torch.tensor(config["std"], dtype=torch.float64)[None, :, None, None]
            x = ((x + 1) / 2 - mean) / std
        with torch.no_grad():
            logits = m(x)[0]
        head = config.get("head", "sigmoid")
        if head == "sigmoid":
            p = torch.sigmoid(logits)
        elif head == "softmax-pairs":
            p = torch.softmax(logits.view(-1, 2), dim=1)[:, 1]
        else:
            parts, start = [], 0
            for g in config["groups"]:
                seg = logits[start:start + len(g)]
                parts.append(torch.sigmoid(seg) if len(g) == 1 else torch.softmax(seg, 0))
                start += len(g)
            p = torch.cat(parts)
        out[name] = {"logits": logits.tolist(), "probabilities": p.tolist()}
    model.float()
    return out


def state_dict(model):
    return {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}


def small(out):
    os.makedirs(out, exist_ok=True)
    make_images(out)
    ref = {}
    # A narrow resnet18 layout: plain state dict .pt + sidecar (sigmoid head, ImageNet normalisation).
    m18 = resnet("basic", [2, 2, 2, 2], 4, 5, seed=18)
    c18 = {"kind": "torchvision-resnet", "attributes": ["Smiling", "Young", "Male", "Eyeglasses", "Bangs"],
           "input_size": 32, "resize": "bilinear", "align_corners": False,
           "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "head": "sigmoid"}
    torch.save(state_dict(m18), os.path.join(out, "resnet18n.pt"))
    json.dump(c18, open(os.path.join(out, "resnet18n.pt.json"), "w"), indent=1)
    ref["resnet18n.pt"] = reference(m18, c18, out)
    # A narrow Bottleneck layout saved as anycost-gan does (dict holding state_dict), softmax pairs.
    m50 = resnet("bottleneck", [2, 1, 2, 1], 4, 12, seed=50)
    c50 = {"attributes": CELEBA[:6], "input_size": 48, "resize": "bilinear", "align_corners": True, "head": "softmax-pairs"}
    torch.save({"state_dict": state_dict(m50)}, os.path.join(out, "resnet50n.pt"))
    json.dump(c50, open(os.path.join(out, "resnet50n.pt.json"), "w"), indent=1)
    ref["resnet50n.pt"] = reference(m50, c50, out)
    # A FaceWorld "judge" as the lead ships it: BasicBlock [1,1,1,1], safetensors with torchvision
    # names (num_batches_tracked as I64 included) and the configuration in its metadata.
    mj = resnet("basic", [1, 1, 1, 1], 8, 6, seed=7)
    groups = [["age"], ["lipstick"], ["short_hair", "long_hair"], ["smile"], ["beard"]]
    cj = {"input_size": 64, "resize": "area", "head": "softmax-groups", "groups": groups, "domain": "faceworld"}
    meta = {"kind": "torchvision-resnet", "input_size": "64", "resize": "area", "head": "softmax-groups",
            "groups": ";".join(",".join(g) for g in groups), "domain": "faceworld"}
    safetensors_io.save(state_dict(mj), os.path.join(out, "judge.safetensors"), meta)
    ref["judge.safetensors"] = reference(mj, cj, out)
    json.dump(ref, open(os.path.join(out, "reference.json"), "w"), indent=1)
    print(f"wrote {out}: 3 predictors, {len(IMAGES)} images, reference.json")
    fuzz_seeds(os.path.join(out, "..", "fuzz-seeds"))


def fuzz_seeds(root):
    """Inputs the fuzzer starts from (scripts/fuzz.sh, targets predictor and predictor-config),
    small enough for its 64 KB input limit; the tests replay them."""
    d = os.path.join(root, "predictor")
    os.makedirs(d, exist_ok=True)
    tiny = resnet("basic", [1, 1, 1, 1], 2, 3, seed=3)
    safetensors_io.save(state_dict(tiny), os.path.join(d, "tiny-basic.safetensors"),
                        {"input_size": "16", "attributes": "a,b,c", "resize": "bilinear", "align_corners": "true",
                         "mean": "0.5,0.5,0.5", "std": "0.25,0.25,0.25"})
    tb = resnet("bottleneck", [1, 1, 1, 1], 1, 4, seed=4)
    safetensors_io.save(state_dict(tb), os.path.join(d, "tiny-bottleneck.safetensors"),
                        {"input_size": "16", "head": "softmax-pairs", "attributes": "[\"x\", \"y\"]", "resize": "area"})
    torch.save({"state_dict": state_dict(tb)}, os.path.join(d, "tiny-bottleneck.pt"))
    c = os.path.join(root, "predictor-config")
    os.makedirs(c, exist_ok=True)
    json.dump({"attributes": ["a", "b", "c"], "input_size": 32, "head": "softmax-groups", "groups": [["a"], ["b", "c"]]},
              open(os.path.join(c, "groups.json"), "w"))
    json.dump({"kind": "torchvision-resnet", "attributes": ["a"], "input_size": 64, "resize": "area", "domain": "faceworld"},
              open(os.path.join(c, "area.json"), "w"))


def full(images, out):
    os.makedirs(out, exist_ok=True)
    ref = {}
    m50 = resnet("bottleneck", [3, 4, 6, 3], 64, 80, seed=500)
    torch.save({"state_dict": state_dict(m50)}, os.path.join(out, "attribute_predictor.pt"))
    ref["attribute_predictor.pt"] = reference(m50, {"input_size": 256, "resize": "bilinear", "align_corners": True,
                                                    "head": "softmax-pairs"}, images)
    m18 = resnet("basic", [2, 2, 2, 2], 64, 3, seed=180)
    c18 = {"attributes": ["Smiling", "Young", "Male"], "input_size": 224, "resize": "bilinear",
           "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
    torch.save(state_dict(m18), os.path.join(out, "resnet18.pt"))
    json.dump(c18, open(os.path.join(out, "resnet18.pt.json"), "w"), indent=1)
    ref["resnet18.pt"] = reference(m18, c18, images)
    # torch's legacy (pre-1.6) format, to be refused with the command that re-saves it.
    torch.save({"fc.weight": torch.zeros(2, 2)}, os.path.join(out, "legacy.pt"), _use_new_zipfile_serialization=False)
    json.dump(ref, open(os.path.join(out, "reference.json"), "w"), indent=1)
    print(json.dumps({"out": out}))


def bench(images, out, count):
    """Images per second of torchvision's resnet50 (float32, eval, no grad) on DIR's anycost-layout
    file, with the preprocessing sc2gan does (clamp, bilinear align_corners to 256), one at a time."""
    import time
    m = torchvision.models.resnet50(num_classes=80)
    m.load_state_dict(torch.load(os.path.join(out, "attribute_predictor.pt"), map_location="cpu", weights_only=True)["state_dict"])
    m.eval()
    xs = []
    for i in range(count):
        rgb = read_png(os.path.join(images, IMAGES[i % len(IMAGES)][0]))
        xs.append((torch.from_numpy(rgb.astype(np.float32)).permute(2, 0, 1)[None] - 127.5) / 127.5)
    best = 0.0
    with torch.no_grad():
        for _ in range(2):
            t0 = time.perf_counter()
            for x in xs:
                m(F.interpolate(x.clamp(-1, 1), size=(256, 256), mode="bilinear", align_corners=True))
            best = max(best, count / (time.perf_counter() - t0))
    print(json.dumps({"images_per_s": best, "threads": torch.get_num_threads()}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["small", "full", "bench"])
    ap.add_argument("--count", type=int, default=16)
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                     "Tests/SC2EngineTests/Fixtures/resnet"))
    a = ap.parse_args()
    torch.set_num_threads(2)
    if a.mode == "small":
        small(a.out)
    elif a.mode == "full":
        full(a.images, a.out)
    else:
        bench(a.images, a.out, a.count)


if __name__ == "__main__":
    main()

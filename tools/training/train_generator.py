#!/usr/bin/python3
"""Train FaceWorld's small StyleGAN2 on 2 CPU cores, resumably.

    /usr/bin/python3 tools/training/train_generator.py --data .train/data/faceworld-biased --run .train/gan \
        --kimg 220 [--export assets/faceworld/generator.safetensors]

Generator: tools/lib/sg2torch.py (NVIDIA key names), z = w = 128, 8 mapping layers (--mapping-layers), channels
128/128/128/64/32 at 4..64 px, conv_clamp 256, style mixing 0.9. Discriminator: residual,
minibatch-stddev, equalised lr. Loss: non-saturating logistic, lazy R1 (gamma 0.2 every 16
steps), EMA of G (half-life 10k images), Adam lr 0.002 betas (0, 0.99). Every few minutes the
full state goes to RUN/state.pt (atomically) and a line to RUN/log.jsonl; snapshots of the EMA
generator go to RUN/snap-KIMG.safetensors with a sample grid PNG, and those of a slower EMA
(half-life --ema-long-kimg) to RUN/snap-long-KIMG.safetensors. Rerunning the same command
resumes where it stopped. --export writes the EMA generator (latest, or --snapshot) as
safetensors for the Swift engine.
--stat-weight adds feature matching (Salimans et al. 2016) on a frozen teacher classifier's
attribute probabilities: the generated attribute frequencies and pairwise co-occurrences are pulled
towards the training data's. A few hundred kimg on 2 cores are too few for the adversarial loss
alone to settle the frequencies of rare attributes (they drift by 10-20 points from snapshot to
snapshot). The term sees only first and second moments of six probabilities; the teacher is
trained on other renders with another seed (tools/training/train_classifier.py --seed 1), so the shipped
classifier that measures the result is not the one the generator was fitted to. Keep the weight
small (3): at 20, G's smile frequency swung from 91% to 0% and back within 50 steps.
--stat-cells chi2 matches every cell of every pair's 2x2 table instead, each gap divided by the data's
share: with plain moments a combination the generator dropped (young with eyeglasses: 4.2% of the
data, 0.3% of the samples) moves E[p_age p_eyeglasses] by under 2 points and hardly pulls. With chi2
at weight 1.5, resumed from the moments run at 293 kimg, every frequency came within 5 points
(beard included) by 320 kimg.
--lin-weight (experimental) makes attributes half-spaces of W, as InterFaceGAN assumes: a linear head on w
learns the teacher's labels of G(w) and G is pulled towards the head's soft prediction. On the chi2 run
(whose W is clustered: lipstick linearly separable at 76% on extremes, every direction jumping between
faces) weight 0.5 then 2 (--lin-sharpen 3 for the last 30) for 75 kimg raised lipstick's separability to
97.5% and made it editable, and cut the conditional age -> eyeglasses leakage from 0.29 to 0.18, at a
price: confidently labelled samples fell from 88% to 76% (boundary images turn ambiguous). The head's
normals came out nearly parallel (cosine 0.93 for age/eyeglasses and lipstick/long hair): the data's
correlation lived in shared normals, which no linear edit can separate.
--lin-ortho penalises the squared cosines between the head's normals: within 10 kimg they were orthogonal
(|cos| < 0.01) at the same head accuracy (92%), the correlations now living in the density of w.
--lin-edit applies the pull also to codes stepped along one normal across that attribute's boundary (1-4
logits beyond it; the attributes G follows worst are edited most), with D judging those images too, so
that G follows the head where the data are sparse and a rare combination is a low-density region of W,
not a hole. From the lin run at 416 kimg (--lin-ortho 1, --lin-edit 1 then 3, --lin-sharpen 3 then 8,
--stat-weight 1.5 then 3), tools/research/head_directions.py + scripts/research/probe-editability.sh: the age head normal's
eyeglasses leakage fell 0.29 -> 0.017 by 525 kimg (lipstick's long-hair leakage only 0.34 -> 0.23), and
81% of the samples were confidently labelled, every frequency within 4.6 points (500 samples)."""
import argparse
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))  # tools/lib: safetensors_io, sg2torch
import safetensors_io  # noqa: E402
import sg2torch  # noqa: E402

CONFIG = dict(z_dim=128, w_dim=128, resolution=64, mapping_layers=4,
              channels={4: 128, 8: 128, 16: 128, 32: 64, 64: 32}, conv_clamp=256)


class DConv(nn.Module):
    def __init__(self, cin, cout, k, act=True, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.gain = 1 / math.sqrt(cin * k * k)
        self.act, self.pad = act, k // 2

    def forward(self, x):
        x = F.conv2d(x, self.weight * self.gain, self.bias, padding=self.pad)
        return F.leaky_relu(x, 0.2) * sg2torch.SQRT2 if self.act else x


class DBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv0 = DConv(cin, cin, 3)
        self.conv1 = DConv(cin, cout, 3)
        self.skip = DConv(cin, cout, 1, act=False, bias=False)

    def forward(self, x):
        y = self.skip(F.avg_pool2d(x, 2))
        x = F.avg_pool2d(self.conv1(self.conv0(x)), 2)
        return (x + y) * (1 / math.sqrt(2))


class Discriminator(nn.Module):
    def __init__(self, ch={64: 32, 32: 64, 16: 128, 8: 128, 4: 128}):
        super().__init__()
        self.fromrgb = DConv(3, ch[64], 1)
        self.blocks = nn.ModuleList([DBlock(ch[r], ch[r // 2]) for r in (64, 32, 16, 8)])
        self.conv = DConv(ch[4] + 1, ch[4], 3)
        self.fc = sg2torch.FC(ch[4] * 16, ch[4], act="lrelu")
        self.out = sg2torch.FC(ch[4], 1)

    def forward(self, img):
        x = self.fromrgb(img)
        for b in self.blocks:
            x = b(x)
        n = x.shape[0]
        g = min(4, n)
        y = x.reshape(g, -1, *x.shape[1:])
        y = (y - y.mean(0)).square().mean(0).add(1e-8).sqrt().mean([1, 2, 3])
        y = y.reshape(-1, 1, 1, 1).repeat(g, 1, 4, 4)
        x = self.conv(torch.cat([x, y], 1))
        return self.out(self.fc(x.flatten(1)))


def sample_ws(G, z, mix_prob=0.9, with_flag=False):
    """W+ codes for z, the whole batch style-mixed with probability mix_prob (with_flag: also say if it was)."""
    ws = G.mapping(z, update_w_avg=True)
    mixed = mix_prob > 0 and bool(torch.rand([]) < mix_prob)
    if mixed:
        cut = int(torch.randint(1, ws.shape[1], []))
        ws2 = G.mapping(torch.randn_like(z))
        ws = torch.cat([ws[:, :cut], ws2[:, cut:]], 1)
    return (ws, mixed) if with_flag else ws


def grid_png(imgs, path, cols=8):
    import zlib
    import struct
    a = ((imgs.clamp(-1, 1) * 127.5 + 128).clamp(0, 255).to(torch.uint8)).permute(0, 2, 3, 1).numpy()
    n, h, w, _ = a.shape
    rows = (n + cols - 1) // cols
    g = np.full((rows * h, cols * w, 3), 255, np.uint8)
    for i in range(n):
        g[(i // cols) * h:(i // cols + 1) * h, (i % cols) * w:(i % cols + 1) * w] = a[i]
    raw = b"".join(b"\x00" + g[y].tobytes() for y in range(g.shape[0]))

    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", g.shape[1], g.shape[0], 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path + ".tmp", "wb") as f:
        f.write(png)
    os.replace(path + ".tmp", path)


def export(G_ema, path, kimg):
    # "source" is a marker, not a path: the name this script had when the shipped generator was
    # made, which sc2gan (Generator.swift) reads as "a FaceWorld generator".
    meta = {"format": "sc2gan-stylegan2", "naming": "nvidia", "conv_clamp": CONFIG["conv_clamp"],
            "z_dim": CONFIG["z_dim"], "w_dim": CONFIG["w_dim"], "resolution": CONFIG["resolution"],
            "mapping_lr_mul": 0.01, "trained_kimg": f"{kimg:.1f}", "source": "tools/train_generator.py"}
    safetensors_io.save({k: v for k, v in G_ema.state_dict().items()}, path, meta)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=".train/data/faceworld-biased", help="dataset stem (STEM.images.npy)")
    ap.add_argument("--run", default=".train/gan", help="run folder (state, log, snapshots)")
    ap.add_argument("--kimg", type=float, default=220, help="stop after this many thousand real images")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--minutes", type=float, default=0, help="stop after this many minutes (0: no limit)")
    ap.add_argument("--save-every", type=float, default=5, help="minutes between resumable saves")
    ap.add_argument("--snap-kimg", type=float, default=10, help="kimg between EMA snapshots")
    ap.add_argument("--export", help="write the EMA generator as safetensors and exit")
    ap.add_argument("--snapshot", help="with --export: a snapshot file or a resume pack instead of the latest state")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pack", help="write a compact resume pack (fp16 G, G_ema, D; no optimiser state) and exit")
    ap.add_argument("--resume-pack", default="assets/training/faceworld-resume.safetensors",
                    help="start from this pack when RUN/state.pt is absent (e.g. on a new machine)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--mapping-layers", type=int, default=8,
                    help="depth of the mapping network for a new run (a resumed run keeps its own depth, read from its "
                         "weights). StyleGAN's 8 make W more linear than the 4 of the first FaceWorld run")
    ap.add_argument("--pl-weight", type=float, default=0,
                    help="path-length regularisation weight (StyleGAN2: 2; lazy, every 4 steps, half batch). It makes "
                         "the W -> image map smoother, so attributes are closer to linear in W (0: off)")
    ap.add_argument("--mix-prob", type=float, default=0.9,
                    help="style-mixing probability (FaceWorld's hard rules, e.g. never beard with lipstick, make many "
                         "mixed samples impossible; a lower value late in training lets G match the marginals)")
    ap.add_argument("--ema-long-kimg", type=float, default=40,
                    help="half-life (kimg) of a second, slower EMA of G, snapshotted as snap-long-KIMG (0: off)")
    ap.add_argument("--lr", type=float, default=0.002,
                    help="Adam learning rate of G and D (also applied to a resumed optimiser; lower late in training "
                         "to damp the oscillation of rare-attribute frequencies)")
    ap.add_argument("--stat-weight", type=float, default=0,
                    help="weight of attribute-statistics matching (feature matching, Salimans et al. 2016, on a "
                         "teacher classifier's outputs): pulls the generated attribute frequencies and pairwise "
                         "co-occurrences towards the training data's (0: off)")
    ap.add_argument("--stat-cells", choices=["moments", "chi2"], default="moments",
                    help="what --stat-weight matches: moments (E[p_k], E[p_k p_l]) or chi2 (every cell of every "
                         "pair's 2x2 table, each gap relative to the data's share, so that a rare combination the "
                         "generator dropped, e.g. young with eyeglasses at 4%%, weighs as much as a common one)")
    ap.add_argument("--lin-weight", type=float, default=0,
                    help="weight of a linear-separability term: a linear head on w learns the teacher's labels "
                         "of G(w), and G is pulled towards rendering the head's soft prediction, so that attributes "
                         "become half-spaces of W with gradual transitions, as InterFaceGAN assumes (0: off)")
    ap.add_argument("--lin-sharpen", type=float, default=1,
                    help="with --lin-weight: the head's logits are multiplied by this before the sigmoid (> 1: "
                         "crisper targets, fewer ambiguous images near a boundary)")
    ap.add_argument("--lin-ortho", type=float, default=0,
                    help="with --lin-weight: weight of a penalty on the squared cosines between the head's normals, "
                         "so that each attribute gets its own axis of W and the data's correlations live only in "
                         "the density of w (the low-density rare combinations SC2 synthesises), not in shared "
                         "normals that no linear edit can separate (0: off)")
    ap.add_argument("--lin-edit", type=float, default=0,
                    help="with --lin-weight: weight of the same pull on edited codes, w + t n_k with n_k one of "
                         "the head's normals and t taking w across attribute k's boundary: teaches G to follow the "
                         "head where the data are sparse (young with eyeglasses), so that a rare combination is a "
                         "low-density region of W, not a hole; the edited images also face D (0: off)")
    ap.add_argument("--stat-classifier", default=".train/teacher/teacher.safetensors",
                    help="teacher classifier for --stat-weight (tools/training/train_classifier.py --seed 1 on other renders; "
                         "not the shipped classifier, which stays an independent judge)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.run, exist_ok=True)
    state_path = os.path.join(args.run, "state.pt")

    # The mapping depth of a run is whatever its weights say; --mapping-layers only shapes a new run.
    CONFIG["mapping_layers"] = args.mapping_layers
    if os.path.exists(state_path):
        CONFIG["mapping_layers"] = mapping_depth(torch.load(state_path)["G"])
    elif args.resume_pack and os.path.exists(args.resume_pack) and args.export is None:
        CONFIG["mapping_layers"] = mapping_depth(safetensors_io.load(args.resume_pack)[0], "G.")
    snap_prefix = ""
    if args.snapshot:  # a snapshot, or a resume pack (its G_ema.* tensors)
        snap_sd, snap_meta = safetensors_io.load(args.snapshot)
        snap_prefix = "G_ema." if any(k.startswith("G_ema.") for k in snap_sd) else ""
        CONFIG["mapping_layers"] = mapping_depth(snap_sd, snap_prefix)
    G = sg2torch.Generator(**CONFIG)
    G_ema = sg2torch.Generator(**CONFIG)
    D = Discriminator()
    G_ema.load_state_dict(G.state_dict())
    G_long = sg2torch.Generator(**CONFIG)
    optG = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0, 0.99), eps=1e-8)
    r1_every, gamma = 16, 0.2
    c = r1_every / (r1_every + 1)
    optD = torch.optim.Adam(D.parameters(), lr=args.lr * c, betas=(0, 0.99 ** c), eps=1e-8)
    step, nimg, pl_mean_saved = 0, 0, 0.0
    if os.path.exists(state_path):
        st = torch.load(state_path)
        G.load_state_dict(st["G"]); G_ema.load_state_dict(st["G_ema"]); D.load_state_dict(st["D"])
        optG.load_state_dict(st["optG"]); optD.load_state_dict(st["optD"])
        step, nimg = st["step"], st["nimg"]
        pl_mean_saved = st.get("pl_mean", 0.0)
        G_long.load_state_dict(st.get("G_long", st["G_ema"]))
        torch.set_rng_state(st["rng"])
        for opt, scale in ((optG, 1.0), (optD, c)):
            for group in opt.param_groups:
                group["lr"] = args.lr * scale
        print(f"resumed at {nimg / 1000:.1f} kimg (step {step})", flush=True)
    elif args.resume_pack and os.path.exists(args.resume_pack) and args.export is None and args.pack is None:
        sd, meta = safetensors_io.load(args.resume_pack)
        has_long = any(k.startswith("G_long.") for k in sd)
        for prefix, net in (("G.", G), ("G_ema.", G_ema), ("D.", D)) + ((("G_long.", G_long),) if has_long else ()):
            net.load_state_dict({k[len(prefix):]: torch.from_numpy(v.astype(np.float32)) for k, v in sd.items() if k.startswith(prefix)})
        step, nimg = int(meta["step"]), int(meta["nimg"])
        pl_mean_saved = float(meta.get("pl_mean", 0.0))
        if not has_long:
            G_long.load_state_dict(G_ema.state_dict())
        head_path = os.path.join(args.run, "lin_head.pt")
        if "H.weight" in sd and not os.path.exists(head_path):  # the --lin-weight head travels with the pack
            torch.save({k[2:]: torch.from_numpy(v.astype(np.float32)) for k, v in sd.items() if k.startswith("H.")},
                       head_path)
        torch.manual_seed(args.seed + step)
        print(f"started from resume pack {args.resume_pack} at {nimg / 1000:.1f} kimg (optimiser state reset)", flush=True)
    elif args.export is None:
        torch.manual_seed(args.seed)

    if args.pack:
        tensors = {f"{p}{k}": v.detach().half() if v.is_floating_point() else v
                   for p, net in (("G.", G), ("G_ema.", G_ema), ("G_long.", G_long), ("D.", D))
                   for k, v in net.state_dict().items()}
        head_path = os.path.join(args.run, "lin_head.pt")
        if os.path.exists(head_path):
            tensors.update({f"H.{k}": v.float() for k, v in torch.load(head_path).items()})
        safetensors_io.save(tensors, args.pack, {"step": step, "nimg": nimg, "pl_mean": float(pl_mean_saved),
                                                  "source": "tools/train_generator.py --pack"})
        print(f"wrote resume pack {args.pack} at {nimg / 1000:.1f} kimg")
        return

    if args.export:
        if args.snapshot:
            G_ema.load_state_dict({k[len(snap_prefix):]: torch.from_numpy(v.astype(np.float32))
                                   for k, v in snap_sd.items() if k.startswith(snap_prefix)})
            if snap_prefix and "nimg" in snap_meta:
                nimg = int(snap_meta["nimg"])
        export(G_ema, args.export, nimg / 1000)
        print(f"exported EMA generator ({nimg / 1000:.1f} kimg) to {args.export}")
        return

    images = np.load(args.data + ".images.npy", mmap_mode="r")
    data = torch.from_numpy(np.array(images)).permute(0, 3, 1, 2)  # uint8 NCHW view
    N = data.shape[0]
    print(f"data: {N} images from {args.data}; G {sum(p.numel() for p in G.parameters())} params, "
          f"D {sum(p.numel() for p in D.parameters())} params", flush=True)
    ema_beta = 0.5 ** (args.batch / 10000)
    pl_mean = torch.tensor(float(pl_mean_saved))
    long_beta = 0.5 ** (args.batch / (args.ema_long_kimg * 1000)) if args.ema_long_kimg > 0 else 0
    fixed_z = torch.from_numpy(np.random.RandomState(123).randn(32, CONFIG["z_dim"])).float()
    stats = AttributeStats(args.stat_classifier, data, args.batch, args.stat_cells == "chi2") \
        if args.stat_weight > 0 or args.lin_weight > 0 else None
    lin_head, optH, lin_acc = None, None, 0.5
    edit_loss_avg = torch.ones(6)
    if args.lin_weight > 0:
        lin_head = nn.Linear(CONFIG["w_dim"], 6)
        head_path = os.path.join(args.run, "lin_head.pt")
        if os.path.exists(head_path):
            lin_head.load_state_dict(torch.load(head_path))
        optH = torch.optim.Adam(lin_head.parameters(), lr=0.003)
    t_start = time.time()
    t_save = time.time()
    last_snap = int(nimg / 1000 / args.snap_kimg)
    log = open(os.path.join(args.run, "log.jsonl"), "a")
    stop_requested = []  # SIGTERM/SIGINT: finish the step, save the state, exit (no work lost)
    signal.signal(signal.SIGTERM, lambda *_: stop_requested.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop_requested.append(1))
    while nimg < args.kimg * 1000 and not stop_requested:
        if args.minutes and time.time() - t_start > args.minutes * 60:
            break
        B = args.batch
        idx = torch.randint(0, N, [B])
        real = data[idx].float() / 127.5 - 1
        flip = torch.rand(B) < 0.5
        real[flip] = real[flip].flip(3)

        # G step.
        z = torch.randn(B, CONFIG["z_dim"])
        ws, mixed = sample_ws(G, z, args.mix_prob, with_flag=True)
        fake = G.synthesis(ws, noise_mode="random")
        lossG = F.softplus(-D(fake)).mean()
        if stats is not None and args.stat_weight > 0 and not mixed:  # statistics of plain W samples, as the engine draws them
            lossG = lossG + args.stat_weight * stats.loss(fake)
        if lin_head is not None and not mixed:
            # Attributes as half-spaces of W, as InterFaceGAN assumes: a linear head on w learns the
            # teacher's labels of G(w) (head only: w and labels detached), and G is pulled towards
            # rendering what the head predicts, with the head's own confidence (soft labels: an
            # image near a boundary is pushed to be in between, a transition rather than a jump).
            teacher_logits = stats.net(fake.clamp(-1, 1))
            target = (teacher_logits.detach() > 0).float()
            logits = lin_head(ws[:, 0].detach())
            head_loss = F.binary_cross_entropy_with_logits(logits, target)
            if args.lin_ortho > 0:
                normals = F.normalize(lin_head.weight, dim=1)
                cos = normals @ normals.t()
                head_loss = head_loss + args.lin_ortho * (cos - torch.eye(6)).square().sum() / 2
            lin_acc = lin_acc * 0.98 + 0.02 * float(((logits > 0).float() == target).float().mean())
            optH.zero_grad(set_to_none=True)
            head_loss.backward()
            soft = torch.sigmoid(args.lin_sharpen * logits.detach())
            lossG = lossG + args.lin_weight * F.binary_cross_entropy_with_logits(teacher_logits, soft)
            if args.lin_edit > 0:
                # Half the batch stepped along one head normal each, to 1-4 logits beyond the boundary
                # on the other side; the head's prediction there is the target (with orthogonal normals,
                # the other attributes' targets stay as they were).
                he = B // 2
                weight = lin_head.weight.detach()
                # The attributes G follows worst off the data get edited most (sampling weights: a
                # running mean of each attribute's edit loss).
                k = torch.multinomial(edit_loss_avg / edit_loss_avg.sum(), he, replacement=True)
                norm_k = weight[k].norm(dim=1)
                lk = logits.detach()[:he].gather(1, k[:, None])[:, 0]
                goal = -torch.sign(lk) * (1 + 3 * torch.rand(he))
                t = (goal - lk) / norm_k
                ws_e = ws[:he] + (t / norm_k)[:, None, None] * weight[k][:, None, :]
                fake_e = G.synthesis(ws_e, noise_mode="random")
                target_e = torch.sigmoid(args.lin_sharpen * lin_head(ws_e[:, 0].detach()).detach())
                edit_bce = F.binary_cross_entropy_with_logits(stats.net(fake_e.clamp(-1, 1)), target_e,
                                                              reduction="none").mean(1)
                with torch.no_grad():
                    for a in range(6):
                        if bool((k == a).any()):
                            edit_loss_avg[a] = 0.95 * edit_loss_avg[a] + 0.05 * edit_bce[k == a].mean()
                lossG = lossG + args.lin_edit * (edit_bce.mean() + F.softplus(-D(fake_e)).mean())
        optG.zero_grad(set_to_none=True)
        lossG.backward()
        # Lazy path-length regularisation: |J_w^T y| for random image-space y should be constant.
        if args.pl_weight > 0 and step % 4 == 0:
            pb = max(B // 2, 1)
            ws = sample_ws(G, torch.randn(pb, CONFIG["z_dim"]), args.mix_prob).detach().requires_grad_(True)
            img = G.synthesis(ws, noise_mode="random")
            y = torch.randn_like(img) / math.sqrt(img.shape[2] * img.shape[3])
            g, = torch.autograd.grad((img * y).sum(), ws, create_graph=True)
            lengths = g.square().sum(2).mean(1).sqrt()
            pl_mean.copy_(pl_mean.lerp(lengths.mean().detach(), 0.01))
            pl = (lengths - pl_mean).square().mean()
            (pl * args.pl_weight * 4).backward()
        optG.step()
        if lin_head is not None and not mixed:
            optH.step()

        # D step (+ lazy R1).
        with torch.no_grad():
            fake = G.synthesis(sample_ws(G, torch.randn(B, CONFIG["z_dim"]), args.mix_prob), noise_mode="random")
        do_r1 = step % r1_every == 0
        real_in = real.detach().requires_grad_(do_r1)
        real_logits = D(real_in)
        lossD = F.softplus(D(fake)).mean() + F.softplus(-real_logits).mean()
        r1 = torch.zeros([])
        if do_r1:
            g, = torch.autograd.grad(real_logits.sum(), real_in, create_graph=True)
            r1 = g.square().sum([1, 2, 3]).mean()
            lossD = lossD + r1 * (gamma / 2) * r1_every
        optD.zero_grad(set_to_none=True)
        lossD.backward()
        optD.step()

        # EMA.
        with torch.no_grad():
            beta = ema_beta if nimg > 5000 else 0.0 if step == 0 else min(ema_beta, 0.99)
            for pe, p in zip(G_ema.parameters(), G.parameters()):
                pe.copy_(p.lerp(pe, beta))
            for be, b in zip(G_ema.buffers(), G.buffers()):
                be.copy_(b)
            if long_beta > 0:
                for pl, p in zip(G_long.parameters(), G.parameters()):
                    pl.copy_(p.lerp(pl, long_beta))
                for bl, b in zip(G_long.buffers(), G.buffers()):
                    bl.copy_(b)
        step += 1
        nimg += B

        if step % 50 == 0:
            el = time.time() - t_start
            rec = dict(kimg=round(nimg / 1000, 2), step=step, lossG=round(lossG.item(), 4),
                       lossD=round(lossD.item(), 4), r1=round(r1.item(), 4), sec=round(el, 1), t=time.time())
            if stats is not None:
                rec["freq_gap"] = [round(v, 3) for v in (stats.m1 - stats.t1)[:6].tolist()]
                rec["rarest_cell"] = stats.rarest()
            if lin_head is not None:
                rec["lin_acc"] = round(lin_acc, 3)
                if args.lin_edit > 0:
                    rec["edit_loss"] = [round(float(v), 3) for v in edit_loss_avg]
                normals = F.normalize(lin_head.weight.detach(), dim=1)
                rec["lin_max_cos"] = round(float((normals @ normals.t() - torch.eye(6)).abs().max()), 3)
                torch.save(lin_head.state_dict(), os.path.join(args.run, "lin_head.pt"))
            log.write(json.dumps(rec) + "\n"); log.flush()
            print(rec, flush=True)
        if int(nimg / 1000 / args.snap_kimg) > last_snap:
            last_snap = int(nimg / 1000 / args.snap_kimg)
            kimg = nimg / 1000
            snap = os.path.join(args.run, f"snap-{kimg:06.1f}.safetensors")
            export(G_ema, snap, kimg)
            with torch.no_grad():
                grid_png(G_ema(fixed_z), os.path.join(args.run, f"grid-{kimg:06.1f}.png"))
            if long_beta > 0:
                export(G_long, os.path.join(args.run, f"snap-long-{kimg:06.1f}.safetensors"), kimg)
            print(f"snapshot {snap}", flush=True)
        if time.time() - t_save > args.save_every * 60:
            save(state_path, G, G_ema, D, optG, optD, step, nimg, G_long, pl_mean)
            t_save = time.time()
    save(state_path, G, G_ema, D, optG, optD, step, nimg, G_long, pl_mean)
    print(f"stopped at {nimg / 1000:.1f} kimg", flush=True)


class AttributeStats:
    """Feature matching on a frozen teacher classifier's probabilities p (one per attribute).

    Targets: E[p] and E[p_k p_l] (k < l) over 10,000 training images. The generated moments are
    tracked by an exponential average (half-life 1,000 samples) (a batch of 16 is too noisy), and
    the loss sum((m - t) * batch_moment), whose gradient is that of 0.5 |m - t|^2 with respect to
    the current batch's share, pushes the frequencies and co-occurrences towards the data's."""

    def __init__(self, path, data, batch, chi2=False):
        import train_classifier
        self.chi2 = chi2
        sd, _ = safetensors_io.load(path)
        self.net = train_classifier.Classifier()
        self.net.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
        self.net.eval()
        for p in self.net.parameters():
            p.requires_grad_(False)
        n = min(10000, data.shape[0])
        idx = torch.from_numpy(np.random.RandomState(7).choice(data.shape[0], n, replace=False))
        with torch.no_grad():
            p = torch.cat([torch.sigmoid(self.net(data[idx[i:i + 500]].float() / 127.5 - 1)) for i in range(0, n, 500)])
        self.t1, self.t2 = self.moments(p)
        self.m1, self.m2 = self.t1.clone(), self.t2.clone()
        self.beta, self.calls = 0.5 ** (batch / 1000), 0
        print("teacher attribute frequencies on the data: " + ", ".join(
            f"{a} {v * 100:.1f}%" for a, v in zip(train_classifier.ATTRS, self.t1.tolist())), flush=True)

    def moments(self, p):
        k = p.shape[1]
        iu = torch.triu_indices(k, k, 1)
        a, b = p[:, iu[0]], p[:, iu[1]]
        if not self.chi2:
            return p.mean(0), (a * b).mean(0)
        # Every cell of every attribute and of every pair's 2x2 table (both on, one on, both off).
        cells1 = torch.cat([p, 1 - p], 1)
        cells2 = torch.cat([a * b, a * (1 - b), (1 - a) * b, (1 - a) * (1 - b)], 1)
        return cells1.mean(0), cells2.mean(0)

    def loss(self, fake):
        p = torch.sigmoid(self.net(fake.clamp(-1, 1)))
        b1, b2 = self.moments(p)
        with torch.no_grad():
            beta = min(self.beta, self.calls / (self.calls + 1))  # a plain running mean at first
            self.calls += 1
            self.m1.copy_(b1.lerp(self.m1, beta))
            self.m2.copy_(b2.lerp(self.m2, beta))
        if self.chi2:  # gaps relative to the target cell (a chi-square): a rare cell's absence counts
            f1, f2 = self.t1.clamp(min=0.02), self.t2.clamp(min=0.02)  # never-together cells (lipstick, beard) stay finite
            return (((self.m1 - self.t1) / f1) * b1).sum() + (((self.m2 - self.t2) / f2) * b2).sum()
        return ((self.m1 - self.t1) * b1).sum() + ((self.m2 - self.t2) * b2).sum()

    def rarest(self):
        """(ratio generated / data, target) of the pair cell furthest below its target, as a share."""
        r = torch.where(self.t2 > 0.02, self.m2 / self.t2.clamp(min=0.02), torch.ones_like(self.t2))
        i = int(torch.argmin(r))
        return round(float(r[i]), 3), round(float(self.t2[i]), 3)


def mapping_depth(sd, prefix=""):
    n = 0
    while f"{prefix}mapping.fc{n}.weight" in sd:
        n += 1
    return n


def save(path, G, G_ema, D, optG, optD, step, nimg, G_long, pl_mean):
    st = dict(pl_mean=float(pl_mean), G=G.state_dict(), G_ema=G_ema.state_dict(), G_long=G_long.state_dict(), D=D.state_dict(), optG=optG.state_dict(),
              optD=optD.state_dict(), step=step, nimg=nimg, rng=torch.get_rng_state())
    torch.save(st, path + ".tmp")
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()

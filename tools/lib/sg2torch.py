"""A StyleGAN2 (config-f style, skip architecture) in plain PyTorch, written from the facts in
docs/STYLEGAN2.md. It is the project's reference: the FaceWorld generator is trained
with it, the Swift engine's parity fixtures come from it, and the benchmarks compare against it.
Parameter names follow NVIDIA's stylegan2-ada-pytorch (mapping.fc0.weight,
synthesis.b8.conv0.affine.bias, ...), so its state_dict is a canonical checkpoint.

Modulated convolutions use the equivalent non-fused form y = d * conv(W, s * x) with
d = rsqrt(Q (s*s) + 1e-8), Q[o,i] = sum_k W[o,i,k]^2: exact, and cheap on a CPU."""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SQRT2 = math.sqrt(2.0)
FIR = torch.tensor([1.0, 3.0, 3.0, 1.0])


def fir_2d():
    k = torch.outer(FIR, FIR)
    return k / k.sum()


def upfirdn2d_up2(x, pad, gain=4.0):
    """Zero-insert upsampling by 2, pad (x0, x1, y0, y1), 4x4 [1,3,3,1] FIR filter * gain."""
    n, c, h, w = x.shape
    y = x.new_zeros(n, c, h * 2, w * 2)
    y[:, :, ::2, ::2] = x
    return fir(y, pad, gain)


def fir(x, pad, gain=1.0):
    n, c, h, w = x.shape
    x0, x1, y0, y1 = pad
    x = F.pad(x, [x0, x1, y0, y1])
    k = (fir_2d() * gain).flip([0, 1]).to(x)[None, None].repeat(c, 1, 1, 1)
    return F.conv2d(x, k, groups=c)


def bias_act(x, b, act, clamp):
    x = x + b.view(1, -1, 1, 1) if x.dim() == 4 else x + b
    if act == "lrelu":
        x = F.leaky_relu(x, 0.2) * SQRT2
    if clamp is not None:
        x = x.clamp(-clamp, clamp)
    return x


class FC(nn.Module):
    """Equalised-learning-rate fully connected layer (NVIDIA FullyConnectedLayer)."""

    def __init__(self, fin, fout, lr_mul=1.0, bias_init=0.0, act="linear"):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(fout, fin) / lr_mul)
        self.bias = nn.Parameter(torch.full([fout], float(bias_init)))
        self.gain = lr_mul / math.sqrt(fin)
        self.lr_mul = lr_mul
        self.act = act

    def forward(self, x):
        x = x @ (self.weight * self.gain).t()
        b = self.bias * self.lr_mul
        if self.act == "lrelu":
            return F.leaky_relu(x + b, 0.2) * SQRT2
        return x + b


class Mapping(nn.Module):
    def __init__(self, z_dim, w_dim, num_ws, layers=8, lr_mul=0.01):
        super().__init__()
        self.z_dim, self.w_dim, self.num_ws, self.num_layers = z_dim, w_dim, num_ws, layers
        for i in range(layers):
            setattr(self, f"fc{i}", FC(z_dim if i == 0 else w_dim, w_dim, lr_mul=lr_mul, act="lrelu"))
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(self, z, psi=1.0, cutoff=None, update_w_avg=False, w_avg_beta=0.995):
        x = z * (z.square().mean(1, keepdim=True) + 1e-8).rsqrt()
        for i in range(self.num_layers):
            x = getattr(self, f"fc{i}")(x)
        if update_w_avg:
            self.w_avg.copy_(x.detach().mean(0).lerp(self.w_avg, w_avg_beta))
        x = x.unsqueeze(1).repeat(1, self.num_ws, 1)
        if psi != 1:
            if cutoff is None:
                x = self.w_avg.lerp(x, psi)
            else:
                x[:, :cutoff] = self.w_avg.lerp(x[:, :cutoff], psi)
        return x


class SynthesisLayer(nn.Module):
    def __init__(self, cin, cout, w_dim, res, up=False, conv_clamp=None):
        super().__init__()
        self.up, self.res, self.conv_clamp = up, res, conv_clamp
        self.affine = FC(w_dim, cin, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(cout, cin, 3, 3))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.noise_strength = nn.Parameter(torch.zeros([]))
        self.register_buffer("noise_const", torch.randn(res, res))

    def forward(self, x, w, noise_mode="const", gen=None):
        s = self.affine(w)                                        # [N, I]
        q = self.weight.square().sum([2, 3])                      # [O, I]
        d = (s.square() @ q.t() + 1e-8).rsqrt()                   # [N, O]
        x = x * s[:, :, None, None]
        if self.up:
            x = F.conv_transpose2d(x, self.weight.transpose(0, 1), stride=2)   # 2H+1
            x = fir(x, [1, 1, 1, 1], gain=4.0)
        else:
            x = F.conv2d(x, self.weight, padding=1)
        x = x * d[:, :, None, None]
        if noise_mode == "const":
            x = x + self.noise_const * self.noise_strength
        elif noise_mode == "random":
            n = torch.randn(x.shape[0], 1, self.res, self.res, generator=gen, device=x.device)
            x = x + n * self.noise_strength
        return bias_act(x, self.bias, "lrelu", self.conv_clamp)


class ToRGB(nn.Module):
    def __init__(self, cin, w_dim, conv_clamp=None):
        super().__init__()
        self.conv_clamp = conv_clamp
        self.affine = FC(w_dim, cin, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(3, cin, 1, 1))
        self.bias = nn.Parameter(torch.zeros(3))
        self.gain = 1 / math.sqrt(cin)

    def forward(self, x, w):
        s = self.affine(w) * self.gain
        x = F.conv2d(x * s[:, :, None, None], self.weight)
        return bias_act(x, self.bias, "linear", self.conv_clamp)


class Block(nn.Module):
    def __init__(self, cin, cout, w_dim, res, conv_clamp=None):
        super().__init__()
        self.res = res
        if res == 4:
            self.const = nn.Parameter(torch.randn(cout, 4, 4))
        else:
            self.conv0 = SynthesisLayer(cin, cout, w_dim, res, up=True, conv_clamp=conv_clamp)
        self.conv1 = SynthesisLayer(cout, cout, w_dim, res, conv_clamp=conv_clamp)
        self.torgb = ToRGB(cout, w_dim, conv_clamp=conv_clamp)
        self.num_conv = 1 if res == 4 else 2

    def forward(self, x, img, ws, noise_mode="const", gen=None):
        # ws: [N, num_conv + 1, w_dim]
        if self.res == 4:
            x = self.const.unsqueeze(0).repeat(ws.shape[0], 1, 1, 1)
            x = self.conv1(x, ws[:, 0], noise_mode, gen)
        else:
            x = self.conv0(x, ws[:, 0], noise_mode, gen)
            x = self.conv1(x, ws[:, 1], noise_mode, gen)
        y = self.torgb(x, ws[:, self.num_conv])
        img = y if img is None else upfirdn2d_up2(img, [2, 1, 2, 1], gain=4.0) + y
        return x, img


def channels_for(res, base, cmax):
    return min(base // res, cmax)


class Synthesis(nn.Module):
    def __init__(self, w_dim, resolution, channels, conv_clamp=None):
        super().__init__()
        self.resolution = resolution
        self.resolutions = [2 ** i for i in range(2, int(math.log2(resolution)) + 1)]
        self.num_ws = 2 * len(self.resolutions)
        for r in self.resolutions:
            cin = channels[r // 2] if r > 4 else 0
            setattr(self, f"b{r}", Block(cin, channels[r], w_dim, r, conv_clamp))

    def forward(self, ws, noise_mode="const", gen=None, stop_res=None):
        x = img = None
        k = 0
        for r in self.resolutions:
            b = getattr(self, f"b{r}")
            x, img = b(x, img, ws[:, k:k + b.num_conv + 1], noise_mode, gen)
            k += b.num_conv
            if stop_res is not None and r >= stop_res:
                break
        return img


class Generator(nn.Module):
    def __init__(self, z_dim=512, w_dim=512, resolution=1024, mapping_layers=8, channel_base=32768,
                 channel_max=512, conv_clamp=None, channels=None, lr_mul=0.01):
        super().__init__()
        res_list = [2 ** i for i in range(2, int(math.log2(resolution)) + 1)]
        if channels is None:
            channels = {r: channels_for(r, channel_base, channel_max) for r in res_list}
        self.config = dict(z_dim=z_dim, w_dim=w_dim, resolution=resolution, mapping_layers=mapping_layers,
                           conv_clamp=conv_clamp, channels={int(k): int(v) for k, v in channels.items()})
        self.synthesis = Synthesis(w_dim, resolution, channels, conv_clamp)
        self.num_ws = 2 * int(math.log2(resolution)) - 2
        self.mapping = Mapping(z_dim, w_dim, self.num_ws, mapping_layers, lr_mul)
        self.z_dim = z_dim

    def forward(self, z, psi=1.0, cutoff=None, noise_mode="const"):
        return self.synthesis(self.mapping(z, psi, cutoff), noise_mode)


def seed_z(seed, z_dim):
    """z exactly as the reference generate script draws it."""
    return torch.from_numpy(np.random.RandomState(seed).randn(1, z_dim)).float()


# How a tensor changes shape between the two layouts: (NVIDIA -> rosinality, rosinality -> NVIDIA).
_RESHAPE = {
    "keep": (lambda t: t, lambda t: t),
    "lead1": (lambda t: t.unsqueeze(0), lambda t: t[0]),                 # [..] <-> [1, ..]
    "lead2": (lambda t: t[None, None], lambda t: t[0, 0]),               # [R, R] <-> [1, 1, R, R]
    "scalar": (lambda t: t.reshape(1), lambda t: t.reshape([])),         # [] <-> [1]
    "rgb_bias": (lambda t: t.reshape(1, 3, 1, 1), lambda t: t.reshape(3)),
}


def rosinality_key_map(mapping_layers, resolution):
    """The one table of NVIDIA <-> rosinality generator names (the Swift loader's KeyNames is
    checked against files this module writes): (nvidia, rosinality, reshape) for every tensor of
    g_ema; latent_avg <-> mapping.w_avg sits beside g_ema."""
    rows = []
    for i in range(mapping_layers):
        rows += [(f"mapping.fc{i}.weight", f"style.{i + 1}.weight", "keep"),
                 (f"mapping.fc{i}.bias", f"style.{i + 1}.bias", "keep")]
    rows.append(("synthesis.b4.const", "input.input", "lead1"))

    def layer(nv, ros, noise_idx):
        return [(f"{nv}.weight", f"{ros}.conv.weight", "lead1"),
                (f"{nv}.affine.weight", f"{ros}.conv.modulation.weight", "keep"),
                (f"{nv}.affine.bias", f"{ros}.conv.modulation.bias", "keep"),
                (f"{nv}.noise_strength", f"{ros}.noise.weight", "scalar"),
                (f"{nv}.bias", f"{ros}.activate.bias", "keep"),
                (f"{nv}.noise_const", f"noises.noise_{noise_idx}", "lead2")]

    def rgb(nv, ros):
        return [(f"{nv}.weight", f"{ros}.conv.weight", "lead1"),
                (f"{nv}.affine.weight", f"{ros}.conv.modulation.weight", "keep"),
                (f"{nv}.affine.bias", f"{ros}.conv.modulation.bias", "keep"),
                (f"{nv}.bias", f"{ros}.bias", "rgb_bias")]

    rows += layer("synthesis.b4.conv1", "conv1", 0) + rgb("synthesis.b4.torgb", "to_rgb1")
    r, k = 8, 1
    while r <= resolution:
        rows += layer(f"synthesis.b{r}.conv0", f"convs.{2 * k - 2}", 2 * k - 1)
        rows += layer(f"synthesis.b{r}.conv1", f"convs.{2 * k - 1}", 2 * k)
        rows += rgb(f"synthesis.b{r}.torgb", f"to_rgbs.{k - 1}")
        r, k = r * 2, k + 1
    return rows


def _mapping_layers(names, prefix):
    i = 0
    while f"{prefix}{i}.weight" in names:
        i += 1
    return i


def to_rosinality(sd, num_ws, resolution):
    """NVIDIA-named state dict -> rosinality's {'g_ema': ..., 'latent_avg': ...} layout."""
    table = rosinality_key_map(_mapping_layers(sd, "mapping.fc"), resolution)
    return {"g_ema": {ros: _RESHAPE[how][0](sd[nv]) for nv, ros, how in table}, "latent_avg": sd["mapping.w_avg"]}


def from_rosinality(ckpt, resolution):
    """rosinality's {'g_ema': ..., 'latent_avg': ...} -> the NVIDIA-named state dict."""
    src = ckpt["g_ema"]
    layers = 0
    while f"style.{layers + 1}.weight" in src:   # style.0 is the PixelNorm: no weights
        layers += 1
    table = rosinality_key_map(layers, resolution)
    sd = {nv: _RESHAPE[how][1](src[ros]) for nv, ros, how in table}
    sd["mapping.w_avg"] = ckpt["latent_avg"]
    return sd

"""One training step of PINNsFormer on the convection problem in PyTorch,
to compare with `go test ./pinn -bench PINNsFormerStep`.

The model is the reference code's (AdityaLab/pinnsformer, model/pinnsformer.py):
PINNsformer(d_out=1, d_hidden=512, d_model=32, N=1, heads=2), 453,561
parameters, Xavier-uniform Linear weights with bias 0.01. The step is one
L-BFGS closure of the reference convection notebook: the pseudo-sequences
(x, t + i*1e-4), i = 0..4, of a g x g grid on [0, 2pi] x [0, 1], u_x and u_t by
torch.autograd.grad(create_graph=True), loss = mean((u_t + 50 u_x)^2) over
every token + periodic boundary mean((u(0,t) - u(2pi,t))^2) over every token
+ initial mean((u[:,0] - sin x)^2) on the first token, then backward.
Threads: 2. Prints one JSON line per dtype in the `sciml bench` convention.

    /usr/bin/python3 docs/bench/pinnsformer_torch.py [--grid 51] [--runs 5] [--f64only]
"""
import argparse
import copy
import json
import math
import statistics
import time

import torch
import torch.nn as nn


class WaveAct(nn.Module):
    def __init__(self):
        super().__init__()
        self.w1 = nn.Parameter(torch.ones(1))
        self.w2 = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return self.w1 * torch.sin(x) + self.w2 * torch.cos(x)


class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff=256):
        super().__init__()
        self.linear = nn.Sequential(nn.Linear(d_model, d_ff), WaveAct(), nn.Linear(d_ff, d_ff), WaveAct(),
                                    nn.Linear(d_ff, d_model))

    def forward(self, x):
        return self.linear(x)


class EncoderLayer(nn.Module):
    def __init__(self, d_model, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(embed_dim=d_model, num_heads=heads, batch_first=True)
        self.ff = FeedForward(d_model)
        self.act1 = WaveAct()
        self.act2 = WaveAct()

    def forward(self, x):
        x2 = self.act1(x)
        x = x + self.attn(x2, x2, x2)[0]
        x2 = self.act2(x)
        return x + self.ff(x2)


class DecoderLayer(nn.Module):
    def __init__(self, d_model, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(embed_dim=d_model, num_heads=heads, batch_first=True)
        self.ff = FeedForward(d_model)
        self.act1 = WaveAct()
        self.act2 = WaveAct()

    def forward(self, x, e_outputs):
        x2 = self.act1(x)
        x = x + self.attn(x2, e_outputs, e_outputs)[0]
        x2 = self.act2(x)
        return x + self.ff(x2)


class Encoder(nn.Module):
    def __init__(self, d_model, N, heads):
        super().__init__()
        self.layers = nn.ModuleList([copy.deepcopy(EncoderLayer(d_model, heads)) for _ in range(N)])
        self.act = WaveAct()

    def forward(self, x):
        for l in self.layers:
            x = l(x)
        return self.act(x)


class Decoder(nn.Module):
    def __init__(self, d_model, N, heads):
        super().__init__()
        self.layers = nn.ModuleList([copy.deepcopy(DecoderLayer(d_model, heads)) for _ in range(N)])
        self.act = WaveAct()

    def forward(self, x, e_outputs):
        for l in self.layers:
            x = l(x, e_outputs)
        return self.act(x)


class PINNsformer(nn.Module):
    def __init__(self, d_out, d_model, d_hidden, N, heads):
        super().__init__()
        self.linear_emb = nn.Linear(2, d_model)
        self.encoder = Encoder(d_model, N, heads)
        self.decoder = Decoder(d_model, N, heads)
        self.linear_out = nn.Sequential(nn.Linear(d_model, d_hidden), WaveAct(), nn.Linear(d_hidden, d_hidden),
                                        WaveAct(), nn.Linear(d_hidden, d_out))

    def forward(self, x, t):
        src = self.linear_emb(torch.cat((x, t), dim=-1))
        e = self.encoder(src)
        return self.linear_out(self.decoder(src, e))


def init_weights(m):
    if isinstance(m, nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)
        m.bias.data.fill_(0.01)


def sequence(pts, k=5, dt=1e-4):
    s = pts.unsqueeze(1).repeat(1, k, 1)
    s[:, :, 1] += dt * torch.arange(k, dtype=pts.dtype)
    return s


def grid(g, dtype):
    x = torch.linspace(0, 2 * math.pi, g, dtype=dtype)
    t = torch.linspace(0, 1, g, dtype=dtype)
    tm, xm = torch.meshgrid(t, x, indexing="ij")
    data = torch.stack((xm, tm), -1)
    return data.reshape(-1, 2), data[0], data[:, 0], data[:, -1]  # res, t=0, x=0, x=2pi


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", type=int, default=51)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--f64only", action="store_true", help="time float64 only")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    for dtype, name in ((torch.float64, "float64"), (torch.float32, "float32")):
        if a.f64only and dtype != torch.float64:
            continue
        m = PINNsformer(d_out=1, d_hidden=512, d_model=32, N=1, heads=2).to(dtype)
        m.apply(init_weights)
        params = sum(p.numel() for p in m.parameters())
        res, left, upper, lower = grid(a.grid, dtype)
        seqs = [sequence(v) for v in (res, left, upper, lower)]
        xs = [s[:, :, 0:1].clone().requires_grad_(True) for s in seqs]
        ts = [s[:, :, 1:2].clone().requires_grad_(True) for s in seqs]

        def closure():
            m.zero_grad()
            pred_res = m(xs[0], ts[0])
            pred_left = m(xs[1], ts[1])
            pred_upper = m(xs[2], ts[2])
            pred_lower = m(xs[3], ts[3])
            u_x = torch.autograd.grad(pred_res, xs[0], torch.ones_like(pred_res), retain_graph=True, create_graph=True)[0]
            u_t = torch.autograd.grad(pred_res, ts[0], torch.ones_like(pred_res), retain_graph=True, create_graph=True)[0]
            loss = (torch.mean((u_t + 50 * u_x) ** 2) + torch.mean((pred_upper - pred_lower) ** 2)
                    + torch.mean((pred_left[:, 0] - torch.sin(xs[1][:, 0])) ** 2))
            loss.backward()
            return loss

        closure()
        times = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            closure()
            times.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"name": "pinnsformer-torch", "config": "convection grid %d (%d points x 5 tokens)" % (a.grid, a.grid * a.grid),
                          "params": params, "dtype": name, "threads": a.threads,
                          "step_ms_median": round(statistics.median(times), 1), "step_ms_min": round(min(times), 1)}))


if __name__ == "__main__":
    main()

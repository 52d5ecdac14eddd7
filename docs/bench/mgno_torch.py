#!/usr/bin/env python3
"""PyTorch baseline for `sciml bench operator` on darcy-mgno: one MgNO step.

The model is sciml's MgNO of the Darcy paper profile (operator.MgNODarcy,
the MgNO paper's setup, REFERENCE.md): input (a, x, y) on the closed 85x85
grid, 5 layers u <- GELU(MgConv(u) + W u + b) of 24 channels, each MgConv a
6-level V-cycle with one pre-smoothing step a level (u = S f on the way
down, the residual f - A u restricted by a stride-2 3x3 convolution,
corrections prolonged by a stride-2 4x4 transposed convolution with
padding 1 and cropped to the finer grid: odd grids 85 -> 43 -> 22 -> 11 ->
6 -> 3), all convolutions bias-free with zero padding, and a bias-free 1x1
projection; 593,613 parameters. One step is forward, the relative H1 loss
(central differences inside, second-order one-sided at the edges, summed
over the batch), backward and an Adam step (lr 5e-4), in float32 on random
inputs, batch 8: what `sciml bench operator --set config=darcy-mgno --set
profile=paper` times.

Usage: /usr/bin/python3 docs/bench/mgno_torch.py [--threads 2] [--runs 10]
       [--batch 8] [--res 85]
(Debian: python3-torch, CPU.)
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

from fno_torch import print_result, time_steps  # the harness of sciml bench's baselines


class MgConv(nn.Module):
    def __init__(self, f, u, levels):
        super().__init__()
        conv = lambda ci, co, s=1: nn.Conv2d(ci, co, 3, stride=s, padding=1, bias=False)
        self.A = nn.ModuleList([conv(u, f) for _ in range(levels)])
        self.S = nn.ModuleList([conv(f, u) for _ in range(levels)])
        self.R = nn.ModuleList([conv(f, f, 2) for _ in range(levels - 1)])
        self.P = nn.ModuleList([nn.ConvTranspose2d(u, u, 4, stride=2, padding=1, bias=False) for _ in range(levels - 1)])
        self.levels = levels

    def vcycle(self, l, f):
        u = self.S[l](f)
        if l + 1 < self.levels:
            e = self.vcycle(l + 1, self.R[l](f - self.A[l](u)))
            u = u + self.P[l](e)[..., :u.shape[-2], :u.shape[-1]]
        return u

    def forward(self, f):
        return self.vcycle(0, f)


class MgNO(nn.Module):
    def __init__(self, width=24, layers=5, levels=6, inp=3):
        super().__init__()
        self.convs = nn.ModuleList()
        self.lins = nn.ModuleList()
        for i in range(layers):
            f = inp if i == 0 else width
            self.convs.append(MgConv(f, width, levels))
            self.lins.append(nn.Conv2d(f, width, 1))
        self.project = nn.Conv2d(width, 1, 1, bias=False)

    def forward(self, a):
        b, _, h, w = a.shape
        gx = torch.linspace(0, 1, h).reshape(1, 1, h, 1).expand(b, 1, h, w)
        gy = torch.linspace(0, 1, w).reshape(1, 1, 1, w).expand(b, 1, h, w)
        u = torch.cat((a, gx, gy), 1)
        for conv, lin in zip(self.convs, self.lins):
            u = F.gelu(conv(u) + lin(u))
        return self.project(u)


def rel_h1_sum(x, y):
    h = 1.0 / (x.shape[-1] - 1)

    def sq(v):
        dx, dy = torch.gradient(v, spacing=h, dim=(-2, -1), edge_order=2)
        return (v * v + dx * dx + dy * dy).flatten(1).sum(1)

    return torch.sqrt(sq(x - y) / sq(y)).sum()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--res", type=int, default=85)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = MgNO()
    x, y = torch.randn(a.batch, 1, a.res, a.res), torch.randn(a.batch, 1, a.res, a.res)
    opt = torch.optim.Adam(model.parameters(), lr=5e-4)

    def step():
        opt.zero_grad()
        loss = rel_h1_sum(model(x), y)
        loss.backward()
        opt.step()

    med, mn = time_steps(step, a.runs)
    print_result("mgno-darcy", f"batch={a.batch} s=[{a.res} {a.res}] width=24 layers=5 levels=6", model, med, mn)


if __name__ == "__main__":
    main()

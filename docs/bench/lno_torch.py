#!/usr/bin/env python3
"""PyTorch baseline for `sciml bench operator` on darcy-lno: one LNO step.

The model is sciml's LNO of the Darcy paper profile (operator.LNOConfig,
the Neural Operator paper's low-rank kernel): input (a, x, y) on the
closed 85x85 grid, lifting 3 -> 64, 4 layers v <- GELU(W v + b + K v)
(no GELU after the last), K v = sum_j phi_j(x) <psi_j, v>/N with the rank-4
kernel nets phi, psi: (a, x, y) -> 64 -> GELU -> 4*64, and the projection
64 -> 128 -> GELU -> 1; 160,513 parameters. One step is forward, the
relative L2 loss summed over the batch, backward and an Adam step (lr 1e-3,
weight decay 1e-4), in float32 on random inputs, batch 20: what `sciml
bench operator --set config=darcy-lno --set profile=paper` times.

--variant explicit (default) forms phi and psi at every point, as the
paper's low-rank script does; --variant factored contracts v with the
kernel nets' hidden features instead (sciml's algorithm,
LNOLayer.kernelIntegral), the same function with a quarter of the work.

Usage: /usr/bin/python3 docs/bench/lno_torch.py [--variant explicit|factored]
       [--threads 2] [--runs 10] [--batch 20] [--res 85]
(Debian: python3-torch, CPU.)
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

from fno_torch import print_result, rel_l2_sum, time_steps  # the harness of sciml bench's baselines

W, R, H, P = 64, 4, 64, 128


class Layer(nn.Module):
    def __init__(self, factored):
        super().__init__()
        self.phi = nn.Sequential(nn.Linear(3, H), nn.GELU(), nn.Linear(H, R * W))
        self.psi = nn.Sequential(nn.Linear(3, H), nn.GELU(), nn.Linear(H, R * W))
        self.skip = nn.Linear(W, W)
        self.factored = factored

    def kernel(self, a, v):  # a [B, N, 3], v [B, N, W] -> K v [B, N, W]
        b, n, _ = v.shape
        if not self.factored:
            phi = self.phi(a).reshape(b, n, R, W)
            psi = self.psi(a).reshape(b, n, R, W)
            c = torch.einsum("bnrw,bnw->br", psi, v) / n
            return torch.einsum("bnrw,br->bnw", phi, c)
        h = F.gelu(self.psi[0](a))  # [B, N, H]
        g = torch.einsum("bnw,bnk->bwk", v, h) / n  # [B, W, H]
        lb = self.psi[2]
        c = torch.einsum("bwk,rwk->br", g, lb.weight.reshape(R, W, H)) + v.mean(1) @ lb.bias.reshape(R, W).t()
        gf = F.gelu(self.phi[0](a))  # [B, N, H]
        la = self.phi[2]
        mix = torch.einsum("br,rwk->bwk", c, la.weight.reshape(R, W, H))
        return torch.einsum("bwk,bnk->bnw", mix, gf) + (c @ la.bias.reshape(R, W)).unsqueeze(1)

    def forward(self, a, v):
        return self.skip(v) + self.kernel(a, v)


class LNO(nn.Module):
    def __init__(self, factored):
        super().__init__()
        self.lift = nn.Linear(3, W)
        self.layers = nn.ModuleList([Layer(factored) for _ in range(4)])
        self.project = nn.Sequential(nn.Linear(W, P), nn.GELU(), nn.Linear(P, 1))

    def forward(self, a):  # a [B, s, s]
        b, h, w = a.shape
        gx = torch.linspace(0, 1, h).reshape(1, h, 1).expand(b, h, w)
        gy = torch.linspace(0, 1, w).reshape(1, 1, w).expand(b, h, w)
        feat = torch.stack((a, gx, gy), -1).reshape(b, h * w, 3)
        v = self.lift(feat)
        for i, l in enumerate(self.layers):
            v = l(feat, v)
            if i < len(self.layers) - 1:
                v = F.gelu(v)
        return self.project(v).reshape(b, h, w)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", default="explicit", choices=["explicit", "factored"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--res", type=int, default=85)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = LNO(a.variant == "factored")
    x, y = torch.randn(a.batch, a.res, a.res), torch.randn(a.batch, a.res, a.res)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)

    def step():
        opt.zero_grad()
        loss = rel_l2_sum(model(x), y)
        loss.backward()
        opt.step()

    med, mn = time_steps(step, a.runs)
    print_result("lno-darcy-" + a.variant, f"batch={a.batch} s=[{a.res} {a.res}] width=64 rank=4", model, med, mn)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PyTorch baseline for `sciml bench operator` on darcy-gno: one GNO step.

The model is sciml's GNO of the Darcy paper profile (operator.GNOConfig):
each of the 4 samples of a batch trains on 1,000 random nodes of its
85x85 grid and the radius graph (r = 0.1, self-loops included) among them;
lifting (a, x, y) -> 16, 4 iterations v <- GELU(W v + b + K v) (no GELU
after the last) with the Nystrom mean K v(x) = mean_{y in N(x)} kappa(x,
y, a(x), a(y)) v(y), the kernel net kappa: 6 -> 64 -> GELU -> 16x16 shared
by the iterations, and the projection 16 -> 128 -> GELU -> 1; 20,545
parameters. kappa's 16x16 matrix is formed on every edge and applied to
v(y), as the edge-conditioned convolution (NNConv) of the graph-pde
scripts does; sciml never forms it (its last layer is factored out of the
sum, operator/edgeouter.go). One step is drawing the nodes, building the
graphs, forward, the relative L2 loss on the sampled nodes summed over the
batch, backward and an Adam step (lr 1e-3, weight decay 1e-4), in float32
on random inputs: what `sciml bench operator --set config=darcy-gno --set
profile=paper` times.

Usage: /usr/bin/python3 docs/bench/gno_torch.py [--threads 2] [--runs 10]
       [--batch 4] [--res 85] [--nodes 1000] [--radius 0.1]
(Debian: python3-torch, CPU.)
"""
import argparse
import statistics

import torch
import torch.nn as nn
import torch.nn.functional as F

from fno_torch import print_result, rel_l2_sum, time_steps  # the harness of sciml bench's baselines

W = 16


class GNO(nn.Module):
    def __init__(self):
        super().__init__()
        self.lift = nn.Linear(3, W)
        self.kernel = nn.Sequential(nn.Linear(6, 64), nn.GELU(), nn.Linear(64, W * W))
        self.skip = nn.ModuleList([nn.Linear(W, W) for _ in range(4)])
        self.project = nn.Sequential(nn.Linear(W, 128), nn.GELU(), nn.Linear(128, 1))

    def forward(self, a, pos, src, dst, deg):  # a [N, 1], pos [N, 2], edges src -> dst
        k = self.kernel(torch.cat((pos[dst], pos[src], a[dst], a[src]), 1)).reshape(-1, W, W)
        v = self.lift(torch.cat((a, pos), 1))
        for i, s in enumerate(self.skip):
            msg = torch.bmm(k, v[src].unsqueeze(-1)).squeeze(-1)  # [E, W]
            agg = torch.zeros_like(v).index_add_(0, dst, msg) / deg
            v = s(v) + agg
            if i < len(self.skip) - 1:
                v = F.gelu(v)
        return self.project(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--res", type=int, default=85)
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--radius", type=float, default=0.1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = GNO()
    s, m, bs = a.res, a.nodes, a.batch
    g = torch.linspace(0, 1, s)
    grid = torch.stack(torch.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
    x, y = torch.randn(bs, s * s), torch.randn(bs, s * s)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    edges = []

    def step():
        nodes, srcs, dsts = [], [], []
        for b in range(bs):
            idx = torch.randperm(s * s)[:m]
            p = grid[idx]
            d, sr = (torch.cdist(p, p) <= a.radius).nonzero(as_tuple=True)
            dsts.append(d + b * m)
            srcs.append(sr + b * m)
            nodes.append(idx + b * s * s)
        nodes, src, dst = torch.cat(nodes), torch.cat(srcs), torch.cat(dsts)
        deg = torch.bincount(dst, minlength=bs * m).unsqueeze(1).float()
        edges.append(len(src))
        opt.zero_grad()
        pos = grid[nodes % (s * s)]
        pred = model(x.reshape(-1, 1)[nodes], pos, src, dst, deg).reshape(bs, m)
        yt = y.reshape(-1)[nodes].reshape(bs, m)
        loss = rel_l2_sum(pred, yt)
        loss.backward()
        opt.step()

    med, mn = time_steps(step, a.runs)
    print_result("gno-darcy", f"batch={bs} s=[{s} {s}] nodes={m} r={a.radius} width={W} edges/step={statistics.mean(edges):.0f}", model, med, mn)


if __name__ == "__main__":
    main()

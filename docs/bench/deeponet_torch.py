#!/usr/bin/env python3
"""PyTorch baseline for `sciml bench operator` on darcy-deeponet: one step.

The model is sciml's DeepONet of the Darcy paper profile
(operator.DeepONetConfig): the branch MLP takes a interpolated (bilinearly,
both ends on the grid) from 85x85 to 29x29 sensors, 841 -> 256 -> 256 ->
128; the trunk MLP takes (x, y), 2 -> 256 -> 256 -> 128 with GELU after
its last layer too; u(x) = <branch, trunk(x)> + bias; 413,697 parameters.
One step is forward on all 85x85 points, the relative L2 loss summed over
the batch, backward and an Adam step (lr 1e-3, weight decay 1e-4), in
float32 on random inputs, batch 20: what `sciml bench operator --set
config=darcy-deeponet --set profile=paper` times.

Usage: /usr/bin/python3 docs/bench/deeponet_torch.py [--threads 2]
       [--runs 10] [--batch 20] [--res 85]
(Debian: python3-torch, CPU.)
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

from fno_torch import print_result, rel_l2_sum, time_steps  # the harness of sciml bench's baselines


class DeepONet(nn.Module):
    def __init__(self, sensors=29):
        super().__init__()
        self.sensors = sensors
        self.branch = nn.Sequential(nn.Linear(sensors * sensors, 256), nn.GELU(), nn.Linear(256, 256), nn.GELU(),
                                    nn.Linear(256, 128))
        self.trunk = nn.Sequential(nn.Linear(2, 256), nn.GELU(), nn.Linear(256, 256), nn.GELU(), nn.Linear(256, 128),
                                   nn.GELU())
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, a):  # a [B, 1, s, s]
        b, _, h, w = a.shape
        xs = F.interpolate(a, size=(self.sensors, self.sensors), mode="bilinear", align_corners=True)
        br = self.branch(xs.reshape(b, -1))  # [B, p]
        g = torch.linspace(0, 1, h)
        pts = torch.stack(torch.meshgrid(g, torch.linspace(0, 1, w), indexing="ij"), -1).reshape(-1, 2)
        return (br @ self.trunk(pts).t() + self.bias).reshape(b, 1, h, w)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--res", type=int, default=85)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = DeepONet()
    x, y = torch.randn(a.batch, 1, a.res, a.res), torch.randn(a.batch, 1, a.res, a.res)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)

    def step():
        opt.zero_grad()
        loss = rel_l2_sum(model(x), y)
        loss.backward()
        opt.step()

    med, mn = time_steps(step, a.runs)
    print_result("deeponet-darcy", f"batch={a.batch} s=[{a.res} {a.res}] sensors=29x29 p=128", model, med, mn)


if __name__ == "__main__":
    main()

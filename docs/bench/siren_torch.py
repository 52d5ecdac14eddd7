#!/usr/bin/env python3
"""PyTorch baseline for `sciml bench siren`.

One full-batch Adam step (forward, MSE loss, backward, Adam update) of the
SIREN of Sitzmann et al. (explore_siren.ipynb): 2 -> 256, 3 hidden layers of
256, 256 -> 1, sin(30 z), the paper's initialisation, on a 256x256 grid of
coordinates in [-1, 1]^2 (65,536 points), float32, Adam lr 1e-4. Prints the
median and minimum step time over `runs` steps after 2 warm-up steps, as the
Go benchmark does.

Usage: python3 docs/bench/siren_torch.py [--threads 2] [--runs 10]
       [--points 65536] [--hidden 256] [--layers 3]
(Debian: /usr/bin/python3 with python3-torch 1.13.)
With --serve it steps on request for the side-by-side comparison
`SCIML_TORCH=/usr/bin/python3 go test -run VersusTorch -v ./inr`
(internal/sidebyside): our steps and PyTorch's alternate, so the machine's
drift hits both alike.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
from torch import nn


class SineLayer(nn.Module):
    def __init__(self, n_in, n_out, is_first=False, omega0=30.0):
        super().__init__()
        self.omega0 = omega0
        self.linear = nn.Linear(n_in, n_out)
        with torch.no_grad():
            b = 1 / n_in if is_first else math.sqrt(6 / n_in) / omega0
            self.linear.weight.uniform_(-b, b)

    def forward(self, x):
        return torch.sin(self.omega0 * self.linear(x))


class Siren(nn.Module):
    def __init__(self, hidden=256, layers=3, omega0=30.0):
        super().__init__()
        net = [SineLayer(2, hidden, is_first=True, omega0=omega0)]
        for _ in range(layers):
            net.append(SineLayer(hidden, hidden, omega0=omega0))
        last = nn.Linear(hidden, 1)
        with torch.no_grad():
            b = math.sqrt(6 / hidden) / omega0
            last.weight.uniform_(-b, b)
        net.append(last)
        self.net = nn.Sequential(*net)

    def forward(self, x):
        return self.net(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--points", type=int, default=65536)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--serve", action="store_true",
                    help="step on request, for internal/sidebyside: after the warm-up print "
                         "'ready', then one step per input line, printing its time in ms")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    side = math.isqrt(a.points - 1) + 1
    t = torch.linspace(-1, 1, side)
    x = torch.stack(torch.meshgrid(t, t, indexing="ij"), -1).reshape(-1, 2)[: a.points]
    y = torch.sin(3 * x[:, :1])
    model = Siren(a.hidden, a.layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)

    def step():
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()

    for _ in range(2):
        step()
    if a.serve:
        print("ready", flush=True)
        for _ in sys.stdin:
            t0 = time.perf_counter()
            step()
            print("%.3f" % ((time.perf_counter() - t0) * 1e3), flush=True)
        return
    times = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"name": "siren_torch", "config": f"siren N={a.points} {a.layers}x{a.hidden}",
                      "params": params, "dtype": "float32", "threads": a.threads,
                      "step_ms_median": statistics.median(times), "step_ms_min": min(times),
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()

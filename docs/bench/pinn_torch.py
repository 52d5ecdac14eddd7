"""One Adam step of the Burgers PINN residual loss in PyTorch, for `sciml bench pinn`.

Raissi's Burgers network: 8 hidden tanh layers of 20, inputs (x, t),
10,000 collocation points, u_t + u u_x - (0.01/pi) u_xx with nested
torch.autograd.grad(create_graph=True), plus 100 boundary/initial points,
then one Adam step. Threads: 2 (torch.set_num_threads). Prints one JSON
line per dtype in the `sciml bench` convention.

    python3 docs/bench/pinn_torch.py [--runs 20]
"""
import argparse
import json
import math
import statistics
import time

import torch


def net(layers, dtype):
    mods = []
    for i in range(len(layers) - 1):
        lin = torch.nn.Linear(layers[i], layers[i + 1]).to(dtype)
        torch.nn.init.xavier_normal_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        mods.append(lin)
        if i + 2 < len(layers):
            mods.append(torch.nn.Tanh())
    return torch.nn.Sequential(*mods)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    nu = 0.01 / math.pi
    for dtype, name in ((torch.float32, "float32"), (torch.float64, "float64")):
        m = net([2] + [20] * 8 + [1], dtype)
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        xf = (torch.rand(10000, 2, dtype=dtype) * torch.tensor([2.0, 1.0], dtype=dtype) - torch.tensor([1.0, 0.0], dtype=dtype)).requires_grad_(True)
        xb = torch.rand(100, 2, dtype=dtype)
        ub = torch.rand(100, 1, dtype=dtype)

        def step():
            opt.zero_grad()
            u = m(xf)
            g = torch.autograd.grad(u, xf, torch.ones_like(u), create_graph=True)[0]
            ux, ut = g[:, 0:1], g[:, 1:2]
            uxx = torch.autograd.grad(ux, xf, torch.ones_like(ux), create_graph=True)[0][:, 0:1]
            r = ut + u * ux - nu * uxx
            loss = (r ** 2).mean() + ((m(xb) - ub) ** 2).mean()
            loss.backward()
            opt.step()

        for _ in range(3):
            step()
        ts = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            step()
            ts.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"name": "pinn-burgers-torch", "config": "8x20 tanh, 10000 pts, u_xx nested autograd",
                          "params": sum(p.numel() for p in m.parameters()), "dtype": name, "threads": a.threads,
                          "step_ms_median": statistics.median(ts), "step_ms_min": min(ts)}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PyTorch reference for `go test -bench MLP ./tensor` (and `sciml bench mlp`).

One training step = forward + backward of an MLP 2→256→256→256→256→1 on
65,536 points in float32: the four hidden layers are sin(ω0·(x·Wᵀ + b)) with
ω0 = 30 (SIREN) or tanh(x·Wᵀ + b), the last layer is linear, the loss is the
mean squared error against a fixed target, and the parameter gradients are
computed by loss.backward() (set to None before each step, as the Go side
starts every step from fresh gradient buffers recycled by its arena).

The script warms up, then times `--runs` steps (≥ 10) and prints one JSON
object per activation in the format of `sciml bench` (DESIGN.md):

    {"name", "config", "params", "dtype", "threads",
     "step_ms_median", "step_ms_min", "gflops"}

gflops counts the three GEMMs of each layer (forward, input gradient, weight
gradient: 6·points·in·out flops per layer) per median step, the same count
the Go benchmark reports.

Usage (the Debian python3-torch package; the venv python has no torch):

    /usr/bin/python3 docs/bench/mlp_torch.py --threads 2 --runs 10

With --serve (one activation, the first of --acts) it steps on request for
the side-by-side comparison `SCIML_TORCH=/usr/bin/python3 go test -run
VersusTorch -v ./tensor` (internal/sidebyside), which alternates our steps
and PyTorch's so that the machine's drift hits both alike.
"""

import argparse
import json
import statistics
import sys
import time

import torch


def build(widths, act, omega, gen):
    layers = []
    for i in range(len(widths) - 1):
        fan_in, fan_out = widths[i], widths[i + 1]
        if act == "sin":
            # SIREN initialisation (Sitzmann et al. 2020).
            bound = 1.0 / fan_in if i == 0 else (6.0 / fan_in) ** 0.5 / omega
        else:
            bound = (6.0 / (fan_in + fan_out)) ** 0.5
        w = (torch.rand(fan_out, fan_in, generator=gen) * 2 - 1) * bound
        b = (torch.rand(fan_out, generator=gen) * 2 - 1) / fan_in ** 0.5
        layers.append((w.requires_grad_(), b.requires_grad_()))
    return layers


def step(layers, x, y, act, omega):
    h = x
    for i, (w, b) in enumerate(layers):
        z = torch.nn.functional.linear(h, w, b)
        if i == len(layers) - 1:
            h = z
        elif act == "sin":
            h = torch.sin(omega * z)
        else:
            h = torch.tanh(z)
    loss = torch.mean((h - y) ** 2)
    for w, b in layers:
        w.grad = None
        b.grad = None
    loss.backward()
    return loss.item()


def serve(step):
    """The step protocol of internal/sidebyside on stdin/stdout."""
    print("ready", flush=True)
    for _ in sys.stdin:
        t0 = time.perf_counter()
        step()
        print("%.3f" % ((time.perf_counter() - t0) * 1e3), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--points", type=int, default=65536)
    p.add_argument("--widths", default="2,256,256,256,256,1")
    p.add_argument("--acts", default="sin,tanh")
    p.add_argument("--omega", type=float, default=30.0)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--serve", action="store_true",
                   help="step on request, for internal/sidebyside: after the warm-up print "
                        "'ready', then one step per input line, printing its time in ms")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    widths = [int(v) for v in a.widths.split(",")]
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(a.points, widths[0], generator=gen) * 2 - 1
    y = torch.rand(a.points, widths[-1], generator=gen) * 2 - 1
    flops = sum(6.0 * a.points * widths[i] * widths[i + 1] for i in range(len(widths) - 1))
    for act in a.acts.split(","):
        layers = build(widths, act, a.omega, gen)
        params = sum(w.numel() + b.numel() for w, b in layers)
        for _ in range(a.warmup):
            step(layers, x, y, act, a.omega)
        if a.serve:
            serve(lambda: step(layers, x, y, act, a.omega))
            return
        times = []
        for _ in range(max(a.runs, 10)):
            t0 = time.perf_counter()
            step(layers, x, y, act, a.omega)
            times.append((time.perf_counter() - t0) * 1e3)
        med = statistics.median(times)
        print(json.dumps({
            "name": "mlp-" + act + "-torch",
            "config": "widths=%s points=%d torch=%s" % (a.widths, a.points, torch.__version__),
            "params": params,
            "dtype": "float32",
            "threads": a.threads,
            "step_ms_median": round(med, 2),
            "step_ms_min": round(min(times), 2),
            "gflops": round(flops / med / 1e6, 2),
        }), flush=True)


if __name__ == "__main__":
    main()

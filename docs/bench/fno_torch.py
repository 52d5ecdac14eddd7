#!/usr/bin/env python3
"""PyTorch baseline for `sciml bench fno`: one FNO training step.

The models are those of the FNO paper's scripts (fourier_1d.py and
fourier_2d.py of the neuraloperator repository, GELU version): FNO-1D for
Burgers (4 Fourier layers, width 64, 16 modes, input (u0, x), 549,569
parameters) and FNO-2D for Darcy (width 32, 12x12 modes, input (a, x, y),
the domain padded by 9 nodes, 2,368,001 parameters). One step is what the
scripts do per batch: forward, the relative L2 loss summed over the batch
(LpLoss(size_average=False)), backward and an Adam step (lr 1e-3,
weight decay 1e-4), in float32 on random inputs of the benchmark's shape:
batch 20 at s = 1024 (1-D) or 85x85 (2-D).

It warms up, times `runs` steps and prints one JSON object per model in the
format of `sciml bench` (DESIGN.md): name, config, params, dtype, threads,
step_ms_median, step_ms_min.

Usage: /usr/bin/python3 docs/bench/fno_torch.py [--dim 1|2] [--threads 2]
       [--runs 10] [--batch 20] [--res N]
(Debian: python3-torch 1.13, CPU.)
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SpectralConv1d(nn.Module):
    def __init__(self, in_channels, out_channels, modes1):
        super().__init__()
        self.in_channels, self.out_channels, self.modes1 = in_channels, out_channels, modes1
        self.scale = 1 / (in_channels * out_channels)
        self.weights1 = nn.Parameter(self.scale * torch.rand(in_channels, out_channels, self.modes1, dtype=torch.cfloat))

    def forward(self, x):
        batchsize = x.shape[0]
        x_ft = torch.fft.rfft(x)
        out_ft = torch.zeros(batchsize, self.out_channels, x.size(-1) // 2 + 1, device=x.device, dtype=torch.cfloat)
        out_ft[:, :, :self.modes1] = torch.einsum("bix,iox->box", x_ft[:, :, :self.modes1], self.weights1)
        return torch.fft.irfft(out_ft, n=x.size(-1))


class FNO1d(nn.Module):
    def __init__(self, modes, width):
        super().__init__()
        self.modes1, self.width = modes, width
        self.fc0 = nn.Linear(2, self.width)  # input (a(x), x)
        self.conv = nn.ModuleList([SpectralConv1d(width, width, modes) for _ in range(4)])
        self.w = nn.ModuleList([nn.Conv1d(width, width, 1) for _ in range(4)])
        self.fc1 = nn.Linear(self.width, 128)
        self.fc2 = nn.Linear(128, 1)

    def forward(self, x):
        grid = self.get_grid(x.shape, x.device)
        x = torch.cat((x, grid), dim=-1)
        x = self.fc0(x)
        x = x.permute(0, 2, 1)
        for i in range(4):
            x = self.conv[i](x) + self.w[i](x)
            if i < 3:
                x = F.gelu(x)
        x = x.permute(0, 2, 1)
        x = self.fc1(x)
        x = F.gelu(x)
        return self.fc2(x)

    def get_grid(self, shape, device):
        batchsize, size_x = shape[0], shape[1]
        gridx = torch.tensor(torch.linspace(0, 1, size_x).numpy(), dtype=torch.float)
        return gridx.reshape(1, size_x, 1).repeat([batchsize, 1, 1]).to(device)


class SpectralConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, modes1, modes2):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.modes1, self.modes2 = modes1, modes2
        self.scale = 1 / (in_channels * out_channels)
        self.weights1 = nn.Parameter(self.scale * torch.rand(in_channels, out_channels, modes1, modes2, dtype=torch.cfloat))
        self.weights2 = nn.Parameter(self.scale * torch.rand(in_channels, out_channels, modes1, modes2, dtype=torch.cfloat))

    def forward(self, x):
        batchsize = x.shape[0]
        x_ft = torch.fft.rfft2(x)
        out_ft = torch.zeros(batchsize, self.out_channels, x.size(-2), x.size(-1) // 2 + 1, dtype=torch.cfloat, device=x.device)
        out_ft[:, :, :self.modes1, :self.modes2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, :self.modes1, :self.modes2], self.weights1)
        out_ft[:, :, -self.modes1:, :self.modes2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, -self.modes1:, :self.modes2], self.weights2)
        return torch.fft.irfft2(out_ft, s=(x.size(-2), x.size(-1)))


class FNO2d(nn.Module):
    def __init__(self, modes1, modes2, width):
        super().__init__()
        self.width, self.padding = width, 9  # pad the domain if input is non-periodic
        self.fc0 = nn.Linear(3, self.width)  # input (a(x, y), x, y)
        self.conv = nn.ModuleList([SpectralConv2d(width, width, modes1, modes2) for _ in range(4)])
        self.w = nn.ModuleList([nn.Conv2d(width, width, 1) for _ in range(4)])
        self.fc1 = nn.Linear(self.width, 128)
        self.fc2 = nn.Linear(128, 1)

    def forward(self, x):
        grid = self.get_grid(x.shape, x.device)
        x = torch.cat((x, grid), dim=-1)
        x = self.fc0(x)
        x = x.permute(0, 3, 1, 2)
        x = F.pad(x, [0, self.padding, 0, self.padding])
        for i in range(4):
            x = self.conv[i](x) + self.w[i](x)
            if i < 3:
                x = F.gelu(x)
        x = x[..., :-self.padding, :-self.padding]
        x = x.permute(0, 2, 3, 1)
        x = self.fc1(x)
        x = F.gelu(x)
        return self.fc2(x)

    def get_grid(self, shape, device):
        batchsize, size_x, size_y = shape[0], shape[1], shape[2]
        gridx = torch.tensor(torch.linspace(0, 1, size_x).numpy(), dtype=torch.float)
        gridx = gridx.reshape(1, size_x, 1, 1).repeat([batchsize, 1, size_y, 1])
        gridy = torch.tensor(torch.linspace(0, 1, size_y).numpy(), dtype=torch.float)
        gridy = gridy.reshape(1, 1, size_y, 1).repeat([batchsize, size_x, 1, 1])
        return torch.cat((gridx, gridy), dim=-1).to(device)


def rel_l2_sum(x, y):
    # LpLoss(size_average=False).rel of the scripts.
    n = x.size(0)
    diff = torch.norm(x.reshape(n, -1) - y.reshape(n, -1), 2, 1)
    return torch.sum(diff / torch.norm(y.reshape(n, -1), 2, 1))


def count_params(model):
    # Complex parameters count as two reals, as the scripts' count_params.
    return sum(p.numel() * (2 if p.is_complex() else 1) for p in model.parameters())


def time_steps(step, runs):
    """Warms up with 2 calls of step, times runs more: (median, min) in ms."""
    for _ in range(2):
        step()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times), min(times)


def print_result(name, config, model, med, mn):
    """Prints one result in the format of `sciml bench` (DESIGN.md)."""
    print(json.dumps({"name": name, "config": config, "params": count_params(model), "dtype": "float32",
                      "threads": torch.get_num_threads(), "step_ms_median": round(med, 3),
                      "step_ms_min": round(mn, 3), "impl": "pytorch " + torch.__version__}))


def bench(name, model, x, y, runs):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)

    def step():
        opt.zero_grad()
        loss = rel_l2_sum(model(x), y)
        loss.backward()
        opt.step()

    return time_steps(step, runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dim", default="", help="1 (Burgers) or 2 (Darcy); default both")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--res", type=int, default=0, help="resolution (default 1024 in 1-D, 85 in 2-D)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cases = []
    if a.dim in ("", "1"):
        s = a.res or 1024
        cases.append(("fno1d-burgers", FNO1d(16, 64), (a.batch, s, 1), f"batch={a.batch} s=[{s}] width=64 modes=[16]"))
    if a.dim in ("", "2"):
        s = a.res or 85
        cases.append(("fno2d-darcy", FNO2d(12, 12, 32), (a.batch, s, s, 1), f"batch={a.batch} s=[{s} {s}] width=32 modes=[12 12]"))
    for name, model, shape, cfg in cases:
        x, y = torch.randn(*shape), torch.randn(*shape)
        med, mn = bench(name, model, x, y, a.runs)
        print_result(name, cfg, model, med, mn)


if __name__ == "__main__":
    main()

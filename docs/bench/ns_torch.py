#!/usr/bin/env python3
"""PyTorch baseline for the Navier-Stokes solver speed comparison.

A faithful port of navier_stokes_2d from the FNO data-generation script
(ns_2d.py): pseudo-spectral vorticity/stream function, 2/3 dealiasing of the
advection product, Crank-Nicolson viscosity, explicit (forward Euler)
advection and forcing, dt = 1e-4. The GRF initial condition and the forcing
are those of the script. It times `steps` steps of a batch of `batch`
samples and prints sample-steps/s (best and median of `repeats` runs).

--dtype float32 (the default) is the script's precision: float32 fields,
complex64 spectra. --dtype float64 sets torch's default dtype to float64
before building anything, so that every tensor of the step (the Laplacian,
wave numbers and dealiasing mask included) is float64/complex128: the same
scheme at the precision of sciml's default solver.

Usage: python3 docs/bench/ns_torch.py [--threads 2] [--batch 20]
       [--sizes 64 256] [--steps 100] [--repeats 5] [--dtype float32|float64]
(Debian: /usr/bin/python3 with python3-torch 1.13.)
"""
import argparse
import math
import statistics
import time

import torch


class GaussianRF(object):
    # random_fields.py of the FNO repository, 2-D periodic case.
    def __init__(self, dim, size, alpha=2, tau=3, sigma=None):
        self.dim = dim
        if sigma is None:
            sigma = tau ** (0.5 * (2 * alpha - self.dim))
        k_max = size // 2
        wavenumers = torch.cat((torch.arange(start=0, end=k_max, step=1),
                                torch.arange(start=-k_max, end=0, step=1)), 0).repeat(size, 1)
        k_x = wavenumers.transpose(0, 1)
        k_y = wavenumers
        self.sqrt_eig = (size ** 2) * math.sqrt(2.0) * sigma * (
            (4 * (math.pi ** 2) * (k_x ** 2 + k_y ** 2) + tau ** 2) ** (-alpha / 2.0))
        self.sqrt_eig[0, 0] = 0.0
        self.size = (size, size)

    def sample(self, N):
        coeff = torch.randn(N, *self.size, dtype=torch.cfloat)
        coeff = self.sqrt_eig * coeff
        return torch.fft.ifftn(coeff, dim=list(range(-1, -self.dim - 1, -1))).real


def navier_stokes_2d(w0, f, visc, T, delta_t=1e-4, record_steps=1):
    # Verbatim port of the FNO script (torch.fft API; the dealiasing mask
    # takes w0's dtype instead of .float(), which is the same in float32).
    N = w0.size()[-1]
    k_max = math.floor(N / 2.0)
    steps = math.ceil(T / delta_t)
    w_h = torch.fft.rfft2(w0)
    f_h = torch.fft.rfft2(f)
    if len(f_h.size()) < len(w_h.size()):
        f_h = torch.unsqueeze(f_h, 0)
    record_time = math.floor(steps / record_steps)
    k_y = torch.cat((torch.arange(start=0, end=k_max, step=1, device=w0.device),
                     torch.arange(start=-k_max, end=0, step=1, device=w0.device)), 0).repeat(N, 1)
    k_x = k_y.transpose(0, 1)
    k_x = k_x[..., :k_max + 1]
    k_y = k_y[..., :k_max + 1]
    lap = 4 * (math.pi ** 2) * (k_x ** 2 + k_y ** 2)
    lap[0, 0] = 1.0
    dealias = torch.unsqueeze(torch.logical_and(torch.abs(k_y) <= (2.0 / 3.0) * k_max,
                                                torch.abs(k_x) <= (2.0 / 3.0) * k_max).to(w0.dtype), 0)
    sol = torch.zeros(*w0.size(), record_steps, device=w0.device)
    sol_t = torch.zeros(record_steps, device=w0.device)
    c = 0
    t = 0.0
    for j in range(steps):
        psi_h = w_h / lap
        q = 2. * math.pi * k_y * 1j * psi_h
        q = torch.fft.irfft2(q, s=(N, N))
        v = -2. * math.pi * k_x * 1j * psi_h
        v = torch.fft.irfft2(v, s=(N, N))
        w_x = 2. * math.pi * k_x * 1j * w_h
        w_x = torch.fft.irfft2(w_x, s=(N, N))
        w_y = 2. * math.pi * k_y * 1j * w_h
        w_y = torch.fft.irfft2(w_y, s=(N, N))
        F_h = torch.fft.rfft2(q * w_x + v * w_y)
        F_h = dealias * F_h
        w_h = (-delta_t * F_h + delta_t * f_h + (1.0 - 0.5 * delta_t * visc * lap) * w_h) / (
            1.0 + 0.5 * delta_t * visc * lap)
        t += delta_t
        if (j + 1) % record_time == 0:
            w = torch.fft.irfft2(w_h, s=(N, N))
            sol[..., c] = w
            sol_t[c] = t
            c += 1
    return sol, sol_t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--sizes", type=int, nargs="+", default=[64, 256])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                    help="precision of the solve (the script uses float32)")
    ap.add_argument("--float64", action="store_true", help="same as --dtype float64 (kept for old command lines)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    dtype = torch.float64 if args.float64 or args.dtype == "float64" else torch.float32
    # Every tensor the step creates without an explicit dtype (lap, k_x * 1j,
    # the dealiasing mask) follows the default dtype: no mixed precision.
    torch.set_default_dtype(dtype)
    for s in args.sizes:
        grf = GaussianRF(2, s, alpha=2.5, tau=7)
        tt = torch.linspace(0, 1, s + 1)[0:-1]
        X, Y = torch.meshgrid(tt, tt, indexing="ij")
        f = 0.1 * (torch.sin(2 * math.pi * (X + Y)) + torch.cos(2 * math.pi * (X + Y)))
        w0 = grf.sample(args.batch).to(dtype)
        f = f.to(dtype)
        T = args.steps * 1e-4
        navier_stokes_2d(w0, f, 1e-3, 10 * 1e-4, 1e-4, 1)  # warm up
        rates = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            navier_stokes_2d(w0, f, 1e-3, T, 1e-4, 1)
            dt = time.perf_counter() - t0
            rates.append(args.batch * args.steps / dt)
        print(f"torch {torch.__version__} {s}x{s} {str(dtype).replace('torch.', '')} threads={args.threads} "
              f"batch={args.batch}: best {max(rates):.0f} median {statistics.median(rates):.0f} sample-steps/s")


if __name__ == "__main__":
    main()

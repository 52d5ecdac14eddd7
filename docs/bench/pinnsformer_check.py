"""Compare sciml's PINNsFormer with the reference PyTorch module for equal weights.

    SCIML_PF_DUMP=/tmp/pf.json go test ./pinn -run TestPINNsFormerDump
    /usr/bin/python3 docs/bench/pinnsformer_check.py /tmp/pf.json

Loads the dumped parameters (PyTorch's names) into pinnsformer_torch.PINNsformer
and prints the largest differences of the first-token outputs, of the token
derivatives d/ds_{n,i} sum_j u_{n,j} (autograd.grad on the sequence input) and
the relative difference of the convection loss (beta = 50; 3 collocation
points, 4 initial points, 4 periodic pairs; residual and periodic terms on
every token, initial term on the first).
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pinnsformer_torch import PINNsformer, sequence  # noqa: E402

torch.set_num_threads(1)
d = json.load(open(sys.argv[1]))
f64 = torch.float64
m = PINNsformer(d_out=1, d_hidden=512, d_model=32, N=1, heads=2).to(f64)
sd = {k: torch.tensor(v["data"], dtype=f64).reshape(v["shape"]) for k, v in d.items() if not k.startswith("__")}
m.load_state_dict(sd)  # strict: the names must match
x = torch.tensor([[0.3, 0.1], [2.5, 0.7], [5.9, 0.95]], dtype=f64)
s = sequence(x)
xs = s[:, :, 0:1].clone().requires_grad_(True)
ts = s[:, :, 1:2].clone().requires_grad_(True)
u = m(xs, ts)
ut = torch.autograd.grad(u, ts, torch.ones_like(u), create_graph=True)[0]
ux = torch.autograd.grad(u, xs, torch.ones_like(u), create_graph=True)[0]


def run(p):
    q = sequence(p)
    return m(q[:, :, 0:1], q[:, :, 1:2])


g = torch.linspace(0, 1, 4, dtype=f64)
xl = torch.linspace(0, 2 * math.pi, 4, dtype=f64)
zero, two_pi = torch.zeros(4, dtype=f64), torch.full((4,), 2 * math.pi, dtype=f64)
loss = (torch.mean((ut + 50 * ux) ** 2) + torch.mean((run(torch.stack((zero, g), 1)) - run(torch.stack((two_pi, g), 1))) ** 2)
        + torch.mean((run(torch.stack((xl, zero), 1))[:, 0, 0] - torch.sin(xl)) ** 2))
print("forward  max |diff|", (u[:, 0, 0] - torch.tensor(d["__forward"], dtype=f64)).abs().max().item())
print("u_t      max |diff|", (ut.reshape(-1) - torch.tensor(d["__tok_ut"], dtype=f64)).abs().max().item())
print("u_x      max |diff|", (ux.reshape(-1) - torch.tensor(d["__tok_ux"], dtype=f64)).abs().max().item())
print("loss     torch %.17g sciml %.17g rel diff %.2g" % (loss.item(), d["__loss"], abs(loss.item() - d["__loss"]) / loss.item()))

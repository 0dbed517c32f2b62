"""Sonda da aritmética: uma época do MLP do notebook 02 e o SHA-256 dos pesos finais.

O MLP 784-512-64-10 com ReLU (Adam 1e-3, lotes de 128, semente 0) treina uma época nas 10 000
primeiras imagens de treino do MNIST. Digests iguais = treino bit a bit igual. É a mesma conta de
``../shared/probes/mlp_arith_probe.py`` (mesmo digest); ``tests/test_canonical.py`` a roda sob
:mod:`hw08.canonical` com 1, 2 e todas as threads e compara com ``hw08.canonical.PROBE_DIGEST``.

    python tests/probe_mlp.py          # imprime: digest <16 hex> threads <n> isa <ATen>
"""
import hashlib
import math

import numpy as np
import torch
from torch import nn

from hw08.data import load

torch.manual_seed(0)
X, y = load("mnist", "train", flatten=True)
X, y = X[:10_000].float(), y[:10_000]
gen = torch.Generator().manual_seed(0)
layers = [nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 10)]
with torch.no_grad():
    for layer in layers[::2]:
        b = 1 / math.sqrt(layer.in_features)
        layer.weight.uniform_(-b, b, generator=gen)
        layer.bias.uniform_(-b, b, generator=gen)
model = nn.Sequential(*layers)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
order = torch.randperm(len(X), generator=gen)
for i in range(0, len(X), 128):
    idx = order[i:i + 128]
    loss = loss_fn(model(X[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
h = hashlib.sha256()
for p in model.parameters():
    h.update(p.detach().contiguous().numpy().astype(np.float32).tobytes())
print(f"digest {h.hexdigest()[:16]} threads {torch.get_num_threads()} "
      f"isa {torch.backends.cpu.get_cpu_capability()}")

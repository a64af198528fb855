"""Train a PyTorch encoder through dec-array's DEC loss, wrapped in a ``torch.autograd.Function``.

dec-array computes the DEC loss ``KL(P || Q)`` and its analytic gradients for the
embeddings and the centres directly on torch tensors (through the Array API). The
:class:`DECLoss` function below hands those gradients to autograd, so that a torch
encoder and ``nn.Parameter`` centres train with any ``torch.optim`` optimizer.

The script: load the bundled digits, pretrain a small autoencoder on reconstruction
(plain autograd), initialise the centres by k-means on the embedding
(:class:`dec_array.KMeans` works on tensors too), then fine-tune encoder and centres on the
DEC loss with the paper's full-dataset target, recomputed every ``update_interval`` steps.

Run it with ``python examples/torch_encoder.py`` (add ``--quick`` for a short run).
"""

from __future__ import annotations

import sys
from itertools import pairwise
from typing import Any

import numpy as np
import torch
from torch import nn

from dec_array import KMeans
from dec_array import functional as F
from dec_array.datasets import load_digits
from dec_array.metrics import cluster_accuracy, normalized_mutual_info_score

__all__ = ["DECLoss", "dec_loss", "main"]


class DECLoss(torch.autograd.Function):
    """``KL(P || Q)`` of embeddings ``z`` and ``centers``, with dec-array's analytic gradients.

    ``forward`` calls :func:`dec_array.functional.loss_and_grad` on the tensors themselves
    (no copy to NumPy, any device) and keeps the two gradients; ``backward`` scales them
    by the incoming gradient. The target ``P`` is a constant, as in the paper.
    """

    @staticmethod
    def forward(
        ctx: Any, z: torch.Tensor, centers: torch.Tensor, target: torch.Tensor | None, alpha: float
    ) -> torch.Tensor:
        loss, grad_centers, grad_z = F.loss_and_grad(z, centers, alpha, target)
        ctx.save_for_backward(grad_z, grad_centers)
        return loss

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[Any, ...]:
        grad_z, grad_centers = ctx.saved_tensors
        return grad_output * grad_z, grad_output * grad_centers, None, None


def dec_loss(
    z: torch.Tensor, centers: torch.Tensor, target: torch.Tensor | None = None, alpha: float = 1.0
) -> torch.Tensor:
    """The DEC loss as a differentiable torch function of ``z`` and ``centers``.

    ``target=None`` computes ``P`` from the current soft assignment (still a constant for
    the gradient).
    """
    return DECLoss.apply(z, centers, target, alpha)


def _mlp(sizes: list[int]) -> nn.Sequential:
    """Dense layers with ReLU between them and a linear last layer."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(pairwise(sizes)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _batches(n: int, batch_size: int, gen: torch.Generator):
    while True:
        perm = torch.randperm(n, generator=gen)
        yield from perm.split(batch_size)


def _pretrain(x: torch.Tensor, encoder: nn.Module, decoder: nn.Module, steps: int, gen) -> None:
    opt = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=1e-3)
    batches = _batches(x.shape[0], 256, gen)
    for _ in range(steps):
        xb = x[next(batches)]
        loss = nn.functional.mse_loss(decoder(encoder(xb)), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()


def _full_data(x: torch.Tensor, encoder: nn.Module, centers: torch.Tensor):
    """Soft assignment and target of the whole dataset (no gradient)."""
    with torch.no_grad():
        q = F.soft_assignment(encoder(x), centers)
        return q, F.target_distribution(q)


def _kl(p: torch.Tensor, q: torch.Tensor) -> float:
    return float(F.kl_divergence(p, q))


def main(quick: bool = False, seed: int = 0) -> dict[str, float]:
    """Pretrain, initialise by k-means, fine-tune with DEC; return the scores and losses.

    Returns
    -------
    dict
        ``acc_before`` / ``nmi_before`` (k-means on the pretrained embedding),
        ``acc_after`` / ``nmi_after`` (DEC), ``loss_start`` / ``loss_end`` (the full-data
        DEC loss against each target at the start and at the end of the interval it was
        used in, averaged over the intervals: what the optimizer lowers), ``steps``.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: one thread is fastest, and never oversubscribed
    try:
        return _run(quick, seed)
    finally:
        torch.set_num_threads(threads)


def _run(quick: bool, seed: int) -> dict[str, float]:
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    X, y = load_digits(return_X_y=True)
    x = torch.asarray(X / 16.0, dtype=torch.float32)

    sizes = [64, 128, 128, 256, 10]
    encoder, decoder = _mlp(sizes), _mlp(sizes[::-1])
    _pretrain(x, encoder, decoder, 300 if quick else 3000, gen)

    with torch.no_grad():
        km = KMeans(10, n_init=3 if quick else 20, random_state=seed).fit(encoder(x))
    acc_before = cluster_accuracy(y, km.labels_)
    nmi_before = normalized_mutual_info_score(y, km.labels_)
    centers = nn.Parameter(km.cluster_centers_.clone())

    opt = torch.optim.SGD([*encoder.parameters(), centers], lr=0.01, momentum=0.9)
    update_interval, max_steps = 140, 560 if quick else 3500
    batches = _batches(x.shape[0], 256, gen)
    starts, ends = [], []
    q, p = _full_data(x, encoder, centers)
    labels, step = q.argmax(dim=1), 0
    while step < max_steps:
        idx = next(batches)
        loss = dec_loss(encoder(x[idx]), centers, p[idx])
        opt.zero_grad()
        loss.backward()  # DECLoss.backward: dec-array's dL/dz and dL/dcenters
        opt.step()
        step += 1
        if step % update_interval == 0 or step == max_steps:
            new_q, new_p = _full_data(x, encoder, centers)
            starts.append(_kl(p, q))
            ends.append(_kl(p, new_q))  # the same target, after the interval's steps
            new_labels = new_q.argmax(dim=1)
            changed = float((new_labels != labels).float().mean())
            q, p, labels = new_q, new_p, new_labels
            if changed < 0.001:
                break

    return {
        "acc_before": acc_before,
        "nmi_before": nmi_before,
        "acc_after": cluster_accuracy(y, labels),
        "nmi_after": normalized_mutual_info_score(y, labels),
        "loss_start": float(np.mean(starts)),
        "loss_end": float(np.mean(ends)),
        "steps": float(step),
    }


if __name__ == "__main__":
    results = main(quick="--quick" in sys.argv[1:])
    width = max(map(len, results))
    for key, value in results.items():
        print(f"{key:<{width}}  {value:.4f}")
    np.testing.assert_array_less(results["loss_end"], results["loss_start"])

"""Train a JAX encoder through dec-array's DEC loss, wrapped in a ``jax.custom_vjp``.

dec-array computes the DEC loss ``KL(P || Q)`` and its analytic gradients for the
embeddings and the centres directly on JAX arrays (through the Array API, also under
``jax.jit``). :func:`dec_loss` below declares those gradients as the loss's vector-Jacobian
product, so ``jax.grad`` of any encoder composed with it uses them.

The script: load the bundled digits, pretrain a small autoencoder written in
``jax.numpy`` on reconstruction (``jax.grad``), initialise the centres by k-means on the
embedding (:class:`dec_array.KMeans` works on JAX arrays too), then fine-tune encoder and
centres on the DEC loss with the paper's full-dataset target, recomputed every
``update_interval`` steps. Each training step (gradient and a hand-rolled Adam update) is
one ``jax.jit``-compiled function.

Run it with ``python examples/jax_encoder.py`` (add ``--quick`` for a short run).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from dec_array import KMeans
from dec_array import functional as F
from dec_array.datasets import load_digits
from dec_array.metrics import cluster_accuracy, normalized_mutual_info_score
from dec_array.nn import init_mlp

__all__ = ["dec_loss", "encode", "main"]

Params = Mapping[str, jax.Array]
PyTree = Any  # nested tuples and dicts of arrays


@functools.partial(jax.custom_vjp, nondiff_argnums=(3,))
def dec_loss(z: jax.Array, centers: jax.Array, target: jax.Array, alpha: float = 1.0) -> jax.Array:
    """The DEC loss ``KL(P || Q)``; its gradients are dec-array's analytic ones.

    ``target`` (the paper's ``P``, e.g. rows of a full-data target) is a constant: its
    cotangent is zero.
    """
    return F.loss_and_grad(z, centers, alpha, target)[0]


def _dec_loss_fwd(z, centers, target, alpha):
    loss, grad_centers, grad_z = F.loss_and_grad(z, centers, alpha, target)
    return loss, (grad_z, grad_centers, jnp.zeros_like(target))


def _dec_loss_bwd(alpha, residuals, g):
    grad_z, grad_centers, zero_target = residuals
    return g * grad_z, g * grad_centers, zero_target


dec_loss.defvjp(_dec_loss_fwd, _dec_loss_bwd)


def encode(params: Params, x: jax.Array) -> jax.Array:
    """An MLP in ``jax.numpy``: ReLU between the layers, linear last layer."""
    count = len(params) // 2
    h = x
    for i in range(count):
        h = h @ params[f"layer{i}.weight"] + params[f"layer{i}.bias"]
        if i < count - 1:
            h = jax.nn.relu(h)
    return h


def _adam_init(params: PyTree) -> tuple[jax.Array, PyTree, PyTree]:
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    return jnp.zeros((), dtype=jnp.float32), zeros, zeros


def _adam_update(params, grads, state, lr, b1=0.9, b2=0.999, eps=1e-8):
    """One Adam step (``torch.optim.Adam``'s rule) on pytrees; pure, for use under jit."""
    t, m, v = state
    t = t + 1.0
    m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1.0 - b1) * g, m, grads)
    v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1.0 - b2) * g * g, v, grads)
    step = lr / (1.0 - b1**t)
    scale = jnp.sqrt(1.0 - b2**t)
    params = jax.tree_util.tree_map(
        lambda p, m, v: p - step * m / (jnp.sqrt(v) / scale + eps), params, m, v
    )
    return params, (t, m, v)


@jax.jit
def _pretrain_step(params, state, xb: jax.Array):
    def loss(params):
        enc, dec = params
        return jnp.mean((encode(dec, encode(enc, xb)) - xb) ** 2)

    value, grads = jax.value_and_grad(loss)(params)
    return (*_adam_update(params, grads, state, 1e-3), value)


@jax.jit
def _dec_step(params, state, xb: jax.Array, pb: jax.Array):
    def loss(params):
        enc, centers = params
        return dec_loss(encode(enc, xb), centers, pb)  # custom_vjp: dec-array's gradients

    value, grads = jax.value_and_grad(loss)(params)
    return (*_adam_update(params, grads, state, 1e-3), value)


@jax.jit
def _full_data(params, x: jax.Array):
    enc, centers = params
    q = F.soft_assignment(encode(enc, x), centers)
    return q, F.target_distribution(q)


@jax.jit
def _interval_stats(p: jax.Array, q: jax.Array, new_q: jax.Array, labels: jax.Array):
    """The loss against target ``p`` before (``q``) and after (``new_q``) an interval's
    steps, and the fraction of labels that changed."""
    changed = jnp.mean(jnp.argmax(new_q, axis=1) != labels)
    return F.kl_divergence(p, q), F.kl_divergence(p, new_q), changed


def _batches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Shuffled full mini-batches (the remainder of each epoch is dropped): one shape,
    so each jitted step compiles once."""
    while True:
        perm = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            yield perm[start : start + batch_size]


def _pretrain(x: jax.Array, sizes: list[int], steps: int, rng: np.random.Generator):
    enc = init_mlp(sizes, random_state=rng, xp=jnp, dtype="float32")
    dec = init_mlp(sizes[::-1], random_state=rng, xp=jnp, dtype="float32")
    params = (enc, dec)
    state = _adam_init(params)
    batches = _batches(x.shape[0], 256, rng)
    for _ in range(steps):
        params, state, _ = _pretrain_step(params, state, x[next(batches)])
    return params[0]


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
    rng = np.random.default_rng(seed)
    X, y = load_digits(return_X_y=True)
    x = jnp.asarray(X / 16.0, dtype=jnp.float32)

    enc = _pretrain(x, [64, 128, 128, 256, 10], 300 if quick else 3000, rng)
    # KMeans takes JAX arrays as well; eagerly, JAX compiles each of its small operations
    # once, and for a one-off fit a host copy is quicker.
    km = KMeans(10, n_init=3 if quick else 20, random_state=rng).fit(np.asarray(encode(enc, x)))
    acc_before = cluster_accuracy(y, km.labels_)
    nmi_before = normalized_mutual_info_score(y, km.labels_)

    params = (enc, jnp.asarray(km.cluster_centers_, dtype=jnp.float32))
    state = _adam_init(params)
    update_interval, max_steps = 140, 560 if quick else 3500
    batches = _batches(x.shape[0], 256, rng)
    starts, ends = [], []
    q, p = _full_data(params, x)
    labels, step = jnp.argmax(q, axis=1), 0
    while step < max_steps:
        idx = next(batches)
        params, state, _ = _dec_step(params, state, x[idx], p[idx])
        step += 1
        if step % update_interval == 0 or step == max_steps:
            new_q, new_p = _full_data(params, x)
            start, end, changed = _interval_stats(p, q, new_q, labels)
            starts.append(float(start))
            ends.append(float(end))
            new_labels = jnp.argmax(new_q, axis=1)
            q, p, labels = new_q, new_p, new_labels
            if float(changed) < 0.001:
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

"""Tests for ``examples/``: dec-array's analytic DEC gradients inside torch and JAX autodiff."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from dec_array import functional as F

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` as a module (the folder is not a package)."""
    module_name = f"_dec_array_example_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _problem(seed=0, n=7, k=3, d=4):
    rng = np.random.default_rng(seed)
    centers = 2.0 * rng.normal(size=(k, d))
    z = centers[np.arange(n) % k] + rng.normal(size=(n, d))
    target = F.target_distribution(F.soft_assignment(z, centers))
    return z, centers, target


def _check_metrics(metrics):
    assert set(metrics) == {
        "acc_before",
        "nmi_before",
        "acc_after",
        "nmi_after",
        "loss_start",
        "loss_end",
        "steps",
    }
    for key in ("acc_before", "acc_after", "nmi_before", "nmi_after"):
        assert 0.0 < metrics[key] <= 1.0
    assert metrics["steps"] > 0
    assert metrics["loss_end"] < metrics["loss_start"]  # DEC lowers its loss


def test_examples_readme_lists_both_scripts():
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert "torch_encoder.py" in text
    assert "jax_encoder.py" in text


# --------------------------------------------------------------------------- torch


@pytest.fixture(scope="module")
def torch_example():
    pytest.importorskip("torch")
    return _load("torch_encoder")


def _torch_plain_loss(torch, z, centers, p, alpha):
    """The DEC loss written literally in torch, for autograd."""
    d = ((z[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
    q = (1.0 + d / alpha) ** (-(alpha + 1.0) / 2.0)
    q = q / q.sum(dim=1, keepdim=True)
    return (p * (p.log() - q.log())).sum() / z.shape[0]


def test_torch_function_passes_gradcheck(torch_example):
    import torch

    z, centers, target = _problem()
    tz = torch.tensor(z, requires_grad=True)
    tc = torch.tensor(centers, requires_grad=True)
    tp = torch.tensor(target)
    assert torch.autograd.gradcheck(lambda a, b: torch_example.dec_loss(a, b, tp), (tz, tc))
    assert torch.autograd.gradcheck(lambda a, b: torch_example.dec_loss(a, b, tp, 2.5), (tz, tc))


@pytest.mark.parametrize("alpha", [1.0, 0.5, 4.0])
def test_torch_function_equals_autograd_of_the_plain_formula(torch_example, alpha):
    import torch

    z, centers, target = _problem(1)
    grads = []
    for fn in (
        lambda a, b: torch_example.dec_loss(a, b, torch.tensor(target), alpha),
        lambda a, b: _torch_plain_loss(torch, a, b, torch.tensor(target), alpha),
    ):
        tz = torch.tensor(z, requires_grad=True)
        tc = torch.tensor(centers, requires_grad=True)
        loss = fn(tz, tc)
        loss.backward()
        grads.append((loss.item(), tz.grad.numpy(), tc.grad.numpy()))
    (l1, gz1, gc1), (l2, gz2, gc2) = grads
    assert l1 == pytest.approx(l2, rel=1e-12)
    np.testing.assert_allclose(gz1, gz2, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(gc1, gc2, rtol=1e-10, atol=1e-14)


def test_torch_function_without_target_treats_p_as_constant(torch_example):
    import torch

    z, centers, target = _problem(2)
    tz = torch.tensor(z, requires_grad=True)
    tc = torch.tensor(centers, requires_grad=True)
    (2.0 * torch_example.dec_loss(tz, tc)).backward()  # grad_output = 2
    _, g_c, g_z = F.loss_and_grad(z, centers, 1.0, target)
    np.testing.assert_allclose(tz.grad.numpy(), 2.0 * g_z, rtol=1e-12)
    np.testing.assert_allclose(tc.grad.numpy(), 2.0 * g_c, rtol=1e-12)


def test_torch_example_main_quick_lowers_the_dec_loss(torch_example):
    import torch

    threads = torch.get_num_threads()
    metrics = torch_example.main(quick=True)
    _check_metrics(metrics)
    assert torch.get_num_threads() == threads  # restored


# --------------------------------------------------------------------------- JAX


@pytest.fixture(scope="module")
def jax_example():
    jax = pytest.importorskip("jax")
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)  # float64 for the gradient comparisons
    try:
        yield _load("jax_encoder")
    finally:
        jax.config.update("jax_enable_x64", previous)


def _jax_plain_loss(jnp, z, centers, p, alpha):
    """The DEC loss written literally in jax.numpy, for jax.grad."""
    d = ((z[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
    q = (1.0 + d / alpha) ** (-(alpha + 1.0) / 2.0)
    q = q / q.sum(axis=1, keepdims=True)
    return (p * (jnp.log(p) - jnp.log(q))).sum() / z.shape[0]


@pytest.mark.parametrize("alpha", [1.0, 0.5, 4.0])
def test_jax_custom_vjp_equals_grad_of_the_plain_formula(jax_example, alpha):
    import jax
    import jax.numpy as jnp

    z, centers, target = (jnp.asarray(a, dtype=jnp.float64) for a in _problem(3))
    ours = jax.value_and_grad(jax_example.dec_loss, argnums=(0, 1))(z, centers, target, alpha)
    plain = jax.value_and_grad(
        lambda a, b: _jax_plain_loss(jnp, a, b, target, alpha), argnums=(0, 1)
    )(z, centers)
    assert float(ours[0]) == pytest.approx(float(plain[0]), rel=1e-12)
    for mine, ref in zip(ours[1], plain[1], strict=True):
        assert mine.dtype == jnp.float64
        np.testing.assert_allclose(np.asarray(mine), np.asarray(ref), rtol=1e-10, atol=1e-14)


def test_jax_custom_vjp_composes_with_jit_and_an_encoder(jax_example):
    import jax
    import jax.numpy as jnp

    from dec_array.nn import init_mlp

    z, centers, target = _problem(4)
    x = jnp.asarray(np.random.default_rng(0).normal(size=(z.shape[0], 5)))
    enc = init_mlp([5, 6, 4], random_state=0, xp=jnp, dtype="float64")
    centers, target = jnp.asarray(centers), jnp.asarray(target)

    def ours(params, c):
        return jax_example.dec_loss(jax_example.encode(params, x), c, target)

    def plain(params, c):
        return _jax_plain_loss(jnp, jax_example.encode(params, x), c, target, 1.0)

    g_ours = jax.jit(jax.grad(ours, argnums=(0, 1)))(enc, centers)
    g_plain = jax.grad(plain, argnums=(0, 1))(enc, centers)
    for a, b in zip(
        jax.tree_util.tree_leaves(g_ours), jax.tree_util.tree_leaves(g_plain), strict=True
    ):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-9, atol=1e-13)


def test_jax_example_main_quick_lowers_the_dec_loss(jax_example):
    _check_metrics(jax_example.main(quick=True))

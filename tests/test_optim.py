"""Tests for dec_array.optim: torch.optim parity, hand-computed steps, every backend,
resuming from saved state, argument checks and the bound (PyTorch-style) form."""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dec_array._array_api import get_device, get_namespace, to_numpy
from dec_array.optim import SGD, Adam, AdamW, Optimizer, Parametrized

# --------------------------------------------------------------------------- helpers

_RNG = np.random.default_rng(1234)
_Q, _ = np.linalg.qr(_RNG.normal(size=(5, 5)))
_A = _Q @ np.diag(np.linspace(0.5, 2.0, 5)) @ _Q.T  # SPD, well conditioned
_B = _RNG.normal(size=5)
_C = _RNG.normal(size=(2, 3))
X0 = {"a": _RNG.normal(size=5), "m": _RNG.normal(size=(2, 3))}


def objective_grads(params: Mapping[str, np.ndarray], step: int, sign: float = 1.0) -> dict:
    """Gradients of a smooth nonlinear objective; 'm' has no gradient every third step."""
    a, m = params["a"], params["m"]
    grads: dict[str, np.ndarray | None] = {
        "a": sign * (_A @ a - _B + 0.1 * a**3),
        "m": sign * (m - _C + 0.2 * m**3),
    }
    if step % 3 == 2:
        grads["m"] = None
    return grads


def run(opt: Optimizer, params: dict, n_steps: int, state: Any = None, start: int = 0, sign=1.0):
    """Run the pure form on NumPy float64 params; return the final params and state."""
    state = opt.init(params) if state is None else state
    for k in range(start, start + n_steps):
        params, state = opt.update(params, objective_grads(params, k, sign), state)
    return params, state


class Quadratic:
    """A minimal Parametrized object: loss 0.5 * ||w - target||^2 on any namespace."""

    def __init__(self, w: Any, target: Any) -> None:
        self.w, self.target, self.grad = w, target, None

    def parameters(self) -> dict[str, Any]:
        return {"w": self.w}

    def gradients(self) -> dict[str, Any]:
        return {"w": self.grad}

    def set_parameters(self, parameters: Mapping[str, Any]) -> None:
        self.w = parameters["w"]

    def zero_grad(self) -> None:
        self.grad = None

    def backward(self) -> None:
        self.grad = self.w - self.target


def assert_bitwise_equal(a: Mapping[str, Any], b: Mapping[str, Any]) -> None:
    assert set(a) == set(b)
    for name in a:
        x, y = (np.asarray(v) if isinstance(v, int) else to_numpy(v) for v in (a[name], b[name]))
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y, strict=True)


# --------------------------------------------------------------------------- torch parity


def _sgd_grid() -> list[dict[str, Any]]:
    grid = []
    for momentum, dampening, nesterov, wd, maximize in itertools.product(
        (0.0, 0.9), (0.0, 0.5), (False, True), (0.0, 0.1), (False, True)
    ):
        if momentum == 0.0 and (dampening or nesterov):
            continue
        if nesterov and dampening:
            continue
        grid.append(
            dict(momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=wd,
                 maximize=maximize)
        )  # fmt: skip
    return grid


def _adam_grid() -> list[dict[str, Any]]:
    return [
        dict(betas=betas, weight_decay=wd, amsgrad=amsgrad, maximize=maximize)
        for betas, wd, amsgrad, maximize in itertools.product(
            ((0.9, 0.999), (0.3, 0.8)), (0.0, 0.1), (False, True), (False, True)
        )
    ]


TORCH_CASES = (
    [pytest.param("SGD", 0.05, kw, id="SGD-" + "-".join(f"{k}={v}" for k, v in kw.items()))
     for kw in _sgd_grid()]
    + [pytest.param(name, 0.02, kw, id=f"{name}-" + "-".join(f"{k}={v}" for k, v in kw.items()))
       for name in ("Adam", "AdamW") for kw in _adam_grid()]
)  # fmt: skip


def _torch_trajectory(
    name: str, lr: float, kwargs: dict, grads_seq: list[dict], schedule: Callable | None = None
) -> list[dict[str, np.ndarray]]:
    torch = pytest.importorskip("torch")
    tparams = {k: torch.tensor(v.copy(), dtype=torch.float64) for k, v in X0.items()}
    opt = getattr(torch.optim, name)(list(tparams.values()), lr=lr, **kwargs)
    sched = None if schedule is None else torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    out = []
    for grads in grads_seq:
        for k, p in tparams.items():
            p.grad = None if grads[k] is None else torch.tensor(grads[k].copy())
        opt.step()
        if sched is not None:
            sched.step()
        out.append({k: p.detach().numpy().copy() for k, p in tparams.items()})
    return out


def _our_trajectory(opt: Optimizer, n_steps: int, sign: float) -> tuple[list, list]:
    params, state = dict(X0), opt.init(X0)
    grads_seq, traj = [], []
    for k in range(n_steps):
        grads = objective_grads(params, k, sign)
        params, state = opt.update(params, grads, state)
        grads_seq.append(grads)
        traj.append(params)
    return grads_seq, traj


@pytest.mark.parametrize(("name", "lr", "kwargs"), TORCH_CASES)
def test_trajectory_matches_torch(name: str, lr: float, kwargs: dict) -> None:
    pytest.importorskip("torch")
    opt = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW}[name](lr=lr, **kwargs)
    sign = -1.0 if kwargs["maximize"] else 1.0  # maximise -f: the same descent
    grads_seq, ours = _our_trajectory(opt, 120, sign)
    theirs = _torch_trajectory(name, lr, kwargs, grads_seq)
    for k, (p, q) in enumerate(zip(ours, theirs, strict=True)):
        for key in p:
            np.testing.assert_allclose(p[key], q[key], rtol=1e-12, atol=1e-12, err_msg=f"{k}")
    # the objective was actually optimised (not a trivially static trajectory)
    assert np.linalg.norm(ours[-1]["a"] - X0["a"]) > 0.1


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_callable_lr_matches_torch_lambda_lr(name: str) -> None:
    pytest.importorskip("torch")
    base, decay = 0.05, 0.97
    kwargs = {"momentum": 0.9} if name == "SGD" else {}
    calls: list[int] = []

    def lr(step: int) -> float:
        calls.append(step)
        return base * decay**step

    opt = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW}[name](lr=lr, **kwargs)
    grads_seq, ours = _our_trajectory(opt, 100, 1.0)
    assert calls == list(range(100))  # 0-based: the number of completed steps
    theirs = _torch_trajectory(name, base, kwargs, grads_seq, lambda step: decay**step)
    for p, q in zip(ours, theirs, strict=True):
        for key in p:
            np.testing.assert_allclose(p[key], q[key], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (SGD(), dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                     maximize=False)),
        (Adam(), dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                      maximize=False)),
        (AdamW(), dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                       amsgrad=False, maximize=False)),
    ],
    ids=["SGD", "Adam", "AdamW"],
)  # fmt: skip
def test_defaults_are_torch_defaults(ours: Optimizer, theirs: dict) -> None:
    assert ours.hyperparameters() == theirs
    torch = pytest.importorskip("torch")
    group = getattr(torch.optim, type(ours).__name__)([torch.zeros(1)]).param_groups[0]
    assert {k: group[k] for k in theirs} == theirs


# --------------------------------------------------------------------------- hand-computed


def _one(opt: Optimizer, p: list, grads: list[list]) -> np.ndarray:
    params = {"w": np.array(p)}
    state = opt.init(params)
    for g in grads:
        params, state = opt.update(params, {"w": np.array(g)}, state)
    return params["w"]


def test_sgd_hand_computed() -> None:
    p, g1, g2 = np.array([1.0, -2.0]), np.array([0.5, 4.0]), np.array([-1.0, 2.0])
    np.testing.assert_allclose(_one(SGD(lr=0.1), p, [g1]), p - 0.1 * g1, rtol=1e-15)
    # momentum: the first buffer is the gradient itself (no dampening)
    opt = SGD(lr=0.1, momentum=0.9, dampening=0.5)
    p1 = p - 0.1 * g1
    np.testing.assert_allclose(_one(opt, p, [g1]), p1, rtol=1e-15)
    np.testing.assert_allclose(_one(opt, p, [g1, g2]), p1 - 0.1 * (0.9 * g1 + 0.5 * g2))
    opt = SGD(lr=0.1, momentum=0.9, nesterov=True)
    np.testing.assert_allclose(_one(opt, p, [g1]), p - 0.1 * (g1 + 0.9 * g1), rtol=1e-15)
    # maximize negates the gradient, then weight decay adds wd * param
    opt = SGD(lr=0.1, weight_decay=0.2, maximize=True)
    np.testing.assert_allclose(_one(opt, p, [g1]), p - 0.1 * (-g1 + 0.2 * p), rtol=1e-15)


def test_adam_hand_computed() -> None:
    p, g1, g2 = np.array([1.0, -2.0]), np.array([0.5, -4.0]), np.array([0.1, 0.1])
    lr, eps, (b1, b2) = 0.1, 1e-8, (0.9, 0.999)
    # first step: the bias-corrected moments are g and |g|: a step of lr * g / (|g| + eps)
    np.testing.assert_allclose(
        _one(Adam(lr=lr), p, [g1]), p - lr * g1 / (np.abs(g1) + eps), rtol=1e-14
    )
    gw = g1 + 0.3 * p  # L2 weight decay enters the gradient
    np.testing.assert_allclose(
        _one(Adam(lr=lr, weight_decay=0.3), p, [g1]), p - lr * gw / (np.abs(gw) + eps), rtol=1e-14
    )
    # AdamW: decoupled decay of the parameter, then the plain Adam step
    np.testing.assert_allclose(
        _one(AdamW(lr=lr, weight_decay=0.3), p, [g1]),
        p * (1 - lr * 0.3) - lr * g1 / (np.abs(g1) + eps),
        rtol=1e-14,
    )
    # second step, with and without AMSGrad (eps added after the sqrt of the corrected v)
    p1 = p - lr * g1 / (np.abs(g1) + eps)
    m = (1 - b1) * g1 * b1 + (1 - b1) * g2
    v1 = (1 - b2) * g1**2
    v = b2 * v1 + (1 - b2) * g2**2
    for amsgrad, vhat in ((False, v), (True, np.maximum(v1, v))):
        expected = p1 - lr / (1 - b1**2) * m / (np.sqrt(vhat) / math.sqrt(1 - b2**2) + eps)
        np.testing.assert_allclose(
            _one(Adam(lr=lr, amsgrad=amsgrad), p, [g1, g2]), expected, rtol=1e-13
        )
    # maximize ascends
    np.testing.assert_allclose(
        _one(Adam(lr=lr, maximize=True), p, [g1]), p + lr * g1 / (np.abs(g1) + eps), rtol=1e-14
    )


def test_callable_lr_is_called_with_completed_steps() -> None:
    rates = [0.1, 0.0, 0.2]
    seen: list[int] = []

    def lr(step: int) -> float:
        seen.append(step)
        return rates[step]

    p = [1.0]
    w = _one(SGD(lr=lr), p, [[1.0], [1.0], [1.0]])
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(w, [1.0 - 0.1 - 0.0 - 0.2])


def test_none_gradient_skips_parameter() -> None:
    opt = Adam(lr=0.1)
    params = {"a": np.ones(2), "b": np.ones(3)}
    state = opt.init(params)
    new, state2 = opt.update(params, {"a": np.ones(2), "b": None}, state)
    assert new["b"] is params["b"]
    assert state2.param_steps == {"a": 1, "b": 0}
    assert state2.buffers["b"] is state.buffers["b"]
    assert state2.step == 1
    # a missing name is the same as None
    new, state3 = opt.update(new, {"b": np.ones(3)}, state2)
    assert new["a"] is not None
    assert state3.param_steps == {"a": 1, "b": 1}
    # b's first update uses its own count (bias correction of step 1): a step of lr
    np.testing.assert_allclose(new["b"], np.ones(3) - 0.1 / (1 + 1e-8), rtol=1e-15)


@given(
    g=st.lists(st.floats(-1e3, 1e3).filter(lambda x: abs(x) > 1e-3), min_size=1, max_size=5),
    lr=st.floats(1e-4, 1.0),
)
def test_adam_first_step_is_lr_times_sign(g: list[float], lr: float) -> None:
    w = _one(Adam(lr=lr, eps=0.0), [0.0] * len(g), [g])
    np.testing.assert_allclose(w, -lr * np.sign(g), rtol=1e-12)


# --------------------------------------------------------------------------- every backend

BACKEND_OPTIMIZERS = [
    pytest.param(lambda: SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), id="SGD"),
    pytest.param(lambda: Adam(lr=0.1, amsgrad=True, weight_decay=0.01), id="Adam"),
    pytest.param(lambda: AdamW(lr=lambda s: 0.1 / (1 + s), maximize=True), id="AdamW"),
]


@pytest.mark.parametrize("make", BACKEND_OPTIMIZERS)
@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_pure_form_on_every_backend(backend: Any, make: Callable, dtype_name: str) -> None:
    dtype = backend.dtype(dtype_name)
    host = {"w": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": np.array([0.25, -0.75, 1.5])}
    params = {k: backend.asarray(v, dtype) for k, v in host.items()}
    opt = make()
    state = opt.init(params)
    ref_params = {k: v.copy() for k, v in host.items()}
    ref_state = opt.init(ref_params)
    for k in range(3):
        grads = {n: backend.asarray(np.cos(h + k), dtype) for n, h in host.items()}
        before = {n: to_numpy(v).copy() for n, v in params.items()}
        grads_before = {n: to_numpy(v).copy() for n, v in grads.items()}
        buffers_before = opt.state_to_dict(state)
        new, new_state = opt.update(params, grads, state)
        # inputs untouched
        assert_bitwise_equal(params, before)
        assert_bitwise_equal(grads, grads_before)
        assert_bitwise_equal(opt.state_to_dict(state), buffers_before)
        # namespace, device and dtype preserved, for parameters and buffers
        arrays = list(new.values()) + [
            b for bufs in new_state.buffers.values() for b in bufs.values()
        ]
        for a in arrays:
            assert get_namespace(a) is backend.xp
            assert get_device(a) == get_device(params["w"])
            assert a.dtype == dtype
        ref_grads = {n: np.cos(h + k) for n, h in host.items()}
        ref_params, ref_state = opt.update(ref_params, ref_grads, ref_state)
        params, state = new, new_state
    rtol = 1e-5 if dtype_name == "float32" else 1e-12
    for n in host:
        np.testing.assert_allclose(to_numpy(params[n]), ref_params[n], rtol=rtol, atol=rtol)
    assert state.step == 3


@pytest.mark.parametrize("make", BACKEND_OPTIMIZERS)
def test_state_dict_roundtrip_on_every_backend_is_bit_identical(backend: Any, make: Callable):
    params = {"w": backend.asarray(np.array([[1.0, -2.0], [0.5, 3.0]]))}
    grads = [{"w": backend.asarray(np.sin(np.arange(4.0).reshape(2, 2) + k))} for k in range(6)]
    opt = make()
    p, s = params, opt.init(params)
    for g in grads:
        p, s = opt.update(p, g, s)
    q, t = params, opt.init(params)
    for g in grads[:3]:
        q, t = opt.update(q, g, t)
    t = opt.state_from_dict(opt.state_to_dict(t), like=q)
    for g in grads[3:]:
        q, t = opt.update(q, g, t)
    assert_bitwise_equal(p, q)
    assert_bitwise_equal(opt.state_to_dict(s), opt.state_to_dict(t))


def test_each_parameter_keeps_its_own_namespace() -> None:
    strict = pytest.importorskip("array_api_strict")
    dev = strict.Device("device1")
    params = {"a": np.ones(2, dtype=np.float32), "b": strict.asarray([1.0, 2.0], device=dev)}
    grads = {"a": np.ones(2, dtype=np.float32), "b": strict.asarray([0.5, 0.5], device=dev)}
    opt = Adam(lr=0.1)
    new, state = opt.update(params, grads, opt.init(params))
    assert isinstance(new["a"], np.ndarray)
    assert new["a"].dtype == np.float32
    assert get_namespace(new["b"]) is strict
    assert get_device(new["b"]) == dev
    assert get_device(state.buffers["b"]["exp_avg"]) == dev
    np.testing.assert_allclose(to_numpy(new["b"]), [0.9, 1.9], rtol=1e-7)


def test_jax_arrays() -> None:
    jnp = pytest.importorskip("jax.numpy")
    params = {"w": jnp.asarray([1.0, -1.0], dtype=jnp.float32)}
    opt = AdamW(lr=0.1, amsgrad=True)
    state = opt.init(params)
    for _ in range(3):
        params, state = opt.update(params, {"w": 2 * params["w"]}, state)
    assert params["w"].dtype == jnp.float32
    assert get_namespace(params["w"]) is get_namespace(jnp.zeros(1))
    assert all(b.dtype == jnp.float32 for b in state.buffers["w"].values())
    assert float(jnp.abs(params["w"][0])) < 1.0


# --------------------------------------------------------------------------- resume


@given(
    split=st.integers(0, 12),
    which=st.sampled_from(["SGD", "Adam", "AdamW"]),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
)
def test_resume_from_npz_is_bit_identical(split: int, which: str, flags: tuple) -> None:
    a, b, c = flags
    if which == "SGD":
        opt: Optimizer = SGD(lr=0.05, momentum=0.9 if a else 0.0, nesterov=a and b, maximize=c)
    else:
        opt = {"Adam": Adam, "AdamW": AdamW}[which](lr=0.05, amsgrad=a, weight_decay=0.1 * b,
                                                    maximize=c)  # fmt: skip
    sign = -1.0 if c else 1.0
    full, full_state = run(opt, dict(X0), 12, sign=sign)
    half, half_state = run(opt, dict(X0), split, sign=sign)
    buf = io.BytesIO()
    np.savez(buf, **opt.state_to_dict(half_state))
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as npz:
        loaded = dict(npz)
    restored = opt.state_from_dict(loaded, like=half)
    assert restored.step == split
    resumed, resumed_state = run(opt, half, 12 - split, state=restored, start=split, sign=sign)
    assert_bitwise_equal(full, resumed)
    assert_bitwise_equal(opt.state_to_dict(full_state), opt.state_to_dict(resumed_state))


def test_state_to_dict_is_flat_host_data() -> None:
    opt = Adam(amsgrad=True)
    flat = opt.state_to_dict(run(opt, dict(X0), 4)[1])
    assert flat["step"] == 4
    assert flat["param_step.m"] == 3  # one None gradient in four steps
    assert sorted(flat) == sorted(
        ["step", "param_step.a", "param_step.m"]
        + [f"{k}.{n}" for k in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") for n in "am"]
    )
    for key, value in flat.items():
        assert type(value) is (int if "step" in key else np.ndarray)


# --------------------------------------------------------------------------- bound form


def test_bound_form_step_and_zero_grad() -> None:
    model = Quadratic(np.array([3.0, -1.0]), np.array([1.0, 1.0]))
    assert isinstance(model, Parametrized)
    opt = Adam(model, lr=0.1)
    assert opt.state is None
    stale = model.parameters()
    model.backward()
    opt.step()
    # the object itself was updated, not a cached reference; the stale dict is untouched
    np.testing.assert_allclose(model.w, [2.9, -0.9])
    np.testing.assert_array_equal(stale["w"], [3.0, -1.0])
    opt.zero_grad()
    assert model.grad is None
    # step reads the parameters again: a parameter replaced from outside is used
    model.set_parameters({"w": np.array([0.0, 0.0])})
    model.backward()
    opt.step()
    assert opt.state is not None
    assert opt.state.step == 2
    assert np.all(np.abs(model.w) < 0.2)
    # a step without gradients only counts the step
    opt.zero_grad()
    w = model.w
    opt.step()
    assert model.w is w
    assert opt.state.step == 3


def test_bound_form_matches_pure_form() -> None:
    target = np.array([1.0, -2.0, 0.5])
    model = Quadratic(np.zeros(3), target)
    opt = SGD(model, lr=0.1, momentum=0.9)
    pure = SGD(lr=0.1, momentum=0.9)
    params = {"w": np.zeros(3)}
    state = pure.init(params)
    for _ in range(10):
        model.backward()
        opt.step()
        opt.zero_grad()
        params, state = pure.update(params, {"w": params["w"] - target}, state)
    assert_bitwise_equal(model.parameters(), params)


def test_bound_resume_from_state_dict_is_bit_identical() -> None:
    target = np.array([1.0, -2.0])

    def train(model: Quadratic, opt: Optimizer, n: int) -> None:
        for _ in range(n):
            model.backward()
            opt.step()
            opt.zero_grad()

    def schedule(step: int) -> float:
        return 0.1 * 0.9**step

    full = Quadratic(np.zeros(2), target)
    train(full, AdamW(full, lr=schedule, amsgrad=True), 10)

    first = Quadratic(np.zeros(2), target)
    opt = AdamW(first, lr=schedule, amsgrad=True)
    train(first, opt, 4)
    saved = opt.state_dict()
    assert saved["hyperparameters"]["lr"] is None  # a callable is not saved
    assert saved["state"].step == 4

    second = Quadratic(first.w, target)
    opt2 = AdamW(second, lr=schedule, weight_decay=0.5)  # replaced by the saved values
    opt2.load_state_dict(saved)
    assert opt2.weight_decay == 0.01
    assert opt2.amsgrad is True
    assert opt2.lr is schedule
    train(second, opt2, 6)
    assert_bitwise_equal(full.parameters(), second.parameters())


def test_load_state_dict_restores_float_lr_and_checks() -> None:
    opt = SGD(lr=0.5, momentum=0.9)
    opt.load_state_dict(SGD(lr=0.1, momentum=0.5, nesterov=True).state_dict())
    assert (opt.lr, opt.momentum, opt.nesterov, opt.state) == (0.1, 0.5, True, None)
    with pytest.raises(ValueError, match="callable lr"):
        SGD(lr=0.1).load_state_dict(SGD(lr=lambda s: 0.1).state_dict())
    with pytest.raises(ValueError, match="amsgrad"):
        SGD().load_state_dict(Adam(amsgrad=True).state_dict())
    with pytest.raises(ValueError, match="momentum"):
        SGD().load_state_dict({"hyperparameters": {"momentum": -1.0}, "state": None})
    with pytest.raises(ValueError, match="hyperparameters"):
        SGD().load_state_dict({"state": None})
    with pytest.raises(TypeError, match="OptimizerState"):
        SGD().load_state_dict({"hyperparameters": {}, "state": {"step": 1}})
    # a failed load changes nothing
    opt = SGD(lr=0.3)
    with pytest.raises(ValueError, match="momentum"):
        opt.load_state_dict({"hyperparameters": {"lr": 0.1, "momentum": -1.0}, "state": None})
    assert opt.lr == 0.3


def test_repr_and_hyperparameters() -> None:
    assert repr(Adam(lr=0.1)) == (
        "Adam(lr=0.1, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, amsgrad=False, "
        "maximize=False)"
    )
    assert AdamW().hyperparameters()["weight_decay"] == 0.01
    assert SGD(lr=1, momentum=np.float32(0.5)).hyperparameters()["momentum"] == 0.5
    assert type(SGD(lr=np.float64(0.1)).lr) is float  # never a NumPy scalar in the math


def test_dec_cluster_head_loss_decreases() -> None:
    try:
        from dec_array.head import DECClusterHead
    except ImportError as exc:  # pragma: no cover - head.py written separately
        pytest.skip(f"dec_array.head.DECClusterHead is not available yet: {exc}")
    rng = np.random.default_rng(0)
    means = np.array([[0.0, 0.0], [4.0, 4.0], [-4.0, 4.0]])
    z = np.concatenate([m + 0.5 * rng.normal(size=(30, 2)) for m in means])
    init = means + rng.normal(scale=1.0, size=means.shape)
    for make in (lambda h: SGD(h, lr=0.1, momentum=0.9), lambda h: Adam(h, lr=0.05)):
        head = DECClusterHead(3, 2, random_state=0)
        head.reset_cluster_centers(init)
        opt = make(head)
        first = float(head(z))  # caches the target P, kept fixed below
        head.backward()
        opt.step()
        opt.zero_grad()
        for _ in range(20):
            head(z, update_target=False)
            head.backward()
            opt.step()
            opt.zero_grad()
        assert float(head(z, update_target=False)) < first
        assert opt.state is not None
        assert opt.state.step == 21


# --------------------------------------------------------------------------- bad arguments

BAD_ARGUMENTS = [
    (SGD, {"lr": -0.1}, ValueError, r"\blr\b"),
    (SGD, {"lr": math.nan}, ValueError, r"\blr\b"),
    (SGD, {"lr": "0.1"}, TypeError, r"\blr\b"),
    (SGD, {"lr": True}, TypeError, r"\blr\b"),
    (SGD, {"momentum": -0.5}, ValueError, "momentum"),
    (SGD, {"momentum": math.inf}, ValueError, "momentum"),
    (SGD, {"momentum": None}, TypeError, "momentum"),
    (SGD, {"dampening": -0.1}, ValueError, "dampening"),
    (SGD, {"dampening": 1.5}, ValueError, "dampening"),
    (SGD, {"dampening": "0"}, TypeError, "dampening"),
    (SGD, {"weight_decay": -1e-4}, ValueError, "weight_decay"),
    (SGD, {"weight_decay": [0.1]}, TypeError, "weight_decay"),
    (SGD, {"nesterov": True}, ValueError, "nesterov"),
    (SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, ValueError, "nesterov"),
    (SGD, {"nesterov": 1}, TypeError, "nesterov"),
    (SGD, {"maximize": "yes"}, TypeError, "maximize"),
    (Adam, {"lr": -1.0}, ValueError, r"\blr\b"),
    (Adam, {"eps": -1e-8}, ValueError, "eps"),
    (Adam, {"eps": math.inf}, ValueError, "eps"),
    (Adam, {"eps": "1e-8"}, TypeError, "eps"),
    (Adam, {"betas": (1.0, 0.999)}, ValueError, r"betas\[0\]"),
    (Adam, {"betas": (-0.1, 0.999)}, ValueError, r"betas\[0\]"),
    (Adam, {"betas": (0.9, 1.0)}, ValueError, r"betas\[1\]"),
    (Adam, {"betas": (0.9, math.nan)}, ValueError, r"betas\[1\]"),
    (Adam, {"betas": ("a", 0.9)}, TypeError, r"betas\[0\]"),
    (Adam, {"betas": 0.9}, TypeError, "betas"),
    (Adam, {"betas": (0.9, 0.99, 0.999)}, TypeError, "betas"),
    (Adam, {"weight_decay": -0.1}, ValueError, "weight_decay"),
    (Adam, {"amsgrad": "no"}, TypeError, "amsgrad"),
    (Adam, {"maximize": None}, TypeError, "maximize"),
    (AdamW, {"weight_decay": -0.01}, ValueError, "weight_decay"),
    (AdamW, {"betas": (0.9, 2.0)}, ValueError, r"betas\[1\]"),
    (AdamW, {"lr": math.inf}, ValueError, r"\blr\b"),
    (SGD, {"params": {"w": np.zeros(2)}}, TypeError, "params.*init"),
    (Adam, {"params": [np.zeros(2)]}, TypeError, "params"),
]


@pytest.mark.parametrize(
    ("cls", "kwargs", "exc", "match"),
    BAD_ARGUMENTS,
    ids=[f"{c.__name__}-{'-'.join(f'{k}={v!r}' for k, v in kw.items())}" for c, kw, *_ in
         BAD_ARGUMENTS],
)  # fmt: skip
def test_bad_constructor_arguments(cls: type, kwargs: dict, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        cls(**kwargs)


_W = np.ones(2)


BAD_UPDATES = [
    ("params-not-mapping", SGD(), [_W], {"w": _W}, None, TypeError, "params"),
    ("params-empty", SGD(), {}, {}, None, ValueError, "params"),
    ("params-int", SGD(), {"w": np.ones(2, dtype=int)}, {}, None, TypeError, r"params\['w'\]"),
    ("params-not-array", SGD(), {"w": [1.0]}, {}, None, TypeError, r"params\['w'\]"),
    ("params-key", SGD(), {1: _W}, {}, None, TypeError, "params"),
    ("grads-not-mapping", SGD(), {"w": _W}, [_W], None, TypeError, "grads"),
    ("grads-extra", SGD(), {"w": _W}, {"w": _W, "v": _W}, None, ValueError, "grads.*'v'"),
    ("grads-shape", SGD(), {"w": _W}, {"w": np.ones(3)}, None, ValueError, r"grads\['w'\]"),
    ("grads-dtype", SGD(), {"w": _W}, {"w": np.ones(2, np.float32)}, None, TypeError,
     r"grads\['w'\]"),
    ("grads-namespace", SGD(), {"w": _W}, {"w": "strict"}, None, TypeError, r"grads\['w'\]"),
    ("state-type", SGD(), {"w": _W}, {"w": _W}, "bad", TypeError, "state"),
    ("state-other-optimizer", SGD(momentum=0.9), {"w": _W}, {"w": _W}, SGD(), ValueError,
     "state.*momentum_buffer"),
    ("state-other-params", Adam(), {"v": _W}, {"v": _W}, Adam(), ValueError, "state.*'v'"),
    ("lr-callable-negative", SGD(lr=lambda s: -1.0), {"w": _W}, {"w": _W}, None, ValueError,
     r"lr\(0\)"),
    ("lr-callable-type", SGD(lr=lambda s: "x"), {"w": _W}, {"w": _W}, None, TypeError,
     r"lr\(0\)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("opt", "params", "grads", "state", "exc", "match"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_UPDATES],
)
def test_bad_update_arguments(opt, params, grads, state, exc, match) -> None:
    if isinstance(grads, dict) and isinstance(grads.get("w"), str):
        strict = pytest.importorskip("array_api_strict")
        grads = {"w": strict.ones(2, dtype=strict.float64)}
    if state is None or isinstance(state, Optimizer):
        state = (state or opt).init({"w": _W})
    with pytest.raises(exc, match=match):
        opt.update(params, grads, state)


def test_bad_state_dicts() -> None:
    opt = SGD(momentum=0.9)
    like = {"w": _W}
    flat = opt.state_to_dict(opt.init(like))
    with pytest.raises(ValueError, match=r"missing keys.*momentum_buffer"):
        opt.state_from_dict({k: v for k, v in flat.items() if k != "momentum_buffer.w"}, like)
    with pytest.raises(ValueError, match=r"unexpected keys.*exp_avg"):
        opt.state_from_dict({**flat, "exp_avg.w": _W}, like)
    with pytest.raises(ValueError, match="step"):
        opt.state_from_dict({**flat, "step": -1}, like)
    with pytest.raises(TypeError, match=r"param_step\.w"):
        opt.state_from_dict({**flat, "param_step.w": 1.5}, like)
    with pytest.raises(ValueError, match="shape"):
        opt.state_from_dict({**flat, "momentum_buffer.w": np.ones(3)}, like)
    with pytest.raises(TypeError, match="mapping"):
        opt.state_from_dict([], like)
    with pytest.raises(TypeError, match="like"):
        opt.state_from_dict(flat, [_W])
    with pytest.raises(TypeError, match="OptimizerState"):
        opt.state_to_dict({"step": 0})
    # 0-d integer arrays (what np.load gives back) are accepted as counts
    state = opt.state_from_dict({**flat, "step": np.array(3)}, like)
    assert state.step == 3
    assert type(state.step) is int


@pytest.mark.parametrize("method", ["step", "zero_grad"])
def test_bound_methods_need_params(method: str) -> None:
    with pytest.raises(TypeError, match="params"):
        getattr(Adam(lr=0.1), method)()

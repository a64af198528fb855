"""First-order optimizers with torch.optim's update rules, for arrays of any namespace.

:class:`SGD`, :class:`Adam` and :class:`AdamW` reproduce ``torch.optim``'s update rules,
defaults and argument checks, but work on arrays of every Array API namespace (NumPy,
CuPy, PyTorch, JAX, Dask, array-api-strict), each parameter keeping its own namespace,
device and dtype. Scalars enter the arithmetic as Python floats, so float32 parameters stay
float32.

Two ways to use them:

* **Pure form** (optax-like; fits immutable JAX arrays)::

      state = opt.init(params)
      params, state = opt.update(params, grads, state)

  ``params`` and ``grads`` are mappings name -> array. Nothing is modified in place: new
  parameter arrays and a new :class:`OptimizerState` are returned. A gradient of ``None``
  (or a missing name) skips that parameter, as in PyTorch. ``update`` runs eagerly (the
  step counts are Python ints): under ``jax.jit``, compile the gradient computation.

* **Bound form** (PyTorch habits): ``opt = Adam(head, lr=1e-3)`` for any
  :class:`Parametrized` object, then ``head.backward(); opt.step(); opt.zero_grad()``.
  :meth:`Optimizer.step` reads the object's parameters and gradients at every call and
  writes the new parameters back through ``set_parameters``.

Learning-rate schedules: ``lr`` may be a float or a callable ``lr(step) -> float``, where
``step`` is the number of updates already completed (0 for the first update), the
convention of ``torch.optim.lr_scheduler`` (``LambdaLR(opt, f)`` with base rate ``lr0``
matches ``lr=lambda step: lr0 * f(step)``).

State and checkpoints: the per-parameter step counts and buffers (``momentum_buffer``;
``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``) carry PyTorch's names.
:meth:`Optimizer.state_to_dict` and :meth:`Optimizer.state_from_dict` convert a state to and
from a flat dict of NumPy arrays and Python ints (for ``numpy.savez`` with
``allow_pickle=False``); resuming from it gives bit-identical parameters.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol, TypeAlias, runtime_checkable

import numpy as np
from array_api_compat import is_array_api_obj

from ._array_api import (
    Array,
    check_same_namespace_and_device,
    dtype_name,
    get_device,
    get_namespace,
    to_namespace,
    to_numpy,
)

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "OptimizerState", "Parametrized"]

LearningRate: TypeAlias = "float | Callable[[int], float]"


@runtime_checkable
class Parametrized(Protocol):
    """An object whose parameters a bound optimizer updates (e.g. ``DECClusterHead``).

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.optim import SGD, Parametrized
    >>> class Quadratic:  # loss 0.5 * ||w||^2, so the gradient is w
    ...     def __init__(self):
    ...         self.w, self.grad = np.array([1.0, -2.0]), None
    ...     def parameters(self):
    ...         return {"w": self.w}
    ...     def gradients(self):
    ...         return {"w": self.grad}
    ...     def set_parameters(self, parameters):
    ...         self.w = parameters["w"]
    ...     def zero_grad(self):
    ...         self.grad = None
    ...     def backward(self):
    ...         self.grad = self.w
    >>> model = Quadratic()
    >>> isinstance(model, Parametrized)
    True
    >>> opt = SGD(model, lr=0.5)
    >>> model.backward(); opt.step(); opt.zero_grad()
    >>> model.w
    array([ 0.5, -1. ])
    """

    def parameters(self) -> Mapping[str, Array]:
        """The current parameters, name -> array."""
        ...

    def gradients(self) -> Mapping[str, Array | None]:
        """The gradients of the last backward pass, name -> array (``None``: no gradient)."""
        ...

    def set_parameters(self, parameters: Mapping[str, Array], /) -> None:
        """Replace the parameters by the arrays of ``parameters`` (same names)."""
        ...

    def zero_grad(self) -> None:
        """Forget the gradients."""
        ...


class OptimizerState(NamedTuple):
    """The immutable state of an optimizer, as returned by ``init`` and ``update``.

    Attributes
    ----------
    step : int
        Number of completed ``update`` calls (the argument of a callable ``lr``).
    param_steps : dict of str to int
        Per parameter, the number of updates it received (PyTorch's ``state["step"]``;
        smaller than ``step`` when some gradients were ``None``).
    buffers : dict of str to dict of str to array
        Per parameter, its buffers by PyTorch name, in the parameter's namespace, device
        and dtype. They are replaced, never modified, by ``update``: do not modify them.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.optim import Adam
    >>> state = Adam().init({"w": np.zeros(2)})
    >>> state.step, state.param_steps, sorted(state.buffers["w"])
    (0, {'w': 0}, ['exp_avg', 'exp_avg_sq'])
    """

    step: int
    param_steps: dict[str, int]
    buffers: dict[str, dict[str, Array]]


# --------------------------------------------------------------------------- validation


def _check_real(value: Any, name: str, ok: Callable[[float], bool], requirement: str) -> float:
    """Return ``value`` as a Python float if it is a finite real number satisfying ``ok``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"{name} must be a real number {requirement}, got {type(value).__name__}"
        raise TypeError(msg)
    value = float(value)
    if not (math.isfinite(value) and ok(value)):
        msg = f"{name} must be a finite real number {requirement}, got {value!r}"
        raise ValueError(msg)
    return value


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        msg = f"{name} must be a bool, got {type(value).__name__}"
        raise TypeError(msg)
    return bool(value)


def _check_lr(lr: Any) -> LearningRate:
    if callable(lr):
        return lr
    return _check_real(lr, "lr", lambda v: v >= 0.0, ">= 0 (or a callable of the step)")


def _check_betas(betas: Any) -> tuple[float, float]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        msg = f"betas must be a pair (beta1, beta2) of floats in [0, 1), got {betas!r}"
        raise TypeError(msg)
    in_unit = "in [0, 1)"
    beta1 = _check_real(betas[0], "betas[0]", lambda v: 0.0 <= v < 1.0, in_unit)
    return beta1, _check_real(betas[1], "betas[1]", lambda v: 0.0 <= v < 1.0, in_unit)


def _check_arrays(params: Any, name: str) -> Mapping[str, Array]:
    """Check a non-empty mapping name -> real floating array."""
    if not isinstance(params, Mapping):
        msg = f"{name} must be a mapping of parameter names to arrays, got {type(params).__name__}"
        raise TypeError(msg)
    if not params:
        msg = f"{name} must hold at least one parameter, got an empty mapping"
        raise ValueError(msg)
    for key, p in params.items():
        if not isinstance(key, str):
            msg = f"{name} must have str keys, got {key!r}"
            raise TypeError(msg)
        if not is_array_api_obj(p):
            msg = f"{name}[{key!r}] must be an array, got {type(p).__name__}"
            raise TypeError(msg)
        if not get_namespace(p).isdtype(p.dtype, "real floating"):
            msg = f"{name}[{key!r}] must have a real floating dtype, got {dtype_name(p.dtype)}"
            raise TypeError(msg)
    return params


def _check_like(x: Array, name: str, p: Array, pname: str) -> None:
    """Check that ``x`` has the namespace, device, dtype and shape of parameter ``p``."""
    what = f"parameter {pname!r}"
    check_same_namespace_and_device(x, name, get_namespace(p), get_device(p), what)
    if x.dtype != p.dtype:
        msg = (
            f"{name} must have the dtype of {what} ({dtype_name(p.dtype)}), "
            f"got {dtype_name(x.dtype)}"
        )
        raise TypeError(msg)
    shapes = (tuple(x.shape), tuple(p.shape))
    known = all(isinstance(s, int) for shape in shapes for s in shape)
    if known and shapes[0] != shapes[1]:
        msg = f"{name} must have the shape of {what} {shapes[1]}, got {shapes[0]}"
        raise ValueError(msg)


def _as_count(value: Any, name: str) -> int:
    """A non-negative int from a Python int or a 0-d integer NumPy array."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        msg = f"{name} must be a non-negative int, got {value!r}"
        raise TypeError(msg)
    if value < 0:
        msg = f"{name} must be a non-negative int, got {value!r}"
        raise ValueError(msg)
    return int(value)


# --------------------------------------------------------------------------- base class


class Optimizer:
    """Base class: pure ``init``/``update``, bound ``step``, and state (de)serialisation.

    Subclasses set their hyperparameters (the arguments of their ``__init__`` after
    ``params``) as attributes and implement :meth:`_buffer_kinds` and
    :meth:`_update_one`.

    Parameters
    ----------
    params : Parametrized or None
        The object that :meth:`step` updates, or ``None`` for the pure form only. A plain
        mapping of arrays is refused: it cannot receive the updated arrays; use
        :meth:`init` and :meth:`update` with it.

    Attributes
    ----------
    params : Parametrized or None
        The bound object.
    state : OptimizerState or None
        The bound form's state, created from the parameters by the first :meth:`step`.
    """

    lr: LearningRate

    def __init__(self, params: Parametrized | None = None) -> None:
        if params is not None and not isinstance(params, Parametrized):
            msg = (
                "params must be None or an object with parameters(), gradients(), "
                f"set_parameters() and zero_grad() methods (e.g. a DECClusterHead), got "
                f"{type(params).__name__}"
            )
            if isinstance(params, Mapping):
                msg += (
                    "; a mapping of arrays cannot receive the updated values: use "
                    "state = opt.init(params) and params, state = opt.update(params, grads, state)"
                )
            raise TypeError(msg)
        self.params = params
        self.state: OptimizerState | None = None

    # ---------------------------------------------------------------- hyperparameters

    @classmethod
    def _hyperparameter_names(cls) -> list[str]:
        return list(inspect.signature(cls.__init__).parameters)[2:]  # after self, params

    def hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters by constructor argument name (``lr`` may be a callable).

        Examples
        --------
        >>> from dec_array.optim import SGD
        >>> SGD(lr=0.1, momentum=0.9).hyperparameters()["momentum"]
        0.9
        """
        return {name: getattr(self, name) for name in self._hyperparameter_names()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"

    def _lr_at(self, step: int) -> float:
        if not callable(self.lr):
            return float(self.lr)
        value = self.lr(step)
        return _check_real(value, f"lr({step})", lambda v: v >= 0.0, ">= 0")

    # ---------------------------------------------------------------- pure form

    def _buffer_kinds(self) -> tuple[str, ...]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _update_one(
        self, param: Array, grad: Array, buffers: Mapping[str, Array], count: int, lr: float
    ) -> tuple[Array, dict[str, Array]]:  # pragma: no cover - abstract
        """Return the new parameter and buffers; ``count`` is 1 on its first update."""
        raise NotImplementedError

    def init(self, params: Mapping[str, Array]) -> OptimizerState:
        """Create the state for ``params``: step counts 0 and zero buffers.

        Parameters
        ----------
        params : Mapping of str to array
            The parameters, each a real floating array of any namespace.

        Returns
        -------
        OptimizerState

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array.optim import SGD
        >>> SGD(momentum=0.9).init({"w": np.ones(2, dtype=np.float32)})
        OptimizerState(step=0, param_steps={'w': 0}, buffers={'w': {'momentum_buffer': \
array([0., 0.], dtype=float32)}})
        """
        params = _check_arrays(params, "params")
        buffers = {
            name: {
                kind: get_namespace(p).zeros_like(p, dtype=p.dtype, device=get_device(p))
                for kind in self._buffer_kinds()
            }
            for name, p in params.items()
        }
        return OptimizerState(0, dict.fromkeys(params, 0), buffers)

    def _check_state(self, state: Any, params: Mapping[str, Array]) -> OptimizerState:
        if not isinstance(state, OptimizerState):
            msg = (
                "state must be an OptimizerState from init() or update(), "
                f"got {type(state).__name__}"
            )
            raise TypeError(msg)
        _as_count(state.step, "state.step")
        kinds = sorted(self._buffer_kinds())
        for name, p in params.items():
            if name not in state.param_steps or name not in state.buffers:
                msg = f"state has no entry for parameter {name!r}; create it with init(params)"
                raise ValueError(msg)
            _as_count(state.param_steps[name], f"state.param_steps[{name!r}]")
            if sorted(state.buffers[name]) != kinds:
                msg = (
                    f"state holds buffers {sorted(state.buffers[name])} for parameter {name!r}, "
                    f"but {self!r} needs {kinds}; create the state with this optimizer's init()"
                )
                raise ValueError(msg)
            for kind, buf in state.buffers[name].items():
                _check_like(buf, f"state.buffers[{name!r}][{kind!r}]", p, name)
        return state

    def update(
        self,
        params: Mapping[str, Array],
        grads: Mapping[str, Array | None],
        state: OptimizerState,
    ) -> tuple[dict[str, Array], OptimizerState]:
        """Apply one update; return the new parameters and state (inputs are unchanged).

        Parameters
        ----------
        params : Mapping of str to array
            The current parameters.
        grads : Mapping of str to array or None
            The gradients, each of its parameter's namespace, device, dtype and shape. A
            parameter whose gradient is ``None`` or missing is skipped: it is returned as
            is and its step count and buffers do not change.
        state : OptimizerState
            The state from :meth:`init` or the previous :meth:`update`.

        Returns
        -------
        new_params : dict of str to array
        new_state : OptimizerState

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array.optim import SGD
        >>> opt = SGD(lr=0.1)
        >>> params = {"w": np.array([1.0, -2.0])}
        >>> state = opt.init(params)
        >>> grads = {"w": 2 * params["w"]}  # gradient of sum(w**2)
        >>> params, state = opt.update(params, grads, state)
        >>> params["w"], state.step
        (array([ 0.8, -1.6]), 1)
        """
        params = _check_arrays(params, "params")
        if not isinstance(grads, Mapping):
            msg = f"grads must be a mapping of names to arrays, got {type(grads).__name__}"
            raise TypeError(msg)
        unknown = sorted(set(grads) - set(params), key=str)
        if unknown:
            msg = f"grads has names that are not parameters: {unknown}"
            raise ValueError(msg)
        state = self._check_state(state, params)
        lr = self._lr_at(state.step)
        new_params, param_steps = dict(params), dict(state.param_steps)
        buffers = dict(state.buffers)
        for name, p in params.items():
            grad = grads.get(name)
            if grad is None:
                continue
            _check_like(grad, f"grads[{name!r}]", p, name)
            count = state.param_steps[name] + 1
            new_params[name], buffers[name] = self._update_one(
                p, grad, state.buffers[name], count, lr
            )
            param_steps[name] = count
        return new_params, OptimizerState(state.step + 1, param_steps, buffers)

    # ---------------------------------------------------------------- state <-> flat dict

    def state_to_dict(self, state: OptimizerState) -> dict[str, Any]:
        """Flatten ``state`` into host data for ``numpy.savez(..., allow_pickle=False)``.

        Keys are ``"step"``, ``"param_step.<name>"`` (Python ints) and ``"<buffer>.<name>"``
        (NumPy copies of the buffers).

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array.optim import Adam
        >>> opt = Adam()
        >>> flat = opt.state_to_dict(opt.init({"w": np.zeros(2)}))
        >>> sorted(flat)
        ['exp_avg.w', 'exp_avg_sq.w', 'param_step.w', 'step']
        """
        if not isinstance(state, OptimizerState):
            msg = f"state must be an OptimizerState, got {type(state).__name__}"
            raise TypeError(msg)
        flat: dict[str, Any] = {"step": int(state.step)}
        for name, count in state.param_steps.items():
            flat[f"param_step.{name}"] = int(count)
        for name, buffers in state.buffers.items():
            for kind, buf in buffers.items():
                flat[f"{kind}.{name}"] = np.array(to_numpy(buf), copy=True)
        return flat

    def state_from_dict(self, d: Mapping[str, Any], like: Mapping[str, Array]) -> OptimizerState:
        """Rebuild a state from :meth:`state_to_dict`'s output (or a loaded ``.npz``).

        Each buffer is put on the namespace, device and dtype of the parameter of the same
        name in ``like``.

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array.optim import SGD
        >>> opt = SGD(lr=0.1, momentum=0.9)
        >>> params = {"w": np.array([1.0, 2.0])}
        >>> _, state = opt.update(params, {"w": np.array([1.0, 1.0])}, opt.init(params))
        >>> restored = opt.state_from_dict(opt.state_to_dict(state), like=params)
        >>> restored.step, restored.buffers["w"]["momentum_buffer"]
        (1, array([1., 1.]))
        """
        if not isinstance(d, Mapping):
            msg = f"d must be a mapping such as state_to_dict() returns, got {type(d).__name__}"
            raise TypeError(msg)
        like = _check_arrays(like, "like")
        needed = ["step"] + [f"param_step.{name}" for name in like]
        needed += [f"{kind}.{name}" for name in like for kind in self._buffer_kinds()]
        missing = [key for key in needed if key not in d]
        extra = sorted(set(d) - set(needed), key=str)
        if missing or extra:
            msg = (
                f"d does not match {self!r} and like: missing keys {missing}, "
                f"unexpected keys {extra}"
            )
            raise ValueError(msg)
        buffers: dict[str, dict[str, Array]] = {}
        for name, p in like.items():
            xp, device = get_namespace(p), get_device(p)
            buffers[name] = {}
            for kind in self._buffer_kinds():
                value = d[f"{kind}.{name}"]
                host = np.array(to_numpy(value) if is_array_api_obj(value) else value, copy=True)
                buffers[name][kind] = buf = to_namespace(host, xp, device, p.dtype)
                _check_like(buf, f"d[{kind + '.' + name!r}]", p, name)
        param_steps = {
            name: _as_count(d[f"param_step.{name}"], f"param_step.{name}") for name in like
        }
        return OptimizerState(_as_count(d["step"], "step"), param_steps, buffers)

    # ---------------------------------------------------------------- bound form

    def _bound(self, method: str) -> Parametrized:
        if self.params is None:
            msg = (
                f"{method}() needs the optimizer to be built with params=<a Parametrized object>, "
                "got params=None; use init() and update() for the pure form"
            )
            raise TypeError(msg)
        return self.params

    def step(self) -> None:
        """Update the bound object's parameters from its current gradients.

        Reads ``params.parameters()`` and ``params.gradients()`` at every call, and writes
        the new parameters back with ``params.set_parameters``. The state is created on the
        first call. See :class:`Parametrized` for an example.
        """
        obj = self._bound("step")
        parameters = obj.parameters()
        if self.state is None:
            self.state = self.init(parameters)
        new_params, self.state = self.update(parameters, obj.gradients(), self.state)
        obj.set_parameters(new_params)

    def zero_grad(self) -> None:
        """Call the bound object's ``zero_grad()``."""
        self._bound("zero_grad").zero_grad()

    def state_dict(self) -> dict[str, Any]:
        """The hyperparameters and the bound state, for :meth:`load_state_dict`.

        Returns
        -------
        dict
            ``{"hyperparameters": {...}, "state": OptimizerState or None}``. A callable
            ``lr`` is stored as ``None``: give the callable again to the optimizer that
            loads the dict (the step count that it is called with is in the state). The
            state's arrays are shared, not copied (they are never modified in place); use
            :meth:`state_to_dict` to get host copies.

        Examples
        --------
        >>> from dec_array.optim import Adam
        >>> Adam(lr=lambda step: 0.1).state_dict()
        {'hyperparameters': {'lr': None, 'betas': (0.9, 0.999), 'eps': 1e-08, \
'weight_decay': 0.0, 'amsgrad': False, 'maximize': False}, 'state': None}
        """
        hyper = self.hyperparameters()
        if callable(hyper["lr"]):
            hyper["lr"] = None
        return {"hyperparameters": hyper, "state": self.state}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore hyperparameters and state from :meth:`state_dict`'s output.

        A saved ``lr`` of ``None`` (a callable) keeps this optimizer's ``lr``, which must
        then be a callable.

        Examples
        --------
        >>> from dec_array.optim import SGD
        >>> opt = SGD(momentum=0.5)
        >>> opt.load_state_dict(SGD(lr=0.1, momentum=0.9).state_dict())
        >>> opt
        SGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)
        """
        if not isinstance(state_dict, Mapping) or set(state_dict) != {"hyperparameters", "state"}:
            msg = "state_dict must be a dict with keys 'hyperparameters' and 'state'"
            raise ValueError(msg)
        saved = dict(state_dict["hyperparameters"])
        hyper = self.hyperparameters()
        unknown = sorted(set(saved) - set(hyper), key=str)
        if unknown:
            msg = f"state_dict has hyperparameters unknown to {type(self).__name__}: {unknown}"
            raise ValueError(msg)
        if saved.get("lr", 0.0) is None:
            if not callable(self.lr):
                msg = "state_dict was saved with a callable lr: build this optimizer with that lr"
                raise ValueError(msg)
            del saved["lr"]
        checked = type(self)(None, **{**hyper, **saved})
        state = state_dict["state"]
        if state is not None and not isinstance(state, OptimizerState):
            msg = (
                f"state_dict['state'] must be an OptimizerState or None, got {type(state).__name__}"
            )
            raise TypeError(msg)
        for name in hyper:
            setattr(self, name, getattr(checked, name))
        self.state = state


# --------------------------------------------------------------------------- optimizers


def _lerp(start: Array, end: Array, weight: float) -> Array:
    """``start + weight * (end - start)``, evaluated as ``torch.lerp`` does."""
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as :class:`torch.optim.SGD`.

    With ``g = ±grad + weight_decay * param`` (``-`` when ``maximize``), ``b = g`` on a
    parameter's first update and ``b = momentum * b + (1 - dampening) * g`` after, the
    update is ``param -= lr * (g + momentum * b if nesterov else b)`` (``lr * g`` when
    ``momentum == 0``).

    Parameters
    ----------
    params : Parametrized or None, default=None
        The object that :meth:`step` updates; ``None`` for the pure form.
    lr : float or callable, default=1e-3
        Learning rate >= 0, or ``lr(step)`` of the number of completed updates.
    momentum : float, default=0
        Momentum factor >= 0.
    dampening : float, default=0
        Dampening of the momentum, in [0, 1] (PyTorch does not check its range).
    weight_decay : float, default=0
        L2 penalty >= 0, added to the gradient as ``weight_decay * param``.
    nesterov : bool, default=False
        Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.
    maximize : bool, default=False
        Maximise the objective (negate the gradients).

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.optim import SGD
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> params = {"w": np.array([1.0], dtype=np.float32)}
    >>> state = opt.init(params)
    >>> for _ in range(2):
    ...     params, state = opt.update(params, {"w": np.ones(1, dtype=np.float32)}, state)
    >>> params["w"]  # 1 - 0.1 * 1 - 0.1 * 1.9
    array([0.71], dtype=float32)
    """

    def __init__(
        self,
        params: Parametrized | None = None,
        lr: LearningRate = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        maximize: bool = False,
    ) -> None:
        super().__init__(params)
        self.lr = _check_lr(lr)
        self.momentum = _check_real(momentum, "momentum", lambda v: v >= 0.0, ">= 0")
        self.dampening = _check_real(dampening, "dampening", lambda v: 0.0 <= v <= 1.0, "in [0, 1]")
        self.weight_decay = _check_real(weight_decay, "weight_decay", lambda v: v >= 0.0, ">= 0")
        self.nesterov = _check_bool(nesterov, "nesterov")
        self.maximize = _check_bool(maximize, "maximize")
        if self.nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            msg = "nesterov=True requires momentum > 0 and dampening == 0"
            raise ValueError(msg)

    def _buffer_kinds(self) -> tuple[str, ...]:
        return ("momentum_buffer",) if self.momentum != 0.0 else ()

    def _update_one(
        self, param: Array, grad: Array, buffers: Mapping[str, Array], count: int, lr: float
    ) -> tuple[Array, dict[str, Array]]:
        g = -grad if self.maximize else grad
        if self.weight_decay != 0.0:
            g = g + self.weight_decay * param
        if self.momentum == 0.0:
            return param - lr * g, {}
        if count == 1:
            buf = get_namespace(g).asarray(g, copy=True)
        else:
            buf = buffers["momentum_buffer"] * self.momentum + (1.0 - self.dampening) * g
        g = g + self.momentum * buf if self.nesterov else buf
        return param - lr * g, {"momentum_buffer": buf}


class Adam(Optimizer):
    """Adam, as :class:`torch.optim.Adam` (AMSGrad optional).

    With ``g = ±grad + weight_decay * param``, ``m = beta1 * m + (1 - beta1) * g``,
    ``v = beta2 * v + (1 - beta2) * g**2`` (``v_max = max(v_max, v)`` and ``v_max`` used
    for ``v`` when ``amsgrad``), and ``t`` the parameter's update count:
    ``param -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``.

    Parameters
    ----------
    params : Parametrized or None, default=None
        The object that :meth:`step` updates; ``None`` for the pure form.
    lr : float or callable, default=1e-3
        Learning rate >= 0, or ``lr(step)`` of the number of completed updates.
    betas : tuple of float, default=(0.9, 0.999)
        Decay rates of the first and second moment averages, each in [0, 1).
    eps : float, default=1e-8
        Term >= 0 added to the denominator, after the square root.
    weight_decay : float, default=0
        L2 penalty >= 0, added to the gradient as ``weight_decay * param``.
    amsgrad : bool, default=False
        Use the running maximum of the second moment (AMSGrad).
    maximize : bool, default=False
        Maximise the objective (negate the gradients).

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.optim import Adam
    >>> opt = Adam(lr=0.1)
    >>> params = {"w": np.array([1.0, 1.0])}
    >>> grads = {"w": np.array([3.0, -0.5])}
    >>> params, state = opt.update(params, grads, opt.init(params))
    >>> params["w"]  # the first step is lr * sign(grad)
    array([0.9, 1.1])
    """

    _decoupled = False

    def __init__(
        self,
        params: Parametrized | None = None,
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        maximize: bool = False,
    ) -> None:
        super().__init__(params)
        self.lr = _check_lr(lr)
        self.betas = _check_betas(betas)
        self.eps = _check_real(eps, "eps", lambda v: v >= 0.0, ">= 0")
        self.weight_decay = _check_real(weight_decay, "weight_decay", lambda v: v >= 0.0, ">= 0")
        self.amsgrad = _check_bool(amsgrad, "amsgrad")
        self.maximize = _check_bool(maximize, "maximize")

    def _buffer_kinds(self) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if self.amsgrad else ())

    def _update_one(
        self, param: Array, grad: Array, buffers: Mapping[str, Array], count: int, lr: float
    ) -> tuple[Array, dict[str, Array]]:
        beta1, beta2 = self.betas
        g = -grad if self.maximize else grad
        if self.weight_decay != 0.0:
            if self._decoupled:
                param = param * (1.0 - lr * self.weight_decay)
            else:
                g = g + self.weight_decay * param
        exp_avg = _lerp(buffers["exp_avg"], g, 1.0 - beta1)
        exp_avg_sq = buffers["exp_avg_sq"] * beta2 + (1.0 - beta2) * g * g
        new = {"exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
        second = exp_avg_sq
        if self.amsgrad:
            second = new["max_exp_avg_sq"] = get_namespace(g).maximum(
                buffers["max_exp_avg_sq"], exp_avg_sq
            )
        step_size = lr / (1.0 - beta1**count)
        denom = get_namespace(g).sqrt(second) / (1.0 - beta2**count) ** 0.5 + self.eps
        return param - step_size * exp_avg / denom, new


class AdamW(Adam):
    """Adam with decoupled weight decay, as :class:`torch.optim.AdamW`.

    Before the Adam step (without L2 term), each updated parameter is scaled by
    ``1 - lr * weight_decay``.

    Parameters
    ----------
    params : Parametrized or None, default=None
        The object that :meth:`step` updates; ``None`` for the pure form.
    lr : float or callable, default=1e-3
        Learning rate >= 0, or ``lr(step)`` of the number of completed updates.
    betas : tuple of float, default=(0.9, 0.999)
        Decay rates of the first and second moment averages, each in [0, 1).
    eps : float, default=1e-8
        Term >= 0 added to the denominator, after the square root.
    weight_decay : float, default=1e-2
        Decoupled weight decay coefficient >= 0.
    amsgrad : bool, default=False
        Use the running maximum of the second moment (AMSGrad).
    maximize : bool, default=False
        Maximise the objective (negate the gradients).

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.optim import AdamW
    >>> opt = AdamW(lr=0.1, weight_decay=0.5)
    >>> params = {"w": np.array([2.0])}
    >>> params, state = opt.update(params, {"w": np.array([1.0])}, opt.init(params))
    >>> params["w"]  # 2 * (1 - 0.1 * 0.5) - 0.1
    array([1.8])
    """

    _decoupled = True

    def __init__(
        self,
        params: Parametrized | None = None,
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)

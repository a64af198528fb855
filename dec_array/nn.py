r"""A tiny multilayer perceptron with a hand-written backward pass, on any Array API namespace.

This is the substrate of the end-to-end example (:mod:`dec_array.demo`): an encoder or a
decoder of dense layers, ReLU between them and a linear last layer, as in the DEC paper's
``d-500-500-2000-10`` autoencoder (here with any sizes, e.g. ``64-128-64-10`` for the
digits). It is deliberately small and explicit, so that the chain rule that carries
DEC's ``dL/dz`` into the encoder's weights is visible:

.. math::

    h_0 = x, \qquad a_l = h_{l-1} W_l + b_l, \qquad
    h_l = \mathrm{relu}(a_l)\ (l < L), \qquad h_L = a_L,

    \frac{\partial L}{\partial W_l} = h_{l-1}^\top g_l, \quad
    \frac{\partial L}{\partial b_l} = \textstyle\sum_i g_{l,i}, \quad
    \frac{\partial L}{\partial h_{l-1}} = g_l W_l^\top,

with :math:`g_L = \partial L / \partial h_L` and
:math:`g_l = [h_l > 0] \circ \partial L/\partial h_l` below. Weights have shape
``(fan_in, fan_out)`` (``x @ W + b``; ``torch.nn.Linear`` stores the transpose).

Two forms, as in :mod:`dec_array.optim`:

* **pure functions** :func:`init_mlp`, :func:`mlp_forward` and :func:`mlp_backward` on a
  parameter dict ``{"layer0.weight": W0, "layer0.bias": b0, ...}``, which
  ``optim.Adam().init`` / ``update`` train directly;
* the **object** :class:`MLP`, whose ``forward`` caches the activations and whose
  ``backward`` accumulates the parameter gradients and returns the input gradient; it is a
  :class:`dec_array.optim.Parametrized`, so ``Adam(mlp, lr=1e-3).step()`` trains it.

The namespace comes from the inputs, every created array gets an explicit ``dtype`` and
``device``, and nothing is modified in place (JAX arrays work).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from ._array_api import (
    Array,
    check_positive_int,
    check_random_state,
    check_shape_2d,
    default_device,
    get_namespace,
    resolve_dtype,
    resolve_namespace,
    to_namespace,
)
from .head import CallOrderError

__all__ = [
    "MLP",
    "MLPCache",
    "init_mlp",
    "mlp_backward",
    "mlp_forward",
    "mse_loss_and_grad",
    "n_layers",
]


def _weight(i: int) -> str:
    return f"layer{i}.weight"


def _bias(i: int) -> str:
    return f"layer{i}.bias"


# --------------------------------------------------------------------------- validation


def _check_sizes(sizes: Any) -> tuple[int, ...]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        msg = f"sizes must be a sequence of at least two layer widths, got {sizes!r}"
        raise ValueError(msg)
    return tuple(check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes))


def n_layers(params: Mapping[str, Array]) -> int:
    """Number of dense layers of an MLP parameter dict (checking its keys).

    Parameters
    ----------
    params : mapping of str to array
        ``{"layer0.weight", "layer0.bias", ..., "layer{L-1}.bias"}``, nothing else.

    Returns
    -------
    int
        ``L``.

    Examples
    --------
    >>> from dec_array.nn import init_mlp, n_layers
    >>> n_layers(init_mlp([4, 3, 2], random_state=0))
    2
    """
    if not isinstance(params, Mapping):
        msg = f"params must be a mapping of parameter names to arrays, got {type(params).__name__}"
        raise TypeError(msg)
    count = len(params) // 2
    expected = {name for i in range(count) for name in (_weight(i), _bias(i))}
    if count == 0 or set(params) != expected:
        msg = (
            "params must hold exactly 'layer0.weight', 'layer0.bias', ... 'layer{L-1}.bias', "
            f"got {sorted(map(str, params))}"
        )
        raise ValueError(msg)
    return count


# --------------------------------------------------------------------------- pure functions


def init_mlp(
    sizes: Sequence[int],
    *,
    random_state: int | np.random.Generator | None = None,
    xp: ModuleType | None = None,
    device: Any = None,
    dtype: Any = None,
) -> dict[str, Array]:
    """Initial parameters of an MLP with layer widths ``sizes``.

    Weights of layers followed by a ReLU are He-normal (``N(0, 2 / fan_in)``), those of the
    last, linear layer Glorot-uniform (``U(-b, b)``, ``b = sqrt(6 / (fan_in + fan_out))``);
    biases are zero. The random numbers are drawn on the host by a NumPy Generator, so a
    seed gives the same network on every backend.

    Parameters
    ----------
    sizes : sequence of int
        ``(n_inputs, hidden_1, ..., n_outputs)``, at least two positive widths.
    random_state : int, numpy.random.Generator or None, optional
        Seed or generator of the draws (a Generator is advanced as given).
    xp : module, optional
        Array library of the parameters (default NumPy).
    device : optional
        Their device (default: ``xp``'s default device).
    dtype : dtype or {"float32", "float64"}, optional
        Their real floating dtype (default: ``xp``'s default on ``device``).

    Returns
    -------
    dict of str to array
        ``{"layer{l}.weight": (sizes[l], sizes[l+1]), "layer{l}.bias": (sizes[l+1],)}``.

    Examples
    --------
    >>> from dec_array.nn import init_mlp
    >>> params = init_mlp([64, 128, 10], random_state=0)
    >>> {name: p.shape for name, p in params.items()}
    {'layer0.weight': (64, 128), 'layer0.bias': (128,), 'layer1.weight': (128, 10), 'layer1.bias': (10,)}
    """
    sizes = _check_sizes(sizes)
    rng = check_random_state(random_state)
    xp = resolve_namespace(xp)
    device = default_device(xp) if device is None else device
    dtype = resolve_dtype(xp, dtype, device)
    params: dict[str, Array] = {}
    last = len(sizes) - 2
    for i, (fan_in, fan_out) in enumerate(pairwise(sizes)):
        if i < last:
            host = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        else:
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            host = rng.uniform(-bound, bound, size=(fan_in, fan_out))
        params[_weight(i)] = to_namespace(host, xp, device, dtype)
        params[_bias(i)] = xp.zeros((fan_out,), dtype=dtype, device=device)
    return params


class MLPCache(NamedTuple):
    """What :func:`mlp_forward` keeps for :func:`mlp_backward`."""

    inputs: tuple[Array, ...]
    """The input of every layer: ``x``, then each hidden (post-ReLU) activation."""


def _relu(xp: ModuleType, a: Array) -> Array:
    return xp.where(a > 0, a, xp.zeros_like(a))


def mlp_forward(params: Mapping[str, Array], x: Array) -> tuple[Array, MLPCache]:
    """Apply the MLP to ``x``: ReLU after every layer but the last.

    Parameters
    ----------
    params : mapping of str to array
        As returned by :func:`init_mlp`.
    x : array of shape (n_samples, sizes[0])
        Inputs, in the namespace, device and dtype of the parameters.

    Returns
    -------
    out : array of shape (n_samples, sizes[-1])
    cache : MLPCache
        The layer inputs, for :func:`mlp_backward`.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.nn import init_mlp, mlp_forward
    >>> params = init_mlp([3, 5, 2], random_state=0)
    >>> out, cache = mlp_forward(params, np.ones((4, 3)))
    >>> out.shape, len(cache.inputs)
    ((4, 2), 2)
    """
    count = n_layers(params)
    check_shape_2d(x, "x", n_features=int(params[_weight(0)].shape[0]))
    xp = get_namespace(x, params[_weight(0)])
    inputs = []
    h = x
    for i in range(count):
        inputs.append(h)
        h = h @ params[_weight(i)] + params[_bias(i)]
        if i < count - 1:
            h = _relu(xp, h)
    return h, MLPCache(tuple(inputs))


def mlp_backward(
    params: Mapping[str, Array], cache: MLPCache, grad_out: Array
) -> tuple[dict[str, Array], Array]:
    """Back-propagate ``grad_out = dL/d(out)`` through the MLP (the chain rule, by hand).

    Parameters
    ----------
    params : mapping of str to array
        The parameters of the forward pass.
    cache : MLPCache
        The forward pass's cache.
    grad_out : array of shape (n_samples, sizes[-1])
        Gradient of a scalar loss with respect to the MLP's output, e.g. DEC's ``dL/dz``.

    Returns
    -------
    grads : dict of str to array
        ``dL/dparam`` for every parameter, same names, shapes and dtypes.
    grad_x : array of shape (n_samples, sizes[0])
        ``dL/dx``, to back-propagate further.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.nn import init_mlp, mlp_backward, mlp_forward
    >>> params = init_mlp([3, 5, 2], random_state=0)
    >>> out, cache = mlp_forward(params, np.ones((4, 3)))
    >>> grads, grad_x = mlp_backward(params, cache, np.ones_like(out))  # L = sum(out)
    >>> grads["layer1.bias"], grad_x.shape
    (array([4., 4.]), (4, 3))
    """
    count = n_layers(params)
    if not isinstance(cache, MLPCache) or len(cache.inputs) != count:
        msg = f"cache must be the MLPCache of a forward pass through these {count} layers"
        raise ValueError(msg)
    xp = get_namespace(grad_out, params[_weight(0)])
    check_shape_2d(grad_out, "grad_out", n_features=int(params[_weight(count - 1)].shape[1]))
    grads: dict[str, Array] = {}
    g = grad_out
    for i in reversed(range(count)):
        if i < count - 1:  # through the ReLU: its output is > 0 exactly where it passed
            g = xp.where(cache.inputs[i + 1] > 0, g, xp.zeros_like(g))
        grads[_weight(i)] = xp.matrix_transpose(cache.inputs[i]) @ g
        grads[_bias(i)] = xp.sum(g, axis=0)
        g = g @ xp.matrix_transpose(params[_weight(i)])
    return {name: grads[name] for name in params}, g


def mse_loss_and_grad(pred: Array, target: Array) -> tuple[Array, Array]:
    """Mean squared error over all entries (``torch.nn.MSELoss()``) and its gradient.

    Parameters
    ----------
    pred, target : arrays of the same shape
        Prediction (e.g. a reconstruction) and target, same namespace and dtype.

    Returns
    -------
    loss : 0-d array
        ``mean((pred - target)**2)``.
    grad : array like ``pred``
        ``dloss/dpred = 2 (pred - target) / pred.size``.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.nn import mse_loss_and_grad
    >>> loss, grad = mse_loss_and_grad(np.array([[1.0, 2.0]]), np.array([[1.0, 0.0]]))
    >>> float(loss), grad
    (2.0, array([[0., 2.]]))
    """
    xp = get_namespace(pred, target)
    if tuple(pred.shape) != tuple(target.shape):
        msg = f"pred and target must have the same shape, got {tuple(pred.shape)} and {tuple(target.shape)}"
        raise ValueError(msg)
    diff = pred - target
    size = 1
    for s in pred.shape:
        size *= int(s)
    return xp.sum(diff * diff) / size, (2.0 / size) * diff


# --------------------------------------------------------------------------- object form


class MLP:
    """A multilayer perceptron as a stateful object: ``forward`` / ``backward`` / optimizers.

    ReLU after every layer but the last, which is linear (an encoder's bottleneck or a
    decoder's output). It follows :class:`dec_array.DECClusterHead`'s conventions: each
    ``forward`` supports one ``backward``, which accumulates the parameter gradients
    (read them with :meth:`gradients`, clear them with :meth:`zero_grad`) and returns the
    gradient for the input.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths ``(n_inputs, hidden_1, ..., n_outputs)``.
    random_state : int, numpy.random.Generator or None, optional
        Seed of the initialisation (see :func:`init_mlp`).
    xp : module, optional
        Array library (default NumPy).
    device : optional
        Device of the parameters.
    dtype : dtype or {"float32", "float64"}, optional
        Real floating dtype of the parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.nn import MLP, mse_loss_and_grad
    >>> from dec_array.optim import Adam
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(32, 4))
    >>> net = MLP([4, 16, 4], random_state=0)
    >>> opt = Adam(net, lr=1e-2)
    >>> first, _ = mse_loss_and_grad(net(x), x)
    >>> for _ in range(100):                   # learn the identity
    ...     loss, grad = mse_loss_and_grad(net(x), x)
    ...     grad_x = net.backward(grad)        # dL/dx, unused here
    ...     opt.step(); opt.zero_grad()
    >>> bool(loss < 0.1 * first)
    True
    """

    def __init__(
        self,
        sizes: Sequence[int],
        *,
        random_state: int | np.random.Generator | None = None,
        xp: ModuleType | None = None,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        self.sizes = _check_sizes(sizes)
        self._params = init_mlp(
            self.sizes, random_state=random_state, xp=xp, device=device, dtype=dtype
        )
        self._grads: dict[str, Array] | None = None
        self._cache: MLPCache | None = None

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Array]) -> MLP:
        """An MLP with the given parameters (e.g. another MLP's, to copy it).

        The arrays are shared, not copied: nothing here modifies arrays in place.

        Examples
        --------
        >>> from dec_array.nn import MLP
        >>> net = MLP([3, 4, 2], random_state=0)
        >>> MLP.from_parameters(net.parameters())
        MLP(sizes=[3, 4, 2])
        """
        count = n_layers(parameters)
        sizes = [int(parameters[_weight(0)].shape[0])]
        for i in range(count):
            w, b = parameters[_weight(i)], parameters[_bias(i)]
            if len(w.shape) != 2 or int(w.shape[0]) != sizes[-1] or tuple(b.shape) != (w.shape[1],):
                msg = (
                    f"layer {i}: weight of shape {tuple(w.shape)} and bias of shape "
                    f"{tuple(b.shape)} do not continue a layer of width {sizes[-1]}"
                )
                raise ValueError(msg)
            sizes.append(int(w.shape[1]))
        net = cls.__new__(cls)
        net.sizes = tuple(sizes)
        net._params = dict(parameters)
        net._grads = None
        net._cache = None
        return net

    def __repr__(self) -> str:
        return f"MLP(sizes={list(self.sizes)})"

    def parameters(self) -> dict[str, Array]:
        """The parameters, ``{"layer0.weight": ..., "layer0.bias": ..., ...}``."""
        return dict(self._params)

    def gradients(self) -> dict[str, Array | None]:
        """Gradients accumulated since the last :meth:`zero_grad` (``None`` before any)."""
        if self._grads is None:
            return dict.fromkeys(self._params)
        return dict(self._grads)

    def set_parameters(self, parameters: Mapping[str, Array]) -> None:
        """Replace the parameters (same names and shapes); discards a pending backward."""
        n_layers(parameters)
        if set(parameters) != set(self._params):
            msg = f"parameters must have the names {sorted(self._params)}, got {sorted(parameters)}"
            raise ValueError(msg)
        for name, p in parameters.items():
            if tuple(p.shape) != tuple(self._params[name].shape):
                msg = f"parameters[{name!r}] must have shape {tuple(self._params[name].shape)}, got {tuple(p.shape)}"
                raise ValueError(msg)
        self._params = dict(parameters)
        self._cache = None

    def zero_grad(self) -> None:
        """Forget the accumulated gradients."""
        self._grads = None

    def forward(self, x: Array) -> Array:
        """The output for ``x`` of shape (n_samples, sizes[0]); caches what backward needs."""
        out, self._cache = mlp_forward(self._params, x)
        return out

    __call__ = forward

    def backward(self, grad_out: Array) -> Array:
        """Accumulate ``dL/dparams`` for the last forward and return ``dL/dx``.

        Parameters
        ----------
        grad_out : array of shape (n_samples, sizes[-1])
            ``dL/d(output)`` of the last :meth:`forward`.

        Returns
        -------
        array of shape (n_samples, sizes[0])
            ``dL/dx``.

        Raises
        ------
        CallOrderError
            If there was no forward since the last backward or parameter change.
        """
        if self._cache is None:
            msg = "backward() needs a forward() first; each forward supports one backward"
            raise CallOrderError(msg)
        grads, grad_x = mlp_backward(self._params, self._cache, grad_out)
        self._cache = None
        if self._grads is None:
            self._grads = grads
        else:
            self._grads = {name: self._grads[name] + g for name, g in grads.items()}
        return grad_x

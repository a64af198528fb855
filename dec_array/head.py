"""``DECClusterHead``: the DEC clustering layer as a small stateful object.

It re-creates the PyTorch ``DECClusterHead`` API (``cluster_centers``,
``reset_cluster_centers``, ``forward(z, update_target=True)``, ``cluster(z, soft=False)``,
``predict``) on any Array API namespace, and adds what training without autograd needs:
``backward()`` returns ``dL/dz`` for an encoder, ``gradients()`` / ``parameters()`` /
``set_parameters()`` feed the optimizers of :mod:`dec_array.optim`. All the mathematics is
in :mod:`dec_array.functional`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import numpy as np

from . import functional as F
from ._array_api import (
    Array,
    check_all_finite,
    check_alpha,
    check_bool,
    check_positive_int,
    check_random_state,
    check_same_namespace_and_device,
    check_shape_2d,
    default_device,
    dtype_name,
    float_dtype_if_supported,
    resolve_dtype,
    resolve_namespace,
    to_namespace,
    to_numpy,
)
from ._io import atomic_savez, read_npz, scalar

__all__ = ["CallOrderError", "DECClusterHead"]

_KIND = "DECClusterHead"
_PARAM = "cluster_centers"


class CallOrderError(RuntimeError, ValueError):
    """A method was called out of order (e.g. ``backward()`` before ``forward()``).

    Subclasses both :class:`RuntimeError` (what PyTorch raises in the same situation)
    and :class:`ValueError`.
    """


class DECClusterHead:
    r"""Deep Embedded Clustering head: learnable centres under a Student's t kernel.

    The probability that sample :math:`z_i` belongs to cluster :math:`j` is

    .. math:: q_{ij} \propto (1 + \|z_i - \mu_j\|^2/\alpha)^{-(\alpha+1)/2},

    the target is :math:`p_{ij} \propto q_{ij}^2 / \sum_i q_{ij}` and the loss is
    :math:`\mathrm{KL}(P\|Q)` averaged over the batch (see :mod:`dec_array.functional`).

    Parameters
    ----------
    n_clusters : int
        Number of clusters ``k``.
    n_features : int
        Width ``d`` of the embeddings.
    alpha : float, default 1.0
        Degrees of freedom of the Student's t kernel, finite and > 0.
    xp : module, optional
        Array library for the centres (``numpy``, ``cupy``, ``torch``, ``jax.numpy``,
        ``array_api_strict``, ``dask.array``...). Default NumPy.
    device : optional
        Device of the centres, in ``xp``'s terms. Default: ``xp``'s default device.
    dtype : dtype or {"float32", "float64"}, optional
        Real floating dtype of the centres. Default: ``xp``'s default real floating dtype
        on ``device`` (float64 for NumPy, float32 for PyTorch and JAX without x64).
    random_state : int, numpy.random.Generator or None, optional
        Seeds the Glorot-uniform initialisation of :meth:`reset_cluster_centers`. Draws are
        made on the host with NumPy, so a seed gives the same centres on every backend.

    Attributes
    ----------
    cluster_centers : array of shape (n_clusters, n_features)
        The centres, read-only; change them with :meth:`reset_cluster_centers` or
        :meth:`set_parameters`.
    target : array of shape (n_samples, n_clusters) or None
        The cached target distribution ``P`` of the last ``forward`` that updated it.

    Notes
    -----
    Target caching follows the PyTorch reference: ``forward(z, update_target=False)``
    reuses the cached ``P`` if there is one for a batch of the same size, and recomputes
    it otherwise. The cache is keyed on the batch size only, so a different batch of the
    same size silently reuses a stale ``P``: pass ``target=`` explicitly when batches
    change (as :class:`dec_array.DEC` does with the paper's full-dataset target).

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array import DECClusterHead
    >>> z = np.array([[0.0, 0.1], [0.2, 0.0], [5.0, 5.1], [5.2, 4.9]])
    >>> head = DECClusterHead(n_clusters=2, n_features=2, random_state=0)
    >>> head.reset_cluster_centers(np.array([[0.0, 0.0], [5.0, 5.0]]))
    >>> loss = head(z)               # forward: the 0-d loss
    >>> grad_z = head.backward()     # dL/dz, for an encoder
    >>> grad_z.shape, head.gradients()["cluster_centers"].shape
    ((4, 2), (2, 2))
    >>> head.cluster(z)
    array([0, 0, 1, 1])
    """

    def __init__(
        self,
        n_clusters: int,
        n_features: int,
        alpha: float = 1.0,
        *,
        xp: ModuleType | None = None,
        device: Any = None,
        dtype: Any = None,
        random_state: Any = None,
    ) -> None:
        self.n_clusters = check_positive_int(n_clusters, "n_clusters")
        self.n_features = check_positive_int(n_features, "n_features")
        self.alpha = check_alpha(alpha)
        self._xp = resolve_namespace(xp)
        self._device = default_device(self._xp) if device is None else device
        self._dtype = resolve_dtype(self._xp, dtype, self._device)
        self._rng = check_random_state(random_state)
        self._centers: Array = None
        self._target: Array | None = None
        self._pending: tuple[Array, Array] | None = None
        self._grad: Array | None = None
        self.reset_cluster_centers()

    # ------------------------------------------------------------------ properties
    @property
    def xp(self) -> ModuleType:
        """The array namespace of the centres (array-api-compat wrapped)."""
        return self._xp

    @property
    def device(self) -> Any:
        """The device of the centres."""
        return self._device

    @property
    def dtype(self) -> Any:
        """The real floating dtype of the centres and of every computation."""
        return self._dtype

    @property
    def cluster_centers(self) -> Array:
        """The cluster centres, shape (n_clusters, n_features)."""
        return self._centers

    @property
    def target(self) -> Array | None:
        """The cached target distribution ``P`` (None before the first forward)."""
        return self._target

    def __repr__(self) -> str:
        return (
            f"DECClusterHead(n_clusters={self.n_clusters}, n_features={self.n_features}, "
            f"alpha={self.alpha!r}, xp={self._xp.__name__}, device={self._device}, "
            f"dtype={dtype_name(self._dtype)})"
        )

    # ------------------------------------------------------------------ validation
    def _check_z(self, z: Array) -> None:
        check_shape_2d(z, "z", n_features=self.n_features)
        check_same_namespace_and_device(z, "z", self._xp, self._device, "the head")
        if z.dtype != self._dtype:
            msg = (
                f"z has dtype {dtype_name(z.dtype)} but the head computes in "
                f"{dtype_name(self._dtype)}; cast z or call head.to(dtype=...)"
            )
            raise TypeError(msg)
        check_all_finite(z, "z")

    def _check_target(self, target: Array, n: int) -> None:
        check_shape_2d(target, "target")
        check_same_namespace_and_device(target, "target", self._xp, self._device, "the head")
        if tuple(target.shape) != (n, self.n_clusters):
            msg = (
                f"target must have shape ({n}, {self.n_clusters}) (n_samples, n_clusters), "
                f"got {tuple(target.shape)}"
            )
            raise ValueError(msg)
        check_all_finite(target, "target")

    def _as_centers(self, centers: Any, name: str) -> Array:
        """Validate centres of the head's namespace and device; cast to the head's dtype."""
        check_shape_2d(centers, name)
        check_same_namespace_and_device(centers, name, self._xp, self._device, "the head")
        if tuple(centers.shape) != (self.n_clusters, self.n_features):
            msg = (
                f"{name} must have shape ({self.n_clusters}, {self.n_features}) "
                f"(n_clusters, n_features), got {tuple(centers.shape)}"
            )
            raise ValueError(msg)
        check_all_finite(centers, name)
        return centers if centers.dtype == self._dtype else self._xp.astype(centers, self._dtype)

    # ------------------------------------------------------------------ parameters
    def reset_cluster_centers(self, cluster_centers: Array | None = None) -> None:
        """Set the centres, or re-draw them Glorot-uniformly when none are given.

        Parameters
        ----------
        cluster_centers : array of shape (n_clusters, n_features), optional
            New centres in the head's namespace and on its device (cast to its dtype).
            ``None`` draws from ``U(-b, b)`` with ``b = sqrt(6 / (n_clusters + n_features))``
            using the head's ``random_state``.

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array import DECClusterHead
        >>> a = DECClusterHead(3, 2, random_state=7).cluster_centers
        >>> b = DECClusterHead(3, 2, random_state=7).cluster_centers
        >>> bool(np.all(a == b)), bool(np.all(np.abs(a) <= np.sqrt(6 / 5)))
        (True, True)
        """
        if cluster_centers is None:
            bound = float(np.sqrt(6.0 / (self.n_clusters + self.n_features)))
            host = self._rng.uniform(-bound, bound, size=(self.n_clusters, self.n_features))
            centers = to_namespace(host, self._xp, self._device, self._dtype)
        else:
            centers = self._as_centers(cluster_centers, "cluster_centers")
        self._centers = centers
        self._pending = None

    def parameters(self) -> dict[str, Array]:
        """The learnable parameters, ``{"cluster_centers": centres}``."""
        return {_PARAM: self._centers}

    def gradients(self) -> dict[str, Array | None]:
        """Gradients accumulated by :meth:`backward` since the last :meth:`zero_grad`.

        ``{"cluster_centers": dL/dcenters}``, or ``None`` as value before any backward.
        """
        return {_PARAM: self._grad}

    def set_parameters(self, parameters: Mapping[str, Array]) -> None:
        """Replace the parameters (what an optimizer's ``step()`` calls).

        Parameters
        ----------
        parameters : mapping
            ``{"cluster_centers": array}`` in the head's namespace and on its device.
        """
        if not isinstance(parameters, Mapping) or set(parameters) != {_PARAM}:
            got = (
                sorted(parameters) if isinstance(parameters, Mapping) else type(parameters).__name__
            )
            msg = f"parameters must be a mapping with exactly the key {_PARAM!r}, got {got}"
            raise ValueError(msg)
        self._centers = self._as_centers(parameters[_PARAM], _PARAM)
        self._pending = None

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the accumulated gradients (to None, or to zeros with ``set_to_none=False``)."""
        if check_bool(set_to_none, "set_to_none") or self._grad is None:
            self._grad = None
        else:
            self._grad = self._xp.zeros_like(self._grad)

    # ------------------------------------------------------------------ the objective
    def _evaluate(self, z: Array, update_target: bool, target: Array | None) -> F.DECEvaluation:
        update_target = check_bool(update_target, "update_target")
        self._check_z(z)
        n = int(z.shape[0])
        if target is not None:
            self._check_target(target, n)
            return F.evaluate(z, self._centers, self.alpha, target)
        reuse = not update_target and self._target is not None and int(self._target.shape[0]) == n
        ev = F.evaluate(z, self._centers, self.alpha, self._target if reuse else None)
        if not reuse:
            self._target = ev.p
        return ev

    def forward(self, z: Array, update_target: bool = True, target: Array | None = None) -> Array:
        """KL divergence between the soft assignments of ``z`` and the target.

        Also prepares the gradients that :meth:`backward` hands out.

        Parameters
        ----------
        z : array of shape (n_samples, n_features)
            Embeddings in the head's namespace, device and dtype; finite.
        update_target : bool, default True
            Recompute the target ``P`` from the current ``q`` and cache it. With False the
            cached ``P`` is reused when it exists and has ``n_samples`` rows (the batch
            size is the only key: see the class Notes), otherwise it is recomputed.
        target : array of shape (n_samples, n_clusters), optional
            An explicit target, used as is; the cache is left untouched.

        Returns
        -------
        0-d array
            The loss ``sum(p * log(p / q)) / n_samples``.
        """
        ev = self._evaluate(z, update_target, target)
        self._pending = (ev.grad_centers, ev.grad_z)
        return ev.loss

    __call__ = forward

    def backward(self) -> Array:
        """Gradient of the last :meth:`forward`'s loss.

        Adds ``dL/dcenters`` to :meth:`gradients` (accumulating, like PyTorch, until
        :meth:`zero_grad`) and returns ``dL/dz`` for back-propagation into an encoder.
        Each forward supports one backward.

        Returns
        -------
        array of shape (n_samples, n_features)
            ``dL/dz``.

        Raises
        ------
        CallOrderError
            If there was no forward since the last backward or parameter change.
        """
        if self._pending is None:
            msg = (
                "backward() needs a forward() first: call head(z) before head.backward(); "
                "each forward supports one backward, and changing the centres discards it"
            )
            raise CallOrderError(msg)
        grad_centers, grad_z = self._pending
        self._pending = None
        self._grad = grad_centers if self._grad is None else self._grad + grad_centers
        return grad_z

    def loss_and_grad(
        self, z: Array, update_target: bool = True, target: Array | None = None
    ) -> tuple[Array, Array, Array]:
        """Loss and both gradients at once, without touching :meth:`gradients`.

        Same target semantics as :meth:`forward`.

        Returns
        -------
        loss : 0-d array
        grad_centers : array of shape (n_clusters, n_features)
        grad_z : array of shape (n_samples, n_features)

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array import DECClusterHead
        >>> head = DECClusterHead(2, 1, random_state=0)
        >>> head.reset_cluster_centers(np.array([[0.0], [1.0]]))
        >>> loss, g_c, g_z = head.loss_and_grad(np.array([[0.1], [0.9]]))
        >>> g_c.shape, g_z.shape
        ((2, 1), (2, 1))
        """
        ev = self._evaluate(z, update_target, target)
        return ev.loss, ev.grad_centers, ev.grad_z

    # ------------------------------------------------------------------ inference
    def soft_assign(self, z: Array) -> Array:
        """Soft assignment ``q`` of ``z``, shape (n_samples, n_clusters), rows summing to 1."""
        self._check_z(z)
        return F.soft_assignment(z, self._centers, self.alpha)

    def target_distribution(self, q: Array) -> Array:
        """The target ``P`` of a soft assignment ``q`` (see :func:`.functional.target_distribution`)."""
        check_shape_2d(q, "q")
        check_same_namespace_and_device(q, "q", self._xp, self._device, "the head")
        if int(q.shape[1]) != self.n_clusters:
            msg = f"q must have {self.n_clusters} columns (n_clusters), got shape {tuple(q.shape)}"
            raise ValueError(msg)
        return F.target_distribution(q)

    def cluster(self, z: Array, soft: bool = False) -> Array:
        """Cluster assignments of ``z``.

        Parameters
        ----------
        z : array of shape (n_samples, n_features)
        soft : bool, default False
            Return the soft assignment ``q`` instead of hard labels.

        Returns
        -------
        array
            Labels of shape (n_samples,) (index of the nearest centre), or ``q`` of shape
            (n_samples, n_clusters) with ``soft=True``.
        """
        if check_bool(soft, "soft"):
            return self.soft_assign(z)
        self._check_z(z)
        return F.hard_assignment(z, self._centers)

    predict = cluster

    # ------------------------------------------------------------------ state and moves
    def state_dict(self) -> dict[str, Any]:
        """The head's state: ``{"cluster_centers": array, "alpha": float}``."""
        return {_PARAM: self._centers, "alpha": self.alpha}

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> None:
        """Load a :meth:`state_dict` (centres of any namespace are converted to the head's).

        Parameters
        ----------
        state_dict : mapping
            Must hold ``"cluster_centers"`` of shape (n_clusters, n_features); ``"alpha"``
            sets the degrees of freedom.
        strict : bool, default True
            Require exactly the keys ``{"cluster_centers", "alpha"}``.
        """
        if not isinstance(state_dict, Mapping):
            msg = f"state_dict must be a mapping, got {type(state_dict).__name__}"
            raise TypeError(msg)
        keys, expected = set(state_dict), {_PARAM, "alpha"}
        if (strict and keys != expected) or _PARAM not in keys:
            msg = (
                f"state_dict must have the keys {sorted(expected)}"
                f"{'' if strict else ' (alpha optional)'}, got {sorted(map(str, keys))}"
            )
            raise ValueError(msg)
        alpha = check_alpha(state_dict["alpha"]) if "alpha" in keys else self.alpha
        centers = state_dict[_PARAM]
        if not hasattr(centers, "shape") or len(centers.shape) != 2:
            msg = f"state_dict[{_PARAM!r}] must be a 2-D array, got {type(centers).__name__}"
            raise ValueError(msg)
        centers = to_namespace(centers, self._xp, self._device, self._dtype)
        self._centers = self._as_centers(centers, f"state_dict[{_PARAM!r}]")
        self.alpha = alpha
        self._pending = None

    def to(
        self, xp: ModuleType | None = None, device: Any = None, dtype: Any = None
    ) -> DECClusterHead:
        """Move the head to another namespace, device and/or dtype, in place.

        Centres, accumulated gradients, the pending backward and the cached target all move.

        Parameters
        ----------
        xp : module, optional
            Target array library; default: keep the current one.
        device : optional
            Target device; default: keep the current one within the same namespace, the
            new namespace's default device otherwise.
        dtype : dtype or {"float32", "float64"}, optional
            Target dtype; default: keep the current one (by name) where the target
            supports it, else the target's default.

        Returns
        -------
        DECClusterHead
            ``self``, for chaining like ``torch.nn.Module.to``.

        Examples
        --------
        >>> from dec_array import DECClusterHead
        >>> head = DECClusterHead(2, 3, random_state=0).to(dtype="float32")
        >>> head.cluster_centers.dtype
        dtype('float32')
        """
        new_xp = self._xp if xp is None else resolve_namespace(xp)
        if device is None:
            device = self._device if new_xp is self._xp else default_device(new_xp)
        if dtype is None:
            new_dtype = float_dtype_if_supported(new_xp, dtype_name(self._dtype), device)
        else:
            new_dtype = resolve_dtype(new_xp, dtype, device)

        def move(a: Array | None) -> Array | None:
            return None if a is None else to_namespace(a, new_xp, device, new_dtype)

        self._centers = move(self._centers)
        self._grad = move(self._grad)
        self._target = move(self._target)
        if self._pending is not None:
            self._pending = (move(self._pending[0]), move(self._pending[1]))
        self._xp, self._device, self._dtype = new_xp, device, new_dtype
        return self

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the head to an ``.npz`` file (atomically; no pickle).

        Stores ``n_clusters``, ``n_features``, ``alpha``, the dtype name, the centres and
        the format and library versions. Gradients and the target cache are not stored.
        """
        atomic_savez(
            path,
            _KIND,
            {
                "n_clusters": np.asarray(self.n_clusters, dtype=np.int64),
                "n_features": np.asarray(self.n_features, dtype=np.int64),
                "alpha": np.asarray(self.alpha, dtype=np.float64),
                "dtype": np.asarray(dtype_name(self._dtype)),
                _PARAM: to_numpy(self._centers),
            },
        )

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        xp: ModuleType | None = None,
        device: Any = None,
        dtype: Any = None,
    ) -> DECClusterHead:
        """Load a head written by :meth:`save`, onto ``xp`` / ``device`` / ``dtype``.

        ``dtype=None`` restores the saved dtype where the target supports it. Every entry
        is validated; truncated, tampered or newer-format files raise ValueError.

        Examples
        --------
        >>> import tempfile, os
        >>> from dec_array import DECClusterHead
        >>> head = DECClusterHead(3, 2, alpha=2.0, random_state=0)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     head.save(os.path.join(tmp, "head.npz"))
        ...     again = DECClusterHead.load(os.path.join(tmp, "head.npz"))
        >>> again.alpha, bool((again.cluster_centers == head.cluster_centers).all())
        (2.0, True)
        """
        data = read_npz(path, _KIND)
        k = scalar(data, "n_clusters", "i", path)
        d = scalar(data, "n_features", "i", path)
        alpha = scalar(data, "alpha", "f", path)
        saved_dtype = scalar(data, "dtype", "U", path)
        if saved_dtype not in ("float32", "float64"):
            msg = f"{str(path)!r}: 'dtype' must be 'float32' or 'float64', got {saved_dtype!r}"
            raise ValueError(msg)
        centers = data.get(_PARAM)
        if centers is None or centers.shape != (k, d) or centers.dtype.kind != "f":
            got = None if centers is None else (centers.dtype, centers.shape)
            msg = f"{str(path)!r}: {_PARAM!r} must be a float array of shape ({k}, {d}), got {got}"
            raise ValueError(msg)
        if not np.all(np.isfinite(centers)):
            msg = f"{str(path)!r}: {_PARAM!r} holds NaN or infinity"
            raise ValueError(msg)
        head = cls(k, d, alpha, xp=xp, device=device, dtype=dtype)
        if dtype is None:
            head.to(dtype=float_dtype_if_supported(head.xp, saved_dtype, head.device))
        head.load_state_dict({_PARAM: centers, "alpha": alpha})
        return head

"""``DEC``: the scikit-learn-style estimator that fits DEC cluster centres to embeddings.

It follows the paper's training loop by default (k-means initialisation, a target
distribution computed on the whole dataset every ``update_interval`` iterations, shuffled
mini-batches that use their rows of it, and a stop when fewer than ``tol`` of the labels
changed between two target updates) on any Array API namespace. The mathematics is in
:mod:`dec_array.functional`, the optimizers in :mod:`dec_array.optim`.
"""

from __future__ import annotations

import dataclasses
import json
import numbers
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from . import functional as F
from . import optim
from ._array_api import (
    Array,
    check_alpha,
    check_positive_int,
    check_random_state,
    default_device,
    dtype_name,
    float_dtype_if_supported,
    get_device,
    get_namespace,
    is_dask_array,
    resolve_namespace,
    to_namespace,
    to_numpy,
)
from ._estimator import (
    EstimatorMixin,
    check_data,
    check_finite,
    check_fitted,
    check_nonnegative_float,
)
from ._io import atomic_savez, read_npz, scalar
from .kmeans import KMeans

__all__ = ["DEC"]

_KIND = "DEC"
_OPTIMIZERS: dict[str, Any] = {
    "sgd": optim.SGD,
    "adam": optim.Adam,
    "adamw": optim.AdamW,
}


@dataclasses.dataclass
class _TrainState:
    """Everything the training loop carries from one iteration to the next."""

    centers: Array
    opt_state: Any
    rng: np.random.Generator
    iteration: int = 0
    perm: np.ndarray | None = None  # this epoch's sample order (host)
    pos: int = 0  # position in ``perm``
    target: Array | None = None  # full-dataset P of the last update (target="full")
    labels: Array | None = None  # labels at the last target update
    loss_sum: Array | None = None  # summed mini-batch losses since the last update (0-d)
    loss_count: int = 0
    loss_curve: list[float] = dataclasses.field(default_factory=list)
    label_change_curve: list[float] = dataclasses.field(default_factory=list)
    converged: bool = False


class _Placement:
    """Where training parameters live relative to the data ``X``.

    Eager namespaces keep everything with ``X``. For Dask the centres and optimizer
    state (``n_clusters x n_features``) live on the client as NumPy arrays, every step
    computes its loss and gradient in one pass over the chunks, and the full-dataset
    target and labels are persisted on the workers: ``X`` never comes to the client.
    """

    def __init__(self, X: Array) -> None:
        self.lazy = is_dask_array(X)
        self.xp = get_namespace(X)
        self.param_xp = get_namespace(np.empty(0)) if self.lazy else self.xp

    def to_params(self, a: Array) -> Array:
        """An array computed from the data, as a parameter array."""
        return np.asarray(a.compute()) if self.lazy else a

    def to_data(self, c: Array) -> Array:
        """A parameter array, in the data's namespace (wrapped lazily for Dask)."""
        return self.xp.asarray(c) if self.lazy else c

    def fetch(self, *arrays: Array) -> tuple[Array, ...]:
        """Small results of one step (loss, gradient), computed together for Dask."""
        if not self.lazy:
            return arrays
        import dask

        return tuple(np.asarray(a) for a in dask.compute(*arrays))

    def keep(self, *arrays: Array | None) -> tuple[Array | None, ...]:
        """Large results reused by later steps (labels, target), persisted for Dask."""
        if not self.lazy:
            return arrays
        import dask

        present = [a for a in arrays if a is not None]
        done = iter(dask.persist(*present))
        return tuple(None if a is None else next(done) for a in arrays)


class DEC(EstimatorMixin):
    """Deep Embedded Clustering of fixed embeddings, on any Array API namespace.

    Parameters
    ----------
    n_clusters : int, default 8
        Number of clusters.
    alpha : float, default 1.0
        Degrees of freedom of the Student's t kernel.
    init : {"k-means++", "random"}, array of shape (n_clusters, n_features) or KMeans, default "k-means++"
        Initial centres: k-means with that initialisation (``n_init`` restarts), given
        centres, or a fitted :class:`~dec_array.KMeans` whose centres are used.
    n_init : int, default 20
        k-means restarts (the paper's value).
    optimizer : {"sgd", "adam", "adamw"} or optimizer instance, default "sgd"
        ``"sgd"`` uses ``SGD(lr=learning_rate, momentum=momentum)``, ``"adam"`` and
        ``"adamw"`` use ``lr=learning_rate``. An instance of :mod:`dec_array.optim` is used
        through its pure ``init``/``update`` form (it is not modified).
    learning_rate : float, default 0.01
    momentum : float, default 0.9
        SGD momentum (ignored by the other optimizers).
    batch_size : int or None, default 256
        Mini-batch size; None (or a size >= n_samples) trains full-batch.
    update_interval : int, default 140
        Iterations between two target updates (and two convergence checks).
    target : {"full", "batch"}, default "full"
        ``"full"``: the paper's target, computed on the whole dataset at each update;
        ``"batch"``: the PyTorch reference's target, recomputed from every mini-batch
        (degenerates for tiny batches: one sample gives ``p = q`` and no gradient).
    tol : float, default 1e-3
        Stop when the fraction of labels that changed between two target updates is
        below ``tol``.
    max_iter : int, default 20000
        Maximum number of optimizer iterations (mini-batch steps).
    random_state : int, numpy.random.Generator or None, default None
        Seeds k-means and the mini-batch shuffling (host NumPy random numbers).
    verbose : bool, default False
        Show a progress bar on stderr (tqdm when installed, plain lines otherwise).
    callback : callable, optional
        Called after each target update with a dict ``{"iteration", "loss",
        "label_change", "n_updates"}``; returning ``True`` stops training (resumable with
        ``warm_start=True``).
    warm_start : bool, default False
        Continue an unfinished fit (interrupted, or stopped by ``max_iter``) instead of
        starting over; the result is bit-identical to an uninterrupted fit on NumPy.

    Attributes
    ----------
    cluster_centers_ : array of shape (n_clusters, n_features)
    labels_ : array of shape (n_samples,)
        Labels of the training data under the final centres.
    n_iter_ : int
        Optimizer iterations run in total.
    converged_ : bool
        Whether the ``tol`` criterion stopped training.
    loss_curve_ : list of float
        Mean mini-batch loss over each update interval.
    label_change_curve_ : list of float
        Fraction of labels changed at each target update.
    n_features_in_ : int

    Notes
    -----
    Arrays stay in the input's namespace and on its device; only the labels-changed
    fraction and the interval's mean loss (two scalars per target update), the
    mini-batch indices and the k-means random numbers cross between host and device.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array import DEC
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(c, 0.5, size=(40, 2)) for c in (0.0, 5.0, 10.0)])
    >>> dec = DEC(n_clusters=3, n_init=3, batch_size=32, update_interval=20,
    ...           random_state=0).fit(X)
    >>> np.bincount(dec.labels_).tolist()
    [40, 40, 40]
    >>> dec.predict(np.array([[0.1, -0.2], [9.8, 10.3]])).shape
    (2,)
    """

    _estimator_type = "clusterer"

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        alpha: float = 1.0,
        init: Any = "k-means++",
        n_init: int = 20,
        optimizer: Any = "sgd",
        learning_rate: float = 0.01,
        momentum: float = 0.9,
        batch_size: int | None = 256,
        update_interval: int = 140,
        target: str = "full",
        tol: float = 1e-3,
        max_iter: int = 20000,
        random_state: Any = None,
        verbose: bool = False,
        callback: Callable[[dict[str, Any]], Any] | None = None,
        warm_start: bool = False,
    ) -> None:
        self.n_clusters = n_clusters
        self.alpha = alpha
        self.init = init
        self.n_init = n_init
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.update_interval = update_interval
        self.target = target
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.verbose = verbose
        self.callback = callback
        self.warm_start = warm_start

    # ------------------------------------------------------------------ validation
    def _validated_params(self) -> dict[str, Any]:
        p: dict[str, Any] = {
            "n_clusters": check_positive_int(self.n_clusters, "n_clusters"),
            "alpha": check_alpha(self.alpha),
            "n_init": check_positive_int(self.n_init, "n_init"),
            "update_interval": check_positive_int(self.update_interval, "update_interval"),
            "max_iter": check_positive_int(self.max_iter, "max_iter"),
            "tol": check_nonnegative_float(self.tol, "tol"),
        }
        if self.batch_size is not None:
            p["batch_size"] = check_positive_int(self.batch_size, "batch_size")
        if self.target not in ("full", "batch"):
            msg = f"target must be 'full' or 'batch', got {self.target!r}"
            raise ValueError(msg)
        if self.callback is not None and not callable(self.callback):
            msg = f"callback must be callable or None, got {type(self.callback).__name__}"
            raise TypeError(msg)
        self._make_optimizer()  # validates optimizer, learning_rate, momentum
        return p

    def _make_optimizer(self) -> optim.Optimizer:
        opt = self.optimizer
        if isinstance(opt, optim.Optimizer):
            return opt
        if isinstance(opt, str) and opt.lower() in _OPTIMIZERS:
            cls = _OPTIMIZERS[opt.lower()]
            for name in ("learning_rate", "momentum"):
                value = getattr(self, name)
                if isinstance(value, bool) or not isinstance(value, numbers.Real):
                    msg = f"{name} must be a real number, got {value!r} of type {type(value).__name__}"
                    raise TypeError(msg)
            try:
                if cls is optim.SGD:
                    return optim.SGD(lr=self.learning_rate, momentum=self.momentum)
                return cls(lr=self.learning_rate)
            except ValueError as exc:
                msg = f"invalid learning_rate={self.learning_rate!r} or momentum={self.momentum!r}: {exc}"
                raise ValueError(msg) from None
        msg = (
            f"optimizer must be one of {sorted(_OPTIMIZERS)} or an optimizer instance from "
            f"dec_array.optim, got {opt!r}"
        )
        raise ValueError(msg)

    def _initial_centers(self, X: Array, k: int, n_init: int, rng: np.random.Generator) -> Array:
        xp, device = _ns(X), get_device(X)
        init = self.init
        if isinstance(init, KMeans):
            check_fitted(init, "cluster_centers_", "init")
            centers = to_namespace(init.cluster_centers_, xp, device, X.dtype)
        elif isinstance(init, str):
            if init not in ("k-means++", "random"):
                msg = (
                    f"init must be 'k-means++', 'random', an array or a fitted KMeans, got {init!r}"
                )
                raise ValueError(msg)
            km = KMeans(k, init=init, n_init=n_init, random_state=rng).fit(X)
            centers = km.cluster_centers_
        else:
            centers = to_namespace(init, xp, device, X.dtype) if _is_arraylike(init) else None
            if centers is None:
                msg = f"init must be 'k-means++', 'random', an array or a fitted KMeans, got {type(init).__name__}"
                raise TypeError(msg)
        if tuple(centers.shape) != (k, int(X.shape[1])):
            msg = f"init must give centres of shape ({k}, {int(X.shape[1])}) (n_clusters, n_features), got {tuple(centers.shape)}"
            raise ValueError(msg)
        check_finite(centers, "init")
        return centers

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any = None) -> DEC:
        """Fit the cluster centres to ``X``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Embeddings; any Array API array (lists and NumPy-convertible inputs become
            NumPy arrays; integer data becomes the namespace's default float).
        y : ignored

        Returns
        -------
        DEC
            ``self``.
        """
        params = self._validated_params()
        X = check_data(X, "X", estimator=self)
        k, n = params["n_clusters"], int(X.shape[0])
        if n < k:
            msg = f"X has n_samples={n}, fewer than n_clusters={k}: need n_samples >= n_clusters"
            raise ValueError(msg)
        check_finite(X, "X")
        opt = self._make_optimizer()
        place = _Placement(X)
        state: _TrainState | None = getattr(self, "_train_state", None)
        if not (self.warm_start and state is not None and self._state_fits(state, X, place)):
            rng = check_random_state(self.random_state)
            centers = place.to_params(self._initial_centers(X, k, params["n_init"], rng))
            state = _TrainState(centers=centers, opt_state=opt.init({"c": centers}), rng=rng)
        self.n_features_in_ = int(X.shape[1])
        self._train_state = state
        self._run(X, state, opt, params, place)
        self.cluster_centers_ = place.to_data(state.centers)
        self.labels_ = place.keep(F.hard_assignment(X, self.cluster_centers_))[0]
        self.n_iter_ = state.iteration
        self.converged_ = state.converged
        self.loss_curve_ = list(state.loss_curve)
        self.label_change_curve_ = list(state.label_change_curve)
        return self

    def _state_fits(self, state: _TrainState, X: Array, place: _Placement) -> bool:
        try:
            same_ns = _ns(state.centers) is place.param_xp
        except TypeError:  # pragma: no cover
            return False
        return (
            same_ns
            and tuple(state.centers.shape) == (self.n_clusters, int(X.shape[1]))
            and state.centers.dtype == X.dtype
            and (state.target is None or int(state.target.shape[0]) == int(X.shape[0]))
        )

    def _run(
        self, X: Array, s: _TrainState, opt: optim.Optimizer, p: dict[str, Any], place: _Placement
    ) -> None:
        xp, device = _ns(X), get_device(X)
        n, alpha = int(X.shape[0]), p["alpha"]
        batch: int = p.get("batch_size") or n
        full_batch = batch >= n
        interval, max_iter, tol = p["update_interval"], p["max_iter"], p["tol"]
        bar = _Progress(self.verbose, max_iter, s.iteration)
        try:
            while s.iteration < max_iter:
                if s.iteration % interval == 0 and self._target_update(
                    X, s, alpha, tol, bar, place
                ):
                    break
                if full_batch:
                    zb, pb = X, s.target
                else:
                    idx = self._next_batch(s, n, batch)
                    idx = idx if place.lazy else xp.asarray(idx, device=device)
                    zb = xp.take(X, idx, axis=0)
                    pb = None if s.target is None else xp.take(s.target, idx, axis=0)
                loss, grad, _ = F.loss_and_grad(
                    zb, place.to_data(s.centers), alpha, target=pb, grad_z=False
                )
                loss, grad = place.fetch(loss, grad)
                new, s.opt_state = opt.update({"c": s.centers}, {"c": grad}, s.opt_state)
                s.centers = new["c"]
                s.loss_sum = loss if s.loss_sum is None else s.loss_sum + loss
                s.loss_count += 1
                s.iteration += 1
                bar.step()
        finally:
            bar.close()

    def _target_update(
        self, X: Array, s: _TrainState, alpha: float, tol: float, bar: Any, place: _Placement
    ) -> bool:
        """Recompute labels (and the full target); return True when training must stop."""
        xp = _ns(X)
        q = F.soft_assignment(X, place.to_data(s.centers), alpha)
        target = F.target_distribution(q) if self.target == "full" else None
        labels, target = place.keep(xp.argmax(q, axis=1), target)
        if s.labels is not None:
            changed = float(xp.sum(xp.astype(labels != s.labels, q.dtype))) / int(X.shape[0])
            loss = float(s.loss_sum) / s.loss_count if s.loss_sum is not None else float("nan")
            converged = changed < tol
            info = {
                "iteration": s.iteration,
                "loss": loss,
                "label_change": changed,
                "n_updates": len(s.label_change_curve) + 1,
            }
            if self.callback is not None and self.callback(info) is True and not converged:
                return True  # nothing recorded: resuming repeats this update exactly
            s.loss_curve.append(loss)
            s.label_change_curve.append(changed)
            s.loss_sum, s.loss_count = None, 0
            bar.report(loss, changed)
            if converged:
                s.converged = True
                return True
        s.labels, s.target = labels, target
        return False

    @staticmethod
    def _next_batch(s: _TrainState, n: int, batch: int) -> np.ndarray:
        """Host indices of the next shuffled mini-batch (a new permutation each epoch)."""
        if s.perm is None or s.pos >= n:
            s.perm, s.pos = s.rng.permutation(n), 0
        host = s.perm[s.pos : s.pos + batch]
        s.pos += batch
        return host

    # ------------------------------------------------------------------ inference
    def _prepare(self, X: Any) -> tuple[Array, Array]:
        """Validate ``X`` for a fitted model; return it and the centres in its namespace."""
        check_fitted(self, "cluster_centers_")
        X = check_data(X, "X", estimator=self, n_features=self.n_features_in_)
        check_finite(X, "X")
        centers = self.cluster_centers_
        if _ns(X) is not _ns(centers) or X.dtype != centers.dtype:
            centers = to_namespace(centers, _ns(X), get_device(X), X.dtype)
        return X, centers

    def predict(self, X: Any) -> Array:
        """Index of the nearest cluster centre for each sample of ``X``."""
        return F.hard_assignment(*self._prepare(X))

    def fit_predict(self, X: Any, y: Any = None) -> Array:
        """Fit and return ``labels_``."""
        return self.fit(X).labels_

    def transform(self, X: Any) -> Array:
        """Soft assignments ``q`` of ``X``, shape (n_samples, n_clusters)."""
        return F.soft_assignment(*self._prepare(X), check_alpha(self.alpha))

    def fit_transform(self, X: Any, y: Any = None) -> Array:
        """Fit and return the soft assignments of ``X``."""
        return self.fit(X).transform(X)

    def score(self, X: Any, y: Any = None) -> float:
        """Negative DEC loss ``-KL(P || Q)`` of ``X``, with ``P`` computed from ``X``'s ``q``."""
        loss = F.loss_and_grad(*self._prepare(X), check_alpha(self.alpha))[0]
        return -float(loss)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the estimator, fitted or partially fitted, to an ``.npz`` file.

        The file holds the parameters, the fitted attributes and the whole training
        state (centres, optimizer state, random generator state, iteration, batch order,
        target), so that ``DEC.load(path)`` followed by ``fit(X)`` with
        ``warm_start=True`` continues exactly where the saved fit stopped. Writes are
        atomic; nothing is pickled. A custom ``init`` array or KMeans and a ``callback``
        are not stored (pass them again after loading if needed).
        """
        opt = self._make_optimizer()
        if callable(getattr(opt, "lr", None)):
            msg = "cannot save an optimizer with a callable learning rate; use a float lr"
            raise ValueError(msg)
        params = {
            "n_clusters": self.n_clusters,
            "alpha": self.alpha,
            "init": self.init if isinstance(self.init, str) else "k-means++",
            "n_init": self.n_init,
            "learning_rate": self.learning_rate,
            "momentum": self.momentum,
            "batch_size": self.batch_size,
            "update_interval": self.update_interval,
            "target": self.target,
            "tol": self.tol,
            "max_iter": self.max_iter,
            "random_state": self.random_state if _is_int_or_none(self.random_state) else None,
            "verbose": bool(self.verbose),
            "warm_start": bool(self.warm_start),
        }
        optimizer = {"class": type(opt).__name__, "hyperparameters": opt.hyperparameters()}
        arrays: dict[str, Any] = {
            "params": np.asarray(json.dumps(params)),
            "optimizer": np.asarray(json.dumps(optimizer)),
        }
        if hasattr(self, "cluster_centers_"):
            arrays["fitted"] = np.asarray(
                json.dumps(
                    {
                        "n_iter_": self.n_iter_,
                        "converged_": self.converged_,
                        "loss_curve_": self.loss_curve_,
                        "label_change_curve_": self.label_change_curve_,
                        "n_features_in_": self.n_features_in_,
                        "dtype": dtype_name(self.cluster_centers_.dtype),
                    }
                )
            )
            arrays["cluster_centers_"] = to_numpy(self.cluster_centers_)
            arrays["labels_"] = to_numpy(self.labels_)
        s: _TrainState | None = getattr(self, "_train_state", None)
        if s is not None:
            meta = {
                "iteration": s.iteration,
                "pos": s.pos,
                "loss_count": s.loss_count,
                "loss_curve": s.loss_curve,
                "label_change_curve": s.label_change_curve,
                "converged": s.converged,
                "rng": s.rng.bit_generator.state,
                "dtype": dtype_name(s.centers.dtype),
            }
            arrays["train_meta"] = np.asarray(json.dumps(meta))
            arrays["train_centers"] = to_numpy(s.centers)
            for key, value in opt.state_to_dict(s.opt_state).items():
                arrays[f"train_opt/{key}"] = np.asarray(value)
            optional = {
                "train_perm": s.perm,
                "train_target": s.target,
                "train_labels": s.labels,
                "train_loss_sum": s.loss_sum,
            }
            for key, value in optional.items():
                if value is not None:
                    arrays[key] = to_numpy(value) if not isinstance(value, np.ndarray) else value
        atomic_savez(path, _KIND, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, xp: Any = None, device: Any = None) -> DEC:
        """Load an estimator written by :meth:`save`, its arrays on ``xp`` / ``device``.

        Parameters
        ----------
        path : path-like
        xp : module, optional
            Array library for the fitted arrays and training state (default NumPy).
        device : optional
            Device in ``xp`` (default: its default device).
        """
        data = read_npz(path, _KIND)
        params = _json_entry(data, "params", path)
        opt_info = _json_entry(data, "optimizer", path)
        try:
            est = cls(**params)
            opt_cls = {c.__name__: c for c in _OPTIMIZERS.values()}[opt_info["class"]]
            est.optimizer = opt_cls(**opt_info["hyperparameters"])
            est._validated_params()
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"{str(path)!r}: invalid estimator parameters ({exc})"
            raise ValueError(msg) from None
        ns = resolve_namespace(xp)
        dev = default_device(ns) if device is None else device
        try:
            _load_fitted(est, data, path, params, ns, dev)
            if "train_meta" in data:
                est._train_state = _load_train_state(data, path, est, ns, dev)
        except (KeyError, TypeError) as exc:
            msg = f"{str(path)!r}: malformed fitted state ({type(exc).__name__}: {exc})"
            raise ValueError(msg) from None
        return est


def _load_fitted(
    est: DEC, data: dict[str, np.ndarray], path: Any, params: dict[str, Any], ns: Any, dev: Any
) -> None:
    """Restore the fitted attributes saved by :meth:`DEC.save` (if any)."""
    if "fitted" not in data:
        return
    fitted = _json_entry(data, "fitted", path)
    dt = float_dtype_if_supported(ns, str(fitted.get("dtype", "float64")), dev)
    k = int(params["n_clusters"])
    centers = data.get("cluster_centers_")
    d = fitted.get("n_features_in_")
    if centers is None or centers.shape != (k, d) or centers.dtype.kind != "f":
        msg = f"{str(path)!r}: 'cluster_centers_' must be a float array of shape ({k}, {d})"
        raise ValueError(msg)
    if not np.all(np.isfinite(centers)):
        msg = f"{str(path)!r}: 'cluster_centers_' holds NaN or infinity"
        raise ValueError(msg)
    labels = data.get("labels_")
    if labels is None or labels.ndim != 1 or labels.dtype.kind not in "iu":
        msg = f"{str(path)!r}: 'labels_' must be a 1-D integer array"
        raise ValueError(msg)
    est.cluster_centers_ = to_namespace(centers, ns, dev, dt)
    est.labels_ = ns.asarray(labels, device=dev)
    est.n_iter_ = int(fitted["n_iter_"])
    est.converged_ = bool(fitted["converged_"])
    est.loss_curve_ = [float(v) for v in fitted["loss_curve_"]]
    est.label_change_curve_ = [float(v) for v in fitted["label_change_curve_"]]
    est.n_features_in_ = int(d)


# ---------------------------------------------------------------------- helpers


def _ns(x: Array) -> Any:
    return get_namespace(x)


def _is_arraylike(x: Any) -> bool:
    return hasattr(x, "shape") or isinstance(x, (list, tuple))


def _is_int_or_none(x: Any) -> bool:
    return x is None or (isinstance(x, numbers.Integral) and not isinstance(x, bool))


def _json_entry(data: dict[str, np.ndarray], key: str, path: Any) -> Any:
    raw = scalar(data, key, "U", path)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        msg = f"{str(path)!r}: {key!r} is not valid JSON ({exc})"
        raise ValueError(msg) from None


def _load_train_state(
    data: dict[str, np.ndarray], path: Any, est: DEC, ns: Any, dev: Any
) -> _TrainState:
    meta = _json_entry(data, "train_meta", path)
    dt = float_dtype_if_supported(ns, str(meta["dtype"]), dev)
    centers = data.get("train_centers")
    if centers is None or centers.ndim != 2 or centers.shape[0] != int(est.n_clusters):
        msg = f"{str(path)!r}: 'train_centers' is missing or has the wrong shape"
        raise ValueError(msg)
    centers = to_namespace(centers, ns, dev, dt)
    opt = est._make_optimizer()
    opt_dict = {k.split("/", 1)[1]: v for k, v in data.items() if k.startswith("train_opt/")}
    opt_state = opt.state_from_dict(opt_dict, like={"c": centers})
    rng = np.random.default_rng()
    try:
        rng.bit_generator.state = meta["rng"]
    except (TypeError, ValueError) as exc:
        msg = f"{str(path)!r}: 'train_meta' holds an invalid random generator state ({exc})"
        raise ValueError(msg) from None
    k = int(est.n_clusters)
    perm, target = data.get("train_perm"), data.get("train_target")
    labels, loss_sum = data.get("train_labels"), data.get("train_loss_sum")
    n = None if target is None else target.shape[0]
    n = n if n is not None or labels is None else labels.shape[0]
    checks = {
        "train_perm": perm is None
        or (perm.ndim == 1 and perm.dtype.kind in "iu" and (n is None or perm.shape[0] == n)),
        "train_target": target is None
        or (target.ndim == 2 and target.shape[1] == k and target.dtype.kind == "f"),
        "train_labels": labels is None
        or (labels.ndim == 1 and labels.dtype.kind in "iu" and (n is None or labels.shape[0] == n)),
        "train_loss_sum": loss_sum is None or (loss_sum.shape == () and loss_sum.dtype.kind == "f"),
    }
    for key, ok in checks.items():
        if not ok:
            msg = f"{str(path)!r}: {key!r} has the wrong dtype or shape"
            raise ValueError(msg)
    return _TrainState(
        centers=centers,
        opt_state=opt_state,
        rng=rng,
        iteration=int(meta["iteration"]),
        perm=data.get("train_perm"),
        pos=int(meta["pos"]),
        target=None if target is None else to_namespace(target, ns, dev, dt),
        labels=None if labels is None else ns.asarray(labels, device=dev),
        loss_sum=None if loss_sum is None else to_namespace(loss_sum, ns, dev, dt),
        loss_count=int(meta["loss_count"]),
        loss_curve=[float(v) for v in meta["loss_curve"]],
        label_change_curve=[float(v) for v in meta["label_change_curve"]],
        converged=bool(meta["converged"]),
    )


class _Progress:
    """A progress bar on stderr: tqdm when installed, a line per target update otherwise."""

    def __init__(self, enabled: bool, total: int, initial: int) -> None:
        self.enabled, self.bar = bool(enabled), None
        if not self.enabled:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, initial=initial, desc="DEC", unit="it", file=sys.stderr)

    def step(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def report(self, loss: float, changed: float) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{loss:.4g}", changed=f"{changed:.2%}")
        else:
            print(f"DEC: loss {loss:.4g}, labels changed {changed:.2%}", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

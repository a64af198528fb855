r"""End-to-end Deep Embedded Clustering on the bundled digits, reproducing the paper's pipeline.

Xie et al. (ICML 2016) compare three ways of clustering raw data:

1. **k-means on pixels**: :class:`~dec_array.KMeans` on the inputs;
2. **AE + k-means**: an autoencoder pretrained on reconstruction, then k-means on its
   embedding;
3. **DEC**: the cluster centres start at (2)'s k-means centres, then the encoder *and*
   the centres are fine-tuned jointly on ``KL(P || Q)``, with the target ``P`` recomputed
   on the whole dataset every ``update_interval`` iterations.

Step 3 is where the input gradient matters: :meth:`DECClusterHead.backward
<dec_array.DECClusterHead.backward>` returns ``dL/dz``, which :meth:`MLP.backward
<dec_array.nn.MLP.backward>` carries into the encoder's weights. The demo also runs the
ablation **DEC, frozen encoder** (the same loop, centres only, ``dL/dz`` unused), which is
what :class:`~dec_array.DEC` does on fixed embeddings.

:func:`run_demo` runs everything for a few seeds and prints the scores (ACC, NMI, ARI;
mean ± std over seeds) in the paper's table layout; the building blocks
(:func:`load_data`, :func:`pretrain_autoencoder`, :func:`fine_tune_dec`, :func:`run_seed`,
...) are public so that documentation and notebooks can call them one by one. Everything
is seeded: the same seeds give the same numbers.

Examples
--------
A tiny run on synthetic data (the real demo is ``run_demo()``, or ``dec-array demo``):

>>> import numpy as np
>>> from dec_array.demo import DemoConfig, run_seed
>>> rng = np.random.default_rng(0)
>>> y = np.repeat(np.arange(3), 40)
>>> X = rng.normal(size=(3, 8))[y] + 0.3 * rng.normal(size=(120, 8))
>>> config = DemoConfig(n_clusters=3, hidden=(16,), embedding_dim=2, kmeans_n_init=2,
...                     pretrain_epochs=5, batch_size=32, update_interval=8, max_iter=40)
>>> result = run_seed(X, y, seed=0, config=config)
>>> sorted(result.scores)
['AE + k-means', 'DEC', 'DEC, frozen encoder', 'k-means on pixels']
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from . import optim
from ._array_api import (
    Array,
    get_device,
    get_namespace,
    resolve_dtype,
    to_namespace,
    to_numpy,
)
from .datasets import load_digits
from .head import DECClusterHead
from .kmeans import KMeans
from .metrics import adjusted_rand_score, cluster_accuracy, normalized_mutual_info_score
from .nn import MLP, mse_loss_and_grad

__all__ = [
    "METHODS",
    "DECTrace",
    "DemoConfig",
    "DemoResult",
    "Pretrained",
    "Scores",
    "SeedResult",
    "fine_tune_dec",
    "format_table",
    "kmeans_labels",
    "load_data",
    "plot_demo",
    "pretrain_autoencoder",
    "run_demo",
    "run_seed",
    "score",
]

METHODS = ("k-means on pixels", "AE + k-means", "DEC, frozen encoder", "DEC")
"""The rows of the results table, in order."""

_METRICS = ("ACC", "NMI", "ARI")


# --------------------------------------------------------------------------- configuration


@dataclasses.dataclass(frozen=True)
class DemoConfig:
    """Hyperparameters of the demo (the defaults are the full run on the digits).

    Attributes
    ----------
    n_clusters : int
        Number of clusters (10 digits).
    hidden : tuple of int
        Hidden widths of the encoder; the decoder mirrors them.
    embedding_dim : int
        Width of the linear bottleneck ``z``.
    kmeans_n_init : int
        k-means restarts, on the pixels and on the embedding (the paper uses 20).
    batch_size : int
        Mini-batch size of both training phases (the paper's 256).
    pretrain_epochs : int
        Epochs of autoencoder training (MSE, Adam).
    pretrain_lr : float
        Adam learning rate of the pretraining.
    pretrain_dropout : float
        Input dropout rate of the pretraining (a denoising autoencoder; 0 disables it).
    dec_optimizer : {"sgd", "adam"}
        Optimizer of the DEC phase, for the encoder and the centres.
    dec_lr : float
        Its learning rate.
    dec_momentum : float
        SGD momentum (ignored by Adam).
    update_interval : int
        Iterations between two full-data target updates (the paper's ``T``).
    max_iter : int
        Maximum number of DEC iterations (mini-batch steps).
    tol : float
        Stop DEC when fewer than this fraction of labels changed between two updates.
    alpha : float
        Degrees of freedom of the Student's t kernel.
    dtype : {"float32", "float64"}
        Floating dtype of the computation (float32: about twice as fast, as in deep
        learning practice).

    Notes
    -----
    The optimizer settings of the DEC phase are the paper's (SGD, learning rate 0.01,
    momentum 0.9, batches of 256, ``tol`` = 0.1 %). The encoder widths and
    ``update_interval`` were chosen by a small search on seeds 0 to 2 (deeper encoders
    and ``T`` >= 70 did better than 64-128-64-10 and ``T`` = 35), and the gain of DEC
    over AE + k-means was checked on seeds 3 to 5; nothing else was tuned.
    """

    n_clusters: int = 10
    hidden: tuple[int, ...] = (128, 128, 512)
    embedding_dim: int = 10
    kmeans_n_init: int = 20
    batch_size: int = 256
    pretrain_epochs: int = 300
    pretrain_lr: float = 1e-3
    pretrain_dropout: float = 0.1
    dec_optimizer: str = "sgd"
    dec_lr: float = 0.01
    dec_momentum: float = 0.9
    update_interval: int = 140
    max_iter: int = 3500
    tol: float = 0.001
    alpha: float = 1.0
    dtype: str = "float32"

    @classmethod
    def quick(cls) -> DemoConfig:
        """The quick configuration (tests, CI): fewer restarts, epochs and iterations."""
        return cls(kmeans_n_init=3, pretrain_epochs=40, max_iter=560)

    def encoder_sizes(self, n_features: int) -> tuple[int, ...]:
        """Layer widths of the encoder for inputs of ``n_features``."""
        return (n_features, *self.hidden, self.embedding_dim)


# --------------------------------------------------------------------------- results


class Scores(NamedTuple):
    """External scores of one clustering."""

    acc: float
    """Unsupervised clustering accuracy (:func:`~dec_array.metrics.cluster_accuracy`)."""
    nmi: float
    """Normalized mutual information."""
    ari: float
    """Adjusted Rand index."""


class Pretrained(NamedTuple):
    """The outcome of :func:`pretrain_autoencoder`."""

    encoder: MLP
    decoder: MLP
    loss_curve: list[float]
    """Mean reconstruction loss of every epoch."""


class DECTrace(NamedTuple):
    """The outcome of :func:`fine_tune_dec`."""

    encoder: MLP
    """The encoder (fine-tuned, or as given with ``train_encoder=False``)."""
    centers: Array
    """Final cluster centres, shape (n_clusters, embedding_dim)."""
    labels: Array
    """Final hard assignments of the training data."""
    loss_curve: list[float]
    """Mean mini-batch loss between two consecutive target updates."""
    label_change_curve: list[float]
    """Fraction of labels changed at each target update after the first."""
    batch_losses: list[float]
    """The loss of every mini-batch, in order (the target changes every
    ``update_interval`` of them)."""
    n_iter: int
    """Mini-batch iterations done."""
    converged: bool
    """Whether the label change fell below ``tol``."""


class SeedResult(NamedTuple):
    """Everything one seed of :func:`run_seed` produces."""

    seed: int
    scores: dict[str, Scores]
    """Scores by method (the keys of :data:`METHODS`)."""
    pretrained: Pretrained
    dec: DECTrace
    """The joint (encoder + centres) DEC run."""
    frozen: DECTrace
    """The ablation: DEC on the frozen pretrained encoder."""
    ae_labels: Array
    """k-means labels of the pretrained embedding."""
    config: DemoConfig
    """The configuration used."""


@dataclasses.dataclass(frozen=True)
class DemoResult:
    """What :func:`run_demo` returns: per-seed scores, their summary and the table.

    Attributes
    ----------
    seeds : tuple of int
    scores : dict of str to list of Scores
        By method (:data:`METHODS`), one entry per seed.
    config : DemoConfig
    seconds : float
        Wall time of the run.
    table : str
        The printed table.
    plot_path : str or None
        Where the figure was written, if it was.
    """

    seeds: tuple[int, ...]
    scores: dict[str, list[Scores]]
    config: DemoConfig
    seconds: float
    table: str
    plot_path: str | None = None

    def mean(self, method: str, metric: str) -> float:
        """Mean over seeds of ``metric`` (``"acc"``, ``"nmi"`` or ``"ari"``) for ``method``."""
        return _mean_std(self.scores[method], metric)[0]

    def std(self, method: str, metric: str) -> float:
        """Sample standard deviation over seeds (0 for a single seed)."""
        return _mean_std(self.scores[method], metric)[1]

    def summary(self) -> dict[str, dict[str, tuple[float, float]]]:
        """``{method: {"acc": (mean, std), "nmi": ..., "ari": ...}}``."""
        return {
            method: {m: _mean_std(runs, m) for m in Scores._fields}
            for method, runs in self.scores.items()
        }


def _mean_std(runs: Sequence[Scores], metric: str) -> tuple[float, float]:
    values = np.array([getattr(s, metric.lower()) for s in runs], dtype=np.float64)
    std = float(values.std(ddof=1)) if values.size > 1 else 0.0
    return float(values.mean()), std


# --------------------------------------------------------------------------- pieces


def load_data() -> tuple[np.ndarray, np.ndarray]:
    """The bundled digits, scaled to [0, 1].

    Returns
    -------
    X : numpy.ndarray of shape (1797, 64)
        8x8 grey-level images divided by 16, float64.
    y : numpy.ndarray of shape (1797,)
        The digit of each image (only used for scoring).
    """
    X, y = load_digits(return_X_y=True)
    return np.asarray(X, dtype=np.float64) / 16.0, np.asarray(y)


def score(labels_true: Any, labels_pred: Any) -> Scores:
    """ACC, NMI and ARI of a clustering against the true classes.

    Examples
    --------
    >>> from dec_array.demo import score
    >>> score([0, 0, 1, 1], [1, 1, 0, 0])
    Scores(acc=1.0, nmi=1.0, ari=1.0)
    """
    return Scores(
        cluster_accuracy(labels_true, labels_pred),
        normalized_mutual_info_score(labels_true, labels_pred),
        adjusted_rand_score(labels_true, labels_pred),
    )


def kmeans_labels(
    X: Array, n_clusters: int, n_init: int, random_state: int | np.random.Generator
) -> tuple[Array, Array]:
    """k-means (k-means++ seeding, ``n_init`` restarts) of ``X``: ``(labels, centres)``."""
    km = KMeans(n_clusters, n_init=n_init, random_state=random_state).fit(X)
    return km.labels_, km.cluster_centers_


def _batches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Endless shuffled mini-batches of indices: a fresh permutation every epoch."""
    while True:
        perm = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield perm[start : start + batch_size]


def _take(X: Array, host_idx: np.ndarray) -> Array:
    xp = get_namespace(X)
    return xp.take(X, xp.asarray(host_idx, device=get_device(X)), axis=0)


def _dec_optimizer(config: DemoConfig, obj: optim.Parametrized) -> optim.Optimizer:
    if config.dec_optimizer == "sgd":
        return optim.SGD(obj, lr=config.dec_lr, momentum=config.dec_momentum)
    if config.dec_optimizer == "adam":
        return optim.Adam(obj, lr=config.dec_lr)
    msg = f"dec_optimizer must be 'sgd' or 'adam', got {config.dec_optimizer!r}"
    raise ValueError(msg)


def pretrain_autoencoder(
    X: Array, config: DemoConfig, random_state: int | np.random.Generator
) -> Pretrained:
    """Train an MLP autoencoder on reconstruction (MSE, Adam, shuffled mini-batches).

    The encoder has widths ``config.encoder_sizes(n_features)``, ReLU hidden layers and a
    linear bottleneck; the decoder mirrors it with a linear output. With
    ``config.pretrain_dropout > 0`` the inputs are corrupted by (inverted) dropout, as in
    the paper's denoising autoencoder; the target is always the clean input.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Training data (any Array API namespace; the networks are created on it).
    config : DemoConfig
    random_state : int or numpy.random.Generator
        Seeds the initialisation, the shuffling and the dropout masks.

    Returns
    -------
    Pretrained
        ``(encoder, decoder, loss_curve)``.
    """
    rng = np.random.default_rng(random_state)
    xp, device = get_namespace(X), get_device(X)
    sizes = config.encoder_sizes(int(X.shape[1]))
    kwargs: dict[str, Any] = {"xp": xp, "device": device, "dtype": X.dtype}
    encoder = MLP(sizes, random_state=rng, **kwargs)
    decoder = MLP(sizes[::-1], random_state=rng, **kwargs)
    opts = [optim.Adam(net, lr=config.pretrain_lr) for net in (encoder, decoder)]
    n = int(X.shape[0])
    steps_per_epoch = math.ceil(n / config.batch_size)
    batches = _batches(n, config.batch_size, rng)
    keep = 1.0 - config.pretrain_dropout
    curve = []
    for _ in range(config.pretrain_epochs):
        total = 0.0
        for _ in range(steps_per_epoch):
            xb = _take(X, next(batches))
            x_in = xb
            if config.pretrain_dropout > 0.0:
                mask = rng.random(tuple(xb.shape)) < keep
                x_in = xb * to_namespace(mask / keep, xp, device, X.dtype)
            loss, grad = mse_loss_and_grad(decoder(encoder(x_in)), xb)
            encoder.backward(decoder.backward(grad))
            for opt in opts:
                opt.step()
                opt.zero_grad()
            total += float(loss)
        curve.append(total / steps_per_epoch)
    return Pretrained(encoder, decoder, curve)


def fine_tune_dec(
    X: Array,
    encoder: MLP,
    centers: Array,
    config: DemoConfig,
    random_state: int | np.random.Generator,
    *,
    train_encoder: bool = True,
    callback: Callable[[int, float, float], None] | None = None,
) -> DECTrace:
    """DEC's fine-tuning: the paper's training loop, through the encoder when asked.

    Every ``config.update_interval`` iterations the whole dataset is embedded, its soft
    assignment ``q`` and target ``P`` computed, and the run stops when fewer than
    ``config.tol`` of the hard labels changed since the previous update. In between, each
    shuffled mini-batch is embedded and :class:`~dec_array.DECClusterHead` computes the
    loss against its rows of ``P``; ``head.backward()`` gives ``dL/dz``, which
    ``encoder.backward`` turns into the weight gradients (``train_encoder=True``), and the
    optimizer updates encoder and centres. With ``train_encoder=False`` only the centres
    move (the embeddings are fixed): the ablation that shows what ``dL/dz`` buys.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Training data.
    encoder : MLP
        The pretrained encoder. It is trained in place when ``train_encoder``; pass a copy,
        ``MLP.from_parameters(encoder.parameters())``, to keep the original.
    centers : array of shape (n_clusters, embedding_dim)
        Initial centres (k-means on the pretrained embedding).
    config : DemoConfig
    random_state : int or numpy.random.Generator
        Seeds the mini-batch shuffling.
    train_encoder : bool, default True
        Back-propagate ``dL/dz`` into the encoder.
    callback : callable, optional
        ``callback(iteration, mean_loss, label_change)`` after every target update but the
        first.

    Returns
    -------
    DECTrace
    """
    rng = np.random.default_rng(random_state)
    xp = get_namespace(X)
    head = DECClusterHead(
        config.n_clusters,
        config.embedding_dim,
        config.alpha,
        xp=xp,
        device=get_device(X),
        dtype=X.dtype,
    )
    head.reset_cluster_centers(centers)
    opts = [_dec_optimizer(config, head)]
    if train_encoder:
        opts.append(_dec_optimizer(config, encoder))
    fixed_z = None if train_encoder else encoder(X)
    batches = _batches(int(X.shape[0]), config.batch_size, rng)
    labels, target = None, None
    batch_losses: list[float] = []
    loss_curve: list[float] = []
    change_curve: list[float] = []
    converged, iteration = False, 0
    while iteration < config.max_iter:
        if iteration % config.update_interval == 0:
            q = head.soft_assign(encoder(X) if fixed_z is None else fixed_z)
            new_labels = xp.argmax(q, axis=1)
            if labels is not None:
                changed = float(xp.mean(xp.astype(new_labels != labels, q.dtype)))
                loss_curve.append(float(np.mean(batch_losses[-config.update_interval :])))
                change_curve.append(changed)
                if callback is not None:
                    callback(iteration, loss_curve[-1], changed)
                if changed < config.tol:
                    converged = True
                    break
            labels, target = new_labels, head.target_distribution(q)
        idx = next(batches)
        zb = encoder(_take(X, idx)) if fixed_z is None else _take(fixed_z, idx)
        batch_losses.append(float(head(zb, target=_take(target, idx))))
        grad_z = head.backward()
        if train_encoder:
            encoder.backward(grad_z)
        for opt in opts:
            opt.step()
            opt.zero_grad()
        iteration += 1
    final = head.cluster(encoder(X) if fixed_z is None else fixed_z)
    return DECTrace(
        encoder,
        head.cluster_centers,
        final,
        loss_curve,
        change_curve,
        batch_losses,
        iteration,
        converged,
    )


def run_seed(X: Array, y: Any, seed: int, config: DemoConfig) -> SeedResult:
    """All methods of the table for one seed.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The data (already scaled); cast to ``config.dtype``.
    y : array of shape (n_samples,)
        True classes, used only for the scores.
    seed : int
        Seeds k-means, the autoencoder and the mini-batch order (independent streams).
    config : DemoConfig

    Returns
    -------
    SeedResult
    """
    xp = get_namespace(X)
    X = to_namespace(X, xp, get_device(X), resolve_dtype(xp, config.dtype, get_device(X)))
    streams = np.random.SeedSequence(seed).spawn(4)
    rng_pixels, rng_ae, rng_embed, rng_dec = (np.random.default_rng(s) for s in streams)
    k, n_init = config.n_clusters, config.kmeans_n_init
    pixel_labels, _ = kmeans_labels(X, k, n_init, rng_pixels)
    pretrained = pretrain_autoencoder(X, config, rng_ae)
    ae_labels, centers = kmeans_labels(pretrained.encoder(X), k, n_init, rng_embed)
    dec_seed = int(rng_dec.integers(2**63))  # both DEC runs see the same mini-batches
    frozen = fine_tune_dec(X, pretrained.encoder, centers, config, dec_seed, train_encoder=False)
    joint = fine_tune_dec(
        X, MLP.from_parameters(pretrained.encoder.parameters()), centers, config, dec_seed
    )
    scores = {
        METHODS[0]: score(y, pixel_labels),
        METHODS[1]: score(y, ae_labels),
        METHODS[2]: score(y, frozen.labels),
        METHODS[3]: score(y, joint.labels),
    }
    return SeedResult(seed, scores, pretrained, joint, frozen, ae_labels, config)


# --------------------------------------------------------------------------- reporting


def format_table(scores: dict[str, list[Scores]], title: str = "") -> str:
    """The paper's table layout: one row per method, ``mean ± std`` of ACC, NMI and ARI.

    Examples
    --------
    >>> from dec_array.demo import Scores, format_table
    >>> print(format_table({"k-means": [Scores(0.5, 0.4, 0.3), Scores(0.7, 0.6, 0.5)]}))
    Method                      ACC              NMI              ARI
    k-means          0.600 ± 0.141    0.500 ± 0.141    0.400 ± 0.141
    """
    width = max(len(m) for m in scores)
    head = f"{'Method':<{width}}" + "".join(f"{m:>17}" for m in _METRICS)
    lines = [title] if title else []
    lines.append(head)
    for method, runs in scores.items():
        cells = ("{:.3f} ± {:.3f}".format(*_mean_std(runs, m)) for m in _METRICS)
        lines.append(f"{method:<{width}}" + "".join(f"{c:>17}" for c in cells))
    return "\n".join(lines)


def _pca_2d(z: np.ndarray) -> np.ndarray:
    centred = z - z.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


def plot_demo(result: SeedResult, X: Array, path: str | os.PathLike[str]) -> str:
    """Write the demo's figure for one seed: embeddings before and after DEC, and curves.

    Panels: a 2-D PCA projection of the pretrained (AE) embedding coloured by its k-means
    clusters, the same for the DEC-tuned embedding coloured by DEC's clusters, and DEC's
    loss and label-change curves over the target updates. Needs matplotlib (no pyplot
    state is touched).

    Returns
    -------
    str
        ``path``.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.6), layout="constrained")
    axes = fig.subplots(1, 3)
    panels = (
        ("AE embedding + k-means", result.pretrained.encoder, result.ae_labels),
        ("DEC embedding (encoder fine-tuned)", result.dec.encoder, result.dec.labels),
    )
    for ax, (title, encoder, labels) in zip(axes[:2], panels, strict=True):
        xy = _pca_2d(to_numpy(encoder(X)))
        ax.scatter(xy[:, 0], xy[:, 1], c=to_numpy(labels), cmap="tab10", s=5)
        ax.set_title(f"{title}: PCA of z")
        ax.set_xticks([])
        ax.set_yticks([])
    ax, trace, interval = axes[2], result.dec, result.config.update_interval
    ax.plot(np.arange(1, len(trace.batch_losses) + 1), trace.batch_losses, color="C0", lw=0.8)
    ax.set_xlabel("iteration (dotted: target P recomputed on all data)")
    ax.set_ylabel("mini-batch KL(P || Q)", color="C0")
    updates = interval * np.arange(1, len(trace.label_change_curve) + 1)
    for it in updates:
        ax.axvline(it, color="0.8", ls=":", lw=0.8)
    twin = ax.twinx()
    twin.plot(updates, trace.label_change_curve, "o-", color="C1", ms=3)
    twin.set_yscale("symlog", linthresh=1e-3)  # log scale that can show a change of 0
    twin.set_ylabel("fraction of labels changed", color="C1")
    ax.set_title("DEC training: loss and label changes")
    fig.savefig(os.fspath(path), dpi=110)
    return os.fspath(path)


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """One BLAS thread while the demo runs: its matrices are tiny, and on a busy machine
    threaded BLAS spins and is many times slower. A no-op without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _matplotlib_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def run_demo(
    seeds: int | Sequence[int] = 3,
    quick: bool = False,
    out_dir: str | os.PathLike[str] = ".",
    plot: bool = True,
    verbose: bool = True,
    config: DemoConfig | None = None,
) -> DemoResult:
    """Run the DEC demo on the bundled digits and print the results table.

    Parameters
    ----------
    seeds : int or sequence of int, default 3
        Number of seeds (``0 .. seeds-1``) or the seeds themselves.
    quick : bool, default False
        Use :meth:`DemoConfig.quick` (a few seconds per seed) instead of the full
        configuration (under a minute per seed on two cores).
    out_dir : path, default "."
        Where ``dec_demo.png`` is written.
    plot : bool, default True
        Write the figure (for the first seed) if matplotlib is installed.
    verbose : bool, default True
        Print progress and the table.
    config : DemoConfig, optional
        Overrides ``quick``.

    Returns
    -------
    DemoResult
    """
    seed_list = tuple(range(seeds)) if isinstance(seeds, int) else tuple(int(s) for s in seeds)
    if not seed_list:
        msg = f"seeds must be a positive int or a non-empty sequence of ints, got {seeds!r}"
        raise ValueError(msg)
    if config is None:
        config = DemoConfig.quick() if quick else DemoConfig()
    say = print if verbose else (lambda *args, **kwargs: None)
    start = time.perf_counter()
    X, y = load_data()
    X = X.astype(config.dtype)
    mode = (
        "quick"
        if quick and config == DemoConfig.quick()
        else "full"
        if config == DemoConfig()
        else "custom"
    )
    say(f"DEC demo on the digits: seeds {list(seed_list)}, {mode} configuration, {config.dtype}")
    results = []
    with _single_threaded_blas():
        for seed in seed_list:
            t0 = time.perf_counter()
            results.append(run_seed(X, y, seed, config))
            r = results[-1]
            accs = " | ".join(f"{m} {s.acc:.3f}" for m, s in r.scores.items())
            say(
                f"seed {seed} ({time.perf_counter() - t0:.1f} s, DEC {r.dec.n_iter} it): ACC {accs}"
            )
        plot_path = None
        if plot and _matplotlib_available():
            os.makedirs(out_dir, exist_ok=True)
            plot_path = plot_demo(results[0], X, os.path.join(out_dir, "dec_demo.png"))
    scores = {m: [r.scores[m] for r in results] for m in METHODS}
    n, d = X.shape
    title = (
        f"Digits ({n} x {d}, k = {config.n_clusters}), {len(seed_list)} seed(s): "
        f"mean ± std{' (quick mode)' if mode == 'quick' else ''}"
    )
    table = format_table(scores, title)
    seconds = time.perf_counter() - start
    say(table)
    if plot_path is not None:
        say(f"figure: {plot_path}")
    say(f"total time: {seconds:.1f} s")
    return DemoResult(seed_list, scores, config, seconds, table, plot_path)

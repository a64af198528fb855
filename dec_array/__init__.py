"""dec-array: Deep Embedded Clustering on the user's own arrays.

The DEC clustering head (Xie et al., ICML 2016) written once against the Python Array API
standard: NumPy, CuPy, PyTorch, JAX, Dask and array-api-strict arrays all work, with
analytic gradients for the cluster centres and the inputs.

Public API: :class:`DECClusterHead` (the layer), :class:`DEC` (the estimator),
:class:`KMeans`, the modules :mod:`dec_array.functional`, :mod:`dec_array.optim`,
:mod:`dec_array.metrics` and :mod:`dec_array.datasets`; the command line in
:mod:`dec_array.cli`, the end-to-end example in :mod:`dec_array.demo` (with the small
array-API autoencoder of :mod:`dec_array.nn`).
"""

from . import datasets, functional, metrics, optim
from ._estimator import NotFittedError
from ._version import __version__
from .estimator import DEC
from .head import CallOrderError, DECClusterHead
from .kmeans import KMeans

__all__ = [
    "DEC",
    "CallOrderError",
    "DECClusterHead",
    "KMeans",
    "NotFittedError",
    "__version__",
    "datasets",
    "functional",
    "metrics",
    "optim",
]

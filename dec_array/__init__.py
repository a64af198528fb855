"""dec-array: Deep Embedded Clustering on the user's own arrays.

The DEC clustering head (Xie et al., ICML 2016) written once against the Python Array API
standard: NumPy, CuPy, PyTorch, JAX, Dask and array-api-strict arrays all work, with
analytic gradients for the cluster centres and the inputs.
"""

from . import functional
from ._version import __version__
from .head import DECClusterHead

__all__ = ["DECClusterHead", "__version__", "functional"]

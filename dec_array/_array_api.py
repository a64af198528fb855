"""Namespace, device and dtype resolution, host random numbers and validation helpers.

This is the bottom layer of dec-array: every other module takes its array namespace,
devices, dtypes and argument checks from here, so that the rules of the house (namespace
from the inputs, explicit ``dtype=`` and ``device=`` on every created array, clear errors
raised before any arithmetic) live in one place.
"""

from __future__ import annotations

import math
import numbers
from types import ModuleType
from typing import Any

import numpy as np
from array_api_compat import (
    array_namespace,
    is_array_api_obj,
    is_array_api_strict_namespace,
    is_cupy_array,
    is_dask_array,
    is_jax_array,
    is_lazy_array,
    is_numpy_array,
    is_torch_array,
)
from array_api_compat import device as get_device
from array_api_compat import to_device as compat_to_device

__all__ = [
    "Array",
    "check_all_finite",
    "check_alpha",
    "check_bool",
    "check_positive_int",
    "check_random_state",
    "check_same_namespace_and_device",
    "check_shape_2d",
    "default_device",
    "default_float_dtype",
    "dtype_name",
    "float_dtype_if_supported",
    "get_device",
    "get_namespace",
    "is_dask_array",
    "is_lazy_array",
    "resolve_dtype",
    "resolve_namespace",
    "to_namespace",
    "to_numpy",
]

Array = Any  # The standard has no static array type yet; annotate intent with this alias.


def get_namespace(*arrays: Array) -> ModuleType:
    """Return the array namespace shared by ``arrays`` (compat-wrapped).

    Raises
    ------
    TypeError
        If the arrays come from different libraries or are not arrays at all.
    """
    try:
        return array_namespace(*arrays)
    except TypeError as exc:
        msg = f"expected arrays of a single Array API namespace ({exc})"
        raise TypeError(msg) from None


def resolve_namespace(xp: ModuleType | None) -> ModuleType:
    """Turn a user-given array module (``numpy``, ``torch``, ``jax.numpy``, ...) into its
    Array API namespace; ``None`` means NumPy."""
    if xp is None:
        xp = np
    if not isinstance(xp, ModuleType):
        msg = f"xp must be an array module such as numpy or cupy, got {type(xp).__name__}"
        raise TypeError(msg)
    try:
        probe = xp.empty((0,))
        return array_namespace(probe)
    except Exception as exc:  # pragma: no cover - depends on third-party modules
        msg = f"xp={xp.__name__!r} is not an array module supported by array-api-compat: {exc}"
        raise TypeError(msg) from None


def default_device(xp: ModuleType) -> Any:
    """The device on which ``xp`` creates arrays when none is named."""
    return get_device(xp.empty((0,)))


def resolve_dtype(xp: ModuleType, dtype: Any, device: Any, name: str = "dtype") -> Any:
    """Resolve ``dtype`` (None, a dtype of ``xp`` or a name such as ``"float32"``) to a real
    floating dtype of ``xp``; None gives the namespace's default on ``device``."""
    if dtype is None:
        return default_float_dtype(xp, device)
    if isinstance(dtype, str):
        if dtype not in ("float32", "float64"):
            msg = f"{name} must be 'float32', 'float64' or a real floating dtype, got {dtype!r}"
            raise ValueError(msg)
        dtype = getattr(xp, dtype)
    try:
        ok = xp.isdtype(dtype, "real floating")
    except Exception:
        ok = False
    if not ok:
        msg = f"{name} must be a real floating dtype of {xp.__name__}, got {dtype!r}"
        raise TypeError(msg)
    return dtype


def float_dtype_if_supported(xp: ModuleType, name: str, device: Any) -> Any:
    """``xp``'s dtype called ``name`` if ``device`` supports it, else the default float."""
    try:
        dtype = resolve_dtype(xp, name, device)
        xp.zeros((1,), dtype=dtype, device=device)
    except Exception:
        return default_float_dtype(xp, device)
    return dtype


def default_float_dtype(xp: ModuleType, device: Any = None) -> Any:
    """The namespace's default real floating dtype on ``device`` (float32 on float32-only
    devices, on JAX without x64 and on PyTorch by default)."""
    info = getattr(xp, "__array_namespace_info__", None)
    if info is not None:
        try:
            return info().default_dtypes(device=device)["real floating"]
        except Exception:  # pragma: no cover - old namespaces
            pass
    return xp.asarray(0.0, device=device).dtype  # pragma: no cover


def dtype_name(dtype: Any) -> str:
    """A short, library-independent name for ``dtype`` (``'float32'``, ``'int64'``...)."""
    try:
        return np.dtype(dtype).name
    except TypeError:
        pass
    name = str(dtype)
    for prefix in ("torch.", "array_api_strict.", "cupy."):
        name = name.replace(prefix, "")
    return name


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an ``int`` if it is a positive integer (bool excluded)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        msg = f"{name} must be a positive int, got {value!r} of type {type(value).__name__}"
        raise TypeError(msg)
    if value < 1:
        msg = f"{name} must be a positive int, got {value!r}"
        raise ValueError(msg)
    return int(value)


def check_alpha(alpha: Any) -> float:
    """Return the Student's t degrees of freedom as a Python float, finite and > 0."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        msg = (
            f"alpha must be a finite real number > 0, got {alpha!r} of type {type(alpha).__name__}"
        )
        raise TypeError(msg)
    alpha = float(alpha)
    if not (math.isfinite(alpha) and alpha > 0.0):
        msg = f"alpha must be a finite real number > 0, got {alpha!r}"
        raise ValueError(msg)
    return alpha


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` if it is a bool (NumPy bools included), else raise TypeError."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    msg = f"{name} must be True or False, got {value!r} of type {type(value).__name__}"
    raise TypeError(msg)


def check_random_state(random_state: Any) -> np.random.Generator:
    """Turn ``None``, an int seed, a :class:`numpy.random.SeedSequence` or a
    :class:`numpy.random.Generator` into a host :class:`numpy.random.Generator`.

    A Generator is used as given (its stream is shared with the caller), as in SciPy.
    """
    if random_state is None or isinstance(random_state, np.random.SeedSequence):
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            msg = f"random_state must be a non-negative int, got {random_state!r}"
            raise ValueError(msg)
        return np.random.default_rng(int(random_state))
    msg = (
        "random_state must be None, a non-negative int, a numpy SeedSequence or a numpy "
        f"Generator, got {type(random_state).__name__}"
    )
    raise TypeError(msg)


def _static_dim(n: Any) -> int | None:
    """A dimension as an int, or None when it is unknown (Dask NaN chunks, None)."""
    if n is None:
        return None
    try:
        if isinstance(n, float) and math.isnan(n):
            return None
        return int(n)
    except (TypeError, ValueError):  # pragma: no cover - symbolic shapes
        return None


def check_shape_2d(
    x: Any,
    name: str,
    *,
    n_features: int | None = None,
    min_rows: int = 1,
    floating: bool = True,
) -> None:
    """Check that ``x`` is a 2-D array with ``n_features`` columns and at least
    ``min_rows`` rows, of a real floating dtype when ``floating``.

    Unknown dimensions (lazy arrays) are not checked.
    """
    if not is_array_api_obj(x):
        msg = f"{name} must be an array, got {type(x).__name__}"
        raise TypeError(msg)
    if x.ndim != 2:
        msg = f"{name} must be a 2-D array of shape (n_samples, n_features), got ndim={x.ndim}"
        raise ValueError(msg)
    xp = array_namespace(x)
    if floating and not xp.isdtype(x.dtype, "real floating"):
        msg = f"{name} must have a real floating dtype (float32 or float64), got {dtype_name(x.dtype)}"
        raise TypeError(msg)
    if floating and dtype_name(x.dtype) not in ("float32", "float64"):
        msg = (
            f"{name} must be float32 or float64, got {dtype_name(x.dtype)}: half precision "
            "overflows squared distances above 65504; cast to float32 first"
        )
        raise TypeError(msg)
    n_rows, n_cols = (_static_dim(s) for s in x.shape)
    if n_rows is not None and n_rows < min_rows:
        msg = f"{name} must have at least {min_rows} row(s), got shape {tuple(x.shape)}"
        raise ValueError(msg)
    if n_features is not None and n_cols is not None and n_cols != n_features:
        msg = f"{name} must have {n_features} features (columns), got shape {tuple(x.shape)}"
        raise ValueError(msg)


def check_same_namespace_and_device(
    x: Array, name: str, xp: ModuleType, device: Any, what: str = "the cluster centres"
) -> None:
    """Check that ``x`` lives in namespace ``xp`` on ``device``."""
    try:
        x_xp = array_namespace(x)
    except TypeError:
        msg = f"{name} must be an array of the namespace of {what} ({xp.__name__}), got {type(x).__name__}"
        raise TypeError(msg) from None
    if x_xp is not xp:
        msg = f"{name} must be an array of the namespace of {what} ({xp.__name__}), got {x_xp.__name__}"
        raise TypeError(msg)
    x_dev = get_device(x)
    if x_dev != device:
        msg = (
            f"{name} must be on the device of {what} ({device}), got {x_dev}; "
            "move it first (e.g. with array_api_compat.to_device)"
        )
        raise ValueError(msg)


def _is_traced(x: Array) -> bool:
    """True for values being traced by ``jax.jit`` (they cannot be read)."""
    if not is_jax_array(x):
        return False
    import jax

    return isinstance(x, jax.core.Tracer)


def check_all_finite(x: Array, name: str, *, compute_lazy: bool = False) -> None:
    """Raise ValueError if ``x`` holds NaN or infinity.

    This reads one boolean back to the host. Values traced by ``jax.jit`` are never
    checked; Dask arrays only with ``compute_lazy=True`` (it costs a pass over the data).
    """
    if _is_traced(x) or (is_dask_array(x) and not compute_lazy):
        return
    xp = array_namespace(x)
    if not bool(xp.all(xp.isfinite(x))):
        msg = f"{name} must contain only finite values, got NaN or infinity"
        raise ValueError(msg)


def to_numpy(x: Array) -> np.ndarray:
    """Copy ``x`` to a host NumPy array (used only for small results and for files)."""
    if is_numpy_array(x):
        return np.asarray(x)
    if is_cupy_array(x):
        return x.get()
    if is_torch_array(x):
        return x.detach().cpu().numpy()
    if is_dask_array(x):
        return np.asarray(x.compute())
    if is_jax_array(x):
        return np.asarray(x)
    xp = array_namespace(x)
    if is_array_api_strict_namespace(xp):
        return np.asarray(x.to_device(xp.__array_namespace_info__().default_device()))
    return np.asarray(x)  # pragma: no cover - other namespaces


def to_namespace(x: Any, xp: ModuleType, device: Any, dtype: Any) -> Array:
    """Convert ``x`` (an array of any namespace, or a nested sequence) to ``xp`` on
    ``device`` with ``dtype``, through the host when the namespace differs."""
    if is_array_api_obj(x):
        if array_namespace(x) is xp:
            if get_device(x) != device:
                x = compat_to_device(x, device)
            return x if x.dtype == dtype else xp.astype(x, dtype)
        x = to_numpy(x)
    host = np.asarray(x)
    if host.dtype.kind in "fiub":
        # cast on the host: some devices (e.g. float32-only ones) refuse float64 input
        host = host.astype(np.dtype(dtype_name(dtype)), copy=False)
    return xp.astype(xp.asarray(host, device=device), dtype)

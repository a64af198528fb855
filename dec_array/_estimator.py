"""What the estimators (:class:`~dec_array.KMeans`, :class:`~dec_array.DEC`) share.

scikit-learn conventions without depending on scikit-learn: constructor arguments stored
as given and checked in ``fit``, ``get_params`` / ``set_params`` from the constructor's
signature, fitted attributes ending in ``_``, :class:`NotFittedError`, and one validator
for data matrices.
"""

from __future__ import annotations

import functools
import inspect
import numbers
import sys
from typing import Any

import numpy as np

from ._array_api import (
    Array,
    check_all_finite,
    check_shape_2d,
    default_float_dtype,
    dtype_name,
    get_device,
    get_namespace,
    is_array_api_obj,
)

__all__ = [
    "EstimatorMixin",
    "NotFittedError",
    "check_data",
    "check_finite",
    "check_fitted",
    "check_nonnegative_float",
]


class NotFittedError(ValueError, AttributeError):
    """An estimator was used (``predict``, ``transform``, ...) before ``fit``.

    Subclasses both :class:`ValueError` and :class:`AttributeError`, like
    scikit-learn's ``NotFittedError``, so code written for either keeps working.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array import KMeans, NotFittedError
    >>> try:
    ...     KMeans(n_clusters=2).predict(np.zeros((3, 2)))
    ... except NotFittedError as exc:
    ...     print(type(exc).__name__)
    NotFittedError
    """


class EstimatorMixin:
    """``get_params`` / ``set_params`` / ``__repr__`` from the constructor's signature."""

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [n for n, p in sig.parameters.items() if n != "self" and p.kind != p.VAR_KEYWORD]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments, by name (``deep`` is accepted for compatibility)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Any:
        """Set constructor arguments by name and return ``self``; ``fit`` checks the values.

        Raises
        ------
        ValueError
            If a name is not a parameter of the estimator.
        """
        valid = self._param_names()
        for name in params:
            if name not in valid:
                msg = (
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {sorted(valid)}"
                )
                raise ValueError(msg)
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            n: p.default for n, p in inspect.signature(type(self).__init__).parameters.items()
        }
        changed = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            same = False
            try:
                same = isinstance(value, type(default)) and bool(value == default)
            except Exception:  # arrays and other objects compare elementwise or not at all
                same = False
            if not same:
                shown = (
                    f"<array of shape {tuple(value.shape)}>"
                    if hasattr(value, "shape")
                    else repr(value)
                )
                changed.append(f"{name}={shown}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        """Tags for scikit-learn's ``check_estimator`` (only imported when asked for)."""
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags

        return Tags(
            estimator_type=getattr(self, "_estimator_type", None),
            target_tags=TargetTags(required=False),
            transformer_tags=TransformerTags() if hasattr(self, "transform") else None,
            input_tags=InputTags(two_d_array=True),
            non_deterministic=False,
        )


@functools.cache
def _not_fitted_error_class(with_sklearn: bool) -> type[NotFittedError]:
    """:class:`NotFittedError`, also a scikit-learn ``NotFittedError`` when sklearn is in use.

    scikit-learn's estimator checks expect their own exception class; it is mixed in only
    when scikit-learn is already imported, so dec-array never imports it itself.
    """
    if not with_sklearn:
        return NotFittedError
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    return type("NotFittedError", (NotFittedError, SklearnNotFittedError), {"__module__": __name__})


def check_fitted(estimator: Any, attribute: str, name: str | None = None) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has the fitted ``attribute``."""
    if not hasattr(estimator, attribute):
        who = name or f"This {type(estimator).__name__} instance"
        msg = f"{who} is not fitted yet; call fit() with appropriate data first"
        raise _not_fitted_error_class("sklearn" in sys.modules)(msg)


def check_nonnegative_float(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is a finite real number ``>= 0``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"{name} must be a finite real number >= 0, got {value!r} of type {type(value).__name__}"
        raise TypeError(msg)
    value = float(value)
    if not (np.isfinite(value) and value >= 0):
        msg = f"{name} must be a finite real number >= 0, got {value!r}"
        raise ValueError(msg)
    return value


def check_data(
    X: Any, name: str = "X", *, estimator: Any = None, n_features: int | None = None
) -> Array:
    """Validate a data matrix and return it as a real floating 2-D array.

    Arrays of any Array API namespace are kept in their namespace and on their device;
    other inputs (lists, tuples, objects with ``__array__``) become NumPy arrays, as in
    scikit-learn. Integer and boolean data become the namespace's default real floating
    dtype; half precision becomes float32; float32 stays float32. Sparse matrices are refused (DEC needs dense rows).
    Finiteness is checked separately by :func:`check_finite`, as it must read the values.
    """
    if hasattr(X, "tocsr") or (hasattr(X, "todense") and not is_array_api_obj(X)):
        msg = f"{name}: sparse input is not supported; densify it first (e.g. X.toarray())"
        raise TypeError(msg)
    if isinstance(X, np.ndarray) and X.dtype == object:
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            msg = f"{name} must hold real numbers; converting its objects failed: {exc}"
            raise TypeError(msg) from None
    if not is_array_api_obj(X):
        if X is None or isinstance(X, (str, bytes)) or np.isscalar(X):
            msg = (
                f"{name} must be a 2-D array or nested sequence of numbers of shape "
                f"(n_samples, n_features), got {type(X).__name__}"
            )
            raise TypeError(msg)
        try:
            X = np.asarray(X)
        except (ValueError, TypeError) as exc:
            msg = f"{name} must be a 2-D array-like of numbers, could not convert it: {exc}"
            raise ValueError(msg) from None
        if X.dtype.kind not in "biufc":
            msg = f"{name} must hold real numbers, got dtype {X.dtype}"
            raise TypeError(msg)
    xp = get_namespace(X)
    if xp.isdtype(X.dtype, "complex floating"):
        msg = f"Complex data not supported: {name} has dtype {dtype_name(X.dtype)}, expected real numbers"
        raise ValueError(msg)
    if X.ndim != 2:
        msg = (
            f"{name} must be a 2-D array of shape (n_samples, n_features), got ndim={X.ndim}; "
            "Reshape your data with reshape(-1, 1) for a single feature or reshape(1, -1) "
            "for a single sample"
        )
        raise ValueError(msg)
    if xp.isdtype(X.dtype, "bool") or xp.isdtype(X.dtype, "integral"):
        X = xp.astype(X, default_float_dtype(xp, get_device(X)))
    elif not xp.isdtype(X.dtype, "real floating"):
        msg = f"{name} must have a real numeric dtype, got {dtype_name(X.dtype)}"
        raise TypeError(msg)
    elif dtype_name(X.dtype) not in ("float32", "float64"):  # float16, bfloat16
        X = xp.astype(X, xp.float32)
    if n_features is not None and X.shape[1] is not None and int(X.shape[1]) != n_features:
        who = type(estimator).__name__ if estimator is not None else "the estimator"
        msg = f"{name} has {int(X.shape[1])} features, but {who} is expecting {n_features} features as input"
        raise ValueError(msg)
    check_shape_2d(X, name)
    if X.shape[1] is not None and int(X.shape[1]) < 1:
        msg = f"{name} has 0 feature(s) (shape={tuple(X.shape)}) while a minimum of 1 is required."
        raise ValueError(msg)
    return X


def check_finite(x: Array, name: str) -> None:
    """Raise ValueError on NaN or infinity; Dask arrays are computed (one boolean)."""
    check_all_finite(x, name, compute_lazy=True)

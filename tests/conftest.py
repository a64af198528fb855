"""Test configuration: one backend matrix for every test, and the hypothesis profiles.

Each test that takes the ``backend`` (or ``xp``) fixture runs once per available array
backend. A backend whose library is not installed is skipped; CuPy also needs a GPU.
Markers ``skip_xp_backend(name, reason=...)`` and ``xfail_xp_backend(name, reason=...)``
switch a single backend off for a written reason (xfails are strict).
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from dec_array._array_api import dtype_name, to_numpy

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=30)
settings.register_profile("thorough", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@dataclasses.dataclass(frozen=True)
class Backend:
    """One array backend: its (compat) namespace, the device tests use, and helpers."""

    name: str
    xp: ModuleType
    device: Any
    float64: bool = True

    @property
    def float_dtype(self) -> Any:
        """The backend's default real floating dtype on this device."""
        return self.xp.__array_namespace_info__().default_dtypes(device=self.device)[
            "real floating"
        ]

    def dtype(self, name: str) -> Any:
        if name == "float64" and not self.float64:
            pytest.skip(f"{self.name} has no float64")
        return getattr(self.xp, name)

    def asarray(self, data: Any, dtype: Any = None) -> Any:
        """Put host data on this backend and device with an explicit dtype."""
        host = np.asarray(data)
        if dtype is None:
            dtype = self.float_dtype if host.dtype.kind == "f" else None
        if isinstance(dtype, str):
            dtype = self.dtype(dtype)
        if self.name == "dask":
            import dask.array as da

            arr = (
                da.from_array(host, chunks=(max(1, (host.shape[0] + 2) // 3), *host.shape[1:]))
                if host.ndim
                else da.from_array(host)
            )
            return arr if dtype is None else self.xp.astype(arr, dtype)
        if dtype is not None and host.dtype.kind == "f":
            # cast on the host first: some devices (strict "no_float64") refuse float64 input
            host = host.astype(np.dtype(dtype_name(dtype)))
        arr = self.xp.asarray(host, device=self.device)
        return arr if dtype is None else self.xp.astype(arr, dtype)

    def to_numpy(self, x: Any) -> np.ndarray:
        return to_numpy(x)


def _make_backends() -> list[Any]:
    params: list[Any] = []

    import array_api_compat.numpy as np_xp

    params.append(pytest.param(Backend("numpy", np_xp, "cpu"), id="numpy"))
    try:
        import array_api_strict as strict
    except ImportError:  # pragma: no cover - part of the test extra
        strict = None
    if strict is not None:
        default = strict.__array_namespace_info__().default_device()
        params.append(pytest.param(Backend("array_api_strict", strict, default), id="strict"))
        params.append(
            pytest.param(
                Backend("array_api_strict", strict, strict.Device("device1")), id="strict-device1"
            )
        )
        params.append(
            pytest.param(
                Backend("array_api_strict", strict, strict.Device("no_float64"), float64=False),
                id="strict-no_float64",
            )
        )
    for name in ("torch", "torch-cuda", "jax", "jax32", "dask", "cupy"):
        params.append(pytest.param(name, id=name))
    return params


def _load_lazy_backend(name: str) -> Backend:
    if name == "torch":
        pytest.importorskip("torch")
        import array_api_compat.torch as torch_xp

        return Backend("torch", torch_xp, torch_xp.asarray(0.0).device)
    if name == "torch-cuda":
        torch = pytest.importorskip("torch")
        if not torch.cuda.is_available():
            pytest.skip("torch is installed but no CUDA device is visible")
        import array_api_compat.torch as torch_xp  # pragma: no cover - GPU machines only

        return Backend("torch", torch_xp, torch.device("cuda", 0))  # pragma: no cover
    if name in ("jax", "jax32"):
        # "jax": float64 enabled (jax_enable_x64); "jax32": JAX's default float32-only mode
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", name == "jax")
        import jax.numpy as jnp

        return Backend("jax", jnp, jax.devices("cpu")[0], float64=name == "jax")
    if name == "dask":
        pytest.importorskip("dask.array")
        import array_api_compat.dask.array as dask_xp

        return Backend("dask", dask_xp, "cpu")
    if name == "cupy":
        cupy = pytest.importorskip("cupy")
        try:
            if cupy.cuda.runtime.getDeviceCount() < 1:  # pragma: no cover
                pytest.skip("cupy is installed but no GPU is visible")
        except Exception as exc:  # pragma: no cover - no CUDA driver
            pytest.skip(f"cupy is installed but CUDA is unusable: {exc}")
        import array_api_compat.cupy as cupy_xp  # pragma: no cover

        return Backend("cupy", cupy_xp, cupy.cuda.Device(0))  # pragma: no cover
    raise AssertionError(name)  # pragma: no cover


BACKENDS = _make_backends()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """Every available array backend, in turn."""
    b = request.param
    jax_x64 = None
    if isinstance(b, str):
        if b.startswith("jax") and importable("jax"):
            import jax

            jax_x64 = jax.config.jax_enable_x64
        b = _load_lazy_backend(b)
    for marker in request.node.iter_markers("skip_xp_backend"):
        if marker.args[0] == b.name:
            pytest.skip(marker.kwargs.get("reason", f"skipped for {b.name}"))
    for marker in request.node.iter_markers("xfail_xp_backend"):
        if marker.args[0] == b.name:
            request.applymarker(pytest.mark.xfail(reason=marker.kwargs["reason"], strict=True))
    yield b
    if jax_x64 is not None:  # restore JAX's global precision mode
        import jax

        jax.config.update("jax_enable_x64", jax_x64)


@pytest.fixture
def xp(backend: Backend) -> ModuleType:
    """The namespace of the current backend."""
    return backend.xp


def importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True

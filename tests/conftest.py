"""Shared test helpers: the torch oracle (optional) and seeded data."""

import numpy as np
import pytest


def _load_torch():
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means "no oracle"
        return (
            None,
            f"PyTorch is not installed ({type(e).__name__}); run `make test`, which installs torch==2.13.0",
        )
    return torch, None


TORCH, TORCH_MISSING = _load_torch()


@pytest.fixture
def torch():
    if TORCH is None:
        pytest.skip(TORCH_MISSING)
    return TORCH


@pytest.fixture
def rng():
    return np.random.default_rng(1234)

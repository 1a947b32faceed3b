"""Shared fixtures: where the real data lie, the seed study, a synthetic market."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PRICES = SHARED / "data" / "prices"
STUDY = REPO / "seeds" / "stargate.toml"


def require_shared(path: Path) -> Path:
    """Return ``path`` if it exists; fail under CI=true, skip elsewhere."""
    if path.exists():
        return path
    message = f"{path} not found: the real-data tests read ../shared next to the repository"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def prices_dir() -> Path:
    return require_shared(PRICES)


@pytest.fixture(scope="session")
def study_path() -> Path:
    return STUDY

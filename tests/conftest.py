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


@pytest.fixture(scope="session", autouse=True)
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory):
    """``EVENTSTUDY_CACHE`` (price downloads, the study's placebo runs) in a temporary folder, for every test.

    Nothing is written under the user's ``~/.cache`` or the work tree; subprocesses inherit it.
    A test that needs its own cache sets the variable itself.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVENTSTUDY_CACHE", str(tmp_path_factory.mktemp("eventstudy-cache")))
        yield

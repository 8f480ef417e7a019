"""Shared test fixtures: the repository root, the reference material in ../shared, isolated settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``../shared`` beside the repository, or ``KG_SHARED_DIR``."""
    return Path(os.environ.get("KG_SHARED_DIR", REPO_ROOT.parent / "shared"))


def shared_reference(*parts: str) -> Path:
    """A path under ``shared/reference``; skips the calling test with a clear reason when it is absent."""
    path = shared_dir().joinpath("reference", *parts)
    if not path.exists():
        pytest.skip(f"reference material not available: {path} (set KG_SHARED_DIR to the shared/ directory)")
    return path


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A clean ``KG_*`` environment with the data directory in ``tmp_path``; yields the data directory."""
    for name in list(os.environ):
        if name.startswith("KG_") and name != "KG_SHARED_DIR":
            monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "kg-data"
    monkeypatch.setenv("KG_DATA_DIR", str(data_dir))
    yield data_dir

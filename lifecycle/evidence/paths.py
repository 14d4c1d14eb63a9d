"""Where the evidence tables and the source documents live."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "seeds_dir"]


def data_dir() -> Path:
    """Return the project's ``data/`` folder holding the evidence tables.

    Returns
    -------
    pathlib.Path
        ``<project root>/data`` in a source checkout; ``lifecycle/data`` inside an
        installed wheel (the build copies the tables there).
    """
    package = Path(__file__).resolve().parent.parent
    packaged = package / "data"
    return packaged if packaged.is_dir() else package.parent / "data"


def seeds_dir() -> Path:
    """Return the folder holding the source documents.

    Returns
    -------
    pathlib.Path
        The ``LIFECYCLE_SEEDS_DIR`` environment variable if set, else
        ``<project root>/../shared/seeds``.
    """
    env = os.environ.get("LIFECYCLE_SEEDS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "seeds"

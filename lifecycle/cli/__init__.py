"""The ``lifecycle`` command."""

from lifecycle.cli import main as _main
from lifecycle.cli.main import *  # noqa: F403

__all__ = [*_main.__all__]

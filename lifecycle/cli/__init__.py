"""The ``lifecycle`` command."""

from lifecycle.cli.main import (
    build_parser,
    main,
)

__all__ = [
    "build_parser",
    "main",
]

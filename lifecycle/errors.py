"""The errors and warnings the library raises (public home of :mod:`lifecycle._core.errors`)."""

from lifecycle._core.errors import *  # noqa: F403
from lifecycle._core.errors import __all__  # noqa: F401

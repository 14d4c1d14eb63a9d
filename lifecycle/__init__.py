"""lifecycle: statistical modelling of militant-group lifecycles.

Yearly or monthly attack counts go through change-point detection and count
regression to test the emergence → decline → resurgence wave hypothesis and to
compare how well different wave definitions fit.
"""

from lifecycle.errors import LifecycleError

__all__ = ["LifecycleError"]
__version__ = "0.1.0"

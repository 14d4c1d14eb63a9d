"""Where the regime changed: search, Bayesian posterior, uncertainty."""

from lifecycle.changepoints import posterior as _posterior
from lifecycle.changepoints import search as _search
from lifecycle.changepoints import segmentation as _segmentation
from lifecycle.changepoints import uncertainty as _uncertainty
from lifecycle.changepoints.posterior import *  # noqa: F403
from lifecycle.changepoints.search import *  # noqa: F403
from lifecycle.changepoints.segmentation import *  # noqa: F403
from lifecycle.changepoints.uncertainty import *  # noqa: F403

__all__ = [*_posterior.__all__, *_search.__all__, *_segmentation.__all__, *_uncertainty.__all__]

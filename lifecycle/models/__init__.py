"""Wave definitions, segment costs and count regression."""

from lifecycle.models import costs as _costs
from lifecycle.models import design as _design
from lifecycle.models import family as _family
from lifecycle.models import fit_tables as _fit_tables
from lifecycle.models import fitcore as _fitcore
from lifecycle.models import regression as _regression
from lifecycle.models import segment_search as _segment_search
from lifecycle.models import waves as _waves
from lifecycle.models.costs import *  # noqa: F403
from lifecycle.models.design import *  # noqa: F403
from lifecycle.models.family import *  # noqa: F403
from lifecycle.models.fit_tables import *  # noqa: F403
from lifecycle.models.fitcore import *  # noqa: F403
from lifecycle.models.regression import *  # noqa: F403
from lifecycle.models.segment_search import *  # noqa: F403
from lifecycle.models.waves import *  # noqa: F403

__all__ = [
    *_costs.__all__,
    *_design.__all__,
    *_family.__all__,
    *_fit_tables.__all__,
    *_fitcore.__all__,
    *_regression.__all__,
    *_segment_search.__all__,
    *_waves.__all__,
]

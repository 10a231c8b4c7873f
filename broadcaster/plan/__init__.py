"""The planner, pure: (station, bulletins, airing history, date range) -> programmes. No clock reads, no I/O.

Private modules: `_planner` (`make_plan`), `_rules` (its building blocks: overhead, duration estimate,
priority and rotation order).
"""

from broadcaster.plan._planner import PlanError, PlanResult, Unplanned, make_plan
from broadcaster.plan._rules import Overhead, estimate_seconds

__all__ = ["Overhead", "PlanError", "PlanResult", "Unplanned", "estimate_seconds", "make_plan"]

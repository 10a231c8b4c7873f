"""From plan to audio: the planner's inputs gathered from the render cache and the log (`plan_loaded`,
`measured_overhead`, light to import), and in `build.programmes` the one build path that `build`, the station's
render-ahead and `air` all use (it imports the audio stack: numpy, scipy; import it only where audio is built).
"""

from broadcaster.build._inputs import StationPlan, measured_overhead, plan_loaded

__all__ = ["StationPlan", "measured_overhead", "plan_loaded"]

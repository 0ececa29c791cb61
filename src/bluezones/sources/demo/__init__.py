"""The embedded demo country: a synthetic but realistic Netherlands.

``generate(seed)`` builds about 342 gemeenten in 42 jeugdregio's with about
3,000 wijken, ten years of population, covariates and youth-care use published
as CBS publishes them (herindelingen, rounding, suppression, a provisional last
year), polygons, and the ground truth (planted low, high and "hidden
escalation" areas, true effects and coefficients) to score detection against.
Nothing is read from disk or network.
"""

from bluezones.sources.demo.country import DemoCountry, generate

__all__ = ["DemoCountry", "generate"]

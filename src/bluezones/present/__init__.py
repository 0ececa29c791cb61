"""What users look at: the offline atlas (maps, funnel, tables, area profiles)."""

from bluezones.present.atlas import build_atlas

__all__ = ["build_atlas"]

"""The atlas: a self-contained static site built from the store, and a small server for it."""

from bluezones.present.atlas.build import build_atlas

__all__ = ["build_atlas"]

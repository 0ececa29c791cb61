"""The public API is what __all__ says, sorted, and every name in it exists."""

from __future__ import annotations

import bluezones


def _isort_key(name: str) -> tuple[int, str]:
    """Constants first, then classes, then functions (ruff's RUF022 order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_public_api_is_sorted_and_importable() -> None:
    names = [n for n in bluezones.__all__ if n != "__version__"]
    assert names == sorted(names, key=_isort_key)
    for name in bluezones.__all__:
        assert hasattr(bluezones, name), name

"""Disclosure control for outputs of CBS microdata (CBS Remote Access output rules).

The road: :mod:`~bluezones.sdc.policy` (who needs protection, what a cell is),
:mod:`~bluezones.sdc.suppress` (primary and secondary suppression),
:mod:`~bluezones.sdc.plan` (the hierarchy of a dataset's cells),
:mod:`~bluezones.sdc.gate` (:func:`released_results`, the one gate every
atlas page, export and report reads through) and :mod:`~bluezones.sdc.check`
(``bluezones sdc-check``: scan an output folder for violations).
See ``docs/disclosure.md``.
"""

from __future__ import annotations

from bluezones.sdc.gate import released_monitor, released_results, translate_suppressed
from bluezones.sdc.policy import MIN_CELL, Policy, policy_for

__all__ = [
    "MIN_CELL",
    "Policy",
    "policy_for",
    "released_monitor",
    "released_results",
    "translate_suppressed",
]

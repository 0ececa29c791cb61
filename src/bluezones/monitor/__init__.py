"""Monitor: youth-protection indicators over time and the evaluation of pilot regions.

``indicators`` builds OTS, UHP, JB, JR, OTS duration and the residential share per
gemeente, jeugdregio or land and year with intervals; ``pilots`` keeps the registry of
pilot regions; ``evaluate`` estimates the pilots' effect (difference-in-differences,
event study, randomisation inference and wild-cluster bootstrap).
"""

from bluezones.monitor.evaluate import (
    EvaluationConfig,
    PilotEvaluation,
    evaluate_pilots,
    pilot_panel,
)
from bluezones.monitor.indicators import MONITOR_INDICATORS, aggregate, monitor_table
from bluezones.monitor.pilots import Pilot, demo_pilots, load_pilots, resolve_pilots
from bluezones.monitor.results import MonitorResult, load_monitor, monitor_dataset, save_monitor
from bluezones.monitor.trends import trend_table

__all__ = [
    "MONITOR_INDICATORS",
    "EvaluationConfig",
    "MonitorResult",
    "Pilot",
    "PilotEvaluation",
    "aggregate",
    "demo_pilots",
    "evaluate_pilots",
    "load_monitor",
    "load_pilots",
    "monitor_dataset",
    "monitor_table",
    "pilot_panel",
    "resolve_pilots",
    "save_monitor",
    "trend_table",
]

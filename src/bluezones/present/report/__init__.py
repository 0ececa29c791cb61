"""Reports per gemeente or jeugdregio and a national summary, as HTML and PDF."""

from bluezones.present.report.write import REPORT_FORMATS, REPORT_LEVELS, write_reports

__all__ = ["REPORT_FORMATS", "REPORT_LEVELS", "write_reports"]

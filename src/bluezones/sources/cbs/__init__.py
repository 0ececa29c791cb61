"""The CBS StatLine source: HTTP client, table registry, parsing, facts and fetch.

>>> from bluezones.sources.cbs import REGISTRY
>>> REGISTRY.table("85098NED").title
'Indicatoren jeugdzorg in natura; gemeenten'
"""

from bluezones.sources.cbs.client import CBSClient, Download, TableInfo
from bluezones.sources.cbs.extracts import (
    read_kwb_csv,
    read_kwb_merged_csv,
    read_statline_csv,
    read_typed_csv,
)
from bluezones.sources.cbs.facts import missing_columns, to_facts, to_regions
from bluezones.sources.cbs.fetch import FetchResult, fetch
from bluezones.sources.cbs.odata import (
    ParsedTable,
    Period,
    base_name,
    parse_period,
    parse_values,
)
from bluezones.sources.cbs.registry import REGISTRY, ColumnMap, Registry, TableSpec

__all__ = [
    "REGISTRY",
    "CBSClient",
    "ColumnMap",
    "Download",
    "FetchResult",
    "ParsedTable",
    "Period",
    "Registry",
    "TableInfo",
    "TableSpec",
    "base_name",
    "fetch",
    "missing_columns",
    "parse_period",
    "parse_values",
    "read_kwb_csv",
    "read_kwb_merged_csv",
    "read_statline_csv",
    "read_typed_csv",
    "to_facts",
    "to_regions",
]

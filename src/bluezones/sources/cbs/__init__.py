"""The CBS StatLine OData source: client, table registry and parsing."""

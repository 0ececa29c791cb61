"""The ``bluezones`` command: thin commands over the library."""

from __future__ import annotations

import sys

import click

from bluezones.config import Settings
from bluezones.errors import BlueZonesError

main = click.Group("bluezones")

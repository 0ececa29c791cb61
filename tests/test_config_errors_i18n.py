"""Settings, the error root and the message catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bluezones.config import Settings
from bluezones.errors import BlueZonesError, ConfigError, DataError
from bluezones.i18n import LANGUAGES, MESSAGES, text


def test_settings_from_env_and_overrides(tmp_path: Path) -> None:
    env = {"BLUEZONES_STORE": str(tmp_path / "x.duckdb"), "BLUEZONES_HTTP_RETRIES": "7"}
    s = Settings.from_env(env, language="en")
    assert (s.store, s.http_retries, s.language) == (tmp_path / "x.duckdb", 7, "en")


def test_bad_setting_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"BLUEZONES_HTTP_TIMEOUT.*not a number"):
        Settings.from_env({"BLUEZONES_HTTP_TIMEOUT": "soon"})
    with pytest.raises(ConfigError, match="language"):
        Settings.from_env({}, language="de")


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().seed = 1  # type: ignore[misc]


def test_every_setting_has_help() -> None:
    assert all(len(h) > 10 for _, h in Settings.describe())


def test_error_message_carries_context_in_order() -> None:
    err = DataError("Bad value.", hint="Fix it.", column="year", row=4, file="a.csv")
    assert str(err) == "Bad value. (file: a.csv, row: 4, column: year)\n  hint: Fix it."
    assert isinstance(err, BlueZonesError) and err.context["row"] == 4


def test_messages_have_both_languages_with_the_same_fields() -> None:
    for key, entry in MESSAGES.items():
        assert set(entry) == set(LANGUAGES), key
        fields = {lang: set(re.findall(r"{(\w+)}", entry[lang])) for lang in LANGUAGES}
        assert fields["nl"] == fields["en"], key


def test_text_defaults_to_dutch() -> None:
    assert text("status.datasets") == "Datasets"
    assert text("fetch.unchanged", table="T", modified="m").startswith("T: ongewijzigd")


def test_readme_documents_every_setting() -> None:
    import runpy

    repo = Path(__file__).resolve().parents[1]
    module = runpy.run_path(str(repo / "scripts" / "readme_settings.py"))
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert module["render"](readme) == readme, "run scripts/readme_settings.py"

"""The demo country against the real extracts in ../shared/data, and across processes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REAL_GEMEENTEN_2022 = (
    "cbs/85098NED_indicatoren_jeugdzorg_gemeenten/"
    "Indicatoren_jeugdzorg__gemeenten_24062023_110530.csv"
)
REAL_JEUGDHULP_COLUMN = "Jongeren met jeugdhulp in natura (% (zie toelichting))"
SCP_WIJKEN_2017 = "scp/jeugdhulp_in_de_wijk_2017/wijkdata_jeugdhulp_2017_merged.csv"
PERCENTILES = [5, 50, 95]


@pytest.mark.shared
def test_gemeente_jeugdhulp_spread_resembles_cbs_2022(
    shared_data: Path, gemeenten: pd.DataFrame
) -> None:
    real = pd.read_csv(
        shared_data / REAL_GEMEENTEN_2022, sep=";", decimal=",", encoding="utf-8-sig"
    )
    real_rates = pd.to_numeric(real[REAL_JEUGDHULP_COLUMN], errors="coerce").iloc[1:].dropna()
    g = gemeenten[gemeenten["year"] == 2022]
    demo_rates = (100 * g["jeugdhulp"] / g["youth_0_17"]).dropna()
    real_p, demo_p = (np.percentile(x, PERCENTILES) for x in (real_rates, demo_rates))
    assert np.abs(real_p - demo_p).max() < 2.5, (real_p, demo_p)
    assert abs(len(demo_rates) - len(real_rates)) < 25


@pytest.mark.shared
def test_wijk_jeugdhulp_zonder_verblijf_resembles_scp_2017(
    shared_data: Path, wijken: pd.DataFrame
) -> None:
    scp = pd.read_csv(shared_data / SCP_WIJKEN_2017)["perc_jhzv"].dropna()
    w = wijken[wijken["year"] == 2017]
    demo = (100 * w["jeugdhulp_zonder_verblijf"] / w["youth_0_17"]).dropna()
    assert abs(demo.mean() - scp.mean()) < 1.5
    assert abs(demo.std() - scp.std()) < 1.0
    assert abs(len(w) - 2_918) < 300


_WRITE_AND_HASH = """
import hashlib, pathlib, sys
from bluezones.sources.demo import generate
out = pathlib.Path(sys.argv[1])
generate(99, years=range(2018, 2022), reference_year=2021).write(out)
digest = hashlib.sha256()
for p in sorted(out.rglob("*")):
    if p.is_file():
        digest.update(p.relative_to(out).as_posix().encode() + p.read_bytes())
print(digest.hexdigest())
"""


def test_bytes_do_not_depend_on_the_process(tmp_path: Path) -> None:
    """String hashing differs per process; the files must not."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITE_AND_HASH, str(tmp_path / hash_seed)],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            stdout=subprocess.PIPE,
            text=True,
        )
        for hash_seed in ("1", "2")
    ]
    digests = [run.communicate()[0].strip() for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert digests[0] == digests[1]
    assert len(digests[0]) == len(hashlib.sha256().hexdigest())

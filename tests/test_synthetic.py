"""The benches' seeded synthetic city (bench/synthetic.py) is valid intake input at sizes where
firms sit on several chains -- a bench that dies on a validation error measures nothing."""

import sys
from collections import Counter
from pathlib import Path

from graphmodel.intake import read_dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from synthetic import write_city  # noqa: E402


def test_a_city_of_twenty_thousand_firms_reads_without_an_error(tmp_path):
    rows = write_city(tmp_path, 20_000)
    ds = read_dataset(tmp_path)  # raises IntakeError on any invalid row
    members = Counter(ds.tables["members"]["enterprise_id"])
    assert sum(n > 1 for n in members.values()) > 100  # firms on several chains, each read once a year
    assert len(ds.tables["readings"]) == rows["readings"]

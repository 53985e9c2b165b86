import re
from pathlib import Path

from conftest import required_missing
from graphmodel.registry import SHANGHAI_DISTRICTS, load_registry

NOTICE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "shanghai-samr-2024-233-notice.txt"


def annex_rows(text: str):
    """(seq, key, leader, name) of the notice's annex, read independently of the package data."""
    annex = text.split("附件：", 1)[1]
    cells = [line.strip() for line in annex.splitlines() if line.strip()]
    rows = []
    for i, cell in enumerate(cells):
        m = re.fullmatch(r"(\d+)(★?)", cell)
        if m and i + 2 < len(cells):
            rows.append((int(m[1]), bool(m[2]), cells[i + 1], cells[i + 2]))
    return rows


def test_registry_has_28_projects_4_key_16_districts():
    chains = load_registry()
    assert [c.seq for c in chains] == list(range(1, 29))
    assert [c.seq for c in chains if c.key] == [1, 2, 3, 4]
    assert {c.district for c in chains} == set(SHANGHAI_DISTRICTS) and len(SHANGHAI_DISTRICTS) == 16
    for c in chains:
        assert c.district in c.leader  # the leader is that district's bureau or its leading group


def test_registry_matches_the_notice_verbatim():
    if not NOTICE.exists():
        required_missing(f"the notice is not beside the repo ({NOTICE})", "the notice check")
    rows = annex_rows(NOTICE.read_text("utf-8"))
    assert len(rows) == 28
    assert [(c.seq, c.key, c.leader, c.name) for c in load_registry()] == rows

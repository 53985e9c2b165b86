"""The 28 Shanghai supply-chain quality-linkage projects (沪市监质发〔2024〕233号, 附件).

Package data, verbatim from the notice's annex: sequence number, key project (★),
the chain leader (链长单位), its district and the project name.

>>> chains = load_registry()
>>> len(chains), chains[0].district, chains[0].key
(28, '闵行区', True)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from .resources import data_text

__all__ = ["ChainEntry", "load_registry", "SHANGHAI_DISTRICTS"]


@dataclass(frozen=True)
class ChainEntry:
    seq: int
    key: bool
    district: str
    leader: str
    name: str

    @property
    def chain_id(self) -> str:
        return f"SH{self.seq:02d}"


@lru_cache(maxsize=1)
def _rows() -> tuple[ChainEntry, ...]:
    text = data_text("shanghai_chains.csv")
    return tuple(
        ChainEntry(int(r["seq"]), r["key"] == "true", r["district"], r["leader"], r["name"])
        for r in csv.DictReader(text.splitlines())
    )


def load_registry() -> list[ChainEntry]:
    """The 28 projects in the annex's order."""
    return list(_rows())


#: Shanghai's 16 districts, in the city's usual order.
SHANGHAI_DISTRICTS = (
    "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区",
    "宝山区", "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区",
)

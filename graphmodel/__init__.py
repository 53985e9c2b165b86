"""qmap — supply-chain quality maps (产业链供应链质量图谱).

The library behind the ``qmap`` command: intake → model → store → analyses → maps and exports.

>>> from graphmodel import read_dataset, build_graph          # doctest: +SKIP
>>> G = build_graph(read_dataset("exports/demo/shanghai-demo.xlsx"))  # doctest: +SKIP
"""

from .intake import Dataset, IntakeError, Issue, read_dataset, read_tables
from .model import build_graph, chain_subgraph

__all__ = ["Dataset", "IntakeError", "Issue", "read_dataset", "read_tables", "build_graph", "chain_subgraph"]
__version__ = "0.1.0"

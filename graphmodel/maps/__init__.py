"""Interactive quality maps: one offline HTML page per chain and a city overview.

Maps take the networkx model only (:func:`graphmodel.model.build_graph`), never a
store. Every page is self-contained (vis-network inlined from the pyvis package, system
CJK fonts, a Content-Security-Policy that forbids any fetch) and written atomically.

>>> from graphmodel.maps import write_maps
>>> write_maps(G, "exports/maps")   # doctest: +SKIP
PosixPath('exports/maps/index.html')
"""

from .chain_map import chain_filename, chain_map_html, write_chain_map
from .city import city_overview_html, map_filenames, write_city_overview, write_maps

__all__ = ["write_chain_map", "write_city_overview", "write_maps", "chain_map_html", "city_overview_html",
           "chain_filename", "map_filenames"]

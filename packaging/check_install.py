#!/usr/bin/env python3
"""Check an installed qmap (run with the installed environment's python, outside the checkout).

    python check_install.py WORKBOOK PNG CHAIN [--bundled-font]

Asserts that ``graphmodel`` comes from this environment's site-packages (not a checkout),
that the PNG export of CHAIN decodes and is a drawing, and that the font matplotlib draws
Chinese with has a glyph for every character of the chain's names (as tests/test_export.py
checks). With ``--bundled-font`` the font must be the one that comes with qmap (no system
font was visible). Prints one line per check; exits 1 on the first failure.
"""

from __future__ import annotations

import argparse
import sys
import sysconfig
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("workbook")
    parser.add_argument("png")
    parser.add_argument("chain")
    parser.add_argument("--bundled-font", action="store_true")
    opts = parser.parse_args(argv)

    import graphmodel
    from graphmodel import build_graph, chain_subgraph, read_dataset
    from graphmodel.fonts import bundled_font_files, cjk_font, cjk_font_file
    from matplotlib.ft2font import FT2Font
    from PIL import Image

    def ok(condition, message):
        if not condition:
            print(f"FAILED: {message}", file=sys.stderr)
            sys.exit(1)
        print(f"ok: {message}")

    package = Path(graphmodel.__file__).resolve().parent
    ok(package.is_relative_to(Path(sysconfig.get_paths()["purelib"]).resolve()),
       f"graphmodel is the installed one ({package})")
    font = cjk_font_file()
    if opts.bundled_font:
        ok(font.resolve() in {p.resolve() for p in bundled_font_files()},
           f"no system font visible: the font that comes with qmap is used ({cjk_font()}, {font})")
    with Image.open(opts.png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        ok(image.format == "PNG" and image.width > 600 and len(colours) > 50,
           f"{opts.png} is a {image.width}x{image.height} drawing")
    G = build_graph(read_dataset(opts.workbook))
    text = "".join(d.get("name", "") for _, d in chain_subgraph(G, opts.chain).nodes(data=True))
    charmap = FT2Font(str(font)).get_charmap()
    missing = sorted({ch for ch in text if ord(ch) > 127 and ord(ch) not in charmap})
    ok(len({ch for ch in text if ord(ch) > 127}) > 20 and not missing,
       f"{font.name} has every Chinese glyph of {opts.chain}'s names" + (f" (missing {''.join(missing)})" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

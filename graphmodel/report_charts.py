"""The report's charts as PNG images with Chinese labels (matplotlib, no window, no network).

Three pictures, each drawn from numbers the report already holds (the headline numbers and
the analyses' rows), never from the graph:

* :func:`problems_by_status` — 待处理 / 推进中 / 已解决 (and 本年度解决) as bars;
* :func:`coverage_by_pillar` — per NQI pillar, the unresolved problems needing it and how
  many are covered (nqi-coverage);
* :func:`indicators_against_limits` — each of the owner's indicators: its reading and target
  against the national and the industry limit, on its own scale.

>>> png = problems_by_status({"open": 2, "in_progress": 1, "resolved": 3})   # doctest: +SKIP
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"                                       # doctest: +SKIP
True
"""

from __future__ import annotations

import io
from typing import Mapping, Sequence

from .schema import ENUMS, SERVICES
from .text import READING_STATUS_ZH, number_text, truncate

__all__ = ["chart_font", "problems_by_status", "coverage_by_pillar", "indicators_against_limits"]

_BLUE, _RED, _AMBER, _GREEN, _GREY = "#1f4e9c", "#d64541", "#e0a100", "#2e8b57", "#8899aa"
_STATUS_COLOURS = {"open": _RED, "in_progress": _AMBER, "resolved": _GREEN}


def chart_font() -> str:
    """The CJK font the charts use: :func:`graphmodel.fonts.cjk_font` (the system's, else the one
    that comes with qmap)."""
    from .fonts import cjk_font

    return cjk_font()


def _plt():
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = chart_font()
    plt.rcParams["axes.unicode_minus"] = False  # the CJK font has no U+2212
    return plt


def _png(fig) -> bytes:
    out = io.BytesIO()
    fig.tight_layout()
    fig.savefig(out, format="png", dpi=130)
    _plt().close(fig)
    return out.getvalue()


def problems_by_status(counts: Mapping[str, int], resolved_this_year: int | None = None,
                       title: str = "质量问题按状态") -> bytes:
    """Bars of problems per status (codes of ``problem_status``), plus 本年度解决 when given."""
    plt = _plt()
    labels = [ENUMS["problem_status"].chinese(s) for s in _STATUS_COLOURS]
    values = [int(counts.get(s, 0)) for s in _STATUS_COLOURS]
    colours = list(_STATUS_COLOURS.values())
    if resolved_this_year is not None:
        labels.append("本年度解决")
        values.append(int(resolved_this_year))
        colours.append(_BLUE)
    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    bars = ax.bar(labels, values, color=colours, width=0.6)
    ax.bar_label(bars, labels=[f"{v} 个" for v in values], padding=2)
    ax.set_ylabel("问题数（个）")
    ax.set_title(title)
    ax.set_ylim(0, max(values + [1]) * 1.25)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def coverage_by_pillar(rows: Sequence[Mapping], title: str = "四大质量基础设施支柱的问题覆盖") -> bytes:
    """Per pillar: unresolved problems needing it and how many are covered (nqi-coverage rows:
    ``service``, ``needing``, ``covered``)."""
    plt = _plt()
    labels = [SERVICES.chinese(r["service"]) for r in rows]
    needing = [int(r["needing"]) for r in rows]
    covered = [int(r["covered"]) for r in rows]
    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    xs = range(len(labels))
    a = ax.bar([x - 0.2 for x in xs], needing, width=0.4, color=_GREY, label="需要该服务的未解决问题")
    b = ax.bar([x + 0.2 for x in xs], covered, width=0.4, color=_BLUE, label="其中已覆盖")
    ax.bar_label(a, padding=2)
    ax.bar_label(b, padding=2)
    ax.set_xticks(list(xs), labels)
    ax.set_ylabel("问题数（个）")
    ax.set_title(title)
    ax.set_ylim(0, max(needing + [1]) * 1.3)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def indicators_against_limits(rows: Sequence[Mapping], title: str = "链主主要质量指标对标") -> bytes:
    """One strip per indicator (``indicator``, ``unit``, ``direction``, ``value``, ``status``,
    ``national_limit``, ``industry_limit``, optional ``target``): the reading (and target) as
    points against the two limits, each on its own scale."""
    plt = _plt()
    n = max(1, len(rows))
    fig, axes = plt.subplots(n, 1, figsize=(6.4, 1.05 * n + 0.5), squeeze=False)
    tone = {"below_national": _RED, "meets_national": _AMBER, "beats_industry": _GREEN}
    for ax, r in zip(axes[:, 0], rows):
        points = [v for v in (r.get("value"), r.get("national_limit"), r.get("industry_limit"), r.get("target"))
                  if v is not None]
        low, high = min(points), max(points)
        pad = (high - low) * 0.25 or abs(high) * 0.05 or 1.0
        ax.set_xlim(low - pad, high + pad)
        ax.set_ylim(-1, 1)
        for key, label, colour in (("national_limit", "国家标准", _GREY), ("industry_limit", "行业标准", _BLUE)):
            if r.get(key) is not None:
                ax.axvline(r[key], color=colour, linestyle="--", linewidth=1)
                ax.annotate(f"{label} {number_text(r[key])}", (r[key], 0.55), fontsize=7, color=colour,
                            ha="center")
        if r.get("target") is not None:
            ax.plot([r["target"]], [0], marker="^", color="#555555", markersize=7, linestyle="none")
            ax.annotate(f"目标 {number_text(r['target'])}", (r["target"], -0.8), fontsize=7, ha="center")
        ax.plot([r["value"]], [0], marker="o", color=tone.get(r.get("status"), _GREY), markersize=9,
                linestyle="none")
        ax.annotate(f"实测 {number_text(r['value'])}", (r["value"], 0.18), fontsize=7, ha="center",
                    xytext=(0, 4), textcoords="offset points")
        better = "越高越好" if r.get("direction") == "higher" else "越低越好"
        unit = f"（{r['unit']}）" if r.get("unit") else ""
        ax.set_title(f"{truncate(r['indicator'], 20)}{unit}  {better} · {READING_STATUS_ZH.get(r.get('status'), '')}",
                     loc="left", fontsize=8)
        ax.set_yticks([])
        ax.tick_params(axis="x", labelsize=7)
        ax.spines[["top", "right", "left"]].set_visible(False)
    fig.suptitle(title, fontsize=10)
    return _png(fig)

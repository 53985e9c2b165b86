"""A seeded synthetic city in the intake format, for the scale benchmarks.

``write_city(folder, firms=100_000, seed=1)`` writes one CSV per contract sheet: chains of
20–200 firms and a few big ones (2,000–20,000 firms), tiered upstream → owner →
downstream, each firm supplying 3–8 firms of the next tier (fewer where the tier is smaller), about 2 % of firms on
two chains, problems on about 10 % of firms, support bodies with ENABLES / SUPPORTS /
ADDRESSES links, projects, policy tools, readings for owners and about 10 % of firms over
two years, and chain targets. The same seed gives byte-identical files.

``big_chain(firms)`` is one chain of that many firms alone (for the map benchmarks).

    python bench/synthetic.py /tmp/city-100k 100000
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

DISTRICTS = ("黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区",
             "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区")
SERVICES = ("metrology", "standards", "testing", "certification", "quality_management", "training")
SIZES = ("large", "medium", "small", "small", "micro", "micro")
STATUSES = ("open", "open", "in_progress", "resolved")
CATEGORIES = ("product", "process", "material", "equipment", "management", "metrology", "standard", "testing",
              "certification", "brand")

HEADERS = {
    "chains": ["chain_id", "seq", "name", "district", "leader", "key", "industry"],
    "enterprises": ["enterprise_id", "name", "size", "district", "uscc"],
    "members": ["chain_id", "enterprise_id", "role", "tier"],
    "supplies": ["chain_id", "supplier_id", "customer_id", "product", "share", "critical"],
    "support_bodies": ["body_id", "name", "services", "accreditations"],
    "support_links": ["body_id", "target_id", "service", "since", "status"],
    "problems": ["problem_id", "chain_id", "enterprise_id", "title", "category", "severity", "status", "needs",
                 "raised_on", "resolved_on"],
    "projects": ["project_id", "chain_id", "title", "lead_id", "tackles", "status", "due", "progress"],
    "policy_tools": ["tool_id", "name", "kind", "issuer", "applies_to"],
    "indicators": ["indicator_id", "name", "unit", "direction", "standard", "national_limit", "industry_limit"],
    "readings": ["enterprise_id", "indicator_id", "year", "value"],
    "targets": ["chain_id", "indicator_id", "year", "value"],
}


def chain_sizes(firms: int, rng: random.Random) -> list[int]:
    """Chain sizes summing to about ``firms``: a few big chains, the rest of 20–200 firms."""
    big = [20_000, 8_000, 2_000] if firms >= 100_000 else [max(20, firms // 5), max(20, firms // 20)]
    if firms >= 1_000_000:
        big += [20_000, 12_000, 5_000, 3_000, 2_000]
    sizes, left = [], firms
    for size in big:
        if size <= left // 2:
            sizes.append(size)
            left -= size
    while left > 0:
        size = min(left, rng.randint(20, 200))
        sizes.append(size)
        left -= size
    return sizes


class _Writer:
    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.files = {name: open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") for name in HEADERS}
        self.csv = {name: csv.writer(f, lineterminator="\n") for name, f in self.files.items()}
        for name, header in HEADERS.items():
            self.csv[name].writerow(header)
        self.rows = {name: 0 for name in HEADERS}

    def row(self, sheet: str, *values):
        self.csv[sheet].writerow(["" if v is None else v for v in values])
        self.rows[sheet] += 1

    def close(self):
        for f in self.files.values():
            f.close()


def _tiers(n: int, rng: random.Random) -> list[tuple[str, int]]:
    """(role, tier) for the n members of one chain: the owner first, then 3 upstream, 2 downstream tiers."""
    out = [("owner", 0)]
    weights = (("upstream", 3, 0.15), ("upstream", 2, 0.25), ("upstream", 1, 0.25), ("downstream", 1, 0.22),
               ("downstream", 2, 0.13))
    for _ in range(n - 1):
        x, acc = rng.random(), 0.0
        for role, tier, w in weights:
            acc += w
            if x <= acc:
                out.append((role, tier))
                break
        else:
            out.append(("downstream", 2))
    return out


def _write_chain(w: _Writer, rng: random.Random, seq: int, chain_id: str, firm_ids: list[str], bodies: list[tuple],
                 indicators: list[str], counters: dict) -> None:
    district = DISTRICTS[seq % len(DISTRICTS)]
    w.row("chains", chain_id, seq, f"合成产业链{seq:05d}质量提升", district, f"{district}市场监管局",
          "true" if seq % 7 == 0 else "false", f"行业{seq % 40:02d}")
    tiers = _tiers(len(firm_ids), rng)
    by_tier: dict[tuple[str, int], list[str]] = {}
    for firm, (role, tier) in zip(firm_ids, tiers):
        w.row("members", chain_id, firm, role, tier)
        by_tier.setdefault((role, tier), []).append(firm)
    owner = firm_ids[0]
    # Supplies flow tier 3 → 2 → 1 → owner → downstream 1 → 2; each firm 3–8 customers in the next tier.
    flow = [("upstream", 3), ("upstream", 2), ("upstream", 1), ("owner", 0), ("downstream", 1), ("downstream", 2)]
    seen = set()
    for (a, b) in zip(flow, flow[1:]):
        suppliers, customers = by_tier.get(a, []), by_tier.get(b, [])
        if not suppliers or not customers:
            continue
        for s in suppliers:
            for c in rng.sample(customers, min(len(customers), rng.randint(3, 8))):
                if (s, c) in seen:
                    continue
                seen.add((s, c))
                w.row("supplies", chain_id, s, c, f"产品{b[1]}-{rng.randint(1, 6)}", None,
                      "true" if rng.random() < 0.05 else None)
    # Bodies enabling the chain; support for ~15 % of its firms; problems on ~10 %.
    enablers = rng.sample(bodies, min(len(bodies), rng.randint(2, 5)))
    for body_id, services in enablers:
        w.row("support_links", body_id, chain_id, rng.choice(services), "2024-01-01", "active")
    for firm in firm_ids:
        if rng.random() < 0.15:
            body_id, services = rng.choice(enablers)
            if (body_id, firm) not in counters["supports"]:
                counters["supports"].add((body_id, firm))
                w.row("support_links", body_id, firm, rng.choice(services), "2024-03-01",
                      "ended" if rng.random() < 0.1 else "active")
        if rng.random() < 0.10:
            counters["problems"] += 1
            pid = f"P{counters['problems']:07d}"
            status = rng.choice(STATUSES)
            needs = ";".join(sorted(rng.sample(SERVICES[:4], rng.randint(1, 2))))
            w.row("problems", pid, chain_id, firm, f"合成问题{pid}", rng.choice(CATEGORIES),
                  rng.choice(("high", "medium", "low")), status, needs, "2024-05-01",
                  "2025-03-01" if status == "resolved" else None)
            if rng.random() < 0.3:
                body_id, services = rng.choice(enablers)
                w.row("support_links", body_id, pid, rng.choice(services), None, "active")
    for k in range(rng.randint(1, 3)):
        counters["projects"] += 1
        w.row("projects", f"K{counters['projects']:07d}", chain_id, f"合成攻关项目{counters['projects']}", owner, None,
              rng.choice(("planned", "active", "done")), "2026-12-31", round(rng.random(), 2))
    for firm in [owner] + [f for f in firm_ids[1:] if rng.random() < 0.1]:
        for indicator in rng.sample(indicators, 2):
            if (firm, indicator) in counters["readings"]:
                continue  # a firm on two chains reads each indicator once a year
            counters["readings"].add((firm, indicator))
            for year in (2024, 2025):
                w.row("readings", firm, indicator, year, round(rng.uniform(80, 100), 2))
    for indicator in rng.sample(indicators, 2):
        w.row("targets", chain_id, indicator, 2025, round(rng.uniform(90, 99), 2))


def write_city(folder, firms: int = 100_000, seed: int = 1, sizes: list[int] | None = None) -> dict[str, int]:
    """Write the synthetic city to ``folder`` (one CSV per sheet); rows written per sheet."""
    rng = random.Random(seed)
    folder = Path(folder)
    w = _Writer(folder)
    sizes = sizes or chain_sizes(firms, rng)
    total = sum(sizes)
    for i in range(total):
        w.row("enterprises", f"E{i:07d}", f"合成企业{i:07d}", SIZES[i % len(SIZES)] if i % 97 else "large",
              DISTRICTS[i % len(DISTRICTS)], None)
    n_bodies = max(8, total // 200)
    bodies = []
    for b in range(n_bodies):
        services = tuple(sorted(rng.sample(SERVICES, rng.randint(1, 2))))
        bodies.append((f"B{b:06d}", services))
        w.row("support_bodies", f"B{b:06d}", f"合成质量技术机构{b:06d}", ";".join(services), "CMA")
    indicators = [f"I{i:03d}" for i in range(20)]
    for i, ind in enumerate(indicators):
        w.row("indicators", ind, f"合成指标{i}", "%", "higher", f"GB/T {10000 + i}", 85.0, 92.0)
    counters = {"problems": 0, "projects": 0, "supports": set(), "readings": set()}
    start = 0
    for seq, size in enumerate(sizes, 1):
        ids = [f"E{i:07d}" for i in range(start, start + size)]
        # ~2 % of a chain's members also sit on the previous chain's range (a firm on two chains).
        if seq > 1 and size > 20:
            extra = [f"E{rng.randrange(0, start):07d}" for _ in range(max(1, size // 50))]
            ids += [e for e in dict.fromkeys(extra) if e not in ids]
        _write_chain(w, rng, seq, f"C{seq:05d}", ids, bodies, indicators, counters)
        start += size
    for t in range(max(4, len(sizes) // 20)):
        targets = ";".join(f"C{rng.randint(1, len(sizes)):05d}" for _ in range(3))
        w.row("policy_tools", f"T{t:05d}", f"合成政策工具{t}", rng.choice(("showcase", "incentive", "constraint")),
              "市场监管局", ";".join(dict.fromkeys(targets.split(";"))))
    w.close()
    return dict(w.rows)


def big_chain(folder, firms: int = 20_000, seed: int = 1) -> dict[str, int]:
    """One chain of ``firms`` firms alone (the map and betweenness benchmarks)."""
    return write_city(folder, firms, seed, sizes=[firms])


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/qmap-city")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    print(write_city(out, n))

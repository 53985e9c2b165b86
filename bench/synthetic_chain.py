"""A seeded synthetic chain in the intake format, for benchmarks at scale.

:func:`synthetic_chain` returns the rows of one chain of ``n_firms`` firms as intake tables
(``read_tables`` validates them like any workbook): an owner, five upstream tiers that grow
towards the raw materials, two downstream tiers and some midstream firms; every firm but
the owner has 3–8 supply links (to customers one tier nearer the owner on the upstream
side, to customers one tier further on the downstream side), one product family per firm;
problems on about 10 % of the firms (needs among the four NQI pillars, a mix of statuses);
support bodies (~1.5 % of the firms) that ENABLE the chain and SUPPORT a few firms, some
addressing problems; indicators with readings for about 10 % of the firms.

Small on purpose, and in memory (no files): ``bench/bench_maps.py`` uses it for the
page-writing figure. (The scale benchmarks' ``bench/synthetic.py`` writes a whole synthetic
city as CSV; pass ``chain_id``, ``id_prefix`` and ``district`` here to put several of these
chains side by side.)

>>> tables = synthetic_chain(200, seed=1)
>>> len(tables["enterprises"]), tables["members"][0]["role"]
(200, 'owner')
"""

from __future__ import annotations

import random

__all__ = ["synthetic_chain"]

PRODUCTS = ("晶圆", "衬底", "外延片", "芯片", "封装", "模组", "玻璃", "涂层", "电池片", "组件", "支架", "线缆", "铜材",
            "硅料", "胶膜", "背板", "接线盒", "逆变器")
SYLLABLES = "华申浦江沪东海鑫源恒泰博瑞宏达联创新锐精密智能光电材料装备科技工业"
PILLARS = ("metrology", "standards", "testing", "certification")
SERVICES = PILLARS + ("quality_management", "training")

#: Share of the firms in each tier (negative: upstream, "mid": midstream).
TIER_WEIGHTS = {-5: 16, -4: 14, -3: 12, -2: 10, -1: 8, 1: 12, 2: 14, "mid": 14}


def _name(rng: random.Random, i: int, suffix: str = "有限公司") -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(4)) + f"{i:05d}{suffix}"


def synthetic_chain(n_firms: int = 20_000, seed: int = 17, chain_id: str = "S1", id_prefix: str = "S",
                    district: str = "浦东新区") -> dict[str, list[dict]]:
    """Intake tables (sheet → row dicts) of one synthetic chain of ``n_firms`` firms."""
    rng = random.Random(seed)
    total = sum(TIER_WEIGHTS.values())
    tiers: dict = {0: [f"{id_prefix}F{0:06d}"]}
    i = 1
    for tier, weight in TIER_WEIGHTS.items():
        count = max(1, round((n_firms - 1) * weight / total))
        if tier == "mid":
            count = max(1, n_firms - i)  # the rest, so the total is exact
        tiers[tier] = [f"{id_prefix}F{i + k:06d}" for k in range(count)]
        i += count
    firms = [f for group in tiers.values() for f in group][:n_firms]
    family = {f: rng.choice(PRODUCTS) for f in firms}

    chains = [{"chain_id": chain_id, "seq": 1, "name": f"合成产业链 {chain_id}（{n_firms} 家企业）", "district": district,
               "leader": f"{district}市场监管局", "key": "是", "industry": "合成数据"}]
    sizes = ("large", "medium", "small", "small", "micro", "micro")
    enterprises = [{"enterprise_id": f, "name": _name(rng, k), "size": "large" if k == 0 else rng.choice(sizes),
                    "district": district, "uscc": None} for k, f in enumerate(firms)]
    members = []
    for tier, group in tiers.items():
        for f in group:
            if tier == 0:
                members.append({"chain_id": chain_id, "enterprise_id": f, "role": "owner", "tier": 0})
            elif tier == "mid":
                members.append({"chain_id": chain_id, "enterprise_id": f, "role": "midstream", "tier": None})
            else:
                members.append({"chain_id": chain_id, "enterprise_id": f,
                                "role": "upstream" if tier < 0 else "downstream", "tier": abs(tier)})

    supplies, seen = [], set()

    def supply(u: str, v: str) -> None:
        if u != v and (u, v) not in seen:
            seen.add((u, v))
            supplies.append({"chain_id": chain_id, "supplier_id": u, "customer_id": v, "product": family[u],
                             "share": None, "critical": "是" if rng.random() < 0.03 else None})

    nearer = {-5: -4, -4: -3, -3: -2, -2: -1, -1: 0}
    for tier, customer_tier in nearer.items():
        customers = tiers[customer_tier] + (tiers["mid"][: len(tiers["mid"]) // 3] if tier == -1 else [])
        for f in tiers[tier]:
            for c in rng.sample(customers, k=min(len(customers), rng.randint(3, 8))):
                supply(f, c)
    for f in tiers[1]:
        supply(tiers[0][0], f)
        for c in rng.sample(tiers[2], k=min(len(tiers[2]), rng.randint(2, 7))):
            supply(f, c)
    for f in tiers["mid"]:
        for c in rng.sample(tiers[1], k=min(len(tiers[1]), rng.randint(2, 5))):
            supply(f, c)
        for s in rng.sample(tiers[-2], k=min(len(tiers[-2]), rng.randint(1, 3))):
            supply(s, f)

    n_bodies = max(4, n_firms * 3 // 200)
    bodies, links = [], []
    for b in range(n_bodies):
        bid = f"{id_prefix}Q{b:05d}"
        services = rng.sample(SERVICES, k=rng.randint(1, 3))
        bodies.append({"body_id": bid, "name": _name(rng, b, "检测中心"), "services": ";".join(services),
                       "accreditations": "CMA"})
        links.append({"body_id": bid, "target_id": chain_id, "service": None, "since": None, "status": None})
        for f in rng.sample(firms, k=min(len(firms), rng.randint(2, 8))):
            links.append({"body_id": bid, "target_id": f, "service": rng.choice(services), "since": None,
                          "status": rng.choice(("active", "active", "active", "ended"))})

    problems = []
    for k, f in enumerate(rng.sample(firms, k=max(1, n_firms // 10))):
        status = rng.choice(("open", "open", "in_progress", "resolved"))
        problems.append({"problem_id": f"{id_prefix}P{k:06d}", "chain_id": chain_id, "enterprise_id": f,
                         "title": f"{family[f]}质量波动{k}", "category": "product",
                         "severity": rng.choice(("high", "medium", "low")), "status": status,
                         "needs": ";".join(rng.sample(PILLARS, k=rng.randint(1, 2))),
                         "raised_on": "2025-03-01", "resolved_on": "2025-09-30" if status == "resolved" else None})
    for p in rng.sample(problems, k=len(problems) // 4):
        links.append({"body_id": rng.choice(bodies)["body_id"], "target_id": p["problem_id"], "service": None,
                      "since": None, "status": None})

    indicators = [{"indicator_id": f"{id_prefix}I{k:02d}", "name": f"合成指标{k}", "unit": "%",
                   "direction": "higher", "standard": None, "national_limit": 90.0, "industry_limit": 95.0}
                  for k in range(5)]
    readings = [{"enterprise_id": f, "indicator_id": rng.choice(indicators)["indicator_id"], "year": 2025,
                 "value": round(rng.uniform(85, 99), 1)} for f in rng.sample(firms, k=max(1, n_firms // 10))]
    readings = list({(r["enterprise_id"], r["indicator_id"]): r for r in readings}.values())
    return {"chains": chains, "enterprises": enterprises, "members": members, "supplies": supplies,
            "support_bodies": bodies, "support_links": links, "problems": problems, "indicators": indicators,
            "readings": readings}

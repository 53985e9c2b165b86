// support-suggestions — 供需对接：为每个缺口推荐可提供该服务的机构
//
// Answers: for each gap of the chain, which bodies could fill it, best first?
//   targets: each unresolved problem (open or in_progress) with missing services, as in
//            uncovered-problems (one target per missing service); each unsupported SME,
//            as in sme-unsupported (one target per service its unresolved problems of
//            this chain need, or per NQI pillar when those problems need none).
//   candidates: every body whose services include the target's service.
//   order:   reach — 'chain' (the body ENABLES this chain, whatever the link's service
//            or status), then 'district' (it ENABLES another chain of the same
//            district; a chain without a district has none), then 'city' (any other
//            body); within a reach, fewer active (or blank-status) SUPPORTS and
//            ADDRESSES links first (active_links, spare capacity), then body_id.
//   At most 3 bodies per target and service (rank 1–3); a service no body offers has
//   no row.
//
// Parameters:
//   $chain  chain id (string), or null for every chain
//
// Returns: chain_id, target_kind ('problem' or 'enterprise'), target_id, service,
// rank, body_id, reach, active_links, target_name, body_name.
//
// Examples:
//   :param chain => 'SH02'   then run this file (Neo4j Browser, cypher-shell);
//                            :param chain => null for every chain
//   qmap query support-suggestions --param chain=SH02          (these rows)
//   qmap analyze support-suggestions --chain SH02 --neo4j      (the analysis)
//
// Plain Cypher for Neo4j 5.26 Community (no APOC, no GDS).

// The chain by its id constraint when $chain is given (an index seek, not a scan of every
// chain), else every chain.
CALL () {
  MATCH (c:Chain {id: $chain}) RETURN c
  UNION
  WITH $chain AS chosen WHERE chosen IS NULL
  MATCH (c:Chain) RETURN c
}
CALL {
  WITH c
  // the chain's problems, expanded from the chain (the list keeps the planner from reading
  // every problem through the status index instead)
  UNWIND COLLECT { MATCH (c)<-[:IN_CHAIN]-(q:Problem) RETURN q } AS p
  WITH c, p
  WHERE p.status IN ['open', 'in_progress'] AND size(coalesce(p.needs, [])) > 0
  WITH p,
       [(b:SupportBody)-[l:ADDRESSES]->(p)
            WHERE coalesce(l.status, 'active') = 'active'
          | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END]
     + [(b:SupportBody)-[l:SUPPORTS]->(:Enterprise)<-[:AFFECTS]-(p)
            WHERE coalesce(l.status, 'active') = 'active'
          | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END]
     + [(b:SupportBody)-[l:PARTNERS_IN]->(:Project)-[:TACKLES]->(p)
            WHERE coalesce(l.status, 'active') = 'active'
          | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END] AS offered
  WITH p, reduce(acc = [], services IN offered | acc + services) AS covered
  UNWIND [s IN p.needs WHERE NOT s IN covered] AS service
  RETURN DISTINCT 'problem' AS kind, p.id AS target, p.name AS name, service
  UNION
  WITH c
  MATCH (e:Enterprise)-[:MEMBER_OF]->(c)
  WHERE e.sme = true
    AND NOT EXISTS { (:SupportBody)-[l:SUPPORTS]->(e) WHERE coalesce(l.status, 'active') = 'active' }
  // the firm's own few problems, kept when they are this chain's (from the firm, not from the chain:
  // a big chain has thousands of problems, and this runs for each of its SMEs)
  UNWIND [(e)<-[:AFFECTS]-(q:Problem) WHERE (q)-[:IN_CHAIN]->(c) | q] AS p
  WITH e, p
  WHERE p.status IN ['open', 'in_progress']
  WITH e, reduce(acc = [], needs IN collect(coalesce(p.needs, [])) | acc + needs) AS needs
  UNWIND CASE WHEN size(needs) = 0 THEN ['metrology', 'standards', 'testing', 'certification'] ELSE needs END
         AS service
  RETURN DISTINCT 'enterprise' AS kind, e.id AS target, e.name AS name, service
}
// The ranking depends on the chain and the service only, not on the target: each service the
// chain's targets need is ranked once, not once per target. The rows come out in order (chain
// seq and id, target kind descending, target, service, rank) by sorting the small rows before
// they are collected, not by a last ORDER BY: that sort would hold the chain's whole list of
// targets once per row (thousands of targets for a 20,000-firm chain ran out of transaction memory).
WITH c, kind, target, name, service
ORDER BY c.seq, c.id, kind DESC, target, service
WITH c, collect({kind: kind, target: target, name: name, service: service}) AS targets
ORDER BY c.seq, c.id
CALL (c, targets) {
  UNWIND targets AS t
  WITH DISTINCT t.service AS service
  WITH collect(service) AS services
  // The bodies that enable this chain (reach 0) or another chain of its district (reach 1), found
  // from the chain, each one's load counted once for all the services: a few hundred bodies,
  // where ranking every body of the city for every service read them all.
  WITH services, COLLECT { MATCH (c)<-[:ENABLES]-(b:SupportBody) RETURN DISTINCT b } AS enablers
  CALL (c, services, enablers) {
    CALL (c, enablers) {
      UNWIND enablers AS b
      RETURN b, 0 AS reach, 0 AS ended
      UNION ALL
      MATCH (o:Chain {district: c.district})<-[:ENABLES]-(b:SupportBody)  // the chain_district index
      WHERE o <> c
      RETURN b, 1 AS reach, 0 AS ended
      UNION ALL
      // Every link of the city that is not active (its status other than 'active' or blank), by
      // the status indexes (a missing index is a warning, not an error): a few per cent of the
      // links, where reading the status of every link of the district's bodies was most of
      // this query's time. A body's load is its links less these.
      MATCH (b)-[l:SUPPORTS]->() USING INDEX l:SUPPORTS(status) WHERE l.status < 'active' OR l.status > 'active'
      RETURN b, null AS reach, count(*) AS ended
      UNION ALL
      MATCH (b)-[l:ADDRESSES]->() USING INDEX l:ADDRESSES(status) WHERE l.status < 'active' OR l.status > 'active'
      RETURN b, null AS reach, count(*) AS ended
    }
    // one row per body (the join of the three by node): its nearest reach, its links not active
    WITH b, min(reach) AS reach, sum(ended) AS ended
    WHERE reach IS NOT NULL
    WITH b, reach, ended, coalesce(b.services, []) AS offers
    WHERE any(s IN services WHERE s IN offers)
    WITH b, reach, offers, COUNT { (b)-[:SUPPORTS|ADDRESSES]->() } - ended AS load
    RETURN collect({id: b.id, name: b.name, reach: reach, load: load, offers: offers}) AS near  // also when none
  }
  UNWIND services AS service
  CALL (service, near) {
    UNWIND near AS x
    WITH x WHERE service IN x.offers
    ORDER BY x.reach, x.load, x.id
    LIMIT 3
    RETURN collect(x) AS close
  }
  // Any other body of the city (reach 'city') only when fewer than three are near.
  CALL (service, near, close) {
    // (an UNWIND, not a WHERE: the planner would move a WHERE after the scan of every body)
    UNWIND CASE WHEN size(close) < 3 THEN [service] ELSE [] END AS wanted
    MATCH (b:SupportBody)
    WHERE wanted IN coalesce(b.services, []) AND NOT b.id IN [x IN near | x.id]
    WITH b, COUNT { (b)-[l:SUPPORTS|ADDRESSES]->() WHERE coalesce(l.status, 'active') = 'active' } AS load
    ORDER BY load, b.id
    LIMIT 3
    RETURN collect({id: b.id, name: b.name, reach: 2, load: load}) AS far
  }
  RETURN collect({service: service, best: (close + far)[0..3]}) AS ranked
}
UNWIND targets AS t
WITH c, t, [r IN ranked WHERE r.service = t.service][0].best AS best
UNWIND range(0, size(best) - 1) AS i
RETURN c.id AS chain_id,
       t.kind AS target_kind,
       t.target AS target_id,
       t.service AS service,
       i + 1 AS rank,
       best[i].id AS body_id,
       ['chain', 'district', 'city'][best[i].reach] AS reach,
       best[i].load AS active_links,
       t.name AS target_name,
       best[i].name AS body_name

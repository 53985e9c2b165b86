// uncovered-problems — 未被任何机构覆盖所需服务的未解决质量问题
//
// Answers: which unresolved problems (status open or in_progress) need a service
// that no body covers? A body covers service s for problem p when it ADDRESSES p,
// or SUPPORTS p's affected enterprise, or PARTNERS_IN a project that TACKLES p —
// with s named on that link, or, where the link names no service, with s among the
// body's services. Only an active (or blank-status) link covers: an ended
// link (已结束) no longer does. A problem that
// needs nothing is never uncovered. `missing` is sorted alphabetically.
//
// Parameters:
//   $chain  chain id (string), or null for every chain
//
// Returns: chain_id, problem_id, enterprise_id (null when the problem names no
// firm), missing (list of service codes), title, severity, status.
//
// Examples:
//   :param chain => 'SH01'   then run this file (Neo4j Browser, cypher-shell);
//                            :param chain => null for every chain
//   qmap query uncovered-problems --param chain=SH01          (these rows)
//   qmap analyze uncovered-problems --chain SH01 --neo4j      (the analysis)
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
// The chain's problems, expanded from the chain (the list keeps the planner from reading
// every problem through the status index instead).
UNWIND COLLECT { MATCH (c)<-[:IN_CHAIN]-(q:Problem) RETURN q } AS p
WITH c, p
WHERE p.status IN ['open', 'in_progress'] AND size(coalesce(p.needs, [])) > 0
WITH c, p,
     [(b:SupportBody)-[l:ADDRESSES]->(p)
          WHERE coalesce(l.status, 'active') = 'active'
        | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END]
   + [(b:SupportBody)-[l:SUPPORTS]->(:Enterprise)<-[:AFFECTS]-(p)
          WHERE coalesce(l.status, 'active') = 'active'
        | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END]
   + [(b:SupportBody)-[l:PARTNERS_IN]->(:Project)-[:TACKLES]->(p)
          WHERE coalesce(l.status, 'active') = 'active'
        | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END] AS offered
WITH c, p, reduce(acc = [], services IN offered | acc + services) AS covered
WITH c, p, [s IN p.needs WHERE NOT s IN covered] AS missing
WHERE size(missing) > 0
RETURN c.id AS chain_id,
       p.id AS problem_id,
       COLLECT { MATCH (p)-[:AFFECTS]->(e:Enterprise) RETURN e.id }[0] AS enterprise_id,
       COLLECT { UNWIND missing AS s RETURN DISTINCT s ORDER BY s } AS missing,
       p.title AS title,
       p.severity AS severity,
       p.status AS status
ORDER BY c.seq, chain_id, problem_id

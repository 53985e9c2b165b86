// sme-unsupported — 有未解决问题却没有任何机构帮扶的中小企业
//
// Answers: which SME members (sme = true: every size but large, and unknown size)
// have at least one unresolved problem (open or in_progress) in that chain and no
// active SUPPORTS link from any body (whatever its service; an ended link is no support)?
//
// Parameters:
//   $chain  chain id (string), or null for every chain
//
// Returns: chain_id, enterprise_id, problems (ids of its unresolved problems in
// the chain, sorted), name, size.
//
// Examples:
//   :param chain => 'SH01'   then run this file (Neo4j Browser, cypher-shell);
//                            :param chain => null for every chain
//   qmap query sme-unsupported --param chain=SH01             (these rows)
//   qmap analyze sme-unsupported --chain SH01 --neo4j         (the analysis)
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
MATCH (e:Enterprise)-[:MEMBER_OF]->(c)
WHERE e.sme = true
  AND NOT EXISTS { (:SupportBody)-[l:SUPPORTS]->(e) WHERE coalesce(l.status, 'active') = 'active' }
// The firm's unresolved problems in this chain, expanded from the firm (the list keeps the
// planner from reading every problem through the status index instead).
WITH c, e, COLLECT {
  UNWIND COLLECT { MATCH (e)<-[:AFFECTS]-(q:Problem)-[:IN_CHAIN]->(c) RETURN q } AS p
  WITH p
  WHERE p.status IN ['open', 'in_progress']
  RETURN DISTINCT p.id AS id ORDER BY id
} AS problems
WHERE size(problems) > 0
RETURN c.id AS chain_id,
       e.id AS enterprise_id,
       problems,
       e.name AS name,
       e.size AS size
ORDER BY c.seq, chain_id, enterprise_id

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
// The firm's unresolved problems in this chain, expanded from the firm: its own few problems,
// kept when they are this chain's (a list, so the planner neither reads every problem through
// the status index nor expands the chain's thousands of problems once per SME).
WITH c, e, COLLECT {
  UNWIND [(e)<-[:AFFECTS]-(q:Problem) WHERE (q)-[:IN_CHAIN]->(c) | q] AS p
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

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

MATCH (c:Chain)
WHERE $chain IS NULL OR c.id = $chain
MATCH (e:Enterprise)-[:MEMBER_OF]->(c)
WHERE e.sme = true
  AND NOT EXISTS { (:SupportBody)-[l:SUPPORTS]->(e) WHERE coalesce(l.status, 'active') = 'active' }
MATCH (p:Problem)-[:IN_CHAIN]->(c), (p)-[:AFFECTS]->(e)
WHERE p.status IN ['open', 'in_progress']
WITH c, e, collect(DISTINCT p.id) AS problemIds
RETURN c.id AS chain_id,
       e.id AS enterprise_id,
       COLLECT { UNWIND problemIds AS id RETURN id ORDER BY id } AS problems,
       e.name AS name,
       e.size AS size
ORDER BY c.seq, chain_id, enterprise_id

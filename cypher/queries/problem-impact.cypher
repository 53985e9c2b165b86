// problem-impact — 质量问题沿本链供应关系向下游波及的企业及最少跳数
//
// Answers: which enterprises lie downstream of the problem's affected enterprise,
// and how many SUPPLIES hops away is each at the fewest? Only SUPPLIES edges of the
// problem's own chain (r.chain = the problem's chain id) are followed, so a firm on
// two chains never passes the problem along another chain's supplies. The affected
// enterprise itself is not listed, even when a cycle leads back to it. A problem
// with no affected enterprise returns no rows; so does an unknown id (the qmap
// command checks ids first and reports an unknown one as an error).
//
// Parameters:
//   $problem  problem id (string), required
//
// Returns: problem_id, chain_id, enterprise_id, hops (1 = direct customer), name.
//
// Examples:
//   :param problem => 'P0002'   then run this file (Neo4j Browser, cypher-shell)
//   qmap query problem-impact --param problem=P0002           (these rows)
//   qmap analyze problem-impact --problem P0002 --neo4j       (the analysis)
//
// Plain Cypher for Neo4j 5.26 Community (no APOC, no GDS): ANY SHORTEST with a
// quantified relationship (Cypher 5.21+) runs one breadth-first search per problem.

MATCH (p:Problem {id: $problem})-[:IN_CHAIN]->(c:Chain)
MATCH (p)-[:AFFECTS]->(source:Enterprise)
WITH p, c, source, c.id AS chainId
MATCH path = ANY SHORTEST (source)-[r:SUPPLIES WHERE r.chain = chainId]->+(firm:Enterprise)
WHERE firm <> source
RETURN p.id AS problem_id,
       c.id AS chain_id,
       firm.id AS enterprise_id,
       length(path) AS hops,
       firm.name AS name
ORDER BY hops, enterprise_id

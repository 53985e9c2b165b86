// critical-suppliers — 按供应网络介数中心性排序的关键企业
//
// Answers: which members hold the chain's supply network together? Members are
// ranked by betweenness centrality on the chain's directed SUPPLIES graph.
//
// Pure Cypher cannot compute betweenness at scale (it needs every shortest path
// between every ordered pair of firms), and GDS is not available on Community
// without a plugin. So this query returns the chain's supply subgraph — one row
// per member with the customers it SUPPLIES in this chain — and Python computes
// the scores on it: graphmodel.analyses.betweenness_scores, i.e. networkx
// betweenness_centrality(normalized=False) on the DiGraph of members and arcs,
// parallel arcs (several products between the same two firms) collapsed, scores
// rounded to 9 decimals. `qmap analyze critical-suppliers --neo4j` does both
// steps; the embedded backend calls the same function, so the two agree.
//
// Parameters:
//   $chain  chain id (string), or null for every chain
//
// Returns (subgraph): chain_id, enterprise_id, name, customers (ids this member
// SUPPLIES in the chain, distinct). The command then returns chain_id,
// enterprise_id, score, rank (competition ranking: ties share the best rank), name.
//
// Examples:
//   :param chain => 'SH01'   then run this file (Neo4j Browser, cypher-shell);
//                            :param chain => null for every chain
//   qmap query critical-suppliers --param chain=SH01          (these rows)
//   qmap analyze critical-suppliers --chain SH01 --neo4j      (the analysis)
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
RETURN c.id AS chain_id,
       e.id AS enterprise_id,
       e.name AS name,
       COLLECT {
         MATCH (e)-[r:SUPPLIES]->(customer:Enterprise)
         WHERE r.chain = c.id
         RETURN DISTINCT customer.id AS id ORDER BY id
       } AS customers
ORDER BY c.seq, chain_id, enterprise_id

// single-source — 只有唯一供方的（需方, 产品）组合
//
// Answers: which (customer, product) pairs have exactly one supplier in the chain?
// Only SUPPLIES edges of the chain (r.chain) from its members count (as graphmodel.model.chain_supplies). Supplies that name no product
// form one group per customer (product null).
//
// Parameters:
//   $chain  chain id (string), or null for every chain
//
// Returns: chain_id, customer_id, product, supplier_id, share, critical
// (share and critical as given on the single SUPPLIES edge, null when blank).
//
// Examples:
//   :param chain => 'SH01'   then run this file (Neo4j Browser, cypher-shell);
//                            :param chain => null for every chain
//   qmap query single-source --param chain=SH01               (these rows)
//   qmap analyze single-source --chain SH01 --neo4j           (the analysis)
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
// The chain's supplies, found from its members (never by a scan of every SUPPLIES).
MATCH (c)<-[:MEMBER_OF]-(supplier:Enterprise)-[r:SUPPLIES]->(customer:Enterprise)
WHERE r.chain = c.id
WITH c, c.id AS chain_id, customer, r.product AS product,
     collect(DISTINCT supplier) AS suppliers, collect(r) AS links
WHERE size(suppliers) = 1
RETURN chain_id,
       customer.id AS customer_id,
       product,
       suppliers[0].id AS supplier_id,
       links[0].share AS share,
       links[0].critical AS critical
ORDER BY c.seq, chain_id, customer_id, product, supplier_id

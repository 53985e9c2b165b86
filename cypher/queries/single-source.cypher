// single-source — 只有唯一供方的（需方, 产品）组合
//
// Answers: which (customer, product) pairs have exactly one supplier in the chain?
// Only SUPPLIES edges of the chain (r.chain) count. Supplies that name no product
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

MATCH (supplier:Enterprise)-[r:SUPPLIES]->(customer:Enterprise)
WHERE $chain IS NULL OR r.chain = $chain
WITH r.chain AS chain_id, customer, r.product AS product,
     collect(DISTINCT supplier) AS suppliers, collect(r) AS links
WHERE size(suppliers) = 1
MATCH (c:Chain {id: chain_id})
RETURN chain_id,
       customer.id AS customer_id,
       product,
       suppliers[0].id AS supplier_id,
       links[0].share AS share,
       links[0].critical AS critical
ORDER BY c.seq, chain_id, customer_id, product, supplier_id

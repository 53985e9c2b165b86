// Clean-up after a load, after withdraw_rels.cypher: up to $batch nodes still carrying run
// mark $mark of source $source (found by the full-text index on qmap_marks). A node no
// source gives any more is deleted -- unless another source still gives a relationship to
// it (a reference across sources), in which case it stays, bare, for that relationship.
// Placeholders: __WITHDRAW__ (withdraw.cypher with x = n), __LABEL_RULES__ (as in
// merge_nodes.cypher, for every primary label). Run until it returns fewer than $batch.
CALL db.index.fulltext.queryNodes('qmap_node_marks', $mark) YIELD node
WITH node AS x LIMIT $batch
__WITHDRAW__
WITH x, kept
__LABEL_RULES__
WITH x, kept
FOREACH (_ IN CASE WHEN size(kept) = 0 AND NOT EXISTS { (x)--() } THEN [1] ELSE [] END | DELETE x)
RETURN count(*) AS withdrawn

// Clean-up after a load: up to $batch relationships still carrying run mark $mark of source
// $source -- what an earlier load of that source gave and this one no longer does -- found
// by the full-text index on qmap_marks (cost in proportion to what changed, not to the size
// of the database). A relationship no source gives any more is deleted.
// Placeholders: __WITHDRAW__ (withdraw.cypher with x = r). Run until it returns fewer than $batch.
CALL db.index.fulltext.queryRelationships('qmap_rel_marks', $mark) YIELD relationship
WITH relationship AS x LIMIT $batch
__WITHDRAW__
WITH x, kept
FOREACH (_ IN CASE WHEN size(kept) = 0 THEN [1] ELSE [] END | DELETE x)
RETURN count(*) AS withdrawn

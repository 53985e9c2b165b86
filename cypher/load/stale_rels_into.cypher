// Relationships entering the nodes $ids of one label (the reloaded chains, their problems
// and projects) from nodes that are not in the workbook ($known: every id in it; the others
// are covered by stale_rels_from.cypher). __LABEL__ from graphmodel/schema.py.
UNWIND $ids AS id
MATCH (a)-[r]->(b:__LABEL__ {id: id})
WHERE NOT a.id IN $known
RETURN a.id AS start, type(r) AS type, b.id AS end, labels(a) AS start_labels, labels(b) AS end_labels,
       properties(r) AS props

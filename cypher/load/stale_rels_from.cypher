// Relationships leaving the nodes of one label that the workbook does not have: the reload
// checks these against its clean-up rules. Each row names a node and the keys of the
// relationships it should have (end id + '>' + graphmodel.schema.rel_key), so the ones that
// are in the workbook are never sent back.
// Placeholders from graphmodel/schema.py: __LABEL__, and __REL_KEY__ (rel_key spelt in
// Cypher, e.g. `type(r) + CASE type(r) WHEN 'SUPPLIES' THEN '|' + coalesce(toString(r.chain), '') … END`).
// $rows: [{id, keys}]
UNWIND $rows AS row
MATCH (a:__LABEL__ {id: row.id})-[r]->(b)
WITH a, r, b, row, b.id + '>' + __REL_KEY__ AS key
WHERE NOT key IN row.keys
RETURN a.id AS start, type(r) AS type, b.id AS end, labels(a) AS start_labels, labels(b) AS end_labels,
       properties(r) AS props

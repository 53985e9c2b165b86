// Every relationship leaving the nodes $ids of one label: what the reload compares against
// the workbook, and what read-back turns into edges.
// __LABEL__ from graphmodel/schema.py. $ids: [id]
UNWIND $ids AS id
MATCH (a:__LABEL__ {id: id})-[r]->(b)
RETURN a.id AS start, type(r) AS type, b.id AS end, labels(a) AS start_labels, labels(b) AS end_labels,
       properties(r) AS props

// The SUPPLIES of the chains $chains whose supplier is not in the workbook ($known: every id
// in it; supplies from firms in the workbook are covered by stale_rels_from.cypher).
MATCH (a:Enterprise)-[r:SUPPLIES]->(b:Enterprise)
WHERE r.chain IN $chains AND NOT a.id IN $known
RETURN a.id AS start, type(r) AS type, b.id AS end, labels(a) AS start_labels, labels(b) AS end_labels,
       properties(r) AS props

// Upsert one batch of relationships of one type between nodes of one start and end label.
// Placeholders, filled in only from graphmodel/schema.py:
//   __START__, __END__, __TYPE__  labels and relationship type
//   __CONTRIBUTE__                contribute.cypher with x = r
// A relationship is identified by its ends, its type and qmap_key, the model's edge key
// (graphmodel.schema.rel_key: the type and its identity properties, e.g. `SUPPLIES|C1|玻璃`,
// `SUPPORTS|` for a link naming no service). The key is never null, so MERGE finds the one
// relationship (and, locking both ends, a concurrent load cannot create a second).
// $rows: [[start, end, key, props, g]]; $given and $loading as in merge_nodes.cypher.
UNWIND $rows AS row
MATCH (a:__START__ {id: row[0]})
MATCH (b:__END__ {id: row[1]})
MERGE (a)-[r:__TYPE__ {qmap_key: row[2]}]->(b)
WITH r AS x, row[0] + ' ' + row[2] + ' ' + row[1] AS ref, row[3] AS props, $given[row[4]] AS given
__CONTRIBUTE__
WITH ref, clash, [e IN given WHERE NOT e[0] IN was | e[0]] AS added
WITH collect(CASE WHEN size(clash) > 0 THEN [ref] + clash END) AS clashes, collect(added) AS added
RETURN clashes, [s IN $loading | size([a IN added WHERE s IN a])] AS added

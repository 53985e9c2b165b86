// Upsert one batch of relationships of one type between nodes of one start and end label.
// Placeholders, filled in only from graphmodel/schema.py:
//   __START__, __END__, __TYPE__  labels and relationship type
//   __IDENTITY__                  the identity map of schema.REL_IDENTITY, e.g.
//                                 `{chain: row.identity.chain, product: row.identity.product}`,
//                                 or nothing for types whose end nodes identify them
// $rows: [{start, end, identity, props}], every identity value non-null (rows with a missing
// identity value go through merge_rels_nullable.cypher: MERGE cannot match on null).
UNWIND $rows AS row
MATCH (a:__START__ {id: row.start})
MATCH (b:__END__ {id: row.end})
MERGE (a)-[r:__TYPE__ __IDENTITY__]->(b)
SET r = row.props

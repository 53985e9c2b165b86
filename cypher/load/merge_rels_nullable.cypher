// Upsert relationships whose identity has a missing (null) value, e.g. a SUPPORTS link that
// names no service. MERGE cannot match on null, so this is MERGE spelt out: find the
// relationship whose identity values are equal or both missing, update it, else create it.
// Duplicates (two relationships with one identity) are folded into one, so a re-run converges.
// Placeholders as in merge_rels.cypher, plus
//   __SAME_IDENTITY__  e.g. `(old.service = row.identity.service OR (old.service IS NULL AND row.identity.service IS NULL))`
UNWIND $rows AS row
MATCH (a:__START__ {id: row.start})
MATCH (b:__END__ {id: row.end})
OPTIONAL MATCH (a)-[old:__TYPE__]->(b)
WHERE __SAME_IDENTITY__
WITH a, b, row, collect(old) AS found
FOREACH (extra IN found[1..] | DELETE extra)
FOREACH (r IN found[0..1] | SET r = row.props)
FOREACH (_ IN CASE WHEN size(found) = 0 THEN [1] ELSE [] END |
  CREATE (a)-[r:__TYPE__]->(b)
  SET r = row.props)

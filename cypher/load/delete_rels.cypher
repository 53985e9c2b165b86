// Delete relationships that belong to the reloaded chains but are gone from the workbook.
// Placeholders as in merge_rels_nullable.cypher. $rows: [{start, end, identity}].
UNWIND $rows AS row
MATCH (a:__START__ {id: row.start})-[r:__TYPE__]->(b:__END__ {id: row.end})
WHERE __SAME_IDENTITY__
DELETE r

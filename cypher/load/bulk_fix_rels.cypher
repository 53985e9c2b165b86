// After a bulk import (graphmodel/store/bulk.py): the relationship properties a neo4j-admin
// CSV cannot carry (most often qmap_given = [''], a relationship of one source with no
// properties of its own), set as a plain load sets them. $rows: [[start, end, key, props]].
// Placeholders: __START__, __TYPE__, __END__.
UNWIND $rows AS row
MATCH (a:__START__ {id: row[0]})-[r:__TYPE__ {qmap_key: row[2]}]->(b:__END__ {id: row[1]})
SET r += row[3]

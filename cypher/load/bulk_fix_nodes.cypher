// After a bulk import (graphmodel/store/bulk.py): the few node properties a neo4j-admin CSV
// cannot carry (an empty list, [''], a list of mixed types, an infinite float), set as a
// plain load sets them (`SET x += props`). $rows: [[id, props]]. Placeholder: __LABEL__.
UNWIND $rows AS row
MATCH (n:__LABEL__ {id: row[0]})
SET n += row[1]

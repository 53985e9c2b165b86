// Delete nodes (and every relationship they have) that the reloaded chains used, that are
// gone from the workbook and that no other chain uses. __LABEL__ from graphmodel/schema.py.
// $ids: [id]
UNWIND $ids AS id
MATCH (n:__LABEL__ {id: id})
DETACH DELETE n

// The nodes $ids of one label. __LABEL__ from graphmodel/schema.py.
UNWIND $ids AS id
MATCH (n:__LABEL__ {id: id})
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props

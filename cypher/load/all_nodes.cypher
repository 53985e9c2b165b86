// Every qmap node (one with a schema label and an id), for read-back of the whole database.
MATCH (n)
WHERE n.id IS NOT NULL AND any(l IN labels(n) WHERE l IN $labels)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props

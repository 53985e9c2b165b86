// Before a load writes anything: the nodes $ids of one label that a source NOT being loaded
// gives, with their properties and bookkeeping, to check for conflicts. __LABEL__ from
// graphmodel/schema.py.
UNWIND $ids AS id
MATCH (n:__LABEL__ {id: id})
WHERE any(s IN coalesce(n.sources, []) WHERE NOT s IN $loading)
RETURN n.id AS ref, properties(n) AS props

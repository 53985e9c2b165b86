// As given_nodes.cypher, for relationships of one type: $rows [{start, end, key}].
UNWIND $rows AS row
MATCH (a:__START__ {id: row.start})-[r:__TYPE__ {qmap_key: row.key}]->(b:__END__ {id: row.end})
WHERE any(s IN coalesce(r.sources, []) WHERE NOT s IN $loading)
RETURN [row.start, row.key, row.end] AS ref, properties(r) AS props

// Before a load: a relationship that names one thing for its start node (a problem's chain
// or affected firm: __TYPE__ from __START__) or for its end node (a project's lead), given
// by a source NOT being loaded to another node than the loaded row says. The one-side end of
// $rows [{one, other}] is matched as `one`, the other end must differ.
// Placeholders from graphmodel/schema.py; __PATTERN__ is `(a {id: row.one})-[r:T]->(b)` or
// its mirror, chosen by the loader.
UNWIND $rows AS row
MATCH __PATTERN__
WHERE b.id <> row.other AND any(s IN coalesce(r.sources, []) WHERE NOT s IN $loading)
RETURN row.one AS one, row.other AS other, b.id AS elsewhere,
       [s IN r.sources WHERE NOT s IN $loading] AS sources

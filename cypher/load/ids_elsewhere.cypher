// Before a load: ids among $rows [{id, label}] that a source NOT being loaded already gives to
// a node of another label: one id is one node, so that is a conflict. __ANY_LABEL__ is one
// index lookup per schema label (graphmodel/schema.py), skipping the row's own label.
UNWIND $rows AS row
CALL (row) {
  __ANY_LABEL__
}
WITH row, n
WHERE any(s IN coalesce(n.sources, []) WHERE NOT s IN $loading)
RETURN row.id AS id, row.label AS label, [x IN labels(n) WHERE x <> row.label][0] AS other,
       [s IN n.sources WHERE NOT s IN $loading] AS sources

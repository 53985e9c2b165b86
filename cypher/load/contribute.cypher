// Fragment (not run alone): the sources being loaded ($loading) replace their contributions to
// the node or relationship `x`; what every other source gave stays exactly as it was.
// Filled into merge_nodes.cypher and merge_rels.cypher as __CONTRIBUTE__.
//
// Bookkeeping on x, three lists in the same order (sorted by source name):
//   x.sources      the source names (the `sources` of domain.md)
//   x.qmap_marks   the run mark of each source's latest load, space-separated (one string, so
//                  the full-text indexes of schema.cypher find what a run left behind)
//   x.qmap_given   the property keys each source gave, comma-separated
// props: the properties the loaded sources give (merged, as in the model; not the id); given:
// [[source, mark, keys]] for each loaded source that gives x; ref: what x is, for messages.
//
// The lock comes first (__LOCK__ sets the node's id or the relationship's key to the value it has:
// no change, but the write lock is taken), so what is read next is the latest committed
// state and a concurrent load of another source waits for this one. A property another source
// gives with a different value is a clash: the statement returns it, and the loader rolls the
// whole transaction back (a conflict is never written).
__LOCK__
WITH x, ref, props, given, coalesce(x.sources, []) AS was, split(coalesce(x.qmap_marks, ''), ' ') AS marks,
     coalesce(x.qmap_given, []) AS books
WITH x, ref, props, given, was, [i IN range(0, size(was) - 1) WHERE NOT was[i] IN $loading | [was[i], marks[i], books[i]]] AS kept
WITH x, ref, props, given, was, kept, reduce(acc = [], k IN kept | acc + split(k[2], ',')) AS kept_keys
WITH x, ref, props, given, was, kept, kept_keys,
     [k IN keys(props) WHERE k IN kept_keys AND x[k] IS NOT NULL AND NOT (
        CASE WHEN valueType(x[k]) STARTS WITH 'LIST' AND valueType(props[k]) STARTS WITH 'LIST'
             THEN all(v IN x[k] WHERE v IN props[k]) AND all(v IN props[k] WHERE v IN x[k])
             ELSE x[k] = props[k] END)] AS clash,
     CASE WHEN size(kept) = 0 THEN given
          ELSE COLLECT { UNWIND kept + given AS e RETURN e ORDER BY e[0] } END AS entries
SET x += props,
    x.sources = [e IN entries | e[0]],
    x.qmap_marks = reduce(s = '', e IN entries | s + CASE WHEN s = '' THEN '' ELSE ' ' END + e[1]),
    x.qmap_given = [e IN entries | e[2]]
WITH x, ref, props, given, was, clash, kept_keys + keys(props) AS keep_keys
FOREACH (k IN [k IN keys(x) WHERE NOT k IN keep_keys AND NOT k IN __BOOKKEEPING__] | REMOVE x[k])

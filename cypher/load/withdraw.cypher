// Fragment (not run alone): source $source withdraws the contribution it made to `x` in an
// earlier load (run mark $mark) and no longer makes: its entry leaves x's bookkeeping lists
// (see contribute.cypher) and every property no remaining source gives is removed. Filled
// into withdraw_nodes.cypher and withdraw_rels.cypher as __WITHDRAW__; leaves `kept`, the
// remaining [source, mark, keys] entries.
__LOCK__
WITH x, coalesce(x.sources, []) AS was, split(coalesce(x.qmap_marks, ''), ' ') AS marks,
     coalesce(x.qmap_given, []) AS given
WITH x, [i IN range(0, size(was) - 1) WHERE NOT (was[i] = $source AND marks[i] = $mark)
         | [was[i], marks[i], given[i]]] AS kept
WITH x, kept, reduce(acc = [], k IN kept | acc + split(k[2], ',')) AS kept_keys
SET x.sources = CASE WHEN size(kept) = 0 THEN null ELSE [e IN kept | e[0]] END,
    x.qmap_marks = CASE WHEN size(kept) = 0 THEN null
                        ELSE reduce(s = '', e IN kept | s + CASE WHEN s = '' THEN '' ELSE ' ' END + e[1]) END,
    x.qmap_given = CASE WHEN size(kept) = 0 THEN null ELSE [e IN kept | e[2]] END
WITH x, kept, kept_keys
FOREACH (k IN [k IN keys(x) WHERE NOT k IN kept_keys AND NOT k IN __BOOKKEEPING__] | REMOVE x[k])

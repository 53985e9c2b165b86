// Before a load: enterprises of another id whose uscc (given by a source NOT being loaded)
// is one of $rows [{id, uscc}]: the same uscc under two ids is a conflict.
UNWIND $rows AS row
MATCH (e:Enterprise {uscc: row.uscc})
WHERE e.id <> row.id
WITH row, e, [i IN range(0, size(coalesce(e.sources, [])) - 1)
              WHERE NOT e.sources[i] IN $loading AND 'uscc' IN split(e.qmap_given[i], ',') | e.sources[i]] AS by
WHERE size(by) > 0
RETURN row.id AS id, row.uscc AS uscc, e.id AS other, by AS sources

// Register a load of source $name with run mark $mark before anything of it is written.
// s.runs lists every mark that may still be on a node or relationship of the source (the
// last complete load's, any interrupted load's, and this one's): the clean-up looks for all
// of them but this one. (:QmapSource) is store bookkeeping, never part of the graph.
MERGE (s:QmapSource {name: $name})
SET s.runs = [m IN coalesce(s.runs, []) WHERE m <> $mark] + $mark
RETURN s.runs AS runs

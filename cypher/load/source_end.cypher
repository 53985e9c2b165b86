// A load of source $name with run mark $mark finished and its clean-up is done: only this
// mark is left on its nodes and relationships.
MATCH (s:QmapSource {name: $name})
SET s.runs = [$mark], s.mark = $mark, s.loaded_at = datetime()

// The sources loaded (or being loaded) into the database, with their run marks.
MATCH (s:QmapSource)
RETURN s.name AS name, coalesce(s.runs, []) AS runs, s.mark AS mark
ORDER BY name

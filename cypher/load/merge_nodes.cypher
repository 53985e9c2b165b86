// Upsert one batch of nodes of one primary label for the sources being loaded.
// Placeholders, filled in only from graphmodel/schema.py (never from user text):
//   __LABEL__          the primary label, e.g. Enterprise (the MERGE key is its id constraint)
//   __CONTRIBUTE__     contribute.cypher with x = n: the sources' properties and bookkeeping
//   __LABEL_RULES__    second labels that follow from the merged properties
//                      (schema.DERIVED_LABELS: a body offering training is a :TrainingBase)
//   __REMOVE_LABELS__  every other schema label, e.g. `:District:Problem`
// $rows: [{id, props, given}]; $loading: the names of the sources being loaded.
// Returns the clashes ([id, key…]) and, per loaded source, how many nodes it newly gives.
// Idempotent: the same rows with the same marks change nothing.
UNWIND $rows AS row
MERGE (n:__LABEL__ {id: row.id})
WITH n AS x, row
__CONTRIBUTE__
WITH x, row, was, clash
__LABEL_RULES__
REMOVE x__REMOVE_LABELS__
WITH row, clash, [e IN row.given WHERE NOT e[0] IN was | e[0]] AS added
WITH collect(CASE WHEN size(clash) > 0 THEN [row.id] + clash END) AS clashes, collect(added) AS added
RETURN clashes, [s IN $loading | size([a IN added WHERE s IN a])] AS added

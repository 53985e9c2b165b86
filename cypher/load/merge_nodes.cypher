// Upsert one batch of nodes of one primary label for the sources being loaded.
// Placeholders, filled in only from graphmodel/schema.py (never from user text):
//   __LABEL__          the primary label, e.g. Enterprise (the MERGE key is its id constraint)
//   __CONTRIBUTE__     contribute.cypher with x = n: the sources' properties and bookkeeping
//   __LABEL_RULES__    second labels that follow from the merged properties
//                      (schema.DERIVED_LABELS: a body offering training is a :TrainingBase)
//   __REMOVE_LABELS__  every other schema label, e.g. `:District:Problem`
// $rows: [[id, props, g]] (lists, not maps: less to send), where $given[g] is the node's
// [[source, mark, keys]]; $loading: the names of the sources being loaded.
// Returns the clashes ([id, key…]) and, per loaded source, how many nodes it newly gives.
// Idempotent: the same rows with the same marks change nothing.
UNWIND $rows AS row
MERGE (n:__LABEL__ {id: row[0]})
WITH n AS x, row[0] AS ref, row[1] AS props, $given[row[2]] AS given
__CONTRIBUTE__
WITH x, ref, given, was, clash
__LABEL_RULES__
REMOVE x__REMOVE_LABELS__
WITH ref, clash, [e IN given WHERE NOT e[0] IN was | e[0]] AS added
WITH collect(CASE WHEN size(clash) > 0 THEN [ref] + clash END) AS clashes, collect(added) AS added
RETURN clashes, [s IN $loading | size([a IN added WHERE s IN a])] AS added

// Upsert one batch of nodes that share one set of labels.
// Placeholders, filled in only from graphmodel/schema.py (never from user text):
//   __LABEL__          the primary label, e.g. Enterprise (the MERGE key is its id constraint)
//   __SET_LABELS__     `, n:TrainingBase` for extra labels, or nothing
//   __REMOVE_LABELS__  every other schema label, e.g. `:District:Problem`, so a body that
//                      stopped offering training loses :TrainingBase on reload
// $rows: [{id, props}] -- props holds every property, so `SET n = props` also drops the
// ones that were cleared in the workbook. Idempotent: loading the same rows twice changes nothing.
UNWIND $rows AS row
MERGE (n:__LABEL__ {id: row.id})
SET n = row.props__SET_LABELS__
REMOVE n__REMOVE_LABELS__

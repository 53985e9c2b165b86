// For nodes of one label, every chain they use (the relation of chain_users.cypher, read
// from the node's side). A node gone from the workbook is deleted on reload only if all the
// chains it uses are being reloaded; a firm or body another chain still uses stays.
// __LABEL__ from graphmodel/schema.py. $ids: [id]
UNWIND $ids AS nid
MATCH (n:__LABEL__ {id: nid})
CALL (n) {
  MATCH (n)-[:MEMBER_OF|ENABLES|APPLIES_TO|IN_CHAIN]->(c:Chain)
  RETURN c.id AS chain
  UNION
  MATCH (c:Chain)-[:IN_DISTRICT|TARGETS]->(n)
  RETURN c.id AS chain
  UNION
  MATCH (n:Enterprise)-[s:SUPPLIES]-(:Enterprise)
  RETURN s.chain AS chain
  UNION
  MATCH (n)-[:AFFECTS|LEADS|ADDRESSES|PARTNERS_IN|APPLIES_TO|ABOUT]-(:Problem|Project|Case)-[:IN_CHAIN]->(c:Chain)
  RETURN c.id AS chain
  UNION
  MATCH (n)-[:SUPPORTS|APPLIES_TO|REPORTS]-(:Enterprise)-[:MEMBER_OF]->(c:Chain)
  RETURN c.id AS chain
}
RETURN n.id AS id, collect(DISTINCT chain) AS chains

// The nodes that use the chains $chains: the candidates for clean-up when those chains are
// reloaded (the loader keeps the ones still in the workbook).
// "n uses chain c" means one of:
//   n -[:MEMBER_OF|ENABLES|APPLIES_TO|IN_CHAIN]-> c       members, enabling bodies, tools, problems, projects, cases
//   c -[:IN_DISTRICT|TARGETS]-> n                         its district, its target indicators
//   n -[:SUPPLIES {chain: c.id}]- ()                      firms in its supply network
//   n -[:AFFECTS|LEADS|ADDRESSES|PARTNERS_IN|APPLIES_TO|ABOUT]- (:Problem|Project|Case)-[:IN_CHAIN]-> c
//   n -[:SUPPORTS|APPLIES_TO|REPORTS]- (:Enterprise)-[:MEMBER_OF]-> c
// Keep in step with chain_uses.cypher, which reads the same relation the other way round.
UNWIND $chains AS cid
MATCH (c:Chain {id: cid})
CALL (c) {
  MATCH (n)-[:MEMBER_OF|ENABLES|APPLIES_TO|IN_CHAIN]->(c)
  RETURN n
  UNION
  MATCH (c)-[:IN_DISTRICT|TARGETS]->(n)
  RETURN n
  UNION
  MATCH (n:Enterprise)-[s:SUPPLIES]-(:Enterprise)
  WHERE s.chain = c.id
  RETURN n
  UNION
  MATCH (n)-[:AFFECTS|LEADS|ADDRESSES|PARTNERS_IN|APPLIES_TO|ABOUT]-(:Problem|Project|Case)-[:IN_CHAIN]->(c)
  RETURN n
  UNION
  MATCH (n)-[:SUPPORTS|APPLIES_TO|REPORTS]-(:Enterprise)-[:MEMBER_OF]->(c)
  RETURN n
}
RETURN DISTINCT n.id AS id, labels(n) AS labels

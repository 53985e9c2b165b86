// The nodes of one chain's quality map, as graphmodel.model.chain_subgraph chooses them:
// the chain, its district and target indicators, its members, its problems, projects and cases,
// the bodies and policy tools linked to any of those, and the indicators its members report.
// $chain: chain id
MATCH (c:Chain {id: $chain})
WITH c,
     COLLECT { MATCH (m:Enterprise)-[:MEMBER_OF]->(c) RETURN m } AS members,
     COLLECT { MATCH (p)-[:IN_CHAIN]->(c) RETURN p } AS owned,
     COLLECT { MATCH (c)-[:IN_DISTRICT|TARGETS]->(x) RETURN x } AS around
WITH c, members, around, [c] + members + owned AS focus
WITH focus, around,
     COLLECT { UNWIND focus AS f
               MATCH (b)-[:ENABLES|SUPPORTS|ADDRESSES|PARTNERS_IN|APPLIES_TO]->(f)
               RETURN DISTINCT b } AS linked,
     COLLECT { UNWIND members AS m
               MATCH (m)-[:REPORTS]->(i:Indicator)
               RETURN DISTINCT i } AS reported
UNWIND focus + around + linked + reported AS n
WITH DISTINCT n
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props

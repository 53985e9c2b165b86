// nqi-coverage — 计量、标准、检验检测、认证认可四大支柱的机构与问题覆盖情况
//
// Answers: for each of the four NQI pillars (metrology, standards, testing,
// certification), which bodies ENABLE the chain for it, how many unresolved
// problems of the chain need it, and how many of those are covered?
//   bodies:  a body enables pillar s when an ENABLES link to the chain names s, or
//            an ENABLES link naming no service exists and s is among its services.
//   needing: unresolved problems (open or in_progress) IN_CHAIN whose needs hold s.
//   covered: of those, how many have s covered by the coverage rule of
//            uncovered-problems (ADDRESSES p, SUPPORTS p's firm, or PARTNERS_IN a
//            project that TACKLES p; the link's service, or the body's services
//            when the link names none). A covering body need not ENABLE the chain.
//
// Parameters:
//   $chain  chain id (string), or null for every chain
//
// Returns: chain_id, service, bodies (ids, sorted), needing, covered — four rows
// per chain.
//
// Examples:
//   :param chain => 'SH01'   then run this file (Neo4j Browser, cypher-shell);
//                            :param chain => null for every chain
//   qmap query nqi-coverage --param chain=SH01                (these rows)
//   qmap analyze nqi-coverage --chain SH01 --neo4j            (the analysis)
//
// Plain Cypher for Neo4j 5.26 Community (no APOC, no GDS).

// The chain by its id constraint when $chain is given (an index seek, not a scan of every
// chain), else every chain.
CALL () {
  MATCH (c:Chain {id: $chain}) RETURN c
  UNION
  WITH $chain AS chosen WHERE chosen IS NULL
  MATCH (c:Chain) RETURN c
}
// The chain's problems expanded from the chain (the list keeps the planner from reading every
// problem through the status index instead, as statistics left by a big city led it to).
WITH c,
     [p IN COLLECT { MATCH (c)<-[:IN_CHAIN]-(q:Problem) RETURN q } WHERE p.status IN ['open', 'in_progress'] | {
        needs: coalesce(p.needs, []),
        covered: reduce(acc = [], services IN
              [(b:SupportBody)-[l:ADDRESSES]->(p)
                   WHERE coalesce(l.status, 'active') = 'active'
                 | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END]
            + [(b:SupportBody)-[l:SUPPORTS]->(:Enterprise)<-[:AFFECTS]-(p)
                   WHERE coalesce(l.status, 'active') = 'active'
                 | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END]
            + [(b:SupportBody)-[l:PARTNERS_IN]->(:Project)-[:TACKLES]->(p)
                   WHERE coalesce(l.status, 'active') = 'active'
                 | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END]
            | acc + services)
     }] AS unresolved
UNWIND range(0, 3) AS pillar
WITH c, unresolved, pillar, ['metrology', 'standards', 'testing', 'certification'][pillar] AS service
WITH c, unresolved, pillar, service,
     COLLECT {
       MATCH (b:SupportBody)-[l:ENABLES]->(c)
       WHERE l.service = service OR (l.service IS NULL AND service IN coalesce(b.services, []))
       RETURN DISTINCT b.id AS id ORDER BY id
     } AS bodies,
     [p IN unresolved WHERE service IN p.needs] AS needing
RETURN c.id AS chain_id,
       service,
       bodies,
       size(needing) AS needing,
       size([p IN needing WHERE service IN p.covered]) AS covered
ORDER BY c.seq, chain_id, pillar

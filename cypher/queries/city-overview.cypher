// city-overview — 全市产业链项目总览：成员、机构、问题、项目与覆盖率
//
// Answers: the city bureau's dashboard, one row per chain:
//   members   MEMBER_OF count;  smes  members with sme = true
//   bodies    map pillar -> number of bodies enabling it on the chain (an ENABLES
//             link naming the pillar, or naming no service from a body offering it)
//   problems  map status -> count (open, in_progress, resolved)
//   projects  map status -> count (planned, active, done)
//   unresolved  problems open or in_progress
//   coverage  share of unresolved problems with every needed service covered (the
//             coverage rule of uncovered-problems), 0–1; null when the chain has
//             no unresolved problem.
//
// Parameters: none.
//
// Returns: chain_id, seq, name, district, key, members, smes, bodies, problems,
// projects, unresolved, coverage — ordered by seq.
//
// Examples:
//   run this file as is (Neo4j Browser, cypher-shell)
//   qmap query city-overview                                  (these rows)
//   qmap analyze city-overview --neo4j                        (the analysis)
//
// Plain Cypher for Neo4j 5.26 Community (no APOC, no GDS).

// Ends whose label the schema fixes are not checked again (every MEMBER_OF starts at an
// Enterprise, every ENABLES at a SupportBody…): on the 1M-firm city each check was a read of
// a million nodes, and the members are counted from the chain's degree.
MATCH (c:Chain)
WITH c,
     [(b)-[l:ENABLES]->(c) | {
        id: b.id,
        services: CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END
     }] AS enabling,
     [(p:Problem)-[:IN_CHAIN]->(c) | p] AS all_problems,
     [(j:Project)-[:IN_CHAIN]->(c) | j.status] AS projects
WITH c, enabling, projects, [p IN all_problems | {status: p.status}] AS problems,
     [p IN all_problems WHERE p.status IN ['open', 'in_progress']] AS unresolved
// Coverage is worked out for the unresolved problems only (a resolved one needs none).
CALL (unresolved) {
  UNWIND unresolved AS p
  WITH p, reduce(acc = [], services IN
              [(b)-[l:ADDRESSES]->(p)
                   WHERE coalesce(l.status, 'active') = 'active'
                 | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END]
            + [(b)-[l:SUPPORTS]->()<-[:AFFECTS]-(p)
                   WHERE coalesce(l.status, 'active') = 'active'
                 | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END]
            + [(b)-[l:PARTNERS_IN]->()-[:TACKLES]->(p)
                   WHERE coalesce(l.status, 'active') = 'active'
                 | CASE WHEN l.service IS NULL THEN coalesce(b.services, []) ELSE [l.service] END]
            | acc + services) AS covered
  RETURN count(CASE WHEN all(s IN coalesce(p.needs, []) WHERE s IN covered) THEN 1 END) AS fully
}
RETURN c.id AS chain_id,
       c.seq AS seq,
       c.name AS name,
       c.district AS district,
       coalesce(c.key, false) AS key,
       COUNT { ()-[:MEMBER_OF]->(c) } AS members,
       COUNT { (e)-[:MEMBER_OF]->(c) WHERE e.sme = true } AS smes,
       {
         metrology: size(reduce(ids = [], x IN enabling
           | CASE WHEN 'metrology' IN x.services AND NOT x.id IN ids THEN ids + x.id ELSE ids END)),
         standards: size(reduce(ids = [], x IN enabling
           | CASE WHEN 'standards' IN x.services AND NOT x.id IN ids THEN ids + x.id ELSE ids END)),
         testing: size(reduce(ids = [], x IN enabling
           | CASE WHEN 'testing' IN x.services AND NOT x.id IN ids THEN ids + x.id ELSE ids END)),
         certification: size(reduce(ids = [], x IN enabling
           | CASE WHEN 'certification' IN x.services AND NOT x.id IN ids THEN ids + x.id ELSE ids END))
       } AS bodies,
       {
         open: size([p IN problems WHERE p.status = 'open']),
         in_progress: size([p IN problems WHERE p.status = 'in_progress']),
         resolved: size([p IN problems WHERE p.status = 'resolved'])
       } AS problems,
       {
         planned: size([s IN projects WHERE s = 'planned']),
         active: size([s IN projects WHERE s = 'active']),
         done: size([s IN projects WHERE s = 'done'])
       } AS projects,
       size(unresolved) AS unresolved,
       CASE WHEN size(unresolved) = 0 THEN null ELSE toFloat(fully) / size(unresolved) END AS coverage
ORDER BY seq, chain_id

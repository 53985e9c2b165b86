// owner-benchmark — 链主企业主要质量指标是否优于国家标准、行业标准
//
// Answers: the notice's headline goal — do the chain owner's (链主, role owner)
// main quality indicators beat the national and industry standards? This is
// indicator-gap restricted to the owner: its latest-year reading per indicator.
// status, direction-aware (higher or lower is better), checked in this order:
//   below_national  a national limit exists and the value is strictly worse;
//   beats_industry  an industry limit exists and the value is strictly better;
//   meets_national  a national limit exists (a tie at a limit meets it, a tie at the
//                   industry limit does not beat it);
//   no_limit        no national limit, and no industry limit beaten.
//
// Parameters:
//   $chain  chain id (string), or null for every chain
//
// Returns: chain_id, enterprise_id, indicator_id, year, value, status, role,
// direction, national_limit, industry_limit.
//
// Examples:
//   :param chain => 'SH01'   then run this file (Neo4j Browser, cypher-shell);
//                            :param chain => null for every chain
//   qmap query owner-benchmark --param chain=SH01             (these rows)
//   qmap analyze owner-benchmark --chain SH01 --neo4j         (the analysis)
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
// The owner expanded from the chain: a pattern comprehension is always planned from its bound
// chain, where a MATCH (even in a subquery) was at times planned through the role index over
// every chain's memberships.
UNWIND [(c)<-[m:MEMBER_OF]-(e:Enterprise) WHERE m.role = 'owner' | {e: e, m: m}] AS owner
WITH c, owner.e AS e, owner.m AS m
MATCH (e)-[r:REPORTS]->(i:Indicator)
WITH c, e, m, i, max(r.year) AS latest
MATCH (e)-[r:REPORTS]->(i)
WHERE r.year = latest
WITH c, e, m, i, r,
     i.direction AS direction, i.national_limit AS national, i.industry_limit AS industry
RETURN c.id AS chain_id,
       e.id AS enterprise_id,
       i.id AS indicator_id,
       r.year AS year,
       r.value AS value,
       CASE
         WHEN national IS NOT NULL
              AND (CASE WHEN direction = 'higher' THEN national > r.value ELSE national < r.value END)
           THEN 'below_national'
         WHEN industry IS NOT NULL
              AND (CASE WHEN direction = 'higher' THEN r.value > industry ELSE r.value < industry END)
           THEN 'beats_industry'
         WHEN national IS NOT NULL THEN 'meets_national'
         ELSE 'no_limit'
       END AS status,
       m.role AS role,
       direction,
       national AS national_limit,
       industry AS industry_limit
ORDER BY c.seq, chain_id, enterprise_id, indicator_id

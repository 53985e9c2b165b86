// qmap graph schema (Neo4j 5). Applied before every load by `qmap load`; every statement is
// idempotent (IF NOT EXISTS), so running it again changes nothing.
// Labels and relationship types are those of graphmodel/schema.py (LABELS, REL_TYPES).

// Every node is found by its id: one uniqueness constraint per label (it also creates the
// index that MERGE and every `{id: $id}` lookup use).
CREATE CONSTRAINT chain_id IF NOT EXISTS FOR (n:Chain) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT district_id IF NOT EXISTS FOR (n:District) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT enterprise_id IF NOT EXISTS FOR (n:Enterprise) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT support_body_id IF NOT EXISTS FOR (n:SupportBody) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT training_base_id IF NOT EXISTS FOR (n:TrainingBase) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT problem_id IF NOT EXISTS FOR (n:Problem) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT project_id IF NOT EXISTS FOR (n:Project) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT policy_tool_id IF NOT EXISTS FOR (n:PolicyTool) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT indicator_id IF NOT EXISTS FOR (n:Indicator) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT case_id IF NOT EXISTS FOR (n:Case) REQUIRE n.id IS UNIQUE;

// Sources (domain.md "Many workbooks: one city graph"). Every node and relationship carries
// `sources` and the bookkeeping of cypher/load/contribute.cypher; a load of a source finds
// what its earlier loads left behind by their run marks, through these two full-text indexes
// (whitespace analyzer: one run mark is one term), so the clean-up costs in proportion to
// what changed. Labels and types as in graphmodel/schema.py.
CREATE FULLTEXT INDEX qmap_node_marks IF NOT EXISTS
FOR (n:Chain|District|Enterprise|SupportBody|TrainingBase|Problem|Project|PolicyTool|Indicator|Case)
ON EACH [n.qmap_marks] OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}};
CREATE FULLTEXT INDEX qmap_rel_marks IF NOT EXISTS
FOR ()-[r:IN_DISTRICT|MEMBER_OF|SUPPLIES|ENABLES|SUPPORTS|ADDRESSES|PARTNERS_IN|AFFECTS|IN_CHAIN|TACKLES|LEADS|APPLIES_TO|REPORTS|TARGETS|ABOUT]-()
ON EACH [r.qmap_marks] OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}};
// The loaded sources (store bookkeeping, not part of the graph).
CREATE CONSTRAINT qmap_source_name IF NOT EXISTS FOR (s:QmapSource) REQUIRE s.name IS UNIQUE;
// The same uscc under two enterprise ids is a conflict: checked by index before a load.
CREATE INDEX enterprise_uscc IF NOT EXISTS FOR (n:Enterprise) ON (n.uscc);

// No index on relationship properties that a load MERGEs on (SUPPLIES.chain/product,
// REPORTS/TARGETS.year, *.service): with one, the planner, seeing an empty graph, scans that
// index inside MERGE instead of expanding from the two bound end nodes, and a first load of
// W38 (16,225 supplies) took 45 s instead of 4 s. The same holds for qmap_key, the MERGE key
// of every relationship. Per-chain SUPPLIES are found by expanding
// from the chain's members or by a type scan, both fast at this scale.

// Chains are listed in display order (city-overview).
CREATE INDEX chain_seq IF NOT EXISTS FOR (n:Chain) ON (n.seq);
// The other chains of a chain's district (support-suggestions' reach 'district').
CREATE INDEX chain_district IF NOT EXISTS FOR (n:Chain) ON (n.district);

// "Unresolved" problems and project status (uncovered-problems, sme-unsupported,
// nqi-coverage, city-overview).
CREATE INDEX problem_status IF NOT EXISTS FOR (n:Problem) ON (n.status);
CREATE INDEX project_status IF NOT EXISTS FOR (n:Project) ON (n.status);

// Links that are not active (support-suggestions counts a body's load as its links less these):
// a few per cent of all links, found by seek where reading every link's status was most of the query.
CREATE INDEX supports_status IF NOT EXISTS FOR ()-[r:SUPPORTS]-() ON (r.status);
CREATE INDEX addresses_status IF NOT EXISTS FOR ()-[r:ADDRESSES]-() ON (r.status);

// Chain owners (owner-benchmark) and roles.
CREATE INDEX member_of_role IF NOT EXISTS FOR ()-[r:MEMBER_OF]-() ON (r.role);

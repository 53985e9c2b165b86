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

// No index on relationship properties that a load MERGEs on (SUPPLIES.chain/product,
// REPORTS/TARGETS.year, *.service): with one, the planner, seeing an empty graph, scans that
// index inside MERGE instead of expanding from the two bound end nodes, and a first load of
// W38 (16,225 supplies) took 45 s instead of 4 s. Per-chain SUPPLIES are found by expanding
// from the chain's members or by a type scan, both fast at this scale.

// Chains are listed in display order (city-overview).
CREATE INDEX chain_seq IF NOT EXISTS FOR (n:Chain) ON (n.seq);

// "Unresolved" problems and project status (uncovered-problems, sme-unsupported,
// nqi-coverage, city-overview).
CREATE INDEX problem_status IF NOT EXISTS FOR (n:Problem) ON (n.status);
CREATE INDEX project_status IF NOT EXISTS FOR (n:Project) ON (n.status);

// Chain owners (owner-benchmark) and roles.
CREATE INDEX member_of_role IF NOT EXISTS FOR ()-[r:MEMBER_OF]-() ON (r.role);

-- The tables of the PostgreSQL host example (examples/host_postgres/README.md), in their own
-- schema so the example can be dropped and recreated without touching anything else.
DROP SCHEMA IF EXISTS leadcore_host CASCADE;
CREATE SCHEMA leadcore_host;
SET search_path TO leadcore_host;

-- The CRM's leads. owner_kind/owner/rule/seq stay NULL until a worker routes the lead; they
-- are written in the same transaction as the routing state below, so either all of them
-- change or none does.
CREATE TABLE leads (
    id          bigint PRIMARY KEY,
    first_name  text NOT NULL,
    last_name   text NOT NULL,
    email       text NOT NULL,
    company     text NOT NULL,
    employees   integer,
    region      text,
    industry    text,
    channel     text NOT NULL,
    created_at  timestamptz NOT NULL,
    owner_kind  text CHECK (owner_kind IN ('rep', 'queue')),
    owner       text,
    rule        text,
    seq         bigint UNIQUE,
    CHECK ((owner IS NULL) = (owner_kind IS NULL) AND (owner IS NULL) = (seq IS NULL))
);
-- Workers claim the oldest unassigned leads first.
CREATE INDEX leads_unassigned ON leads (id) WHERE owner IS NULL;

-- The engine's routing state (round-robin positions, rep counters): one row, the lock that
-- serialises every routing decision. next_seq numbers decisions in commit order.
CREATE TABLE routing_state (
    id          integer PRIMARY KEY CHECK (id = 1),
    state       jsonb NOT NULL,
    next_seq    bigint NOT NULL,
    batches     bigint NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  text NOT NULL
);

-- One row per decision, in the order they were made (seq): what a replay needs (the lead, the
-- `now` the engine was given) and what it must find again (the assignee and the rule).
CREATE TABLE assignments (
    seq         bigint PRIMARY KEY,
    batch       bigint NOT NULL,
    lead_id     bigint NOT NULL UNIQUE REFERENCES leads (id),
    owner_kind  text NOT NULL,
    owner       text NOT NULL,
    rule        text,
    routed_at   timestamptz NOT NULL,
    worker      text NOT NULL,
    committed   timestamptz NOT NULL DEFAULT clock_timestamp()
);

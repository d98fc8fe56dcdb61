import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 9, the intake desk: the knowledge base, transit master data and routing rules
// additional callers of merged matters and intake from upstream systems.
export class IntakeDesk1765100000000 implements MigrationInterface {
  name = 'IntakeDesk1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- X-7: 办事指南. search_tokens / title_tokens hold the application's Chinese bigrams and
      -- ASCII words (docs/intake.md explains why not pg_trgm); the GIN index answers "has token".
      CREATE TABLE kb_articles (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        title          text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
        body           text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 20000),
        category_code  text REFERENCES categories(code),
        tags           text[] NOT NULL DEFAULT '{}',
        routes         text[] NOT NULL DEFAULT '{}',
        valid_from     date,
        valid_until    date,
        author         text NOT NULL REFERENCES people(userid),
        reviewed_at    timestamptz,
        active         boolean NOT NULL DEFAULT true,
        search_tokens  text[] NOT NULL DEFAULT '{}',
        title_tokens   text[] NOT NULL DEFAULT '{}',
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL,
        CONSTRAINT kb_articles_valid_range CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from)
      );
      CREATE INDEX kb_articles_tokens_idx ON kb_articles USING gin (search_tokens) WHERE active;

      -- X-7: which article closed which matter (one use per ticket and article).
      CREATE TABLE kb_article_uses (
        article_id  uuid NOT NULL REFERENCES kb_articles(id),
        ticket_id   uuid NOT NULL REFERENCES tickets(id),
        used_by     text NOT NULL,
        used_at     timestamptz NOT NULL,
        PRIMARY KEY (article_id, ticket_id)
      );

      -- X-8: transit master data.
      CREATE TABLE transit_routes (
        code           text PRIMARY KEY CHECK (code ~ '^[0-9A-Za-z\u4e00-\u9fff-]{1,20}$'),
        name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        branch_code    text NOT NULL REFERENCES units(code),
        up_terminal    text,
        down_terminal  text,
        active         boolean NOT NULL DEFAULT true,
        updated_at     timestamptz NOT NULL
      );
      CREATE TABLE transit_stops (
        route_code  text NOT NULL REFERENCES transit_routes(code) ON DELETE CASCADE,
        direction   text NOT NULL CHECK (direction IN ('up', 'down')),
        seq         integer NOT NULL CHECK (seq >= 1),
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        PRIMARY KEY (route_code, direction, seq)
      );
      CREATE INDEX transit_stops_name_idx ON transit_stops (name);
      CREATE TABLE transit_vehicles (
        plate         text PRIMARY KEY CHECK (plate ~ '^[^[:space:]]{4,12}$'),
        fleet_number  text UNIQUE,
        route_code    text REFERENCES transit_routes(code) ON DELETE SET NULL,
        branch_code   text NOT NULL REFERENCES units(code),
        updated_at    timestamptz NOT NULL
      );
      -- X-8: category / keyword → handling unit suggestions, edited by the admin.
      CREATE TABLE routing_rules (
        id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        category_code  text REFERENCES categories(code),
        keywords       text[] NOT NULL DEFAULT '{}',
        unit_code      text NOT NULL REFERENCES units(code),
        role           text NOT NULL DEFAULT 'sole' CHECK (role IN ('sole', 'lead', 'co')),
        note           text,
        CONSTRAINT routing_rules_something CHECK (category_code IS NOT NULL OR cardinality(keywords) > 0)
      );

      -- X-6: 并单. The merged matter's caller joins the open ticket (encrypted like the ticket's
      -- own caller, R-19) and is answered on their own when it closes.
      ALTER TABLE tickets ADD COLUMN merged_into uuid REFERENCES tickets(id);
      CREATE TABLE ticket_callers (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id          uuid NOT NULL REFERENCES tickets(id),
        from_ticket_id     uuid NOT NULL UNIQUE REFERENCES tickets(id),
        caller_name        text,
        caller_phone       text,
        caller_address     text,
        caller_phone_hash  text,
        added_by           text NOT NULL,
        added_at           timestamptz NOT NULL,
        answered_at        timestamptz,
        answered_by        text,
        answer_method      text CHECK (answer_method IN ('phone', 'sms', 'visit', 'wechat', 'other')),
        answer_summary     text,
        CONSTRAINT ticket_callers_answered CHECK ((answered_at IS NULL) = (answered_by IS NULL)),
        CONSTRAINT ticket_callers_not_self CHECK (ticket_id <> from_ticket_id)
      );
      CREATE INDEX ticket_callers_ticket_idx ON ticket_callers (ticket_id);
      CREATE INDEX ticket_callers_unanswered_idx ON ticket_callers (added_at) WHERE answered_at IS NULL;
      CREATE INDEX ticket_callers_phone_hash_idx ON ticket_callers (caller_phone_hash) WHERE caller_phone_hash IS NOT NULL;

      -- Upstream systems: one API key each (only its SHA-256 is kept), for one source.
      CREATE TABLE intake_clients (
        code          text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
        name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        source_code   text NOT NULL REFERENCES sources(code),
        -- The dispatcher (发起人) on whose desk this system's matters land.
        initiator     text NOT NULL REFERENCES people(userid),
        key_hash      text NOT NULL UNIQUE,
        key_hint      text NOT NULL,
        active        boolean NOT NULL DEFAULT true,
        created_at    timestamptz NOT NULL,
        last_used_at  timestamptz
      );
      -- Idempotency on the upstream reference: one ticket per source and reference number.
      CREATE TABLE intake_refs (
        source_code  text NOT NULL REFERENCES sources(code),
        ref          text NOT NULL CHECK (length(ref) BETWEEN 1 AND 100),
        ticket_id    uuid NOT NULL REFERENCES tickets(id),
        client_code  text REFERENCES intake_clients(code),
        via          text NOT NULL CHECK (via IN ('api', 'excel')),
        created_at   timestamptz NOT NULL,
        PRIMARY KEY (source_code, ref)
      );
      -- Replay protection: a signature is accepted once inside the replay window.
      CREATE TABLE intake_signatures (
        signature    text PRIMARY KEY,
        client_code  text NOT NULL REFERENCES intake_clients(code),
        seen_at      timestamptz NOT NULL
      );
      CREATE INDEX intake_signatures_seen_idx ON intake_signatures (seen_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE intake_signatures, intake_refs, intake_clients, ticket_callers, routing_rules,
        transit_vehicles, transit_stops, transit_routes, kb_article_uses, kb_articles;
      ALTER TABLE tickets DROP COLUMN merged_into;
    `);
  }
}

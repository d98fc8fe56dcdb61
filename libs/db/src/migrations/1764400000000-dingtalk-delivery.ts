import type { MigrationInterface, QueryRunner } from 'typeorm';

// DingTalk delivery (issue 4): per-ticket FIFO claims on the outbox, the to-dos we created,
// monthly API call counts (quota), and organisation sync runs.
export class DingTalkDelivery1764400000000 implements MigrationInterface {
  name = 'DingTalkDelivery1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- The sender takes a ticket's rows in order: an earlier pending row blocks later ones.
      CREATE INDEX outbox_pending_by_ticket ON outbox (ticket_id, id) WHERE status = 'pending';
      CREATE INDEX outbox_failed_idx ON outbox (id) WHERE status = 'failed';

      -- One DingTalk to-do per opened workflow to-do (the executors are every person of the audience).
      CREATE TABLE dingtalk_todos (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id         uuid REFERENCES tickets(id),
        todo_key          text NOT NULL,
        source_id         text NOT NULL UNIQUE,
        owner_unionid     text NOT NULL,
        executor_userids  text[] NOT NULL,
        task_id           text NOT NULL,
        status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
        created_at        timestamptz NOT NULL DEFAULT now(),
        done_at           timestamptz
      );
      CREATE INDEX dingtalk_todos_open_key ON dingtalk_todos (todo_key) WHERE status = 'open';

      -- Standard-edition companies get about 10,000 calls a month (reference §8): count them.
      CREATE TABLE dingtalk_call_counts (
        month  text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
        api    text NOT NULL,
        count  bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (month, api)
      );

      CREATE TABLE org_sync_runs (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        trigger     text NOT NULL CHECK (trigger IN ('schedule', 'admin')),
        started_at  timestamptz NOT NULL,
        finished_at timestamptz,
        status      text NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
        summary     jsonb
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE org_sync_runs;
      DROP TABLE dingtalk_call_counts;
      DROP TABLE dingtalk_todos;
      DROP INDEX outbox_failed_idx;
      DROP INDEX outbox_pending_by_ticket;
    `);
  }
}

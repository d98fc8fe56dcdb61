import type { MigrationInterface, QueryRunner } from 'typeorm';

// 16.3: a work notice counts as delivered only when DingTalk's send result says so. Each sent
// notice is checked once (getsendprogress, then getsendresult) and each person's outcome kept:
// delivered, failed, forbidden (a silent drop, with DingTalk's code) or invalid. A re-send, when
// one can help, is an outbox row of its own (resent_as). Times come from the application clock.
export class NoticeDeliveries1765700000001 implements MigrationInterface {
  name = 'NoticeDeliveries1765700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notice_delivery_checks (
        outbox_id   bigint PRIMARY KEY REFERENCES outbox(id),
        checked_at  timestamptz NOT NULL
      );

      CREATE TABLE notice_deliveries (
        outbox_id   bigint NOT NULL REFERENCES notice_delivery_checks(outbox_id),
        userid      text NOT NULL,
        ticket_id   uuid REFERENCES tickets(id),
        task_id     bigint NOT NULL,
        status      text NOT NULL CHECK (status IN ('delivered', 'failed', 'forbidden', 'invalid')),
        code        text,
        checked_at  timestamptz NOT NULL,
        resent_as   bigint REFERENCES outbox(id),
        PRIMARY KEY (outbox_id, userid),
        CHECK ((status = 'forbidden') = (code IS NOT NULL))
      );
      CREATE INDEX notice_deliveries_not_reached ON notice_deliveries (ticket_id, checked_at DESC)
        WHERE status <> 'delivered' AND resent_as IS NULL;
      CREATE INDEX notice_deliveries_recent_failures ON notice_deliveries (checked_at DESC, outbox_id)
        WHERE status <> 'delivered';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notice_deliveries; DROP TABLE notice_delivery_checks;`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 13.1: the reference data a real company needs on day one, installed by the migrations
// (npm run migration:run, the compose `migrate` service, DB_MIGRATE_ON_START), not by the demo
// start. A migration runs exactly once, so nothing the admin later renames, deactivates or
// removes is ever put back. On a database that already holds any of it (an install seeded by an
// earlier `npm start`) the existing rows win: ON CONFLICT DO NOTHING, and the time limits only
// into an empty table. The working-day calendar needs no rows here: the State Council
// arrangements come from the chinese-days package (libs/calendar) and calendar_revision is
// created by the deadlines migration; calendar_years and calendar_overrides are the admin's.
export class ReferenceData1765500000000 implements MigrationInterface {
  name = 'ReferenceData1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- R-2 sources, each with the dispatch chain it uses (R-8): A = 钉钉派单 (group hotline),
      -- B = 微信派单 with the office's wording review (R-4: mayor's hotline and mailbox and the
      -- other government channels), direct = answered without a chain (R-7).
      INSERT INTO sources (code, name, chain, sort) VALUES
        ('group_hotline',    '集团客服热线', 'A',      0),
        ('mayor_hotline',    '市长公开电话', 'B',      1),
        ('mayor_mailbox',    '市长信箱',     'B',      2),
        ('npc_cppcc',        '人大政协提案', 'B',      3),
        ('people_daily',     '人民网留言',   'B',      4),
        ('transport_bureau', '交通局转办',   'B',      5),
        ('xingfeng_online',  '行风在线',     'B',      6),
        ('digital_city',     '数字化城管',   'B',      7),
        ('chairman_mailbox', '董事长信箱',   'A',      8),
        ('direct',           '直接来电',     'direct', 9)
      ON CONFLICT (code) DO NOTHING;

      -- R-5, R-6: the kinds of matter (the glossary's 事项类型).
      INSERT INTO categories (code, name, sort) VALUES
        ('consultation', '咨询', 0),
        ('complaint',    '投诉', 1),
        ('report',       '举报', 2),
        ('help',         '求助', 3),
        ('suggestion',   '建议', 4),
        ('lost_item',    '寻物', 5),
        ('praise',       '表扬', 6)
      ON CONFLICT (code) DO NOTHING;

      -- X-1 defaults: accept within 1 working day; complaint, help, report, suggestion and the rest
      -- 5 working days; consultation 3; NPC/CPPCC proposals 3 calendar months (6 at most, by
      -- extension); urgent matters accepted in 30 minutes and answered in 2 working hours.
      -- The admin edits them as a whole (/api/admin/time-limits); only an empty table is filled.
      INSERT INTO time_limit_policies (source_code, category_code, urgency, accept_amount, accept_unit,
          reply_amount, reply_unit, review_amount, review_unit, note)
      SELECT d.* FROM (VALUES
        (NULL, NULL, NULL, 1, 'working_days', 5, 'working_days', 1, 'working_days', '默认：5个工作日'),
        (NULL, 'consultation', NULL, 1, 'working_days', 3, 'working_days', 1, 'working_days', '咨询：3个工作日'),
        ('npc_cppcc', NULL, NULL, 1, 'working_days', 3, 'calendar_months', 5, 'working_days', '人大政协提案：3个月（最长6个月）'),
        (NULL, NULL, 'urgent', 30, 'minutes', 2, 'working_hours', 2, 'working_hours', '紧急：2个工作小时')
      ) AS d(source_code, category_code, urgency, accept_amount, accept_unit,
             reply_amount, reply_unit, review_amount, review_unit, note)
      WHERE NOT EXISTS (SELECT 1 FROM time_limit_policies)
        -- A source or category the admin removed before this ran is not put back through a policy.
        AND (d.source_code IS NULL OR EXISTS (SELECT 1 FROM sources s WHERE s.code = d.source_code))
        AND (d.category_code IS NULL OR EXISTS (SELECT 1 FROM categories c WHERE c.code = d.category_code));
    `);
  }

  async down(): Promise<void> {
    // Nothing is removed: from the first day on this is the company's data (tickets and
    // policies refer to it, the admin may have changed it); the tables themselves go with the
    // down of the migrations that created them.
  }
}

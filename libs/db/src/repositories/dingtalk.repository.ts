import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface DingTalkTodoRow {
  id: number;
  todoKey: string;
  sourceId: string;
  ownerUnionid: string;
  executorUserids: string[];
  taskId: string;
  status: 'open' | 'done';
}

/** 16.5: a DingTalk refusal only the admin can fix, as the admin page shows it. */
export interface DingTalkConfigProblemRow {
  code: string;
  kind: 'permission_denied' | 'ip_not_allowed' | 'invalid_credentials';
  api: string;
  message: string;
  firstAt: Date;
  lastAt: Date;
  count: number;
}

/** The to-dos we created in DingTalk, the monthly API call counts, and configuration problems. */
@Injectable()
export class DingTalkRepository {
  constructor(private readonly ds: DataSource) {}

  async recordTodo(t: {
    ticketId: string | null;
    todoKey: string;
    sourceId: string;
    ownerUnionid: string;
    executorUserids: string[];
    taskId: string;
  }): Promise<void> {
    await this.ds.query(
      `INSERT INTO dingtalk_todos (ticket_id, todo_key, source_id, owner_unionid, executor_userids, task_id)
       VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (source_id) DO NOTHING`,
      [t.ticketId, t.todoKey, t.sourceId, t.ownerUnionid, t.executorUserids, t.taskId],
    );
  }

  async openTodos(todoKey: string): Promise<DingTalkTodoRow[]> {
    const rows = await this.ds.query(
      `SELECT id, todo_key, source_id, owner_unionid, executor_userids, task_id, status
         FROM dingtalk_todos WHERE todo_key = $1 AND status = 'open' ORDER BY id`,
      [todoKey],
    );
    return rows.map((r: Record<string, any>) => ({
      id: Number(r.id),
      todoKey: r.todo_key,
      sourceId: r.source_id,
      ownerUnionid: r.owner_unionid,
      executorUserids: r.executor_userids,
      taskId: r.task_id,
      status: r.status,
    }));
  }

  async markTodoDone(id: number, now: Date): Promise<void> {
    await this.ds.query(`UPDATE dingtalk_todos SET status = 'done', done_at = $2 WHERE id = $1`, [id, now]);
  }

  async countCall(month: string, api: string): Promise<void> {
    await this.ds.query(
      `INSERT INTO dingtalk_call_counts (month, api, count) VALUES ($1, $2, 1)
       ON CONFLICT (month, api) DO UPDATE SET count = dingtalk_call_counts.count + 1`,
      [month, api],
    );
  }

  /**
   * 16.4: takes one token of `api`'s bucket, shared by every process, at `nowMs` (the caller's
   * clock, never the database's): 0 when taken, otherwise the ms until one is free (nothing
   * taken). One atomic statement: concurrent takers queue on the row, and each sees the tokens
   * the one before it left. A process whose clock is behind the row's refills nothing.
   */
  async takeRateToken(api: string, nowMs: number, perSecond: number, burst: number): Promise<number> {
    const refill = `LEAST($4::float8, b.tokens + GREATEST(0, $2::bigint - b.at_ms) * $3::float8 / 1000)`;
    const taken = await this.ds.query(
      `INSERT INTO dingtalk_rate_buckets AS b (api, tokens, at_ms) VALUES ($1, $4::float8 - 1, $2::bigint)
       ON CONFLICT (api) DO UPDATE SET tokens = ${refill} - 1, at_ms = GREATEST(b.at_ms, $2::bigint)
       WHERE ${refill} >= 1
       RETURNING tokens`,
      [api, nowMs, perSecond, burst],
    );
    if (taken.length > 0) return 0;
    const rows = await this.ds.query(
      `SELECT LEAST($4::float8, b.tokens + GREATEST(0, $2::bigint - b.at_ms) * $3::float8 / 1000) AS tokens
         FROM dingtalk_rate_buckets b WHERE b.api = $1`,
      [api, nowMs, perSecond, burst],
    );
    const tokens = rows.length > 0 ? Number(rows[0].tokens) : 0;
    return Math.max(1, Math.ceil(((1 - Math.min(tokens, 1)) * 1000) / perSecond));
  }

  /**
   * 16.4: counts one call against `month`'s quota if fewer than `quota` were counted (one atomic
   * statement, so processes together never pass it); false, with nothing counted, when spent.
   */
  async takeQuotaCall(month: string, quota: number): Promise<boolean> {
    if (!(quota >= 1)) return false;
    const rows = await this.ds.query(
      `INSERT INTO dingtalk_quota_months AS m (month, calls) VALUES ($1, 1)
       ON CONFLICT (month) DO UPDATE SET calls = m.calls + 1 WHERE m.calls < $2
       RETURNING calls`,
      [month, quota],
    );
    return rows.length > 0;
  }

  /** 16.4: calls counted against the quota in `month` (token, sign-in and contacts calls are not). */
  async quotaCallsInMonth(month: string): Promise<number> {
    const rows = await this.ds.query(`SELECT calls FROM dingtalk_quota_months WHERE month = $1`, [month]);
    return rows.length > 0 ? Number(rows[0].calls) : 0;
  }

  async callsInMonth(month: string): Promise<{ total: number; byApi: Record<string, number> }> {
    const rows = await this.ds.query(`SELECT api, count FROM dingtalk_call_counts WHERE month = $1 ORDER BY api`, [
      month,
    ]);
    const byApi: Record<string, number> = {};
    let total = 0;
    for (const r of rows as Array<{ api: string; count: string }>) {
      byApi[r.api] = Number(r.count);
      total += Number(r.count);
    }
    return { total, byApi };
  }

  async unionIds(userids: string[]): Promise<Map<string, string>> {
    const rows = await this.ds.query(
      `SELECT userid, unionid FROM people WHERE userid = ANY($1) AND unionid IS NOT NULL AND active`,
      [userids],
    );
    return new Map(rows.map((r: { userid: string; unionid: string }) => [r.userid, r.unionid]));
  }

  /** 16.5: one row per code; a repeat counts and moves last_at (times from the application clock). */
  async recordConfigProblem(p: { code: string; kind: string; api: string; message: string; at: Date }): Promise<void> {
    await this.ds.query(
      `INSERT INTO dingtalk_config_problems (code, kind, api, message, first_at, last_at)
       VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind, api = EXCLUDED.api, message = EXCLUDED.message,
         last_at = GREATEST(dingtalk_config_problems.last_at, EXCLUDED.last_at),
         count = dingtalk_config_problems.count + 1`,
      [p.code, p.kind, p.api, p.message.slice(0, 1000), p.at],
    );
  }

  async configProblems(): Promise<DingTalkConfigProblemRow[]> {
    const rows = await this.ds.query(
      `SELECT code, kind, api, message, first_at, last_at, count FROM dingtalk_config_problems ORDER BY last_at DESC, code`,
    );
    return rows.map((r: Record<string, any>) => ({
      code: r.code,
      kind: r.kind,
      api: r.api,
      message: r.message,
      firstAt: r.first_at,
      lastAt: r.last_at,
      count: Number(r.count),
    }));
  }

  /** The admin fixed it: true when there was such a row. */
  async clearConfigProblem(code: string): Promise<boolean> {
    // A DELETE through ds.query answers [rows, count]: count the deleted rows in a SELECT instead.
    const rows = await this.ds.query(
      `WITH gone AS (DELETE FROM dingtalk_config_problems WHERE code = $1 RETURNING code) SELECT count(*)::int AS n FROM gone`,
      [code],
    );
    return rows[0].n > 0;
  }
}

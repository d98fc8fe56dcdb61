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

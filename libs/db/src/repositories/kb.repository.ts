import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { exec } from './sql';

/** one 办事指南 article. */
export interface KbArticleRow {
  id: string;
  title: string;
  body: string;
  categoryCode: string | null;
  tags: string[];
  routes: string[];
  validFrom: string | null;
  validUntil: string | null;
  author: string;
  authorName: string;
  reviewedAt: Date | null;
  active: boolean;
  uses: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface KbArticleInput {
  title: string;
  body: string;
  categoryCode: string | null;
  tags: string[];
  routes: string[];
  validFrom: string | null;
  validUntil: string | null;
  reviewedAt: Date | null;
  /** The application's tokens of the whole article, and of its title (weighted higher). */
  searchTokens: string[];
  titleTokens: string[];
}

export interface KbHit {
  article: KbArticleRow;
  score: number;
}

const SELECT = `SELECT a.*, a.valid_from::text AS vf, a.valid_until::text AS vu, COALESCE(p.name, a.author) AS author_name,
                       a.use_count AS uses
                  FROM kb_articles a LEFT JOIN people p ON p.userid = a.author`;

/** Where a page of the article list ended. */
export interface KbListCursor {
  uses: number;
  updatedAt: Date;
  id: string;
}

function toRow(r: Record<string, any>): KbArticleRow {
  return {
    id: r.id,
    title: r.title,
    body: r.body,
    categoryCode: r.category_code,
    tags: r.tags,
    routes: r.routes,
    validFrom: r.vf,
    validUntil: r.vu,
    author: r.author,
    authorName: r.author_name,
    reviewedAt: r.reviewed_at ? new Date(r.reviewed_at) : null,
    active: r.active,
    uses: r.uses,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class KbRepository {
  constructor(private readonly ds: DataSource) {}

  async create(a: KbArticleInput, author: string, now: Date): Promise<string> {
    const { rows } = await exec<{ id: string }>(
      this.ds.manager,
      `INSERT INTO kb_articles (title, body, category_code, tags, routes, valid_from, valid_until, author,
          reviewed_at, search_tokens, title_tokens, created_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12) RETURNING id`,
      [
        a.title,
        a.body,
        a.categoryCode,
        a.tags,
        a.routes,
        a.validFrom,
        a.validUntil,
        author,
        a.reviewedAt,
        a.searchTokens,
        a.titleTokens,
        now,
      ],
    );
    return rows[0].id;
  }

  async update(id: string, a: KbArticleInput, now: Date): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const { affected } = await exec(
      this.ds.manager,
      `UPDATE kb_articles SET title = $2, body = $3, category_code = $4, tags = $5, routes = $6, valid_from = $7,
              valid_until = $8, reviewed_at = $9, search_tokens = $10, title_tokens = $11, updated_at = $12,
              active = true
        WHERE id = $1`,
      [
        id,
        a.title,
        a.body,
        a.categoryCode,
        a.tags,
        a.routes,
        a.validFrom,
        a.validUntil,
        a.reviewedAt,
        a.searchTokens,
        a.titleTokens,
        now,
      ],
    );
    return affected === 1;
  }

  /** Articles are withdrawn, never deleted: their use counts stay. */
  async withdraw(id: string, now: Date): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const { affected } = await exec(
      this.ds.manager,
      `UPDATE kb_articles SET active = false, updated_at = $2 WHERE id = $1 AND active`,
      [id, now],
    );
    return affected === 1;
  }

  async find(id: string, m: EntityManager = this.ds.manager): Promise<KbArticleRow | null> {
    if (!UUID.test(id)) return null;
    const { rows } = await exec<Record<string, any>>(m, `${SELECT} WHERE a.id = $1`, [id]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** most used first, keyset-paginated on (use_count, updated_at, id), all descending. */
  async list(includeWithdrawn: boolean, limit: number, after?: KbListCursor): Promise<KbArticleRow[]> {
    const params: unknown[] = [includeWithdrawn, limit];
    let keyset = '';
    if (after) {
      params.push(after.uses, after.updatedAt, after.id);
      keyset = 'AND (a.use_count, a.updated_at, a.id) < ($3, $4, $5)';
    }
    const rows = await this.ds.query(
      `${SELECT} WHERE ($1 OR a.active) ${keyset}
        ORDER BY a.use_count DESC, a.updated_at DESC, a.id DESC LIMIT $2`,
      params,
    );
    return rows.map(toRow);
  }

  /**
   * X-7: ranks the live articles (active, valid on `day`) by the query's tokens: each shared
   * token counts its inverse document frequency (BM25's idf, so 公交 in every article weighs
   * little), double when it is in the title. Candidates come from the GIN index (`@>`).
   */
  async search(tokens: string[], day: string, limit: number): Promise<KbHit[]> {
    if (tokens.length === 0) return [];
    const rows = await this.ds.query(
      `WITH live AS (
              SELECT a.id, a.search_tokens, a.title_tokens FROM kb_articles a
               WHERE a.active AND (a.valid_from IS NULL OR a.valid_from <= $2::date)
                 AND (a.valid_until IS NULL OR a.valid_until >= $2::date)),
            n AS (SELECT GREATEST(count(*), 1)::float8 AS n FROM live),
            q AS (SELECT DISTINCT unnest($1::text[]) AS tok),
            df AS (SELECT q.tok, count(l.id)::float8 AS df FROM q JOIN live l ON l.search_tokens @> ARRAY[q.tok]
                    GROUP BY q.tok),
            scored AS (
              SELECT l.id, sum(ln(1 + (n.n - df.df + 0.5) / (df.df + 0.5))
                               * CASE WHEN l.title_tokens @> ARRAY[df.tok] THEN 2 ELSE 1 END) AS score
                FROM live l CROSS JOIN n JOIN df ON l.search_tokens @> ARRAY[df.tok]
               GROUP BY l.id)
       SELECT a.*, a.valid_from::text AS vf, a.valid_until::text AS vu, COALESCE(p.name, a.author) AS author_name, s.score,
              (SELECT count(*)::int FROM kb_article_uses u WHERE u.article_id = a.id) AS uses
         FROM kb_articles a JOIN scored s ON s.id = a.id LEFT JOIN people p ON p.userid = a.author
        ORDER BY s.score DESC, a.updated_at DESC LIMIT $3`,
      [tokens, day, limit],
    );
    return rows.map((r: Record<string, any>) => ({ article: toRow(r), score: Number(r.score) }));
  }

  /** counts an article's use once per ticket, in the action's transaction. */
  async recordUse(m: EntityManager, articleId: string, ticketId: string, userid: string, at: Date): Promise<void> {
    await exec(
      m,
      `WITH used AS (
         INSERT INTO kb_article_uses (article_id, ticket_id, used_by, used_at) VALUES ($1,$2,$3,$4)
         ON CONFLICT DO NOTHING RETURNING article_id)
       UPDATE kb_articles SET use_count = use_count + 1 WHERE id IN (SELECT article_id FROM used)`,
      [articleId, ticketId, userid, at],
    );
  }
}

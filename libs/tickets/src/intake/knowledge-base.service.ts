import { Inject, Injectable } from '@nestjs/common';
import { shanghaiDate } from '@hotline/calendar';
import { KbRepository, OrganisationRepository, type KbArticleRow, type KbListCursor } from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import { requireAccess, requireSomeRole } from '../access/access';
import type { CurrentUser } from '../auth/auth.service';
import { CLOCK, type Clock } from '../clock';
import { decodeCursor, encodeCursor, isIdPart, timePart } from '../paging';
import { searchTokens } from './kb-tokenizer';

export interface KbArticleInputBody {
  title: string;
  body: string;
  category?: string | null;
  tags?: string[];
  routes?: string[];
  validFrom?: string | null;
  validUntil?: string | null;
  reviewedAt?: string | null;
}

export interface KbArticleView {
  id: string;
  title: string;
  body: string;
  category: string | null;
  tags: string[];
  routes: string[];
  validFrom: string | null;
  validUntil: string | null;
  author: { userid: string; name: string };
  reviewedAt: string | null;
  active: boolean;
  /** matters this article answered directly. */
  uses: number;
  createdAt: string;
  updatedAt: string;
}

export interface KbSuggestion {
  id: string;
  title: string;
  excerpt: string;
  category: string | null;
  score: number;
  uses: number;
}

/** the article's words that the search sees: title, body, tags, routes. */
function tokensOf(a: { title: string; body: string; tags: string[]; routes: string[] }) {
  return {
    searchTokens: searchTokens([a.title, a.body, ...a.tags, ...a.routes.map((r) => `${r}路`)].join('\n')),
    titleTokens: searchTokens([a.title, ...a.tags].join('\n')),
  };
}

function view(a: KbArticleRow): KbArticleView {
  return {
    id: a.id,
    title: a.title,
    body: a.body,
    category: a.categoryCode,
    tags: a.tags,
    routes: a.routes,
    validFrom: a.validFrom,
    validUntil: a.validUntil,
    author: { userid: a.author, name: a.authorName },
    reviewedAt: a.reviewedAt?.toISOString() ?? null,
    active: a.active,
    uses: a.uses,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** 办事指南, written by dispatchers and the ops head, searched while the caller is on the line. */
@Injectable()
export class KnowledgeBaseService {
  constructor(
    private readonly kb: KbRepository,
    private readonly org: OrganisationRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private requireEditor(user: CurrentUser): void {
    requireAccess(user, 'kb.edit');
  }

  private requireReader(user: CurrentUser): void {
    requireSomeRole(user);
  }

  private async input(body: KbArticleInputBody) {
    const category = body.category ?? null;
    if (category && !(await this.org.findCategory(category))) {
      throw new DomainError('VALIDATION', `未知的事项类型“${category}”。`, 'category');
    }
    if (body.validFrom && body.validUntil && body.validUntil < body.validFrom) {
      throw new DomainError('VALIDATION', '失效日期早于生效日期。', 'validUntil');
    }
    const a = {
      title: body.title.trim(),
      body: body.body.trim(),
      tags: (body.tags ?? []).map((t) => t.trim()).filter(Boolean),
      routes: (body.routes ?? []).map((r) => r.trim().replace(/路$/, '')).filter(Boolean),
    };
    return {
      ...a,
      ...tokensOf(a),
      categoryCode: category,
      validFrom: body.validFrom ?? null,
      validUntil: body.validUntil ?? null,
      reviewedAt: body.reviewedAt ? new Date(body.reviewedAt) : null,
    };
  }

  async create(user: CurrentUser, body: KbArticleInputBody): Promise<KbArticleView> {
    this.requireEditor(user);
    const id = await this.kb.create(await this.input(body), user.userid, this.clock.now());
    return view((await this.kb.find(id))!);
  }

  async update(user: CurrentUser, id: string, body: KbArticleInputBody): Promise<KbArticleView> {
    this.requireEditor(user);
    if (!(await this.kb.update(id, await this.input(body), this.clock.now()))) {
      throw new DomainError('NOT_FOUND', '办事指南不存在。');
    }
    return view((await this.kb.find(id))!);
  }

  async withdraw(user: CurrentUser, id: string): Promise<KbArticleView> {
    this.requireEditor(user);
    if (!(await this.kb.withdraw(id, this.clock.now()))) throw new DomainError('NOT_FOUND', '办事指南不存在。');
    return view((await this.kb.find(id))!);
  }

  async get(user: CurrentUser, id: string): Promise<KbArticleView> {
    this.requireReader(user);
    const a = await this.kb.find(id);
    if (!a) throw new DomainError('NOT_FOUND', '办事指南不存在。');
    return view(a);
  }

  /** Without `q`: every article, most used first; with `q`: the search's ranking. */
  /**
   * with `q`, the search's best 50 (one page); else every article, most used first, a page
   * at a time (keyset cursor on use count, last update and id).
   */
  async list(
    user: CurrentUser,
    q: { q?: string; all?: boolean; limit: number; cursor?: string },
  ): Promise<{ items: KbArticleView[]; nextCursor: string | null }> {
    this.requireReader(user);
    if (q.q?.trim()) {
      const hits = await this.kb.search(searchTokens(q.q), shanghaiDate(this.clock.now()), 50);
      return { items: hits.map((h) => view(h.article)), nextCursor: null };
    }
    const rows = await this.kb.list(
      q.all ?? false,
      q.limit + 1,
      q.cursor ? decodeCursor(q.cursor, readKbCursor) : undefined,
    );
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(view),
      nextCursor:
        rows.length > q.limit && last ? encodeCursor([last.uses, last.updatedAt.toISOString(), last.id]) : null,
    };
  }

  /** the few articles that fit what the dispatcher is typing (valid today, active). */
  async suggest(user: CurrentUser, q: string, limit = 5): Promise<KbSuggestion[]> {
    this.requireReader(user);
    const hits = await this.kb.search(searchTokens(q.slice(0, 2000)), shanghaiDate(this.clock.now()), limit);
    return hits.map((h) => ({
      id: h.article.id,
      title: h.article.title,
      excerpt: Array.from(h.article.body).slice(0, 80).join(''),
      category: h.article.categoryCode,
      score: Math.round(h.score * 100) / 100,
      uses: h.article.uses,
    }));
  }
}

function readKbCursor([uses, updatedAt, id]: unknown[]): KbListCursor | null {
  const at = timePart(updatedAt);
  return Number.isInteger(uses) && (uses as number) >= 0 && at && isIdPart(id)
    ? { uses: uses as number, updatedAt: at, id }
    : null;
}

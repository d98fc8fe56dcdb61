// Work notices and to-dos as DingTalk takes them: links that sign people in (issue 13 item 5)
// and messages within DingTalk's byte limits (issue 16 item 2).
import {
  CARD_TITLE_MAX_BYTES,
  MSG_MAX_BYTES,
  TODO_SUBJECT_MAX_BYTES,
  composeNotice,
  composeTodo,
  truncateBytes,
  utf8Bytes,
  type AppLinks,
  type NoticeItem,
  type NoticePayload,
  type OutboxTicket,
} from './notice-composer';

const links: AppLinks = { publicUrl: 'https://hotline.example.com', corpId: 'ding1234567890abcdef' };
// The API's longest accepted texts: subject ≤ 200 characters (CreateTicketDto), unit names
// ≤ 100 (units.name CHECK), all four-byte-free CJK: 3 bytes each in UTF-8.
const LONGEST_SUBJECT = '公'.repeat(200);
const LONGEST_UNIT = '第一分公司'.repeat(20);

function ticket(n: number, subject = LONGEST_SUBJECT): OutboxTicket {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    number: `RX20261201-${String(n).padStart(4, '0')}`,
    category: 'complaint',
    categoryName: '投诉'.repeat(20),
    subject,
    status: 'dispatched',
    step: null,
  };
}

function single(notice = 'new_assignment'): NoticePayload {
  return {
    notice,
    userids: ['b1_receiver'],
    unit: 'branch1',
    unitName: LONGEST_UNIT,
    deadline: '2026-12-01T09:30:00.000Z',
    at: '2026-11-30T02:00:00.000Z',
    ticket: ticket(1),
    stage: 'due_soon',
  };
}

function folded(count: number, listed = Math.min(count, 20)): NoticePayload {
  const items: NoticeItem[] = Array.from({ length: listed }, (_, i) => ({
    ticket: ticket(i + 1),
    unitName: LONGEST_UNIT,
    deadline: '2026-12-01T09:30:00.000Z',
  }));
  return { ...single('remind'), ticket: items[0]!.ticket, items, count };
}

/** The URL inside a dingtalk://dingtalkclient/page/link?url=… link. */
function inner(link: string): URL {
  return new URL(new URL(link).searchParams.get('url')!);
}

describe('links that sign people in (13.5)', () => {
  it('R-9a: a ticket notice opens the ticket with the corp id 免登 needs in the query', () => {
    const url = inner(composeNotice(single(), links).action_card.single_url!);
    expect(url.origin).toBe('https://hotline.example.com');
    expect(url.searchParams.get('corpId')).toBe(links.corpId);
    expect(url.hash).toBe(`#/ticket/${ticket(1).id}`);
  });

  it('R-9a: a folded notice and the digest open the inbox / ticket list with the corp id', () => {
    const fold = inner(composeNotice(folded(3), links).action_card.single_url!);
    expect(fold.searchParams.get('corpId')).toBe(links.corpId);
    expect(fold.hash).toBe('#/inbox');
    const digest = composeNotice(
      {
        ...single('digest'),
        ticket: null,
        digest: { dueToday: 1, overdue: 2, undispatched: 0, overdueByUnit: [] },
      },
      links,
    );
    const list = inner(digest.action_card.single_url!);
    expect(list.searchParams.get('corpId')).toBe(links.corpId);
    expect(list.hash).toBe('#/tickets');
  });

  it('R-9a: a to-do opens the ticket with the corp id, on the phone and on the PC', () => {
    const todo = composeTodo(
      { key: 'k', action: 'accept', userids: ['b1_receiver'], unit: 'branch1', dueAt: null, ticket: ticket(1) },
      { publicUrl: 'https://hotline.example.com/app/', corpId: links.corpId },
      ['union1'],
      'src1',
    );
    for (const link of [todo.detailUrl!.appUrl, todo.detailUrl!.pcUrl]) {
      const url = inner(link);
      expect(url.pathname).toBe('/app/');
      expect(url.searchParams.get('corpId')).toBe(links.corpId);
      expect(url.hash).toBe(`#/ticket/${ticket(1).id}`);
    }
  });
});

describe('messages within DingTalk limits (16.2)', () => {
  it('R-9a: truncateBytes cuts on whole characters and marks the cut', () => {
    expect(truncateBytes('短', 10)).toBe('短');
    const cut = truncateBytes('公'.repeat(100), 31);
    expect(utf8Bytes(cut)).toBeLessThanOrEqual(31);
    expect(cut).toBe(`${'公'.repeat(9)}…`);
    expect(truncateBytes('😀😀😀', 9)).toBe('😀…');
  });

  it('R-9a: a single notice with the longest subject and unit name stays within 2,048 bytes and names the ticket', () => {
    for (const notice of ['new_assignment', 'remind', 'overdue', 'review_step', 'closed']) {
      const msg = composeNotice(single(notice), links);
      expect(utf8Bytes(msg)).toBeLessThanOrEqual(MSG_MAX_BYTES);
      expect(utf8Bytes(msg.action_card.title)).toBeLessThanOrEqual(CARD_TITLE_MAX_BYTES);
      expect(msg.action_card.markdown).toContain('RX20261201-0001');
      expect(msg.action_card.markdown).toMatch(/公+…/);
    }
  });

  it('R-9a: a ten-item fold with the longest subjects fits in 2,048 bytes: shorter subjects, and fewer items with 另有 N 条 when still too long', () => {
    const ten = composeNotice(folded(10), links);
    expect(utf8Bytes(ten)).toBeLessThanOrEqual(MSG_MAX_BYTES);
    const lines = ten.action_card.markdown.split('\n').filter((l) => /^- RX/.test(l));
    expect(lines).toHaveLength(10);
    for (const l of lines) expect(l).toMatch(/公+…/);
    expect(ten.action_card.title).toBe('工单催办（10件）');
    expect(inner(ten.action_card.single_url!).hash).toBe('#/inbox');

    // a longer address leaves room for fewer lines: the rest are counted, never cut off silently
    const longUrl = { ...links, publicUrl: `https://hotline.example.com/${'p'.repeat(850)}` };
    const fewer = composeNotice(folded(10), longUrl);
    expect(utf8Bytes(fewer)).toBeLessThanOrEqual(MSG_MAX_BYTES);
    const listed = fewer.action_card.markdown.split('\n').filter((l) => /^- RX/.test(l)).length;
    expect(listed).toBeGreaterThanOrEqual(1);
    expect(listed).toBeLessThan(10);
    expect(fewer.action_card.markdown).toContain(`另有 ${10 - listed} 条`);
  });

  it('R-9a: a fold of short subjects lists all ten without 另有; a fold of 57 lists what fits and counts the rest', () => {
    const short: NoticePayload = {
      ...folded(10),
      items: folded(10).items!.map((it) => ({
        ...it,
        ticket: ticket(Number(it.ticket.number.slice(-4)), '漏站'),
        unitName: '一分',
      })),
    };
    const all = composeNotice(short, links);
    expect(all.action_card.markdown.split('\n').filter((l) => /^- RX/.test(l))).toHaveLength(10);
    expect(all.action_card.markdown).not.toContain('另有');

    const many = composeNotice(folded(57, 20), links);
    expect(utf8Bytes(many)).toBeLessThanOrEqual(MSG_MAX_BYTES);
    const listed = many.action_card.markdown.split('\n').filter((l) => /^- RX/.test(l)).length;
    expect(many.action_card.markdown).toContain(`另有 ${57 - listed} 条`);
  });

  it('R-9a: the digest with many long unit names fits', () => {
    const msg = composeNotice(
      {
        ...single('digest'),
        ticket: null,
        digest: {
          dueToday: 3,
          overdue: 40,
          undispatched: 2,
          overdueByUnit: Array.from({ length: 30 }, (_, i) => ({ unit: `u${i}`, unitName: LONGEST_UNIT, count: i })),
        },
      },
      links,
    );
    expect(utf8Bytes(msg)).toBeLessThanOrEqual(MSG_MAX_BYTES);
    expect(msg.action_card.markdown).toMatch(/另有 \d+ 个单位/);
  });

  it('R-9a: a to-do of the longest subject stays within the subject and description limits', () => {
    const todo = composeTodo(
      {
        key: 'k',
        action: 'submit_reply',
        userids: ['b1_receiver'],
        unit: 'branch1',
        dueAt: '2026-12-01T09:30:00.000Z',
        ticket: ticket(1),
      },
      links,
      ['union1'],
      'src1',
    );
    expect(utf8Bytes(todo.subject)).toBeLessThanOrEqual(TODO_SUBJECT_MAX_BYTES);
    expect(todo.subject.startsWith('办理并回复工单：RX20261201-0001 公')).toBe(true);
  });

  it('R-9a: a public URL so long that no link fits is refused, never sent cut', () => {
    expect(() => composeNotice(single(), { ...links, publicUrl: `https://h.example.com/${'x'.repeat(1100)}` })).toThrow(
      /PUBLIC_URL/,
    );
  });
});

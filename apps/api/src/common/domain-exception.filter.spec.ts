import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
import { DingTalkNetworkError } from '@hotline/dingtalk';
import { DomainError } from '@hotline/workflow';
import { DomainExceptionFilter, isDatabaseUnavailable, statusForCode } from './domain-exception.filter';

function hostCapturing() {
  const sent: { status?: number; body?: any } = {};
  const reply = {
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header() {
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
  return { host, sent };
}

describe('DomainExceptionFilter', () => {
  const filter = new DomainExceptionFilter();

  it.each([
    ['VALIDATION', 400],
    ['UNAUTHENTICATED', 401],
    ['FORBIDDEN', 403],
    ['NOT_FOUND', 404],
    ['INVALID_STATE', 409],
    ['CONFLICT', 409],
    ['RATE_LIMITED', 429],
  ] as const)('FOUNDATION: domain code %s → HTTP %i', (code, status) => {
    expect(statusForCode(code)).toBe(status);
    const { host, sent } = hostCapturing();
    filter.catch(new DomainError(code, 'why', 'field'), host);
    expect(sent).toEqual({ status, body: { statusCode: status, error: code, message: 'why', field: 'field' } });
  });

  it('FOUNDATION: an unexpected error is a 500 with an error id and no internals', () => {
    const { host, sent } = hostCapturing();
    filter.catch(new Error('secret internals'), host);
    expect(sent.status).toBe(500);
    expect(sent.body.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.body).toMatchObject({ error: 'INTERNAL', message: expect.stringContaining('错误编号') });
    expect(JSON.stringify(sent.body)).not.toMatch(/secret internals/);
  });

  it('FOUNDATION: a unique-violation from PostgreSQL is a 409, a check violation a 400', () => {
    const a = hostCapturing();
    filter.catch({ driverError: { code: '23505' } }, a.host);
    expect(a.sent).toMatchObject({
      status: 409,
      body: { error: 'CONFLICT', message: '数据刚被他人修改，请刷新后重试。' },
    });
    const b = hostCapturing();
    filter.catch({ driverError: { code: '23514' } }, b.host);
    expect(b.sent).toMatchObject({
      status: 400,
      body: { error: 'VALIDATION', message: expect.stringContaining('数据规则') },
    });
  });

  it('R-9a: DingTalk unreachable is a 503, DingTalk refusing a 502, never a bare 500', () => {
    const a = hostCapturing();
    filter.catch(new DingTalkNetworkError('oapi', 'GET /gettoken', 'ECONNREFUSED', 'connect ECONNREFUSED'), a.host);
    expect(a.sent).toMatchObject({
      status: 503,
      body: { error: 'DINGTALK_UNAVAILABLE', message: '暂时无法连接钉钉，请稍后重试。' },
    });
  });

  it('FOUNDATION: Nest HTTP exceptions keep their status and message', () => {
    const { host, sent } = hostCapturing();
    filter.catch(new BadRequestException({ message: 'x is bad', field: 'x' }), host);
    expect(sent.body).toMatchObject({ statusCode: 400, message: 'x is bad', field: 'x' });
  });
});

describe('DomainExceptionFilter and an unreachable database (issue 18.6)', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [
      'a server shutting down (57P01)',
      { driverError: { code: '57P01', message: 'terminating connection due to administrator command' } },
    ],
    ['a server starting up (57P03)', { code: '57P03', message: 'the database system is starting up' }],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    [
      'a transaction whose connection died (TypeORM)',
      Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), {
        name: 'QueryRunnerAlreadyReleasedError',
      }),
    ],
    [
      'a query on a connection the pool already released after it died (TypeORM, issue 18.6)',
      Object.assign(
        new Error(
          'Database connection provided by a query runner was already released, cannot continue to use its querying methods anymore.',
        ),
        { name: 'QueryRunnerProviderAlreadyReleasedError' },
      ),
    ],
  ])('R-9a: %s is a 503 DATABASE_UNAVAILABLE with Retry-After, not a 500', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    const headers: Record<string, string> = {};
    const sent: { status?: number; body?: any } = {};
    const reply = {
      status(code: number) {
        sent.status = code;
        return reply;
      },
      header(k: string, v: string) {
        headers[k] = v;
        return reply;
      },
      send(body: unknown) {
        sent.body = body;
        return reply;
      },
    };
    new DomainExceptionFilter().catch(err, {
      switchToHttp: () => ({ getResponse: () => reply }),
    } as unknown as ArgumentsHost);
    expect(sent).toMatchObject({ status: 503, body: { statusCode: 503, error: 'DATABASE_UNAVAILABLE' } });
    expect(headers['retry-after']).toBe('5');
  });

  it('R-9a: a broken rule in the database is not an outage (23505 stays a 409), nor is DingTalk unreachable', () => {
    expect(isDatabaseUnavailable({ driverError: { code: '23505' } })).toBe(false);
    expect(isDatabaseUnavailable(new DingTalkNetworkError('oapi', 'GET /gettoken', 'ECONNREFUSED', 'x'))).toBe(false);
  });
});

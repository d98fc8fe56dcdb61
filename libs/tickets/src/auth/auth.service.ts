import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { OrganisationRepository, SecurityRepository, type PersonRow } from '@hotline/db';
import { DomainError, type Actor, type Role } from '@hotline/workflow';
import { CLOCK, type Clock } from '../clock';
import { createHash, randomBytes } from 'node:crypto';
import { signToken, verifyToken } from './token';
import { AUTH_SECRET } from './auth-secret';

/** The signed-in person, as the services see them. */
export interface CurrentUser extends Actor {
  name: string;
  units: Array<{ code: string; name: string; isLeader: boolean }>;
}

export interface SessionResponse {
  /** Bearer access token (short-lived). */
  token: string;
  expiresAt: string;
  /** One-use refresh token: POST /api/auth/refresh exchanges it for a new pair. */
  refreshToken: string;
  refreshExpiresAt: string;
  user: MeResponse;
}

export interface MeResponse {
  userid: string;
  name: string;
  title: string | null;
  roles: string[];
  units: Array<{ code: string; name: string; isLeader: boolean }>;
}

export function toCurrentUser(p: PersonRow): CurrentUser {
  return {
    userid: p.userid,
    name: p.name,
    roles: p.roles as Role[],
    unitCodes: p.units.map((u) => u.code),
    units: p.units,
  };
}

export function toMe(p: PersonRow): MeResponse {
  return { userid: p.userid, name: p.name, title: p.title, roles: p.roles, units: p.units };
}

@Injectable()
export class AuthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AUTH_SECRET) private readonly secret: string,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly org: OrganisationRepository,
    private readonly security: SecurityRepository,
  ) {}

  /**
   * Dev sign-in only while the DingTalk simulator stands in (DEV_LOGIN=false closes it there too).
   * With real DingTalk credentials it is a 404 whatever DEV_LOGIN says: anyone could sign in as anyone.
   */
  devLoginEnabled(): boolean {
    return this.config.dingtalk.credentials === undefined && this.config.auth.devLogin !== false;
  }

  async devSignIn(userid: string): Promise<SessionResponse> {
    if (!this.devLoginEnabled()) throw new DomainError('NOT_FOUND', 'Cannot POST /api/auth/dev');
    const person = await this.org.findPerson(userid);
    if (!person || !person.active) throw new DomainError('NOT_FOUND', `没有用户名为“${userid}”的在职人员。`, 'userid');
    return this.issue(person);
  }

  /** A new access token and a new refresh session for the person (continuing `family` on a refresh). */
  async issue(person: PersonRow, family: string | null = null): Promise<SessionResponse> {
    const now = this.clock.now();
    const ttl = this.config.auth.tokenTtlSeconds;
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshExpiresAt = new Date(now.getTime() + this.config.auth.refreshTtlSeconds * 1000);
    // Only a hash is stored: a leaked database does not leak live sessions.
    const sid = await this.security.createSession(
      person.userid,
      hashToken(refreshToken),
      now,
      refreshExpiresAt,
      family,
    );
    return {
      token: signToken(this.secret, person.userid, now.getTime(), ttl, sid),
      expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
      refreshToken,
      refreshExpiresAt: refreshExpiresAt.toISOString(),
      user: toMe(person),
    };
  }

  /**
   * Rotates a refresh token. A token presented a second time means it was copied: every session
   * of that person ends and they sign in again.
   */
  async refresh(refreshToken: string): Promise<SessionResponse> {
    const now = this.clock.now();
    const session = await this.security.findSession(hashToken(refreshToken));
    const invalid = new DomainError('UNAUTHENTICATED', '登录已失效或已过期，请重新登录。', 'refreshToken');
    if (!session || session.revokedAt || session.expiresAt.getTime() <= now.getTime()) throw invalid;
    if (session.rotatedAt || !(await this.security.rotateSession(session.id, now))) {
      await this.security.revokeAllSessions(session.userid, now);
      throw invalid;
    }
    const person = await this.org.findPerson(session.userid);
    if (!person || !person.active) throw new DomainError('UNAUTHENTICATED', '该账号已停用，请联系热线系统管理员。');
    return this.issue(person, session.family);
  }

  /**
   * Signing out ends the sign-in on the server: every refresh token of it and, through the
   * per-request session check, every access token issued under it (issue 17, item 5).
   */
  async logout(refreshToken: string): Promise<void> {
    const session = await this.security.findSession(hashToken(refreshToken));
    if (session) await this.security.revokeFamily(session.family, this.clock.now());
  }

  /** The person behind a bearer token; UNAUTHENTICATED for a missing, bad or expired token. */
  async authenticate(token: string | undefined): Promise<CurrentUser> {
    if (!token) throw new DomainError('UNAUTHENTICATED', '请先登录（请求缺少 Authorization: Bearer 令牌）。');
    const claims = verifyToken(this.secret, token, this.clock.now().getTime());
    // Made only when thrown: an Error's stack trace is a cost on every request (issue 19 goal 1).
    const expired = () => new DomainError('UNAUTHENTICATED', '登录已失效或已过期，请重新登录。');
    if (!claims?.sid) throw expired();
    // Issue 17, item 5: the token dies with its session (sign-out, a reused refresh token). One
    // primary-key look-up, in the same statement as the person's (issue 19 goal 1).
    const { person, alive } = await this.org.findPersonForSession(claims.sub, claims.sid);
    if (!alive) throw expired();
    if (!person || !person.active) throw new DomainError('UNAUTHENTICATED', '该账号已停用，请联系热线系统管理员。');
    return toCurrentUser(person);
  }

  async me(user: CurrentUser): Promise<MeResponse> {
    const p = await this.org.findPerson(user.userid);
    if (!p) throw new DomainError('UNAUTHENTICATED', '该账号已停用，请联系热线系统管理员。');
    return toMe(p);
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

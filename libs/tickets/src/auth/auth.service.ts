import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { OrganisationRepository, type PersonRow } from '@hotline/db';
import { DomainError, type Actor, type Role } from '@hotline/workflow';
import { CLOCK, type Clock } from '../clock';
import { signToken, verifyToken } from './token';
import { AUTH_SECRET } from './auth-secret';

/** The signed-in person, as the services see them. */
export interface CurrentUser extends Actor {
  name: string;
  units: Array<{ code: string; name: string; isLeader: boolean }>;
}

export interface SessionResponse {
  token: string;
  expiresAt: string;
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
  ) {}

  /** Dev sign-in is open while the DingTalk simulator is in use, or when DEV_LOGIN=true. */
  devLoginEnabled(): boolean {
    return this.config.auth.devLogin ?? this.config.dingtalk.credentials === undefined;
  }

  async devSignIn(userid: string): Promise<SessionResponse> {
    if (!this.devLoginEnabled()) throw new DomainError('NOT_FOUND', 'Cannot POST /api/auth/dev');
    const person = await this.org.findPerson(userid);
    if (!person || !person.active)
      throw new DomainError('NOT_FOUND', `no active person with userid "${userid}"`, 'userid');
    return this.issue(person);
  }

  issue(person: PersonRow): SessionResponse {
    const now = this.clock.now().getTime();
    const ttl = this.config.auth.tokenTtlSeconds;
    return {
      token: signToken(this.secret, person.userid, now, ttl),
      expiresAt: new Date(now + ttl * 1000).toISOString(),
      user: toMe(person),
    };
  }

  /** The person behind a bearer token; UNAUTHENTICATED for a missing, bad or expired token. */
  async authenticate(token: string | undefined): Promise<CurrentUser> {
    if (!token) throw new DomainError('UNAUTHENTICATED', 'sign in first: Authorization: Bearer <token> is missing');
    const claims = verifyToken(this.secret, token, this.clock.now().getTime());
    if (!claims) throw new DomainError('UNAUTHENTICATED', 'the token is invalid or has expired; sign in again');
    const person = await this.org.findPerson(claims.sub);
    if (!person || !person.active) throw new DomainError('UNAUTHENTICATED', 'this account is no longer active');
    return toCurrentUser(person);
  }

  async me(user: CurrentUser): Promise<MeResponse> {
    const p = await this.org.findPerson(user.userid);
    if (!p) throw new DomainError('UNAUTHENTICATED', 'this account is no longer active');
    return toMe(p);
  }
}

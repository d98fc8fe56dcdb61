// The one place that reads process.env. Every setting is validated once at boot; a bad or
// missing value stops the process with a readable list (see apps/*/main.ts), never a stack trace.
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface DingTalkCredentials {
  appKey: string;
  appSecret: string;
  agentId: string;
  corpId: string;
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** Public base URL of the API + micro-app, used in DingTalk deep links. */
  publicUrl: string;
  /**
   * Issue 17: reverse proxies whose X-Forwarded-For is believed (IPs, CIDRs, or proxy-addr's
   * `loopback` / `linklocal` / `uniquelocal`); empty → the socket address is the client.
   */
  trustedProxies: string[];
  logLevel: LogLevel;
  /** Folder for the embedded database, generated keys and uploads. */
  dataDir: string;
  /** The built micro-app, served at `/` when the folder exists. */
  miniappDir: string;
  database: {
    /** postgres://… when an external server is used; undefined → embedded PostgreSQL. */
    url: string | undefined;
    embeddedPort: number;
    /** Apply pending migrations at start (the zero-setup default); production may switch it off. */
    migrateOnStart: boolean;
    poolSize: number;
    /**
     * The role the api and worker connect as (issue 17.4): `migration:run`, run as the tables'
     * owner, grants it read/write on ordinary tables and read/append only on the audit trail.
     */
    appRole: string | undefined;
  };
  auth: {
    /** HMAC key for our bearer tokens; undefined → generated into dataDir on first start. */
    tokenSecret: string | undefined;
    tokenTtlSeconds: number;
    /** Refresh-token lifetime: how long a phone stays signed in without opening the app. */
    refreshTtlSeconds: number;
    /** Sign-in attempts per minute per client address (rate limit on /api/auth/*). */
    signInPerMinute: number;
    /** Dev sign-in (POST /api/auth/dev): only without DingTalk credentials; false turns it off there too. */
    devLogin: boolean | undefined;
    /** Issue 13.1: DingTalk userids that are admins, granted at boot and on every org sync, never removed by it. */
    adminUserids: string[];
  };
  /** R-19: keys of the caller data at rest; undefined → generated into dataDir/keys on first start. */
  callerData: {
    /** `id1:base64key,id2:base64key`: the first encrypts, every one decrypts (rotation). */
    keys: string | undefined;
    /** base64 HMAC key of the phone hash (never rotated). */
    hashKey: string | undefined;
  };
  /** Retention (PIPL, R-19): caller data of tickets closed longer ago than this is anonymised. */
  retention: {
    callerYears: number;
    /** Also run it nightly in the worker (the admin can always run it, after a dry run). */
    auto: boolean;
  };
  dingtalk: {
    /** Real credentials; undefined → the local simulator is started and used. */
    credentials: DingTalkCredentials | undefined;
    oapiBaseUrl: string | undefined;
    apiBaseUrl: string | undefined;
    simulatorPort: number;
    /** Create DingTalk to-dos beside work notices (they cost two API calls each: reference §8). */
    todos: boolean;
    /** 16.3: read each notice's send result (getsendprogress + getsendresult: 3 counted calls per notice measured, docs/dingtalk.md). */
    deliveryCheck: boolean;
    /** 16.4: counted calls a month before the client refuses to send (reference §8: 10,000 on the standard edition); 0 = no limit of ours. */
    monthlyQuota: number;
  };
  attachments: {
    /** Folder for uploaded photos and files (absolute). */
    dir: string;
    /** Largest accepted file, in bytes. */
    maxBytes: number;
  };
  /** X-1, X-2: office hours of the working-day calendar (Asia/Shanghai wall clock, 'HH:mm'). */
  calendar: {
    officeHours: { start: string; end: string };
    lunchBreak: { start: string; end: string } | null;
  };
  /** X-3, X-4, X-9, R-17: deadline settings. */
  deadlines: {
    /** X-9: yellow when more than this share of an item's time is used (0 < share < 1). */
    yellowShare: number;
    /** X-9: the second reminder, this many minutes before the deadline. */
    remindBeforeMinutes: number;
    /** X-4: extensions per assignment, and working days per extension. */
    extensionMaxCount: number;
    extensionMaxDays: number;
    /** R-17: alert this many minutes before close of business about undispatched tickets. */
    dispatchAlertLeadMinutes: number;
    /** Rows per transaction of a deadline scan. */
    scanBatchSize: number;
  };
  /** Issue 9: the intake desk. */
  intake: {
    /** X-6: default window of the repeat panel (days back for the same caller, route, vehicle, stop). */
    repeatWindowDays: number;
    /** Upstream intake: a signed request's timestamp may differ from our clock by at most this. */
    replayWindowSeconds: number;
  };
  timezone: 'Asia/Shanghai';
}

export class ConfigValidationError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

type Env = Record<string, string | undefined>;

export interface LoadConfigOptions {
  /**
   * 'server' (api, worker, all-in-one start; the default): with NODE_ENV=production the
   * production rules apply too (productionIssues). 'tool': migrations, the simulator, CLIs, which
   * neither sign anyone in nor send anything.
   */
  role?: 'server' | 'tool';
}

export function loadConfig(
  env: Env = process.env,
  cwd: string = process.cwd(),
  options: LoadConfigOptions = {},
): AppConfig {
  const role = options.role ?? 'server';
  const issues: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      issues.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return def;
    }
    return n;
  };
  const bool = (name: string): boolean | undefined => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
    issues.push(`${name} must be true or false (got "${raw}")`);
    return undefined;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) {
        issues.push(`${name} must be a ${protocols.join(' or ')} URL (got "${u.protocol}")`);
        return undefined;
      }
      return raw.replace(/\/+$/, '');
    } catch {
      issues.push(`${name} must be a valid URL (got "${raw}")`);
      return undefined;
    }
  };

  const fraction = (name: string, def: number): number => {
    const raw = str(name);
    if (raw === undefined) return def;
    const parts = raw.split('/');
    const n = parts.length === 2 ? Number(parts[0]) / Number(parts[1]) : Number(raw);
    if (!Number.isFinite(n) || n <= 0 || n >= 1) {
      issues.push(`${name} must be a share between 0 and 1, like 0.67 or 2/3 (got "${raw}")`);
      return def;
    }
    return n;
  };
  const clockRange = (name: string, def: string | null): { start: string; end: string } | null => {
    const raw = str(name) ?? def;
    if (raw === null || raw.toLowerCase() === 'none') return null;
    const m = /^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)$/.exec(raw);
    if (!m || `${m[1]}${m[2]}` >= `${m[3]}${m[4]}`) {
      issues.push(`${name} must be a range HH:mm-HH:mm with start before end (got "${raw}")`);
      return null;
    }
    return { start: `${m[1]}:${m[2]}`, end: `${m[3]}:${m[4]}` };
  };

  const nodeEnvRaw = str('NODE_ENV') ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnvRaw)) {
    issues.push(`NODE_ENV must be development, production or test (got "${nodeEnvRaw}")`);
  }
  const logLevel = (str('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    issues.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`);
  }
  const port = int('PORT', 3000, 1, 65535);
  const host = str('HOST') ?? '0.0.0.0';
  const dataDirRaw = str('DATA_DIR') ?? '.data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
  const miniappRaw = str('MINIAPP_DIST_DIR') ?? 'dingtalk-miniapp/dist';
  const miniappDir = isAbsolute(miniappRaw) ? miniappRaw : resolve(cwd, miniappRaw);

  const attachmentsRaw = str('ATTACHMENTS_DIR');
  const attachmentsDir = attachmentsRaw
    ? isAbsolute(attachmentsRaw)
      ? attachmentsRaw
      : resolve(cwd, attachmentsRaw)
    : resolve(dataDir, 'attachments');

  const adminUserids = [
    ...new Set(
      (str('ADMIN_USERIDS') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  for (const id of adminUserids) {
    if (id.length > 64 || /\s/.test(id)) {
      issues.push(
        `ADMIN_USERIDS must be DingTalk userids separated by commas, each at most 64 characters (got "${id}")`,
      );
    }
  }

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const appRole = str('DATABASE_APP_ROLE');
  if (appRole !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(appRole)) {
    issues.push(
      `DATABASE_APP_ROLE must be a plain PostgreSQL role name (lower-case letters, digits, _), got "${appRole}"`,
    );
  }
  const tokenSecret = str('AUTH_TOKEN_SECRET');
  if (tokenSecret !== undefined && tokenSecret.length < 32) {
    issues.push('AUTH_TOKEN_SECRET must be at least 32 characters long');
  }

  const callerKeys = str('CALLER_DATA_KEYS');
  const callerHashKey = str('CALLER_HASH_KEY');
  if ((callerKeys === undefined) !== (callerHashKey === undefined)) {
    issues.push('CALLER_DATA_KEYS and CALLER_HASH_KEY go together: set both, or neither to generate local keys');
  }
  if (callerKeys !== undefined) {
    for (const part of callerKeys.split(',').map((p) => p.trim())) {
      const [id, b64] = part.split(':');
      if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || Buffer.from(b64 ?? '', 'base64').length !== 32) {
        issues.push(
          'CALLER_DATA_KEYS must be id:base64 pairs of 32-byte keys, comma-separated (e.g. k1:<openssl rand -base64 32>)',
        );
        break;
      }
    }
  }
  if (callerHashKey !== undefined && Buffer.from(callerHashKey, 'base64').length < 32) {
    issues.push('CALLER_HASH_KEY must be at least 32 bytes, base64-encoded');
  }

  const dtNames = ['DINGTALK_APP_KEY', 'DINGTALK_APP_SECRET', 'DINGTALK_AGENT_ID', 'DINGTALK_CORP_ID'] as const;
  const dtValues = dtNames.map((n) => str(n));
  const dtSet = dtValues.filter((v) => v !== undefined).length;
  if (dtSet > 0 && dtSet < dtNames.length) {
    const missing = dtNames.filter((_, i) => dtValues[i] === undefined);
    issues.push(`DingTalk is half configured: also set ${missing.join(', ')} (or unset all four to use the simulator)`);
  }
  const credentials: DingTalkCredentials | undefined =
    dtSet === dtNames.length
      ? { appKey: dtValues[0]!, appSecret: dtValues[1]!, agentId: dtValues[2]!, corpId: dtValues[3]! }
      : undefined;

  const config: AppConfig = {
    nodeEnv: nodeEnvRaw as AppConfig['nodeEnv'],
    host,
    port,
    publicUrl: url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    trustedProxies: proxies(str('TRUSTED_PROXIES'), issues),
    logLevel,
    dataDir,
    miniappDir,
    database: {
      url: databaseUrl,
      embeddedPort: int('EMBEDDED_PG_PORT', 54329, 1024, 65535),
      migrateOnStart: bool('DB_MIGRATE_ON_START') ?? true,
      poolSize: int('DB_POOL_SIZE', 10, 1, 200),
      appRole,
    },
    auth: {
      tokenSecret,
      tokenTtlSeconds: int('AUTH_TOKEN_TTL_SECONDS', 30 * 60, 60, 30 * 24 * 3600),
      refreshTtlSeconds: int('AUTH_REFRESH_TTL_SECONDS', 14 * 24 * 3600, 300, 90 * 24 * 3600),
      signInPerMinute: int('AUTH_RATE_LIMIT_PER_MINUTE', 20, 1, 100000),
      devLogin: bool('DEV_LOGIN'),
      adminUserids,
    },
    callerData: { keys: callerKeys, hashKey: callerHashKey },
    retention: {
      callerYears: int('RETENTION_CALLER_YEARS', 3, 1, 30),
      auto: bool('RETENTION_AUTO') ?? false,
    },
    dingtalk: {
      credentials,
      oapiBaseUrl: url('DINGTALK_OAPI_BASE_URL', ['http:', 'https:']),
      apiBaseUrl: url('DINGTALK_API_BASE_URL', ['http:', 'https:']),
      simulatorPort: int('DINGTALK_SIM_PORT', 3100, 1, 65535),
      todos: bool('DINGTALK_TODOS') ?? true,
      deliveryCheck: bool('DINGTALK_DELIVERY_CHECK') ?? true,
      monthlyQuota: int('DINGTALK_MONTHLY_QUOTA', 10_000, 0, 1_000_000_000),
    },
    attachments: {
      dir: attachmentsDir,
      maxBytes: int('ATTACHMENT_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    },
    calendar: {
      officeHours: clockRange('OFFICE_HOURS', '08:30-17:30') ?? { start: '08:30', end: '17:30' },
      lunchBreak: clockRange('LUNCH_BREAK', null),
    },
    deadlines: {
      yellowShare: fraction('LIGHT_YELLOW_SHARE', 2 / 3),
      remindBeforeMinutes: int('REMIND_BEFORE_DEADLINE_MINUTES', 60, 0, 24 * 60),
      extensionMaxCount: int('EXTENSION_MAX_COUNT', 3, 0, 10),
      extensionMaxDays: int('EXTENSION_MAX_DAYS', 3, 1, 15),
      dispatchAlertLeadMinutes: int('DISPATCH_ALERT_LEAD_MINUTES', 30, 0, 240),
      scanBatchSize: int('DEADLINE_SCAN_BATCH', 500, 10, 10_000),
    },
    intake: {
      repeatWindowDays: int('REPEAT_WINDOW_DAYS', 30, 1, 365),
      replayWindowSeconds: int('INTAKE_REPLAY_WINDOW_SECONDS', 300, 30, 3600),
    },
    timezone: 'Asia/Shanghai',
  };
  if (role === 'server' && config.nodeEnv === 'production') issues.push(...productionIssues(config));
  if (issues.length > 0) throw new ConfigValidationError(issues);
  return config;
}

/**
 * What a production server (api, worker, all-in-one) must not start with: anyone could sign in as
 * anyone, notices would go to the simulator, or tokens and caller data would be protected by keys
 * generated into a local folder that a second replica or a restored backup does not have.
 */
export function productionIssues(config: AppConfig): string[] {
  const issues: string[] = [];
  if (config.auth.devLogin === true) {
    issues.push('DEV_LOGIN=true is not allowed with NODE_ENV=production (anyone could sign in as anyone)');
  }
  if (!config.dingtalk.credentials) {
    issues.push(
      'DINGTALK_APP_KEY, DINGTALK_APP_SECRET, DINGTALK_AGENT_ID and DINGTALK_CORP_ID must be set with NODE_ENV=production (the simulator is for development only)',
    );
  }
  if (!config.auth.tokenSecret) {
    issues.push('AUTH_TOKEN_SECRET must be set with NODE_ENV=production (no generated key in production)');
  }
  if (!config.callerData.keys) {
    issues.push('CALLER_DATA_KEYS must be set with NODE_ENV=production (no generated key in production)');
  }
  if (!config.callerData.hashKey) {
    issues.push('CALLER_HASH_KEY must be set with NODE_ENV=production (no generated key in production)');
  }
  return issues;
}

/** TRUSTED_PROXIES: comma-separated IPs or CIDRs (or proxy-addr's named ranges). */
function proxies(raw: string | undefined, issues: string[]): string[] {
  if (raw === undefined) return [];
  const list = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const named = ['loopback', 'linklocal', 'uniquelocal'];
  const bad = list.filter((p) => {
    if (named.includes(p)) return false;
    const [ip, bits, extra] = p.split('/');
    const v = isIP(ip);
    if (v === 0 || extra !== undefined) return true;
    return bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= (v === 4 ? 32 : 128));
  });
  if (bad.length > 0) {
    issues.push(`TRUSTED_PROXIES must be IP addresses or CIDR ranges, comma-separated (not ${bad.join(', ')})`);
  }
  return list;
}

/** For entry points: validated config, or a readable list on stderr and exit code 1. */
export function loadConfigOrExit(options: LoadConfigOptions = {}, env: Env = process.env): AppConfig {
  // A .env file in the working directory fills in what the environment does not set.
  if (env === process.env && existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(env, process.cwd(), options);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
}

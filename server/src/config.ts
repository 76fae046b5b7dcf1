import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TEMPLATE_KEYS, type TemplateKey } from '@pioneer/shared';

const portSchema = z.coerce.number().int().min(1).max(65535);
const hexKey = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)');

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: portSchema.default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z.url().optional(),
    DATA_DIR: z.string().min(1).default('./.data'),
    EMBEDDED_PG_PORT: portSchema.default(54329),
    PUBLIC_URL: z.url().optional(),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    PIONEER_CODE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    PHONE_ENC_KEY: hexKey.optional(),
    PHONE_HASH_KEY: hexKey.optional(),
    WECHAT_APP_ID: z.string().min(1).optional(),
    WECHAT_APP_SECRET: z.string().min(1).optional(),
    WECHAT_API_BASE: z.url().default('https://api.weixin.qq.com'),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    SESSION_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(7 * 24 * 3600),
    LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(6000),
    LOGIN_IDENTITY_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    INVITE_ACCEPT_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    CODE_VERIFY_RATE_LIMIT: z.coerce.number().int().min(1).default(120),
    REGISTER_LOOKUP_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
    IMPORT_RATE_LIMIT: z.coerce.number().int().min(1).default(6),
    PERSONAL_READ_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
    WHISTLE_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    DEMAND_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    DEMAND_ADDRESS_RATE_LIMIT: z.coerce.number().int().min(1).default(120),
    SUBSCRIPTION_CREDIT_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
    REDIS_URL: z.url().optional(),
    // No default here: development defaults to `warn` (below), everything else to `info`.
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    SEED_DEMO: z.enum(['true', 'false']).optional(),
    H5_DIR: z.string().optional(),
    H5_PENDING: z.enum(['true', 'false']).optional(),
    TRUST_PROXY: z
      .string()
      .regex(/^[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*$/, 'must list the proxy addresses or CIDR ranges, comma-separated')
      .optional(),
    CHECK_IN_OPENS_MINUTES: z.coerce.number().int().min(0).max(10080).default(30),
    ROLLUP_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(1000),
    UNIT_BOARD_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
    NO_SHOW_LIMIT: z.coerce.number().int().min(1).default(3),
    NO_SHOW_WINDOW_DAYS: z.coerce.number().int().min(1).default(90),
    NO_SHOW_SUSPEND_DAYS: z.coerce.number().int().min(1).default(14),
    /** Ed25519 seed (64 hex) signing 志愿服务记录证明; rotate by setting a new one (old public keys stay listed). */
    CERT_SIGNING_KEY: hexKey.optional(),
    CORRECTION_WINDOW_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    CLAIM_JOBS_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
    NOTIFY_WORKER: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    NOTIFY_WECHAT_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
    WECHAT_MINIPROGRAM_STATE: z.enum(['formal', 'trial', 'developer']).default('formal'),
    SERVER_ROLE: z.enum(['web', 'worker', 'all']).default('all'),
    DATABASE_REPLICA_URLS: z
      .string()
      .refine((v) => v.split(',').every((u) => URL.canParse(u.trim())), 'must be comma-separated PostgreSQL URLs')
      .optional(),
    REPLICA_MAX_LAG_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    ...Object.fromEntries(TEMPLATE_KEYS.map((k) => [`WECHAT_TEMPLATE_${k.toUpperCase()}`, z.string().min(1).max(128).optional()])),
  })
  .superRefine((env, ctx) => {
    const why = productionReason(env);
    if (!why) return;
    const required = ['JWT_SECRET', 'PIONEER_CODE_SECRET', 'PHONE_ENC_KEY', 'PHONE_HASH_KEY', 'CERT_SIGNING_KEY'] as const;
    for (const name of required) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: `is required in production (${why})` });
    }
    if (env.NODE_ENV === 'production') {
      for (const name of ['WECHAT_APP_ID', 'WECHAT_APP_SECRET'] as const) {
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required in production' });
      }
    }
    if (env.SEED_DEMO === 'true')
      ctx.addIssue({ code: 'custom', path: ['SEED_DEMO'], message: `the demo data is for development only (${why})` });
  });

const LOCAL_HOSTS = /^(localhost|127(\.\d+){3}|\[::1\]|0\.0\.0\.0|[\w-]+\.(test|localhost))$/;

/**
 * Why the server must run with real keys, or null in development. Production is declared
 * (`NODE_ENV=production`) or evident: WeChat credentials, or QR codes pointing at a public host.
 */
function productionReason(env: {
  NODE_ENV: string;
  WECHAT_APP_ID?: string;
  WECHAT_APP_SECRET?: string;
  PUBLIC_URL?: string;
}): string | null {
  if (env.NODE_ENV === 'production') return 'NODE_ENV=production';
  if (env.WECHAT_APP_ID || env.WECHAT_APP_SECRET) return 'WeChat credentials are set';
  if (env.PUBLIC_URL && !LOCAL_HOSTS.test(new URL(env.PUBLIC_URL).hostname)) return 'PUBLIC_URL is not a local address';
  return null;
}

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  embeddedPgPort: number;
  publicUrl: string;
  jwtSecret: string;
  pioneerCodeSecret: string;
  phoneEncKey: Buffer;
  phoneHashKey: Buffer;
  wechat: { appId: string; appSecret: string; apiBase: string } | null;
  dbPoolSize: number;
  sessionTtlSeconds: number;
  /** Attempts per minute: sign-ins per address and per WeChat code; the rest per user. */
  rateLimits: RateLimits;
  /** Shared rate-limit counters for several processes; unset: each process counts in memory. */
  redisUrl?: string;
  /** pino level: `LOG_LEVEL`, else `warn` in development (no line per request) and `info` elsewhere. */
  logLevel: string;
  seedDemo: boolean;
  h5Dir: string;
  /** `npm start` is building the H5 client: `/` says so until the server restarts with it. */
  h5Pending: boolean;
  /** Addresses of the reverse proxies whose X-Forwarded-For is believed; false: none. */
  trustProxy: string[] | false;
  checkInOpensMinutes: number;
  /** How often the roll-up job drains its queue (0: never on a timer; tests and scripts call it). */
  rollupIntervalMs: number;
  /** How long a month's 单位报到成效 board is answered again (ms; 0: scored on every call). */
  unitBoardCacheMs: number;
  /** No-shows within the window that suspend grabbing, and for how long (contract v2). */
  noShow: { limit: number; windowDays: number; suspendDays: number };
  /** The Ed25519 seed (hex) signing certificates: `CERT_SIGNING_KEY`, or random per data folder in development. */
  certSigningKey: string;
  /** How long after a post ends its members may ask for a correction or 补录 (contract v3). */
  correctionWindowDays: number;
  /** How often offer expiry and due draws are polled; 0: never (tests drive them by hand). */
  claimJobsIntervalMs: number;
  /** `web` serves HTTP and live sockets only, `worker` runs every background job, `all` both. */
  serverRole: 'web' | 'worker' | 'all';
  /** Read-only replicas for statistics, dashboards, rankings and exports (empty: the primary). */
  replicaUrls: string[];
  /** A replica further behind than this is skipped. */
  replicaMaxLagMs: number;
  /** Bearer token `/metrics` asks for; unset: open (bind it to an internal address). */
  metricsToken?: string;
  notifications: {
    /** This process relays the outbox and runs the queue's workers (the outbox is written regardless). */
    worker: boolean;
    /** WeChat sends in flight per process (WeChat's latency, not this server, bounds the rate). */
    wechatConcurrency: number;
    /** WeChat subscribe message template ids, from `WECHAT_TEMPLATE_<KEY>`; unset: message center only. */
    templates: Partial<Record<TemplateKey, string>>;
    miniprogramState: 'formal' | 'trial' | 'developer';
  };
}

export interface RateLimits {
  loginPerAddress: number;
  loginPerIdentity: number;
  inviteAcceptPerUser: number;
  codeVerifyPerUser: number;
  registerLookupPerUser: number;
  /** File imports (registry, directory) per staff user per minute: each inflates and reads a whole workbook. */
  importsPerUser: number;
  /** Audited full-phone reads per staff user per minute: enough to call people one by one, not to sweep a list. */
  personalReadsPerUser: number;
  /** Whistles raised per raiser per minute. */
  whistlesPerRaiser: number;
  /** 居民点单 per user per minute: each one costs a WeChat content check and a secretary's attention. */
  demandsPerUser: number;
  /** 居民点单 per client address per minute, whoever signs them (many accounts behind one address). */
  demandsPerAddress: number;
  /** Subscription credits (`accept`s) recorded per user and template per minute. */
  creditsPerTemplate: number;
}

export class ConfigError extends Error {}

interface DevelopmentSecrets {
  jwt: string;
  pioneerCode: string;
  phoneEnc: string;
  phoneHash: string;
}

/**
 * Outside production, unset secrets come from `DATA_DIR/secrets.json`: random, made once per data
 * folder (mode 0600), so several local processes agree on them and phones encrypted yesterday
 * decrypt today, yet no key can be derived from the source. Production refuses to start without
 * real ones (see the refine above).
 */
function developmentSecrets(dataDir: string): DevelopmentSecrets {
  const file = path.join(dataDir, 'secrets.json');
  const read = (): DevelopmentSecrets | null => {
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevelopmentSecrets>;
      if ([v.jwt, v.pioneerCode, v.phoneEnc, v.phoneHash].every((x) => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x))) {
        return v as DevelopmentSecrets;
      }
      throw new ConfigError(`${file} is damaged: delete it to make new development keys`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`${file} is damaged: delete it to make new development keys`);
    }
  };
  const found = read();
  if (found) return found;
  const made: DevelopmentSecrets = {
    jwt: randomBytes(32).toString('hex'),
    pioneerCode: randomBytes(32).toString('hex'),
    phoneEnc: randomBytes(32).toString('hex'),
    phoneHash: randomBytes(32).toString('hex'),
  };
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, JSON.stringify(made, null, 2), { flag: 'wx', mode: 0o600 });
    return made;
  } catch (e) {
    // Another process starting on the same folder wrote it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return read() ?? made;
    throw e;
  }
}

/**
 * Outside production an unset CERT_SIGNING_KEY is random per data folder (its own file, mode
 * 0600, kept apart from secrets.json so either can be replaced alone): certificates issued
 * yesterday still verify today. Production refuses to start without one (the refine above).
 */
function developmentCertKey(dataDir: string): string {
  const file = path.join(dataDir, 'cert-signing-key');
  const read = () => {
    const v = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(v)) throw new ConfigError(`${file} is damaged: delete it to make a new development key`);
    return v;
  };
  try {
    return read();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  const made = randomBytes(32).toString('hex');
  try {
    writeFileSync(file, made, { flag: 'wx', mode: 0o600 });
    return made;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return read();
    throw e;
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const blanked = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]));
  const parsed = EnvSchema.safeParse(blanked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const production = productionReason(e) !== null;
  const needsDevKeys = !(e.JWT_SECRET && e.PIONEER_CODE_SECRET && e.PHONE_ENC_KEY && e.PHONE_HASH_KEY);
  const dev = needsDevKeys ? developmentSecrets(dataDir) : null;
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    jwtSecret: e.JWT_SECRET ?? dev!.jwt,
    pioneerCodeSecret: e.PIONEER_CODE_SECRET ?? dev!.pioneerCode,
    phoneEncKey: Buffer.from(e.PHONE_ENC_KEY ?? dev!.phoneEnc, 'hex'),
    phoneHashKey: Buffer.from(e.PHONE_HASH_KEY ?? dev!.phoneHash, 'hex'),
    wechat:
      e.WECHAT_APP_ID && e.WECHAT_APP_SECRET
        ? { appId: e.WECHAT_APP_ID, appSecret: e.WECHAT_APP_SECRET, apiBase: e.WECHAT_API_BASE.replace(/\/+$/, '') }
        : null,
    dbPoolSize: e.DB_POOL_SIZE,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    rateLimits: {
      loginPerAddress: e.LOGIN_RATE_LIMIT,
      loginPerIdentity: e.LOGIN_IDENTITY_RATE_LIMIT,
      inviteAcceptPerUser: e.INVITE_ACCEPT_RATE_LIMIT,
      codeVerifyPerUser: e.CODE_VERIFY_RATE_LIMIT,
      registerLookupPerUser: e.REGISTER_LOOKUP_RATE_LIMIT,
      importsPerUser: e.IMPORT_RATE_LIMIT,
      personalReadsPerUser: e.PERSONAL_READ_RATE_LIMIT,
      whistlesPerRaiser: e.WHISTLE_RATE_LIMIT,
      demandsPerUser: e.DEMAND_RATE_LIMIT,
      demandsPerAddress: e.DEMAND_ADDRESS_RATE_LIMIT,
      creditsPerTemplate: e.SUBSCRIPTION_CREDIT_RATE_LIMIT,
    },
    redisUrl: e.REDIS_URL,
    // A line per request floods the terminal of `npm start`; the server prints one ready line instead.
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'development' && !production ? 'warn' : 'info'),
    // The demo city (with its dev:admin) only ever loads in development.
    seedDemo: !production && e.NODE_ENV === 'development' && e.SEED_DEMO !== 'false',
    h5Pending: e.H5_PENDING === 'true',
    h5Dir: path.resolve(e.H5_DIR ?? path.join(__dirname, '..', '..', 'client', 'dist', 'h5')),
    trustProxy: e.TRUST_PROXY ? e.TRUST_PROXY.split(',') : false,
    checkInOpensMinutes: e.CHECK_IN_OPENS_MINUTES,
    rollupIntervalMs: e.ROLLUP_INTERVAL_MS,
    unitBoardCacheMs: e.UNIT_BOARD_CACHE_MS,
    noShow: { limit: e.NO_SHOW_LIMIT, windowDays: e.NO_SHOW_WINDOW_DAYS, suspendDays: e.NO_SHOW_SUSPEND_DAYS },
    claimJobsIntervalMs: e.CLAIM_JOBS_INTERVAL_MS,
    serverRole: e.SERVER_ROLE,
    replicaUrls: e.DATABASE_REPLICA_URLS ? e.DATABASE_REPLICA_URLS.split(',').map((u) => u.trim()) : [],
    replicaMaxLagMs: e.REPLICA_MAX_LAG_MS,
    metricsToken: e.METRICS_TOKEN,
    correctionWindowDays: e.CORRECTION_WINDOW_DAYS,
    certSigningKey: e.CERT_SIGNING_KEY ?? developmentCertKey(dataDir),
    notifications: {
      worker: e.NOTIFY_WORKER,
      wechatConcurrency: e.NOTIFY_WECHAT_CONCURRENCY,
      templates: Object.fromEntries(
        TEMPLATE_KEYS.flatMap((k) => {
          const id = (e as Record<string, unknown>)[`WECHAT_TEMPLATE_${k.toUpperCase()}`];
          return typeof id === 'string' ? [[k, id]] : [];
        }),
      ),
      miniprogramState: e.WECHAT_MINIPROGRAM_STATE,
    },
  });
}

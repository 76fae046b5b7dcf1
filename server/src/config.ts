import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

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
    SESSION_TTL_SECONDS: z.coerce.number().int().min(60).default(7 * 24 * 3600),
    LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(60),
    INVITE_ACCEPT_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SEED_DEMO: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    H5_DIR: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    for (const name of ['WECHAT_APP_ID', 'WECHAT_APP_SECRET', 'JWT_SECRET', 'PIONEER_CODE_SECRET', 'PHONE_ENC_KEY', 'PHONE_HASH_KEY'] as const) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required in production' });
    }
  });

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
  /** Sign-ins per client address, and invite accepts per user, per minute. */
  rateLimits: { loginPerMinute: number; inviteAcceptPerMinute: number };
  logLevel: string;
  seedDemo: boolean;
  h5Dir: string;
}

export class ConfigError extends Error {}

/**
 * Outside production, unset secrets fall back to fixed development values so a
 * fresh `npm start` works and several local processes agree on them (tokens
 * from one verify on the other; phones encrypted yesterday decrypt today).
 * Production refuses to start without real ones (see the refine above).
 */
function devSecret(name: string): string {
  return createHash('sha256').update(`pioneer-code-development:${name}`).digest('hex');
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
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    jwtSecret: e.JWT_SECRET ?? devSecret('jwt'),
    pioneerCodeSecret: e.PIONEER_CODE_SECRET ?? devSecret('pioneer-code'),
    phoneEncKey: Buffer.from(e.PHONE_ENC_KEY ?? devSecret('phone-enc'), 'hex'),
    phoneHashKey: Buffer.from(e.PHONE_HASH_KEY ?? devSecret('phone-hash'), 'hex'),
    wechat:
      e.WECHAT_APP_ID && e.WECHAT_APP_SECRET
        ? { appId: e.WECHAT_APP_ID, appSecret: e.WECHAT_APP_SECRET, apiBase: e.WECHAT_API_BASE.replace(/\/+$/, '') }
        : null,
    dbPoolSize: e.DB_POOL_SIZE,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    rateLimits: { loginPerMinute: e.LOGIN_RATE_LIMIT, inviteAcceptPerMinute: e.INVITE_ACCEPT_RATE_LIMIT },
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO,
    h5Dir: path.resolve(e.H5_DIR ?? path.join(__dirname, '..', '..', 'client', 'dist', 'h5')),
  });
}

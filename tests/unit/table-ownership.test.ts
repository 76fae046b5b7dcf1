import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as schema from '../../server/src/db/schema';

/**
 * One owner per table: a table is written (insert, update, delete; drizzle builder or SQL text)
 * only by the module that owns it. Work that spans modules (注销, imports) asks each owner through
 * its repository, passing its transaction down. Owners are folders (`modules/<name>/`) or, for
 * the few tables infrastructure keeps, one file under `lib/`.
 */
const OWNERS: Record<string, string> = {
  districts: 'modules/directory/',
  party_orgs: 'modules/directory/',
  estates: 'modules/directory/',
  directory_state: 'modules/directory/',
  users: 'modules/auth/',
  role_grants: 'modules/auth/',
  invites: 'modules/invites/',
  members: 'modules/members/',
  member_consents: 'modules/members/',
  households: 'modules/households/',
  tasks: 'modules/tasks/',
  claims: 'modules/claims/',
  idempotency_keys: 'modules/claims/',
  waitlist_entries: 'modules/waitlist/',
  draw_entries: 'modules/waitlist/',
  member_standing: 'modules/waitlist/',
  whistles: 'modules/whistles/',
  whistle_assignments: 'modules/whistles/',
  whistle_extensions: 'modules/whistles/',
  whistle_events: 'modules/whistles/',
  demands: 'modules/demands/',
  notification_outbox: 'modules/notifications/',
  messages: 'modules/notifications/',
  wechat_deliveries: 'modules/notifications/',
  subscription_credits: 'modules/notifications/',
  member_preferences: 'modules/notifications/',
  calendar_feeds: 'modules/notifications/',
  wechat_tokens: 'modules/notifications/',
  audit_log: 'lib/audit.ts',
  index_indicators: 'modules/assessment/',
  index_scores: 'modules/assessment/',
  rollup_queue: 'modules/rollups/',
  stats_rollups: 'modules/rollups/',
  stats_fill_times: 'modules/rollups/',
  rollup_state: 'modules/rollups/',
  rollup_changes: 'modules/rollups/',
  agreements: 'modules/units/',
  needs: 'modules/units/',
  resources: 'modules/units/',
  projects: 'modules/units/',
  project_events: 'modules/units/',
  certificates: 'modules/certificates/',
  certificate_keys: 'modules/certificates/',
  certificate_settings: 'modules/certificates/',
  points_accounts: 'modules/points/',
  points_entries: 'modules/points/',
  points_rules: 'modules/points/',
  rewards: 'modules/rewards/',
  reward_redemptions: 'modules/rewards/',
  reward_redemption_keys: 'modules/rewards/',
  record_amendments: 'modules/records/',
  record_corrections: 'modules/records/',
  meetings: 'modules/meetings/',
  meeting_invites: 'modules/meetings/',
  meeting_attendance: 'modules/meetings/',
  meeting_links: 'modules/meetings/',
  meeting_actions: 'modules/meetings/',
  meeting_action_events: 'modules/meetings/',
  meeting_milestones: 'modules/meetings/',
};

/** `file: table` pairs allowed to break the rule. Starts and stays empty. */
const ALLOWED: string[] = [];

const SRC = path.resolve(__dirname, '../../server/src');
/** Table definitions, and the data loaders that fill a fresh database like migrations do. */
const NOT_CHECKED = [/^db\/schema\//, /^db\/seed-/, /^db\/migrate/, /^demo\//, /^seed\//];

const tablesByExport = new Map<string, string>();
/** drizzle keeps a table's SQL name under this symbol (drizzle-orm lives in the server's node_modules). */
const TABLE_NAME = Symbol.for('drizzle:Name');
for (const [name, value] of Object.entries(schema)) {
  const table = (value as unknown as Record<symbol, unknown> | null)?.[TABLE_NAME];
  if (typeof table === 'string' && Symbol.for('drizzle:IsDrizzleTable') in (value as object)) tablesByExport.set(name, table);
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** Tables `text` writes: drizzle's insert/update/delete on a schema table, or insert/update/delete/truncate in SQL. */
export function writtenTables(text: string): Set<string> {
  const out = new Set<string>();
  const code = text.replace(/^\s*(\/\/|\*|\/\*).*$/gm, '');
  for (const m of code.matchAll(/\.(?:insert|update|delete)\(\s*(?:schema\.)?([A-Za-z_$][\w$]*)\s*\)/g)) {
    const table = tablesByExport.get(m[1]);
    if (table) out.add(table);
  }
  const sqlWrites = [
    /\binsert\s+into\s+"?([a-z_]+)"?/gi,
    /\bdelete\s+from\s+"?([a-z_]+)"?/gi,
    /\btruncate\s+(?:table\s+)?"?([a-z_]+)"?/gi,
    /(?<!\bdo\s)\bupdate\s+"?([a-z_]+)"?(?:\s+(?:as\s+)?(?!set\b)[a-z_]+)?\s+set\b/gi,
  ];
  for (const re of sqlWrites) for (const m of code.matchAll(re)) if (m[1].toLowerCase() in OWNERS) out.add(m[1].toLowerCase());
  return out;
}

describe('table ownership', () => {
  test('every table of the schema has an owner', () => {
    expect([...tablesByExport.values()].filter((t) => !(t in OWNERS)).sort()).toEqual([]);
  });

  test('no file writes a table of another module', () => {
    const violations: string[] = [];
    for (const file of files(SRC)) {
      const rel = path.relative(SRC, file).split(path.sep).join('/');
      if (NOT_CHECKED.some((re) => re.test(rel))) continue;
      for (const table of writtenTables(readFileSync(file, 'utf8'))) {
        const owner = OWNERS[table];
        if (rel.startsWith(owner) || ALLOWED.includes(`${rel}: ${table}`)) continue;
        violations.push(`${rel} writes ${table} (owned by ${owner})`);
      }
    }
    expect(violations.sort()).toEqual([]);
  });

  test("every transaction goes through the one helper (db/transaction.ts), never drizzle's db.transaction() or a manual begin", () => {
    const offenders: string[] = [];
    for (const file of files(SRC)) {
      const rel = path.relative(SRC, file).split(path.sep).join('/');
      if (rel === 'db/transaction.ts') continue;
      const code = readFileSync(file, 'utf8').replace(/^\s*(\/\/|\*|\/\*).*$/gm, '');
      if (/\.transaction\(/.test(code) || /query\(\s*['"`]begin\b/i.test(code)) offenders.push(rel);
    }
    expect(offenders).toEqual([]);
  });

  test('the check sees writes in both forms', () => {
    expect([...writtenTables('await tx.insert(claims).values(v); await db.update(schema.tasks).set(x);')].sort()).toEqual([
      'claims',
      'tasks',
    ]);
    expect(
      [
        ...writtenTables(`sql\`update claims c set member_id = 1\`; 'delete from messages where'; "INSERT INTO audit_log (a)";
          on conflict (id) do update set version = 1; truncate rollup_queue`),
      ].sort(),
    ).toEqual(['audit_log', 'claims', 'messages', 'rollup_queue']);
  });
});

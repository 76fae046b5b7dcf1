/**
 * `npm run bench -- --records-only` (and the last phase of a full run): service records.
 *
 * - A 志愿服务记录证明 of 50 items rendered by the server's own renderer (pdfkit, the subset CJK
 *   font, a QR and a seal): p50/p95 time and bytes over `--pdf-runs` renders after a warm-up.
 * - The check-out scan (`POST /tasks/:id/check-outs`, in process through app.inject) with the points
 *   ledger on and with it off (`pointsOnCheckOut: false`, the path before the ledger): p50/p95 at
 *   `--checkout-concurrency` scans in flight, rounds alternating off/on so a shared machine's load
 *   drifts over both alike. With the ledger on, each check-out's points are written after its
 *   answer, so back to back (`--checkout-pause-ms 0`) their cost shows as contention on the scans
 *   that follow; with a pause (a secretary scans one member every second or so) it should not.
 *
 * It writes its own district, community, secretary, members, posts and claims (prefix `bench_rec_`)
 * into the database it is given, so it runs on the city of a full run or on an empty database.
 */
import { randomUUID } from 'node:crypto';
import { PNG } from 'pngjs';
import type { Config } from '../server/src/config';
import type { Database } from '../server/src/db/client';
import { buildApp } from '../server/src/app';
import { renderCertificatePdf } from '../server/src/modules/certificates/certificate-pdf';
import { pioneerCodeServiceFactory } from '../server/src/modules/codes/pioneer-code';
import { systemClock } from '../server/src/lib/clock';
import { encryptPhone, hashPhone, maskPhone } from '../server/src/lib/phone-crypto';
import { percentile, round } from './load';

const HOUR = 3600_000;

export interface RecordsFigures {
  certificatePdf: { items: number; runs: number; p50Ms: number; p95Ms: number; maxMs: number; bytes: number };
  checkOut: {
    concurrency: number;
    /** Each scanner's pause after an answer before its next scan (0: back to back). */
    pauseMs: number;
    scansPerMode: number;
    ledgerOn: { p50Ms: number; p95Ms: number; pointsEntries: number };
    ledgerOff: { p50Ms: number; p95Ms: number; pointsEntries: number };
  };
}

function sealPng(): Buffer {
  const png = new PNG({ width: 240, height: 240 });
  for (let y = 0; y < 240; y++)
    for (let x = 0; x < 240; x++) {
      const r = Math.hypot(x - 120, y - 120);
      const ink = (r > 100 && r < 114) || (r < 30 && Math.abs(x - 120) + Math.abs(y - 120) < 34);
      png.data.set([200, 22, 29, ink ? 230 : 0], (y * 240 + x) * 4);
    }
  return PNG.sync.write(png);
}

async function certificatePdf(runs: number, log: (m: string) => void): Promise<RecordsFigures['certificatePdf']> {
  const titles = ['垃圾分类桶边督导', '独居老人上门探访', '文明交通劝导', '便民服务集市', '小区绿化补种', '周末学雷锋课业辅导'];
  const categories = ['waste_sorting', 'care', 'order', 'convenience', 'gardening', 'lei_feng_tutor'];
  const items = Array.from({ length: 50 }, (_, i) => ({
    date: `2026-${String(1 + Math.floor(i / 5)).padStart(2, '0')}-${String(1 + ((i * 3) % 28)).padStart(2, '0')}`,
    title: `${titles[i % titles.length]}（第 ${i + 1} 次）`,
    category: categories[i % categories.length],
    minutes: 60 + ((i * 37) % 150),
  }));
  const doc = {
    no: 'QHF-2026-000123',
    memberName: '王强',
    phoneMasked: '138****8003',
    from: '2026-01-01',
    to: '2026-10-31',
    totalMinutes: items.reduce((s, i) => s + i.minutes, 0),
    items,
    issuerName: '清和坊社区',
    leader: '王建国',
    handler: '陈静',
    issuedOn: '2026-11-01',
    verifyUrl: 'https://example.org/v/QHF-2026-000123',
    status: 'valid' as const,
    sealPng: sealPng(),
  };
  // The first render parses the CJK font (once per process): not what a request pays afterwards.
  for (let i = 0; i < 3; i++) await renderCertificatePdf(doc);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const pdf = await renderCertificatePdf(doc);
    times.push(performance.now() - t0);
    bytes = pdf.length;
  }
  log(`certificate PDF: ${runs} renders of 50 items`);
  return {
    items: 50,
    runs,
    p50Ms: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    maxMs: round(Math.max(...times)),
    bytes,
  };
}

/** A community of its own with a secretary and `members` members, through SQL (bench setup, not the server's path). */
async function world(database: Database, config: Config, members: number) {
  const c = database.pool;
  const tag = randomUUID().slice(0, 8);
  const { rows: d } = await c.query(`insert into districts (name, sort_order) values ($1, 999) returning id`, [`bench_rec_${tag}`]);
  const { rows: o } = await c.query(
    `insert into party_orgs (kind, name, district_id, register_code) values ('community', $1, $2, $3) returning id`,
    [`bench_rec_${tag}社区`, d[0].id, `bench_rec_${tag}`],
  );
  const { rows: unit } = await c.query(`insert into party_orgs (kind, name, district_id) values ('unit', $1, $2) returning id`, [
    `bench_rec_${tag}单位`,
    d[0].id,
  ]);
  const { rows: e } = await c.query(`insert into estates (community_org_id, name) values ($1, '基准小区') returning id`, [o[0].id]);
  const { rows: sec } = await c.query(`insert into users (openid) values ($1) returning id`, [`bench_rec_${tag}_sec`]);
  await c.query(`insert into role_grants (user_id, role, org_id) values ($1, 'secretary', $2)`, [sec[0].id, o[0].id]);
  const phones = Array.from({ length: members }, (_, i) => `137${tag.replace(/\D/g, '0').slice(0, 4)}${String(i).padStart(4, '0')}`);
  const { rows: m } = await c.query<{ id: string }>(
    `with u as (insert into users (openid) select $1 || g from generate_series(1, $2::int) g returning id, openid),
          p as (select cipher, hash, masked, ord from unnest($6::text[], $7::text[], $8::text[]) with ordinality p(cipher, hash, masked, ord))
     insert into members (user_id, name, phone_cipher, phone_hash, phone_masked, unit_org_id, work_unit, community_org_id, estate_id,
                          building, unit_no, room, intentions, consent_version, consented_at)
     select u.id, '党员' || right(u.openid, 4), p.cipher, p.hash, p.masked, $3::uuid, '基准单位', $4::uuid, $5::uuid, '1', '1', '101',
            array['convenience'], 'v1', now()
       from u join p on p.ord = substring(u.openid from length($1) + 1)::int
     returning id`,
    [
      `bench_rec_${tag}_m`,
      members,
      unit[0].id,
      o[0].id,
      e[0].id,
      phones.map((p) => encryptPhone(config.phoneEncKey, p)),
      phones.map((p) => hashPhone(config.phoneHashKey, p)),
      phones.map(maskPhone),
    ],
  );
  return { communityOrgId: o[0].id as string, secretaryUserId: sec[0].id as string, memberIds: m.map((r) => r.id) };
}

/** Posts running now, every member checked in on each: what the check-outs then scan. */
async function checkedInPosts(database: Database, w: Awaited<ReturnType<typeof world>>, posts: number): Promise<string[]> {
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < posts; i++) {
    const { rows } = await database.pool.query(
      `insert into tasks (community_org_id, title, category, description, location, starts_at, ends_at, capacity, claimed, claim_opens_at, created_by)
       values ($1, $2, 'convenience', '基准测试岗位', '党群服务中心', $3, $4, $5, $5, $6, $7) returning id`,
      [
        w.communityOrgId,
        `基准岗位 ${i + 1}`,
        new Date(now - 2 * HOUR),
        new Date(now + HOUR),
        w.memberIds.length,
        new Date(now - 24 * HOUR),
        w.secretaryUserId,
      ],
    );
    await database.pool.query(
      `insert into claims (task_id, member_id, status, claimed_at, checked_in_at)
       select $1, m, 'checked_in', $2, $3 from unnest($4::uuid[]) m`,
      [rows[0].id, new Date(now - 20 * HOUR), new Date(now - 2 * HOUR), w.memberIds],
    );
    ids.push(rows[0].id);
  }
  return ids;
}

async function checkOutRound(
  database: Database,
  config: Config,
  w: Awaited<ReturnType<typeof world>>,
  ledger: boolean,
  posts: number,
  concurrency: number,
  pauseMs: number,
): Promise<{ times: number[]; entries: number }> {
  const app = await buildApp({
    config,
    database,
    logger: false,
    pointsOnCheckOut: ledger,
    timers: { sweepMs: 0, purgeMs: 0 },
    notifications: { worker: false, sender: null },
  });
  await app.ready();
  try {
    const taskIds = await checkedInPosts(database, w, posts);
    const codes = pioneerCodeServiceFactory({ secret: config.pioneerCodeSecret, clock: systemClock, publicUrl: config.publicUrl });
    const auth = { authorization: `Bearer ${app.signSession(w.secretaryUserId, null)}` };
    const scans = taskIds.flatMap((taskId) => w.memberIds.map((memberId) => ({ taskId, memberId })));
    const times: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < scans.length) {
          const s = scans[next++];
          const token = codes.issue(s.memberId).token;
          const t0 = performance.now();
          const res = await app.inject({ method: 'POST', url: `/api/v1/tasks/${s.taskId}/check-outs`, headers: auth, payload: { token } });
          times.push(performance.now() - t0);
          if (res.statusCode !== 200) throw new Error(`check-out: ${res.statusCode} ${res.body}`);
          if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
        }
      }),
    );
    // The ledger's writes run after each answer: wait for them before the next round measures.
    const count = async () =>
      Number(
        (
          await database.pool.query(
            `select count(*) n from points_entries e join claims c on c.id::text = e.ref_id where c.task_id = any($1::uuid[])`,
            [taskIds],
          )
        ).rows[0].n,
      );
    let entries = await count();
    for (let waited = 0; ledger && entries < scans.length && waited < 30_000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      entries = await count();
    }
    return { times, entries };
  } finally {
    await app.close();
  }
}

export async function recordsBench(
  database: Database,
  config: Config,
  opts: { pdfRuns: number; posts: number; membersPerPost: number; concurrency: number; rounds: number; pauseMs: number },
  log: (m: string) => void,
): Promise<RecordsFigures> {
  const pdf = await certificatePdf(opts.pdfRuns, log);
  const w = await world(database, config, opts.membersPerPost);
  const on: number[] = [];
  const off: number[] = [];
  let entriesOn = 0;
  let entriesOff = 0;
  for (let r = 0; r < opts.rounds; r++) {
    for (const ledger of [false, true]) {
      const { times, entries } = await checkOutRound(database, config, w, ledger, opts.posts, opts.concurrency, opts.pauseMs);
      (ledger ? on : off).push(...times);
      if (ledger) entriesOn += entries;
      else entriesOff += entries;
      log(`check-out round ${r + 1} ledger ${ledger ? 'on' : 'off'}: ${times.length} scans, p95 ${round(percentile(times, 95))} ms`);
    }
  }
  return {
    certificatePdf: pdf,
    checkOut: {
      concurrency: opts.concurrency,
      pauseMs: opts.pauseMs,
      scansPerMode: on.length,
      ledgerOn: { p50Ms: round(percentile(on, 50)), p95Ms: round(percentile(on, 95)), pointsEntries: entriesOn },
      ledgerOff: { p50Ms: round(percentile(off, 50)), p95Ms: round(percentile(off, 95)), pointsEntries: entriesOff },
    },
  };
}

export function printRecords(f: RecordsFigures, machine: { cpus: number; loadAverage: number[] }) {
  const p = f.certificatePdf;
  const c = f.checkOut;
  console.log(`\nService records (${machine.cpus} CPUs, load ${machine.loadAverage.join(' / ')})`);
  console.log(
    `  certificate PDF, ${p.items} items: p50 ${p.p50Ms} ms, p95 ${p.p95Ms} ms, max ${p.maxMs} ms, ${round(p.bytes / 1024)} KB (${p.runs} renders)`,
  );
  const paced = c.pauseMs > 0 ? `, each scanner pausing ${c.pauseMs} ms between scans` : ', back to back';
  console.log(`  check-out, ${c.scansPerMode} scans per mode, ${c.concurrency} in flight${paced}:`);
  console.log(`    ledger off: p50 ${c.ledgerOff.p50Ms} ms, p95 ${c.ledgerOff.p95Ms} ms (points entries ${c.ledgerOff.pointsEntries})`);
  console.log(`    ledger on:  p50 ${c.ledgerOn.p50Ms} ms, p95 ${c.ledgerOn.p95Ms} ms (points entries ${c.ledgerOn.pointsEntries})`);
}

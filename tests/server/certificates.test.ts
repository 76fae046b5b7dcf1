import { execFile } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { formatMinutes } from '@pioneer/shared';
import { certificateQrPng } from '../../server/src/modules/certificates/certificate-pdf';
import { verifyCertificate } from '../../server/src/modules/certificates/certificate-signing';
import { makeWorld } from '../helpers/fixtures';
import { pdfText } from '../helpers/pdf-text';
import { readQrPng } from '../helpers/qr-decode';
import { insertMembers, makeSecretary, publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

const run = promisify(execFile);
let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let other: Awaited<ReturnType<typeof makeWorld>>;
let sec: { authorization: string };
let secOther: { authorization: string };
let members: FixtureMember[];
let tmp: string;

const MINUTE = 60_000;
const T0 = new Date('2030-06-10T01:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE).toISOString();
const api = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string>, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

function sealPng(size = 64): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < size * size; i++) png.data.set([200, 22, 29, i % 7 === 0 ? 0 : 255], i * 4);
  return PNG.sync.write(png);
}

/** Renders page 1 with poppler when the machine has it (a real look at the page), else null. */
async function renderPage(pdf: Buffer): Promise<Buffer | null> {
  const file = path.join(tmp, `page-${Date.now()}.pdf`);
  writeFileSync(file, pdf);
  try {
    await run('pdftoppm', ['-r', '110', '-png', '-f', '1', '-l', '1', '-singlefile', file, file]);
    return readFileSync(`${file}.png`);
  } catch {
    return null;
  }
}

const titles = ['垃圾分类督导', '敬老院陪护', '社区环境整治'];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pioneer-cert-'));
  ctx = await createTestContext();
  ctx.clock.set(T0);
  world = await makeWorld(ctx.database.db);
  other = await makeWorld(ctx.database.db);
  sec = (await makeSecretary(ctx, world.community.id, 'cert-sec')).auth;
  secOther = (await makeSecretary(ctx, other.community.id, 'cert-sec-other')).auth;
  members = await insertMembers(ctx, world, 3, 'cert');
  await ctx.database.pool.query(`update members set name = '张晓明' where id = $1`, [members[0].memberId]);
  // Three posts on three days, 90, 120 and 45 minutes of service.
  const spans = [90, 120, 45];
  const tasks = [];
  for (let i = 0; i < 3; i++) {
    const start = i * 24 * 60 + 60;
    tasks.push(await publishTask(ctx, sec, world.community.id, { title: titles[i], startsAt: at(start), endsAt: at(start + spans[i]) }));
  }
  ctx.clock.set(new Date(T0.getTime() + 3 * 24 * 60 * MINUTE));
  for (const task of tasks) {
    const res = await api('POST', `/tasks/${task.id}/records`, sec, { memberIds: [members[0].memberId] });
    expect(res.statusCode).toBe(200);
  }
  ctx.clock.set(new Date(T0.getTime() + 4 * 24 * 60 * MINUTE));
});
afterAll(async () => {
  await ctx.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('certificate settings', () => {
  it('takes 负责人, 经办人 and a PNG seal up to 200 KB; refuses anything else with 400, changing nothing', async () => {
    const url = `/party-orgs/${world.community.id}/certificate-settings`;
    const ok = await api('PUT', url, sec, { leader: '王书记', handler: '李干事', sealPng: sealPng().toString('base64') });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().settings).toEqual(expect.objectContaining({ leader: '王书记', handler: '李干事', hasSeal: true }));
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 1)]);
    const big = Buffer.concat([sealPng().subarray(0, 33), Buffer.alloc(205 * 1024, 7)]);
    for (const seal of [jpeg.toString('base64'), big.toString('base64'), 'not base64!']) {
      const res = await api('PUT', url, sec, { leader: '改了', handler: '改了', sealPng: seal });
      expect({ status: res.statusCode, code: res.json().code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await api('GET', url, sec)).json().settings).toEqual(expect.objectContaining({ leader: '王书记', hasSeal: true }));
    expect((await api('PUT', url, secOther, { leader: 'x', handler: 'y' })).statusCode).toBe(403);
  });
});

describe('a certificate', () => {
  let no: string;
  let certificate: { verifyUrl: string; totalMinutes: number; items: Array<{ title: string }> };

  it('is issued for a range with records, numbered, with every item and the total', async () => {
    const res = await api('POST', '/members/me/certificates', members[0].auth, { from: '2030-06-01', to: '2030-06-30' });
    expect(res.statusCode).toBe(201);
    certificate = res.json().certificate;
    no = res.json().certificate.no;
    expect(no).toMatch(/^XF-2030-\d{6}$/);
    expect(res.json().certificate).toEqual(
      expect.objectContaining({
        status: 'valid',
        memberName: '张晓明',
        from: '2030-06-01',
        to: '2030-06-30',
        totalMinutes: 255,
        issuer: { orgId: world.community.id, name: world.community.name },
        verifyUrl: `http://pioneer.test/v/${no}`,
      }),
    );
    expect(certificate.items.map((i) => i.title)).toEqual(titles);
    expect((await api('GET', '/members/me/certificates', members[0].auth)).json().items[0].no).toBe(no);
  });

  it('refuses a range without records (409) and over five years (400)', async () => {
    const empty = await api('POST', '/members/me/certificates', members[0].auth, { from: '2029-01-01', to: '2029-12-31' });
    expect({ status: empty.statusCode, code: empty.json().code }).toEqual({ status: 409, code: 'CONFLICT' });
    for (const body of [
      { from: '2025-06-01', to: '2030-06-02' },
      { from: '2030-06-30', to: '2030-06-01' },
    ]) {
      const res = await api('POST', '/members/me/certificates', members[0].auth, body);
      expect({ status: res.statusCode, code: res.json().code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('is an A4 PDF with selectable Chinese: the name, masked phone, every item, the total, issuer, and a QR of verifyUrl', async () => {
    const res = await api('GET', `/certificates/${no}/pdf`, members[0].auth);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.rawPayload;
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
    expect(raw).toContain('/FontFile2');
    const text = (await pdfText(pdf)).text.replace(/\s+/g, '');
    const { rows } = await ctx.database.pool.query<{ phone_masked: string }>('select phone_masked from members where id = $1', [
      members[0].memberId,
    ]);
    for (const needle of [
      '志愿服务记录证明',
      '张晓明',
      rows[0].phone_masked,
      ...titles,
      formatMinutes(255),
      '王书记',
      '李干事',
      world.community.name,
      no,
    ]) {
      expect(text).toContain(needle.replace(/\s+/g, ''));
    }
    const page = await renderPage(pdf);
    const qr = readQrPng(page ?? (await certificateQrPng(certificate.verifyUrl)));
    expect(qr?.data).toBe(certificate.verifyUrl);
    // Its holder and its community's staff may open it; others learn nothing.
    expect((await api('GET', `/certificates/${no}/pdf`, sec)).statusCode).toBe(200);
    expect((await api('GET', `/certificates/${no}/pdf`, secOther)).statusCode).toBe(404);
    expect((await api('GET', `/certificates/${no}/pdf`, members[1].auth)).statusCode).toBe(404);
  });

  it('verifies publicly: the signature holds with the listed key and fails on any changed byte', async () => {
    const answer = (await ctx.app.inject({ method: 'GET', url: `/api/v1/certificates/${no}/verify` })).json();
    const { keys } = (await ctx.app.inject({ method: 'GET', url: '/api/v1/certificates/keys' })).json();
    expect(keys).toEqual([{ keyId: answer.keyId, alg: 'Ed25519', publicKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) }]);
    expect(answer).toEqual(expect.objectContaining({ no, status: 'valid' }));
    const payload = JSON.parse(answer.payload);
    expect(payload.memberName).toBe('张*明');
    expect(Object.keys(payload)).toEqual([...Object.keys(payload)].sort());
    // Independently of the project's code: node's Ed25519 over the payload's UTF-8 bytes.
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(keys[0].publicKey, 'base64url')]);
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const bytes = Buffer.from(answer.payload, 'utf8');
    expect(verify(null, bytes, key, Buffer.from(answer.signature, 'base64url'))).toBe(true);
    expect(verifyCertificate(answer, keys)).toEqual({ holds: true, problems: [] });
    for (let i = 0; i < bytes.length; i += 17) {
      const changed = Buffer.from(bytes);
      changed[i] ^= 0x01;
      expect(verify(null, changed, key, Buffer.from(answer.signature, 'base64url'))).toBe(false);
    }
    const sig = Buffer.from(answer.signature, 'base64url');
    sig[5] ^= 0x80;
    expect(verifyCertificate({ ...answer, signature: sig.toString('base64url') }, keys).holds).toBe(false);
    expect(verifyCertificate({ ...answer, payload: answer.payload.replace('张*明', '李*明') }, keys).holds).toBe(false);
    expect(verifyCertificate(answer, []).holds).toBe(false);

    const page = await ctx.app.inject({ method: 'GET', url: `/v/${no}`, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('证明有效');
    expect(page.body).toContain('张*明');
    expect(page.body).not.toContain('张晓明');

    const file = path.join(tmp, 'answer.json');
    writeFileSync(file, JSON.stringify({ ...answer, keys }));
    const ok = await run('npx', ['tsx', 'server/scripts/verify-certificate.ts', file], { cwd: path.join(__dirname, '..', '..') });
    expect(ok.stdout).toMatch(/^holds/);
  });

  it('is revoked when one of its records is amended, and says so everywhere', async () => {
    const rec = (await api('GET', '/members/me/records', members[0].auth)).json().items[0];
    const ask = await api('POST', '/members/me/corrections', members[0].auth, {
      kind: 'correct',
      taskId: rec.task.id,
      checkedInAt: rec.claim.checkedInAt,
      checkedOutAt: new Date(Date.parse(rec.claim.checkedOutAt) - 10 * MINUTE).toISOString(),
      reason: '提前离开了十分钟',
    });
    expect(ask.statusCode).toBe(201);
    expect((await api('POST', `/corrections/${ask.json().correction.id}/approve`, sec, {})).statusCode).toBe(200);

    const answer = (await ctx.app.inject({ method: 'GET', url: `/api/v1/certificates/${no}/verify` })).json();
    expect(answer).toEqual(expect.objectContaining({ status: 'revoked', reason: 'records_amended', revokedAt: expect.any(String) }));
    const { keys } = (await ctx.app.inject({ method: 'GET', url: '/api/v1/certificates/keys' })).json();
    const check = verifyCertificate(answer, keys);
    expect(check.holds).toBe(false);
    expect(check.problems.join('\n')).toMatch(/revoked/);
    const page = await ctx.app.inject({ method: 'GET', url: `/v/${no}` });
    expect(page.body).toContain('已作废');
    const file = path.join(tmp, 'revoked.json');
    writeFileSync(file, JSON.stringify({ ...answer, keys }));
    const bad = await run('npx', ['tsx', 'server/scripts/verify-certificate.ts', file], { cwd: path.join(__dirname, '..', '..') }).then(
      () => null,
      (e: { code: number; stdout: string }) => e,
    );
    expect(bad?.code).toBe(1);
    expect(bad?.stdout).toMatch(/^does not hold/);
    // A new one can be asked for, with the amended minutes.
    const again = await api('POST', '/members/me/certificates', members[0].auth, { from: '2030-06-01', to: '2030-06-30' });
    expect(again.json().certificate).toEqual(expect.objectContaining({ status: 'valid', totalMinutes: 245 }));
  });
});

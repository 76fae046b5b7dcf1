import iconv from 'iconv-lite';
import JSZip from 'jszip';
import { decryptPhone, hashPhone } from '../../server/src/lib/phone-crypto';
import { makeCommunity, makeDistrict, makeEstate, makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';
import { multipart, xlsx, XLSX } from '../helpers/upload';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let estateB: { id: string; name: string };
let secretary: { authorization: string };
let otherSecretary: { authorization: string };
let districtAdmin: { authorization: string };

const HEADERS_ZH = ['小区', '楼栋', '单元', '室号', '业主姓名', '手机号'];

beforeAll(async () => {
  ctx = await createTestContext();
  world = await makeWorld(ctx.database.db);
  estateB = await makeEstate(ctx.database.db, world.community.id, '枫林苑');
  const other = await makeCommunity(ctx.database.db, world.district.id);
  const s = await ctx.signIn('hh_secretary');
  await ctx.grant(s.userId, 'secretary', world.community.id);
  secretary = s.auth;
  const o = await ctx.signIn('hh_other_secretary');
  await ctx.grant(o.userId, 'secretary', other.id);
  otherSecretary = o.auth;
  const d = await ctx.signIn('hh_district');
  await ctx.grant(d.userId, 'district_admin', world.district.id);
  districtAdmin = d.auth;
});
afterAll(async () => ctx.close());

const importUrl = (dryRun?: boolean) =>
  `/api/v1/party-orgs/${world.community.id}/households/import${dryRun === undefined ? '' : `?dryRun=${dryRun}`}`;

async function upload(file: Buffer, name: string, auth = secretary, dryRun?: boolean) {
  const { payload, headers } = multipart(file, name, name.endsWith('.xlsx') ? XLSX : 'text/csv');
  return ctx.app.inject({ method: 'POST', url: importUrl(dryRun), headers: { ...auth, ...headers }, payload });
}

async function households() {
  const { rows } = await ctx.database.pool.query(
    `select h.*, e.name as estate_name from households h join estates e on e.id = h.estate_id
      where h.community_org_id = $1 order by e.name, h.building, h.unit_no, h.room`,
    [world.community.id],
  );
  return rows;
}

/** The rows of a registry file: a title row merged over the columns, the header in its own order, blank rows. */
function registryRows(estate: string) {
  return [
    ['清和坊社区业主信息表（2024）', null, null, null, null, null],
    ['手机号', '业主姓名', '小区', '楼栋', '单元', '室号'],
    ['13800000001', '李业主', estate, '3栋', '2单元', '301室'], // row 3
    [null, null, null, null, null, null], // row 4: blank
    ['+86 138-0000-0002', '王业主', estate, '3', '2', '302'], // row 5
    ['12345', '坏号码', estate, '3', '2', '303'], // row 6: bad phone
    ['13800000004', '赵业主', '不存在小区', '1', '1', '101'], // row 7: estate of no such name
    ['13800000005', '', estate, '1', '1', '102'], // row 8: no owner name
    ['13800000006', '钱业主', estate, '３号楼', '２', '0301'], // row 9: the same home as row 3, written otherwise
    [13800000007, '孙业主', estate, '5', '1', '501'], // row 10: a number cell
  ];
}

describe('registry import (业主信息库)', () => {
  it('imports an XLSX file, reports bad rows by row number, and stores names and phones only encrypted', async () => {
    const file = await xlsx({ 业主: registryRows(world.estate.name) }, { merges: { 业主: ['A1:F1'] } });
    const res = await upload(file, 'registry.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      imported: 3,
      updated: 0,
      unchanged: 0,
      dryRun: false,
      rejected: [
        { row: 6, reason: '手机号格式不正确' },
        { row: 7, reason: '小区「不存在小区」不属于本社区' },
        { row: 8, reason: '业主姓名为空' },
        { row: 9, reason: '与第 3 行是同一户' },
      ],
    });
    const rows = await households();
    expect(rows.map((r) => [r.estate_name, r.building, r.unit_no, r.room, r.phone_masked])).toEqual([
      [world.estate.name, '3', '2', '301', '138****0001'],
      [world.estate.name, '3', '2', '302', '138****0002'],
      [world.estate.name, '5', '1', '501', '138****0007'],
    ]);
    const key = ctx.config.phoneEncKey;
    expect(rows.map((r) => decryptPhone(key, r.owner_name_cipher))).toEqual(['李业主', '王业主', '孙业主']);
    expect(rows.map((r) => decryptPhone(key, r.phone_cipher))).toEqual(['13800000001', '13800000002', '13800000007']);
    expect(rows[0].phone_hash).toBe(hashPhone(ctx.config.phoneHashKey, '13800000001'));
    // No clear name or phone anywhere in the table.
    const all = JSON.stringify(rows);
    for (const clear of ['李业主', '王业主', '孙业主', '13800000001', '13800000002', '13800000007']) expect(all).not.toContain(clear);
  });

  it('a dry run reports what a re-import would do and writes nothing; the re-import updates', async () => {
    const before = await households();
    const csv = [
      'estate,building,unit,room,ownerName,phone',
      `${world.estate.name},3,2,301,李业主,13800000001`, // unchanged
      `${world.estate.name},3,2,302,王业主,13900000002`, // new phone: updated
      `${estateB.name},1,1,101,周业主,13800000008`, // new
    ].join('\r\n');
    const dry = await upload(Buffer.from(csv), 'registry.csv', secretary, true);
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toEqual({ imported: 1, updated: 1, unchanged: 1, rejected: [], dryRun: true });
    expect(await households()).toEqual(before);
    const { rows: audits } = await ctx.database.pool.query(`select count(*)::int as n from audit_log where action = 'households.import'`);

    const real = await upload(Buffer.from(csv), 'registry.csv');
    expect(real.json()).toEqual({ imported: 1, updated: 1, unchanged: 1, rejected: [], dryRun: false });
    const after = await households();
    expect(after).toHaveLength(4);
    expect(after.find((r) => r.room === '302').phone_masked).toBe('139****0002');
    const { rows: audits2 } = await ctx.database.pool.query(`select count(*)::int as n from audit_log where action = 'households.import'`);
    expect(audits2[0].n).toBe(audits[0].n + 1);
  });

  it('keeps each real import with its rejected rows for the pages that cannot upload (weapp); dry runs leave no record', async () => {
    const history = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/party-orgs/${world.community.id}/households/imports`,
      headers: secretary,
    });
    expect(history.statusCode).toBe(200);
    const items = history.json().items;
    expect(items.map(({ at, ...rest }: { at: string }) => (expect(Number.isNaN(Date.parse(at))).toBe(false), rest))).toEqual([
      { imported: 1, updated: 1, unchanged: 1, rejected: [], rejectedTotal: 0 },
      {
        imported: 3,
        updated: 0,
        unchanged: 0,
        rejectedTotal: 4,
        rejected: [
          { row: 6, reason: '手机号格式不正确' },
          { row: 7, reason: '小区「不存在小区」不属于本社区' },
          { row: 8, reason: '业主姓名为空' },
          { row: 9, reason: '与第 3 行是同一户' },
        ],
      },
    ]);
    expect(Date.parse(items[0].at)).toBeGreaterThanOrEqual(Date.parse(items[1].at));
    expect(
      (await ctx.app.inject({ method: 'GET', url: `/api/v1/party-orgs/${world.community.id}/households/imports`, headers: districtAdmin }))
        .statusCode,
    ).toBe(200);
    expect(
      (await ctx.app.inject({ method: 'GET', url: `/api/v1/party-orgs/${world.community.id}/households/imports`, headers: otherSecretary }))
        .statusCode,
    ).toBe(403);
    const plain = await ctx.signIn('hh_history_plain');
    expect(
      (await ctx.app.inject({ method: 'GET', url: `/api/v1/party-orgs/${world.community.id}/households/imports`, headers: plain.auth }))
        .statusCode,
    ).toBe(403);
  });

  it('reads GBK CSV (Excel on Chinese Windows), UTF-8 CSV with a BOM and UTF-16 tab-separated text, with blank lines and quoted cells', async () => {
    const text = [
      HEADERS_ZH.join(','),
      '',
      `${estateB.name},"2",1,201,吴业主,13800000009`,
      ',,,,,',
      `${estateB.name},2,1,202,"郑,业主",13800000010`,
    ].join('\r\n');
    const gbk = await upload(iconv.encode(text, 'gbk'), 'gbk.csv', secretary, true);
    expect(gbk.statusCode).toBe(200);
    expect(gbk.json()).toMatchObject({ imported: 2, rejected: [] });

    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    const res = await upload(bom, 'bom.csv');
    expect(res.json()).toMatchObject({ imported: 2, rejected: [] });
    const names = (await households())
      .filter((r) => r.building === '2')
      .map((r) => decryptPhone(ctx.config.phoneEncKey, r.owner_name_cipher));
    expect(names.sort()).toEqual(['吴业主', '郑,业主'].sort());

    // Excel's "Unicode text": UTF-16LE with its BOM, cells separated by tabs.
    const tsv = [HEADERS_ZH.join('\t'), `${estateB.name}\t2\t1\t203\t蒋业主\t13800000011`, ''].join('\r\n');
    const utf16 = await upload(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(tsv, 'utf16le')]), 'unicode.txt');
    expect(utf16.json()).toMatchObject({ imported: 1, rejected: [] });
    const room203 = (await households()).find((r) => r.room === '203');
    expect(decryptPhone(ctx.config.phoneEncKey, room203.owner_name_cipher)).toBe('蒋业主');

    // One separator per file: a tab inside a comma-separated cell is part of the cell, not a new one.
    const tabbed = [HEADERS_ZH.join(','), `${estateB.name},2,1,205,林\t业主,13800000012`].join('\r\n');
    expect((await upload(Buffer.from(tabbed, 'utf8'), 'tabbed.csv')).json()).toMatchObject({ imported: 1, rejected: [] });
    const room205 = (await households()).find((r) => r.room === '205');
    expect(decryptPhone(ctx.config.phoneEncKey, room205.owner_name_cipher)).toBe('林\t业主');
  });

  it('reads an XLSX written by hand (inline strings, no shared strings or styles) with a two-level merged header and blank rows', async () => {
    // A district of its own: the coverage test below counts the first district's homes.
    const community = await makeCommunity(ctx.database.db, (await makeDistrict(ctx.database.db)).id);
    const estate = await makeEstate(ctx.database.db, community.id, '手写苑');
    const s = await ctx.signIn('hh_handmade');
    await ctx.grant(s.userId, 'secretary', community.id);
    const file = await handWrittenXlsx(
      [
        [1, ['清和坊社区业主信息登记表']],
        [2, ['小区', '房屋信息', '', '', '业主姓名', '手机号']],
        [3, ['', '楼栋', '单元', '室号']],
        [4, [estate.name, '7幢', '1单元', '0101', '冯业主', '13800000031']],
        // row 5 is missing altogether, row 6 has a phone stored as a number, row 7 only spaces.
        [6, [estate.name, '7', '1', '102', '陈业主', 13800000032]],
        [7, [' ', '  ']],
        [8, [estate.name, '7', '1', '103', '褚业主', '123']],
      ],
      ['A1:F1', 'A2:A3', 'B2:D2', 'E2:E3', 'F2:F3'],
    );
    const { payload, headers } = multipart(file, 'handmade.xlsx', XLSX);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/party-orgs/${community.id}/households/import`,
      headers: { ...s.auth, ...headers },
      payload,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      imported: 2,
      updated: 0,
      unchanged: 0,
      dryRun: false,
      rejected: [{ row: 8, reason: '手机号格式不正确' }],
    });
    const { rows } = await ctx.database.pool.query(
      'select building, unit_no, room, owner_name_cipher, phone_cipher from households where community_org_id = $1 order by room',
      [community.id],
    );
    expect(
      rows.map((r) => [
        r.building,
        r.unit_no,
        r.room,
        decryptPhone(ctx.config.phoneEncKey, r.owner_name_cipher),
        decryptPhone(ctx.config.phoneEncKey, r.phone_cipher),
      ]),
    ).toEqual([
      ['7', '1', '101', '冯业主', '13800000031'],
      ['7', '1', '102', '陈业主', '13800000032'],
    ]);
  });

  it('two imports of one community at once (the same homes in opposite orders) both succeed, one after the other', async () => {
    const community = await makeCommunity(ctx.database.db, (await makeDistrict(ctx.database.db)).id);
    const estate = await makeEstate(ctx.database.db, community.id, '并发苑');
    const s = await ctx.signIn('hh_concurrent');
    await ctx.grant(s.userId, 'secretary', community.id);
    // Three write batches each, so both transactions hold homes while asking for the other's.
    const homes = Array.from({ length: 12_000 }, (_, i) => [estate.name, String(1 + Math.floor(i / 100)), '1', String(101 + (i % 100))]);
    const csv = (prefix: string, rows: string[][]) =>
      Buffer.from(
        [HEADERS_ZH.join(','), ...rows.map((h, i) => [...h, `业主${i}`, `${prefix}${String(i).padStart(8, '0')}`].join(','))].join('\n'),
      );
    const send = (file: Buffer) => {
      const { payload, headers } = multipart(file, 'r.csv', 'text/csv');
      return ctx.app.inject({
        method: 'POST',
        url: `/api/v1/party-orgs/${community.id}/households/import`,
        headers: { ...s.auth, ...headers },
        payload,
      });
    };
    const [a, b] = await Promise.all([send(csv('138', homes)), send(csv('139', [...homes].reverse()))]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json().imported + b.json().imported).toBe(12_000);
    expect(a.json().updated + b.json().updated).toBe(12_000);
    const { rows } = await ctx.database.pool.query(
      'select left(phone_masked, 3) as p, count(*)::int as n from households where community_org_id = $1 group by 1',
      [community.id],
    );
    // The import that ran second replaced every home: no mix of the two files.
    expect(rows).toHaveLength(1);
    expect(rows[0].n).toBe(12_000);
  });

  it('refuses what is not a registry file with IMPORT_INVALID and writes nothing', async () => {
    const before = await households();
    const noHeader = await upload(Buffer.from('a,b,c\n1,2,3\n'), 'x.csv');
    expect(noHeader.statusCode).toBe(400);
    expect(noHeader.json()).toMatchObject({ code: 'IMPORT_INVALID', details: [{ path: 'file' }] });
    const garbage = await upload(Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64, 7)]), 'x.xlsx');
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().code).toBe('IMPORT_INVALID');
    const binary = await upload(Buffer.from([0, 1, 2, 3, 0, 0]), 'x.bin');
    expect(binary.json().code).toBe('IMPORT_INVALID');
    const notMultipart = await ctx.app.inject({ method: 'POST', url: importUrl(), headers: secretary, payload: { rows: [] } });
    expect(notMultipart.statusCode).toBe(400);
    expect(notMultipart.json().code).toBe('IMPORT_INVALID');
    const badQuery = await upload(Buffer.from('x'), 'x.csv', secretary);
    expect(badQuery.statusCode).toBe(400);
    expect(await households()).toEqual(before);
  });

  it('checks the role before reading the upload and the community after', async () => {
    const member = await ctx.signIn('hh_plain');
    const file = await xlsx({ s: [HEADERS_ZH] });
    expect((await upload(file, 'a.xlsx', member.auth)).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'POST', url: importUrl(), payload: 'x' })).statusCode).toBe(401);
    const other = await upload(file, 'a.xlsx', otherSecretary);
    expect(other.statusCode).toBe(403);
    expect((await upload(file, 'a.xlsx', districtAdmin)).statusCode).toBe(200);
  });
});

describe('members matched against the registry', () => {
  let ids: Record<'matched' | 'homeConflict' | 'phoneConflict' | 'unmatched', string>;

  beforeAll(async () => {
    // Registry (from the tests above): 3-2-301 李业主 13800000001; 3-2-302 13900000002; 5-1-501 13800000007.
    const m1 = await registerMember(ctx, 'hh_m1', world, { phone: '13800000001', building: '3号楼', unitNo: '2', room: '301' });
    const m2 = await registerMember(ctx, 'hh_m2', world, { phone: '13700000000', building: '3', unitNo: '2单元', room: '302' });
    const m3 = await registerMember(ctx, 'hh_m3', world, { phone: '13800000007', building: '9', unitNo: '9', room: '909' });
    const m4 = await registerMember(ctx, 'hh_m4', world, { phone: '13600000000', building: '8', unitNo: '1', room: '101' });
    ids = { matched: m1.memberId, homeConflict: m2.memberId, phoneConflict: m3.memberId, unmatched: m4.memberId };
  });

  const list = (query: string, auth = secretary) =>
    ctx.app.inject({ method: 'GET', url: `/api/v1/party-orgs/${world.community.id}/members${query}`, headers: auth });

  it('gives each member its match, and the secretary filters the list by it', async () => {
    const all = await list('');
    expect(all.statusCode).toBe(200);
    const byId = new Map(all.json().items.map((m: { id: string; householdMatch: string }) => [m.id, m.householdMatch]));
    expect(byId.get(ids.matched)).toBe('matched');
    expect(byId.get(ids.homeConflict)).toBe('conflict');
    expect(byId.get(ids.phoneConflict)).toBe('conflict');
    expect(byId.get(ids.unmatched)).toBe('unmatched');
    expect(all.json().counts).toEqual({ matched: 1, unmatched: 1, conflict: 2 });
    // Staff see masked phones only.
    for (const m of all.json().items) expect(m.phone).toMatch(/^\d{3}\*{4}\d{4}$/);

    expect((await list('?match=matched')).json().items.map((m: { id: string }) => m.id)).toEqual([ids.matched]);
    expect(
      (await list('?match=conflict'))
        .json()
        .items.map((m: { id: string }) => m.id)
        .sort(),
    ).toEqual([ids.homeConflict, ids.phoneConflict].sort());
    expect((await list('?match=unmatched')).json().items.map((m: { id: string }) => m.id)).toEqual([ids.unmatched]);
    expect((await list('?match=maybe')).statusCode).toBe(400);
  });

  it('pages with a cursor', async () => {
    const first = await list('?limit=3');
    expect(first.json().items).toHaveLength(3);
    const second = await list(`?limit=3&cursor=${first.json().nextCursor}`);
    expect(second.json().items).toHaveLength(1);
    expect(second.json().nextCursor).toBeNull();
    expect((await list('?cursor=nonsense')).statusCode).toBe(400);
  });

  it('is for the community staff only', async () => {
    expect((await list('', otherSecretary)).statusCode).toBe(403);
    const member = await ctx.signIn('hh_m1');
    expect((await list('', member.auth)).statusCode).toBe(403);
    expect((await list('', districtAdmin)).statusCode).toBe(200);
  });

  it('counts coverage in statistics and per building', async () => {
    // Homes with a member: 3-2-301 (m1) and 3-2-302 (m2); m3 and m4 live where the registry has no home.
    const { rows } = await ctx.database.pool.query(`select count(*)::int as n from households where community_org_id = $1`, [
      world.community.id,
    ]);
    const total = rows[0].n;
    await ctx.app.rollups.refresh(); // statistics read the roll-ups the server's job keeps
    const stats = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/stats/overview?scope=community&id=${world.community.id}`,
      headers: secretary,
    });
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toMatchObject({ households: total, householdsWithMember: 2, members: 4 });
    const district = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/stats/overview?scope=district&id=${world.district.id}`,
      headers: districtAdmin,
    });
    expect(district.json()).toMatchObject({ households: total, householdsWithMember: 2 });

    const cov = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/party-orgs/${world.community.id}/households/coverage`,
      headers: secretary,
    });
    expect(cov.statusCode).toBe(200);
    const body = cov.json();
    expect(body.households).toBe(total);
    expect(body.householdsWithMember).toBe(2);
    const b3 = body.buildings.find(
      (b: { estate: { id: string }; building: string }) => b.estate.id === world.estate.id && b.building === '3',
    );
    expect(b3).toEqual({ estate: { id: world.estate.id, name: world.estate.name }, building: '3', households: 2, householdsWithMember: 2 });
    expect(body.buildings.reduce((s: number, b: { households: number }) => s + b.households, 0)).toBe(total);
  });

  it('names each member’s account, by which a city admin ends its sessions (a lost phone): the member’s token is then refused', async () => {
    const member = await ctx.signIn('hh_m4');
    const items: Array<{ id: string; userId: string }> = (await list('')).json().items;
    const row = items.find((m) => m.id === ids.unmatched);
    expect(row?.userId).toBe(member.userId);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: member.auth })).statusCode).toBe(200);

    const revoke = (auth: { authorization: string }) =>
      ctx.app.inject({ method: 'POST', url: `/api/v1/users/${row!.userId}/sessions/revoke`, headers: auth });
    // The community's secretary and the district admin see the id but may not end sessions.
    expect((await revoke(secretary)).statusCode).toBe(403);
    expect((await revoke(districtAdmin)).statusCode).toBe(403);
    const city = await ctx.signIn('hh_city');
    await ctx.grant(city.userId, 'city_admin', null);
    expect((await revoke(city.auth)).statusCode).toBe(200);
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: member.auth });
    expect(me.statusCode).toBe(401);
  });

  it('audits every staff read of a full phone: who, whose, when, why', async () => {
    const url = `/api/v1/party-orgs/${world.community.id}/members/${ids.matched}/personal-data`;
    expect((await ctx.app.inject({ method: 'POST', url, headers: secretary, payload: {} })).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'POST', url, headers: otherSecretary, payload: { reason: '核实' } })).statusCode).toBe(403);
    const res = await ctx.app.inject({ method: 'POST', url, headers: secretary, payload: { reason: '联系核实住址' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ phone: '13800000001', home: { estate: world.estate.name, building: '3号楼', unitNo: '2', room: '301' } });
    const { rows } = await ctx.database.pool.query(
      `select a.actor_user_id, a.at, a.data, u.openid from audit_log a join users u on u.id = a.actor_user_id
        where a.action = 'member.personal_data_read' and a.entity_id = $1`,
      [ids.matched],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].openid).toBe('dev_hh_secretary');
    expect(rows[0].data).toEqual({ reason: '联系核实住址', fields: ['phone', 'home'] });
    expect(JSON.stringify(rows[0].data)).not.toContain('13800000001');
    // A member outside the community is not found there.
    const stranger = `/api/v1/party-orgs/${world.community.id}/members/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/personal-data`;
    expect((await ctx.app.inject({ method: 'POST', url: stranger, headers: secretary, payload: { reason: '核实' } })).statusCode).toBe(404);
  });
});

describe('templates', () => {
  it('serves the registry template with the six Chinese headers', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/imports/households/template.xlsx', headers: secretary });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const { readXlsx } = await import('../helpers/upload');
    const sheets = await readXlsx(res.rawPayload);
    expect([...sheets.values()][0][0]).toEqual(HEADERS_ZH);
  });
});

/**
 * An XLSX put together by hand, as tools other than Excel write it: inline strings, no shared
 * strings, no styles, only the merges declared. Rows are [row number, cells from column A].
 */
async function handWrittenXlsx(rows: Array<[number, Array<string | number>]>, merges: string[]): Promise<Buffer> {
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const cell = (row: number, col: number, v: string | number) => {
    const ref = `${String.fromCharCode(65 + col)}${row}`;
    return typeof v === 'number'
      ? `<c r="${ref}"><v>${v}</v></c>`
      : `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${esc(v)}</t></is></c>`;
  };
  const sheet =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
    rows.map(([n, cells]) => `<row r="${n}">${cells.map((v, i) => (v === '' ? '' : cell(n, i, v))).join('')}</row>`).join('') +
    `</sheetData><mergeCells count="${merges.length}">${merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells></worksheet>`;
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  );
  zip.file(
    'xl/workbook.xml',
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="登记表" sheetId="1" r:id="rId1"/></sheets></workbook>',
  );
  zip.file(
    'xl/_rels/workbook.xml.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
  );
  zip.file('xl/worksheets/sheet1.xml', sheet);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

import {
  HOUSEHOLD_COLUMNS,
  IMPORT_HISTORY_REJECTIONS,
  isSafeText,
  PHONE_PATTERN,
  type CommunityMemberList,
  type CommunityMembersQuery,
  type Coverage,
  type HouseholdColumn,
  type HouseholdImportHistory,
  type HouseholdImportResult,
  type RowRejection,
} from '@pioneer/shared';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { transaction } from '../../db/transaction';
import { HOME_READ_AUDIT, recentAudits, writeAudit } from '../../lib/audit';
import type { Clock } from '../../lib/clock';
import { decodeCursor, encodeTimeIdCursor, TimeIdCursorSchema } from '../../lib/cursor';
import { encryptPhone, hashPhone, maskPhone } from '../../lib/phone-crypto';
import { csvRows, findHeader, isBlank, isXlsx, unreadable, xlsxFirstSheetRows, type SheetRow } from '../../lib/sheet-reader';
import type { HouseholdInput, HouseholdsRepository } from './households-repository';

const HOUSEHOLD_IMPORT_MAX_ROWS = 200_000;

const HEADER_NAMES: Record<HouseholdColumn, readonly string[]> = {
  estate: ['estate', HOUSEHOLD_COLUMNS.estate, '小区名称'],
  building: ['building', HOUSEHOLD_COLUMNS.building, '楼号', '幢'],
  unit: ['unit', 'unitNo', HOUSEHOLD_COLUMNS.unit],
  room: ['room', HOUSEHOLD_COLUMNS.room, '房号', '门牌号'],
  ownerName: ['ownerName', HOUSEHOLD_COLUMNS.ownerName, '姓名'],
  phone: ['phone', HOUSEHOLD_COLUMNS.phone, '联系电话', '手机'],
};
const COLUMNS = Object.keys(HEADER_NAMES) as HouseholdColumn[];

/** `+86 138-1234-5678` and Excel's number cells alike become `13812345678`. */
const normalisePhone = (s: string) => s.replace(/[\s\-()（）]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');

async function readRows(buf: Buffer, maxRows: number): Promise<SheetRow[]> {
  if (buf.length === 0) throw unreadable('empty file', '文件为空');
  if (isXlsx(buf)) {
    const rows: SheetRow[] = [];
    for await (const r of xlsxFirstSheetRows(buf, maxRows)) rows.push(r);
    return rows;
  }
  if (buf.includes(0) && !(buf[0] === 0xff && buf[1] === 0xfe) && !(buf[0] === 0xfe && buf[1] === 0xff)) {
    throw unreadable('neither XLSX nor text CSV', '请上传 CSV 或 XLSX 文件');
  }
  return [...csvRows(buf, maxRows)];
}

export function householdsServiceFactory(deps: {
  db: Db;
  householdsRepository: HouseholdsRepository;
  clock: Clock;
  phoneEncKey: Buffer;
  phoneHashKey: Buffer;
}) {
  const repo = deps.householdsRepository;

  return {
    /**
     * One import in one transaction: valid rows are written, bad rows are reported with their
     * row number and written nowhere. A dry run does the same work and rolls it back.
     */
    async importFile(
      actorUserId: string | null,
      communityOrgId: string,
      file: Buffer,
      dryRun: boolean,
      onProgress?: (phase: 'read' | 'check' | 'write', done: number, total: number) => void,
    ): Promise<HouseholdImportResult> {
      onProgress?.('read', 0, 1);
      const rows = await readRows(file, HOUSEHOLD_IMPORT_MAX_ROWS);
      onProgress?.('read', 1, 1);
      const header = findHeader(rows, HEADER_NAMES, COLUMNS);
      if (!header) {
        throw unreadable(
          'no header row with estate, building, unit, room, ownerName, phone',
          '未找到表头：需要 小区、楼栋、单元、室号、业主姓名、手机号 六列',
        );
      }
      const now = deps.clock.now();
      const rejected: RowRejection[] = [];

      // Validation first, before any transaction opens, yielding to the event loop every few
      // thousand rows so other requests keep flowing.
      const estates = await repo.estatesByName(communityOrgId);
      const valid: ValidRow[] = [];
      let sinceYield = 0;
      for (const r of rows) {
        if (r.row <= header.headerRow || isBlank(r.cells)) continue;
        if (++sinceYield === YIELD_EVERY) {
          sinceYield = 0;
          onProgress?.('check', r.row, rows.length);
          await yieldToEventLoop();
        }
        const cell = (k: HouseholdColumn) => (r.cells[header.index[k]] ?? '').trim();
        const v = {
          estate: cell('estate'),
          building: cell('building'),
          unit: cell('unit'),
          room: cell('room'),
          ownerName: cell('ownerName'),
        };
        const phone = normalisePhone(cell('phone'));
        const reason = rowProblem(v, phone);
        if (reason) {
          rejected.push({ row: r.row, reason });
          continue;
        }
        const estateId = estates.get(v.estate);
        if (!estateId) {
          rejected.push({ row: r.row, reason: `小区「${v.estate}」不属于本社区` });
          continue;
        }
        valid.push({ row: r.row, estateId, building: v.building, unit: v.unit, room: v.room, ownerName: v.ownerName, phone });
      }
      onProgress?.('check', rows.length, rows.length);

      // A home the file names twice (after normalisation: "3栋" = "３号楼" = "3") keeps its first row.
      const parts = await repo.homeParts([...new Set(valid.flatMap((v) => [v.building, v.unit, v.room]))]);
      const firstRowOfHome = new Map<string, number>();
      const homes: Array<ValidRow & { building: string; unit: string; room: string }> = [];
      for (const v of valid) {
        const home = { ...v, building: parts.get(v.building)!, unit: parts.get(v.unit)!, room: parts.get(v.room)! };
        const key = homeKey(v.estateId, home.building, home.unit, home.room);
        const firstRow = firstRowOfHome.get(key);
        if (firstRow !== undefined) {
          rejected.push({ row: v.row, reason: `与第 ${firstRow} 行是同一户` });
          continue;
        }
        firstRowOfHome.set(key, v.row);
        homes.push(home);
      }
      rejected.sort((a, b) => a.row - b.row);

      const encrypt = (h: (typeof homes)[number], ownerNameHash: string, phoneHash: string): HouseholdInput => ({
        estateId: h.estateId,
        building: h.building,
        unitNo: h.unit,
        room: h.room,
        ownerNameCipher: encryptPhone(deps.phoneEncKey, h.ownerName),
        ownerNameHash,
        phoneCipher: encryptPhone(deps.phoneEncKey, h.phone),
        phoneHash,
        phoneMasked: maskPhone(h.phone),
      });

      const result = await transaction(deps.db, async (tx) => {
        await repo.lockCommunity(communityOrgId, tx);
        // Under the lock the registry cannot change: a home whose owner and phone hash as
        // stored is left alone, neither encrypted again nor sent to the database.
        const known = await repo.ownerHashes(communityOrgId, tx);
        let inserted = 0;
        let updated = 0;
        let writing: Promise<{ inserted: number; updated: number }> | null = null;
        const settle = async () => {
          if (!writing) return;
          const w = await writing;
          writing = null;
          inserted += w.inserted;
          updated += w.updated;
        };
        // Each batch is encrypted while the database writes the one before it.
        for (let i = 0; i < homes.length; i += WRITE_BATCH) {
          await yieldToEventLoop();
          const batch: HouseholdInput[] = [];
          for (const h of homes.slice(i, i + WRITE_BATCH)) {
            const nameHash = hashPhone(deps.phoneHashKey, `name:${h.ownerName}`);
            const phoneHash = hashPhone(deps.phoneHashKey, h.phone);
            if (known.get(homeKey(h.estateId, h.building, h.unit, h.room)) === `${nameHash}:${phoneHash}`) continue;
            batch.push(encrypt(h, nameHash, phoneHash));
          }
          await settle();
          onProgress?.('write', i, homes.length);
          if (batch.length === 0) continue;
          writing = repo.upsert(communityOrgId, batch, now, tx);
          // Awaited by the next settle(); until then a failure must not count as unhandled.
          writing.catch(() => {});
        }
        await settle();
        onProgress?.('write', homes.length, homes.length);
        const counts = { imported: inserted, updated, unchanged: homes.length - inserted - updated };
        if (dryRun) throw new DryRun(counts);
        await writeAudit(tx, {
          at: now,
          actorUserId,
          action: 'households.import',
          entity: 'party_org',
          entityId: communityOrgId,
          data: { ...counts, rejected: rejected.length, rejectedRows: rejected.slice(0, IMPORT_HISTORY_REJECTIONS) },
        });
        return counts;
      }).catch((e) => {
        if (e instanceof DryRun) return e.counts;
        throw e;
      });
      return { ...result, rejected, dryRun };
    },

    /** The community's latest imports as recorded, rejected rows included: the weapp shows these. */
    async importHistory(communityOrgId: string): Promise<HouseholdImportHistory> {
      const rows = await recentAudits(deps.db, 'households.import', 'party_org', communityOrgId, HISTORY_LENGTH);
      return {
        items: rows.map(({ at, data }) => {
          const d = data as { imported: number; updated: number; unchanged: number; rejected: number; rejectedRows?: RowRejection[] };
          return {
            at: at.toISOString(),
            imported: d.imported,
            updated: d.updated,
            unchanged: d.unchanged,
            rejected: d.rejectedRows ?? [],
            rejectedTotal: d.rejected,
          };
        }),
      };
    },

    async coverage(communityOrgId: string): Promise<Coverage> {
      const [totals, buildings] = await Promise.all([repo.totals(sqlIds([communityOrgId])), repo.coverageByBuilding(communityOrgId)]);
      return { ...totals, buildings };
    },

    /**
     * The community's members as its staff see them, home included: each page that names a home
     * writes an audit row (who, which community, how many members).
     */
    async listMembers(actorUserId: string, communityOrgId: string, query: CommunityMembersQuery): Promise<CommunityMemberList> {
      const cursor = query.cursor ? decodeCursor(query.cursor, TimeIdCursorSchema) : undefined;
      const after = cursor && { at: new Date(cursor.c), id: cursor.i };
      const [rows, counts] = await Promise.all([
        repo.listMembers(communityOrgId, { match: query.match, limit: query.limit + 1, after }),
        repo.matchCounts(communityOrgId),
      ]);
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      if (page.length > 0)
        await writeAudit(deps.db, {
          at: deps.clock.now(),
          actorUserId,
          action: HOME_READ_AUDIT,
          entity: 'party_org',
          entityId: communityOrgId,
          data: { via: 'members-list', scope: 'community', rows: page.length },
        });
      return {
        items: page.map((r) => ({
          id: r.id,
          userId: r.user_id,
          name: r.name,
          phone: r.phone_masked,
          unitOrg: { id: r.unit_org_id, name: r.unit_org_name },
          workUnit: r.work_unit,
          estate: { id: r.estate_id, name: r.estate_name },
          building: r.building,
          unitNo: r.unit_no,
          room: r.room,
          registeredAt: new Date(r.registered_at).toISOString(),
          householdMatch: r.household_match,
        })),
        nextCursor: rows.length > query.limit && last ? encodeTimeIdCursor(new Date(last.registered_at), last.id) : null,
        counts,
      };
    },
  };
}

interface ValidRow {
  row: number;
  estateId: string;
  building: string;
  unit: string;
  room: string;
  ownerName: string;
  phone: string;
}

/** One home as a map key, as households-repository's ownerHashes() keys them. */
const homeKey = (estateId: string, building: string, unit: string, room: string) =>
  `${estateId}\u0000${building}\u0000${unit}\u0000${room}`;

const YIELD_EVERY = 5000;
const HISTORY_LENGTH = 10;
// Rows per write: large enough that round trips do not count, small enough that encrypting one
// batch holds the event loop for a moment only.
const WRITE_BATCH = 5000;
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

class DryRun {
  constructor(readonly counts: { imported: number; updated: number; unchanged: number }) {}
}

function rowProblem(v: Record<'estate' | 'building' | 'unit' | 'room' | 'ownerName', string>, phone: string): string | null {
  const labels: Record<keyof typeof v, string> = { estate: '小区', building: '楼栋', unit: '单元', room: '室号', ownerName: '业主姓名' };
  for (const k of Object.keys(v) as Array<keyof typeof v>) {
    if (!v[k]) return `${labels[k]}为空`;
    if (!isSafeText(v[k])) return `${labels[k]}包含无法识别的字符`;
    if (v[k].length > (k === 'estate' ? 60 : k === 'ownerName' ? 40 : 20)) return `${labels[k]}过长`;
  }
  if (!phone) return '手机号为空';
  if (!PHONE_PATTERN.test(phone)) return `手机号格式不正确`;
  return null;
}

const sqlIds = (ids: string[]) => sql`(select unnest(${sql.param(ids)}::uuid[]))`;

export type HouseholdsService = ReturnType<typeof householdsServiceFactory>;

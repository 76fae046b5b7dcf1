import {
  DIRECTORY_SHEETS,
  HOUSEHOLD_COLUMNS,
  IMPORT_HISTORY_REJECTIONS,
  isSafeText,
  type DirectoryImportHistory,
  type DirectoryImportResult,
  type DirectorySheet,
  type SheetRejection,
} from '@pioneer/shared';
import type { Db } from '../../db/client';
import { transaction } from '../../db/transaction';
import { recentAudits, writeAudit } from '../../lib/audit';
import { exceljs } from '../../lib/lazy-packages';
import type { Clock } from '../../lib/clock';
import { newRegisterCode } from '../../lib/register-code';
import type { DirectoryImportPort } from '../directory/directory-port';
import { isXlsx, unreadable } from '../../lib/sheet-reader';
import { xlsxSheetColumns } from '../../lib/xlsx-columns';
import { XLSX_INFLATED_MAX_BYTES, XLSX_PART_MAX_BYTES, type InflateLimits } from '../../lib/xlsx-guard';

const DIRECTORY_IMPORT_MAX_ROWS = 20_000;
/**
 * The contract's inflate limits; the sheets stream through, but the shared strings are held whole
 * while they are read, so they get less room (a full directory's names are a few MB).
 */
const DIRECTORY_LIMITS: InflateLimits = { total: XLSX_INFLATED_MAX_BYTES, part: XLSX_PART_MAX_BYTES, sharedStrings: 32 * 1024 * 1024 };

type Col = 'name' | 'district' | 'community';
/** Columns of each sheet of the directory template, with the header names accepted for each. */
const SHEET_COLUMNS: Record<DirectorySheet, Partial<Record<Col, readonly string[]>>> = {
  板块: { name: ['名称', '板块', '板块名称', 'name'] },
  社区党组织: { name: ['名称', '社区党组织', '党组织名称', 'name'], district: ['板块', '所属板块', 'district'] },
  小区: { community: ['社区党组织', '所属社区', '社区', 'community'], name: ['名称', '小区', '小区名称', 'name'] },
  单位党组织: { name: ['名称', '单位党组织', '党组织名称', 'name'], district: ['板块', '所属板块', 'district'] },
};
/** Header names the template writes. */
const TEMPLATE_HEADERS: Record<DirectorySheet, string[]> = {
  板块: ['名称'],
  社区党组织: ['名称', '板块'],
  小区: ['社区党组织', '名称'],
  单位党组织: ['名称', '板块'],
};

class DryRun {
  constructor(readonly result: { created: number; updated: number }) {}
}

const NAME_LIMITS: Record<DirectorySheet, [number, number]> = { 板块: [1, 40], 社区党组织: [2, 60], 小区: [1, 60], 单位党组织: [2, 60] };

const SHEET_ORDER = new Map(DIRECTORY_SHEETS.map((s, i) => [s as string, i]));
const inSheetOrder = (rejected: SheetRejection[]) =>
  [...rejected].sort((a, b) => SHEET_ORDER.get(a.sheet)! - SHEET_ORDER.get(b.sheet)! || a.row - b.row);

export function importsServiceFactory(deps: {
  db: Db;
  /** The directory's own repository writes what an import creates or moves. */
  directoryRepository: DirectoryImportPort;
  clock: Clock;
}) {
  const repo = deps.directoryRepository;

  return {
    /** The latest directory imports as recorded, rejected rows included (the weapp shows these). */
    async directoryImportHistory(): Promise<DirectoryImportHistory> {
      const rows = await recentAudits(deps.db, 'directory.import', 'directory', null, 10);
      return {
        items: rows.map(({ at, data }) => {
          const d = data as { created: number; updated: number; rejected: number; rejectedRows?: SheetRejection[] };
          return {
            at: at.toISOString(),
            created: d.created,
            updated: d.updated,
            rejected: d.rejectedRows ?? [],
            rejectedTotal: d.rejected,
          };
        }),
      };
    },

    /**
     * The city's directory from one workbook, in one transaction: every bad row is reported with
     * its sheet and row and written nowhere (nor are rows that depend on it); a dry run does the
     * whole import and rolls it back, so its counts are the real import's.
     */
    async importDirectory(actorUserId: string, file: Buffer, dryRun: boolean): Promise<DirectoryImportResult> {
      if (!isXlsx(file)) throw unreadable('not an XLSX workbook', '请上传 XLSX 格式的目录模板');
      // Only the columns read are kept; the sheets are then worked in a fixed order whatever the file's.
      const sheets = await xlsxSheetColumns(
        file,
        SHEET_COLUMNS as Record<DirectorySheet, Record<Col, readonly string[]>>,
        DIRECTORY_IMPORT_MAX_ROWS,
        DIRECTORY_LIMITS,
      );
      const parsed = {} as Record<DirectorySheet, Array<{ row: number; v: Partial<Record<Col, string>> }>>;
      for (const name of DIRECTORY_SHEETS) {
        const sheet = sheets.get(name);
        if (!sheet) throw unreadable(`missing sheet ${name}`, `缺少工作表「${name}」`);
        if (sheet.headerRow === null)
          throw unreadable(`sheet ${name}: no header row`, `工作表「${name}」缺少表头：${TEMPLATE_HEADERS[name].join('、')}`);
        parsed[name] = sheet.rows.map((r) => ({ row: r.row, v: Object.fromEntries(Object.entries(r.v).map(([k, x]) => [k, x.trim()])) }));
      }

      const rejected: SheetRejection[] = [];
      const reject = (sheet: DirectorySheet, row: number, reason: string) => rejected.push({ sheet, row, reason });
      const badName = (sheet: DirectorySheet, value: string | undefined, label: string): string | null => {
        const [min, max] = NAME_LIMITS[sheet];
        if (!value) return `${label}为空`;
        if (!isSafeText(value)) return `${label}包含无法识别的字符`;
        if (value.length < min || value.length > max) return `${label}长度应为 ${min}–${max} 个字`;
        return null;
      };

      const result = await transaction(deps.db, async (tx) => {
        await repo.lockForImport(tx);
        const snap = await repo.snapshot(tx);
        const districts = new Map(snap.districts.map((d) => [d.name, d.id]));
        const orgs = {
          community: new Map<string, { id: string; districtId: string }>(),
          unit: new Map<string, { id: string; districtId: string }>(),
        };
        for (const o of snap.orgs) orgs[o.kind].set(o.name, { id: o.id, districtId: o.districtId });
        const estates = new Set(snap.estates.map((e) => `${e.communityOrgId}\n${e.name}`));
        let created = 0;
        let updated = 0;

        const seen = new Map<string, number>();
        const firstTime = (sheet: DirectorySheet, key: string, row: number) => {
          const k = `${sheet}\n${key}`;
          const first = seen.get(k);
          if (first !== undefined) {
            reject(sheet, row, `与第 ${first} 行重复`);
            return false;
          }
          seen.set(k, row);
          return true;
        };

        for (const { row, v } of parsed['板块']) {
          const problem = badName('板块', v.name, '板块名称');
          if (problem) {
            reject('板块', row, problem);
            continue;
          }
          if (!firstTime('板块', v.name!, row) || districts.has(v.name!)) continue;
          districts.set(v.name!, await repo.insertDistrict(v.name!, tx));
          created++;
        }

        for (const sheet of ['社区党组织', '单位党组织'] as const) {
          const kind = sheet === '社区党组织' ? 'community' : 'unit';
          for (const { row, v } of parsed[sheet]) {
            const problem = badName(sheet, v.name, '党组织名称') ?? (v.district ? null : '板块为空');
            if (problem) {
              reject(sheet, row, problem);
              continue;
            }
            const districtId = districts.get(v.district!);
            if (!districtId) {
              reject(sheet, row, `板块「${v.district}」不存在`);
              continue;
            }
            if (!firstTime(sheet, v.name!, row)) continue;
            const existing = orgs[kind].get(v.name!);
            if (existing) {
              if (existing.districtId !== districtId) {
                await repo.moveOrg(existing.id, districtId, tx);
                existing.districtId = districtId;
                updated++;
              }
              continue;
            }
            const { id } = await repo.insertPartyOrg(
              { kind, name: v.name!, districtId, registerCode: kind === 'community' ? newRegisterCode() : null },
              tx,
            );
            orgs[kind].set(v.name!, { id, districtId });
            created++;
          }
        }

        const newEstates: Array<{ communityOrgId: string; name: string }> = [];
        for (const { row, v } of parsed['小区']) {
          const problem = badName('小区', v.name, '小区名称') ?? (v.community ? null : '社区党组织为空');
          if (problem) {
            reject('小区', row, problem);
            continue;
          }
          const community = orgs.community.get(v.community!);
          if (!community) {
            reject('小区', row, `社区党组织「${v.community}」不存在`);
            continue;
          }
          if (!firstTime('小区', `${v.community}\n${v.name}`, row)) continue;
          const key = `${community.id}\n${v.name}`;
          if (estates.has(key)) continue;
          newEstates.push({ communityOrgId: community.id, name: v.name! });
          estates.add(key);
          created++;
        }
        await repo.insertEstates(newEstates, tx);

        if (dryRun) throw new DryRun({ created, updated });
        await writeAudit(tx, {
          at: deps.clock.now(),
          actorUserId,
          action: 'directory.import',
          entity: 'directory',
          entityId: null,
          data: { created, updated, rejected: rejected.length, rejectedRows: inSheetOrder(rejected).slice(0, IMPORT_HISTORY_REJECTIONS) },
        });
        return { created, updated };
      }).catch((e) => {
        if (e instanceof DryRun) return e.result;
        throw e;
      });
      return { ...result, rejected: inSheetOrder(rejected), dryRun };
    },

    async directoryTemplate(): Promise<Buffer> {
      const wb = new (exceljs().Workbook)();
      for (const name of DIRECTORY_SHEETS) {
        const ws = wb.addWorksheet(name);
        ws.addRow(TEMPLATE_HEADERS[name]).font = { bold: true };
        ws.columns.forEach((c) => (c.width = 24));
      }
      return Buffer.from(await wb.xlsx.writeBuffer());
    },

    async householdTemplate(): Promise<Buffer> {
      const wb = new (exceljs().Workbook)();
      const ws = wb.addWorksheet('业主信息');
      ws.addRow(Object.values(HOUSEHOLD_COLUMNS)).font = { bold: true };
      ws.columns.forEach((c) => (c.width = 16));
      return Buffer.from(await wb.xlsx.writeBuffer());
    },
  };
}

export type ImportsService = ReturnType<typeof importsServiceFactory>;

import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type ExcelJS from 'exceljs';
import { AppError } from './errors';
import { exceljs } from './lazy-packages';
import { cellText, findHeader, unreadable, type SheetRow } from './sheet-reader';
import { guardXlsx, type InflateLimits } from './xlsx-guard';

/** The header is looked for among this many first non-blank rows (as findHeader does). */
const HEADER_ROWS = 10;
/** Cells wider than this are not looked at for a header (a crafted row can reach column XFD). */
const HEADER_WIDTH = 256;
/** A kept cell's text at most: every column read is a short name, longer ones are refused anyway. */
const KEPT_CHARS = 256;
/** Merged cells filled from their top-left one, at most, in a sheet (merges of a crafted file may overlap). */
const MAX_MERGE_FILLS = 200_000;

export interface ColumnRow<K extends string> {
  row: number;
  v: Record<K, string>;
}
/** One sheet as read: its header row (null: none found among the first rows) and its data rows. */
export interface ColumnSheet<K extends string> {
  headerRow: number | null;
  rows: ColumnRow<K>[];
}

const tooManyRows = (sheet: string, maxRows: number) =>
  unreadable(`sheet ${sheet}: more than ${maxRows} rows`, `文件超过 ${maxRows} 行，请分批导入`);

/**
 * The wanted columns of the named sheets of an XLSX workbook, streamed: one row at a time passes
 * through, and only each wanted column's text of each row is kept, so memory follows the rows
 * times the wanted columns, never the workbook (exceljs's in-memory model of a sheet is many
 * times its XML). Other sheets are skipped unread. The file is inflated once first within
 * `limits` (guardXlsx: 413 past them, and re-packed so the reader never spools a sheet to a temp
 * file). Merged cells read as their top-left value, as a person sees them, where that value is in
 * a wanted column. Rows are numbered as Excel shows them; rows blank in every column are left out.
 */
export async function xlsxSheetColumns<K extends string>(
  buf: Buffer,
  wanted: Record<string, Record<K, readonly string[]>>,
  maxRows: number,
  limits?: InflateLimits,
): Promise<Map<string, ColumnSheet<K>>> {
  const packed = await guardXlsx(buf, limits);
  const reader = new (exceljs().stream.xlsx.WorkbookReader)(Readable.from([packed]), {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  const out = new Map<string, ColumnSheet<K>>();
  try {
    for await (const worksheet of reader) {
      const ws = worksheet as unknown as SheetReader;
      const name = sheetName(reader as unknown as BookReader, ws);
      const names = Object.hasOwn(wanted, name) ? wanted[name] : undefined;
      // Not wanted (or a second sheet of the same name): the reader drains it without parsing.
      if (!names || out.has(name)) continue;
      const merges: string[] = [];
      ws.iterator = tapMerges(ws.iterator, merges);
      const sheet = new SheetColumns(name, names, maxRows);
      for await (const row of ws) sheet.add(row);
      out.set(name, sheet.finish(merges));
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw unreadable(`xlsx: ${(e as Error).message.slice(0, 200)}`);
  }
  return out;
}

type SheetReader = { id: string | number; name: string; iterator: AsyncIterable<Buffer | string> } & AsyncIterable<ExcelJS.Row>;
interface BookReader {
  workbookRels?: Array<{ Id: string; Target: string }>;
  model?: { sheets?: Array<{ name: string; rId: string }> };
}

/**
 * The sheet's name from the workbook. exceljs matches a sheet to its name only by the relative
 * target `worksheets/sheetN.xml` and otherwise calls it `SheetN`; some writers (openpyxl, for one)
 * use the absolute `/xl/worksheets/sheetN.xml`.
 */
function sheetName(reader: BookReader, ws: SheetReader): string {
  if (ws.name !== `Sheet${ws.id}`) return String(ws.name ?? '').trim();
  const target = `worksheets/sheet${ws.id}.xml`;
  const rel = reader.workbookRels?.find((r) => r.Target.replace(/^\/?xl\//, '') === target);
  const sheet = rel && reader.model?.sheets?.find((x) => x.rId === rel.Id);
  return String(sheet?.name ?? ws.name ?? '').trim();
}

/**
 * Passes a sheet's XML through unchanged and notes each `<mergeCell ref="A1:B2"/>`: exceljs's
 * streaming reader drops them, and they come after the rows, so they are applied at the end.
 */
async function* tapMerges(source: AsyncIterable<Buffer | string>, merges: string[]): AsyncGenerator<Buffer | string> {
  const decoder = new StringDecoder('utf8');
  const tag = /<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*["']([A-Za-z]{1,3}\d{1,7}:[A-Za-z]{1,3}\d{1,7})["']/g;
  let tail = '';
  for await (const chunk of source) {
    const text = tail + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let end = 0;
    for (const m of text.matchAll(tag)) {
      merges.push(m[1]);
      end = m.index + m[0].length;
    }
    // A tag cut by the chunk's end is whole in the next text; one already noted is not seen twice.
    tail = text.slice(Math.max(end, text.length - 256));
    yield chunk;
  }
}

const colNo = (letters: string) => [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
function decodeRange(ref: string): { r1: number; c1: number; r2: number; c2: number } | null {
  const m = /^([A-Za-z]+)(\d+):([A-Za-z]+)(\d+)$/.exec(ref);
  if (!m) return null;
  const [a, b] = [
    { c: colNo(m[1]), r: Number(m[2]) },
    { c: colNo(m[3]), r: Number(m[4]) },
  ];
  return { r1: Math.min(a.r, b.r), c1: Math.min(a.c, b.c), r2: Math.max(a.r, b.r), c2: Math.max(a.c, b.c) };
}

/** One sheet's rows as they stream by: the first rows whole until the header is found, then only the wanted columns. */
class SheetColumns<K extends string> {
  private readonly keys: K[];
  private head: SheetRow[] = [];
  private header: { headerRow: number; index: Record<K, number> } | null | undefined = undefined;
  private readonly rows = new Map<number, { v: Record<K, string>; any: boolean }>();

  constructor(
    private readonly sheet: string,
    private readonly names: Record<K, readonly string[]>,
    private readonly maxRows: number,
  ) {
    this.keys = Object.keys(names) as K[];
  }

  add(row: ExcelJS.Row): void {
    const n = row.number;
    if (!Number.isInteger(n) || n < 1) throw unreadable(`sheet ${this.sheet}: row number ${String(n)}`);
    if (n > this.maxRows) throw tooManyRows(this.sheet, this.maxRows);
    if (this.header === undefined) {
      const cells = headCells(row);
      if (cells.every((c) => c === '')) return;
      this.head.push({ row: n, cells });
      if (this.head.length >= HEADER_ROWS) this.decideHeader();
      return;
    }
    this.keep(n, row);
  }

  finish(merges: string[]): ColumnSheet<K> {
    if (this.header === undefined) this.decideHeader();
    const header = this.header;
    if (!header) return { headerRow: null, rows: [] };
    this.fillMerges(header, merges);
    const rows = [...this.rows.entries()]
      .filter(([, r]) => r.any)
      .sort(([a], [b]) => a - b)
      .map(([row, r]) => ({ row, v: r.v }));
    return { headerRow: header.headerRow, rows };
  }

  private decideHeader(): void {
    this.header = findHeader(this.head, this.names, this.keys);
    const header = this.header;
    if (header) {
      for (const r of this.head) {
        if (r.row <= header.headerRow) continue;
        const v = {} as Record<K, string>;
        for (const k of this.keys) v[k] = (r.cells[header.index[k]] ?? '').slice(0, KEPT_CHARS);
        this.rows.set(r.row, { v, any: true });
      }
    }
    this.head = [];
  }

  private keep(n: number, row: ExcelJS.Row): void {
    const header = this.header;
    if (!header || n <= header.headerRow) return;
    const v = {} as Record<K, string>;
    for (const k of this.keys) v[k] = cellText(row.findCell(header.index[k] + 1)?.value).slice(0, KEPT_CHARS);
    // A row counts when any of its cells holds something, wanted or not (a note alone is a row to report).
    const any = this.keys.some((k) => v[k] !== '') || (row.values as unknown[]).some((x) => cellText(x as ExcelJS.CellValue) !== '');
    const before = this.rows.get(n);
    this.rows.set(n, before ? { v: { ...before.v, ...nonEmpty(v) }, any: before.any || any } : { v, any });
  }

  /** Each merged range's top-left value in the wanted cells it covers below the header (an office merges 板块 down over rows). */
  private fillMerges(header: { headerRow: number; index: Record<K, number> }, merges: string[]): void {
    let fills = 0;
    for (const ref of merges) {
      const range = decodeRange(ref);
      if (!range || range.r1 <= header.headerRow) continue;
      const masterKey = this.keys.find((k) => header.index[k] + 1 === range.c1);
      if (masterKey === undefined) continue;
      const value = this.rows.get(range.r1)?.v[masterKey] ?? '';
      if (value === '') continue;
      const covered = this.keys.filter((k) => header.index[k] + 1 >= range.c1 && header.index[k] + 1 <= range.c2);
      for (let r = range.r1; r <= Math.min(range.r2, this.maxRows); r++) {
        for (const k of covered) {
          if (r === range.r1 && k === masterKey) continue;
          if (++fills > MAX_MERGE_FILLS) throw unreadable(`sheet ${this.sheet}: more than ${MAX_MERGE_FILLS} merged cells`);
          let entry = this.rows.get(r);
          if (!entry) {
            entry = { v: Object.fromEntries(this.keys.map((key) => [key, ''])) as Record<K, string>, any: false };
            this.rows.set(r, entry);
          }
          if (entry.v[k] === '') entry.v[k] = value;
          entry.any = true;
        }
      }
    }
  }
}

function headCells(row: ExcelJS.Row): string[] {
  const values = row.values as ExcelJS.CellValue[];
  const cells: string[] = [];
  // row.values is 1-based: index 0 is always empty.
  for (let i = 1; i < Math.min(values.length, HEADER_WIDTH + 1); i++) cells.push(cellText(values[i]).slice(0, KEPT_CHARS));
  return cells;
}

const nonEmpty = <K extends string>(v: Record<K, string>) =>
  Object.fromEntries(Object.entries(v).filter(([, x]) => x !== '')) as Partial<Record<K, string>>;

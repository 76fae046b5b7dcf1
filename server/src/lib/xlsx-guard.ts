import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { AppError } from './errors';

/** Contract v3: an XLSX whose parts inflate to more than this in all is 413 PAYLOAD_TOO_LARGE. */
export const XLSX_INFLATED_MAX_BYTES = 200 * 1024 * 1024;
/** One XML part (a sheet, the shared strings) at most: a 100,000-row registry is well under it. */
export const XLSX_PART_MAX_BYTES = 150 * 1024 * 1024;
/** A workbook has a few dozen parts; thousands are a crafted file. */
const MAX_PARTS = 2000;

export interface InflateLimits {
  /** All parts together, inflated. */
  total: number;
  /** Each part, inflated. */
  part: number;
  /**
   * The shared strings, inflated, when less than `part`: a streaming reader still holds them all
   * in memory (every cell may point at any of them), while the sheets only pass through.
   */
  sharedStrings?: number;
}

const MB = 1024 * 1024;
const tooLarge = (limit: number, reason: string) =>
  new AppError('PAYLOAD_TOO_LARGE', `文件解压后超过 ${Math.round(limit / MB)} MB，请拆分后重新上传`, {
    details: [{ path: 'file', reason }],
  });
const unreadableZip = (reason: string) =>
  new AppError('IMPORT_INVALID', undefined, { details: [{ path: 'file', reason: `xlsx: ${reason.slice(0, 200)}` }] });

interface Part {
  name: Buffer;
  method: number;
  time: number;
  date: number;
  crc: number;
  raw: Buffer;
  size: number;
}

/** exceljs's streaming reader needs these before any sheet, or it spools sheets to temp files. */
function rank(name: string): number {
  const first = [
    '[Content_Types].xml',
    '_rels/.rels',
    'xl/_rels/workbook.xml.rels',
    'xl/workbook.xml',
    'xl/sharedStrings.xml',
    'xl/styles.xml',
  ];
  const i = first.indexOf(name);
  if (i >= 0) return i;
  return /^xl\/worksheets\/sheet\d+\.xml$/.test(name) ? first.length + 1 : first.length;
}
const sheetNo = (name: string) => Number(/sheet(\d+)\.xml$/.exec(name)?.[1] ?? 0);

const EMPTY_SHARED_STRINGS = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
);

/**
 * Inflates every part of an XLSX once, counting, and stops at the limits (413 PAYLOAD_TOO_LARGE
 * within seconds, whatever the zip's headers claim): a 400 KB file can hold gigabytes. Returns the
 * same workbook re-packed (the parts' compressed bytes as they were) in the order exceljs's
 * streaming reader needs, so it never writes a sheet to a temp file that nobody removes.
 */
export async function guardXlsx(
  buf: Buffer,
  limits: InflateLimits = { total: XLSX_INFLATED_MAX_BYTES, part: XLSX_PART_MAX_BYTES },
): Promise<Buffer> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: false, strictFileNames: false }, (err, z) =>
        err ? reject(err) : resolve(z),
      ),
    );
  } catch (e) {
    throw unreadableZip((e as Error).message);
  }
  const parts: Part[] = [];
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (e: Error) => reject(e instanceof AppError ? e : unreadableZip(e.message)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          if (entry.fileName.endsWith('/')) return zip.readEntry();
          if (parts.length >= MAX_PARTS) throw unreadableZip(`more than ${MAX_PARTS} parts`);
          const partLimit = partLimitOf(entry.fileName, limits);
          // Headers may lie; when they admit the size already, nothing is inflated at all.
          if (entry.uncompressedSize > partLimit)
            throw tooLarge(partLimit, `part ${entry.fileName} declares ${entry.uncompressedSize} bytes`);
          if (total + entry.uncompressedSize > limits.total) throw tooLarge(limits.total, 'parts declare more than the limit');
          const size = await inflatedSize(zip, entry, partLimit, limits.total, total);
          total += size;
          const raw = await rawBytes(zip, entry);
          parts.push({
            name: Buffer.from(entry.fileName, 'utf8'),
            method: entry.compressionMethod,
            time: entry.lastModFileTime,
            date: entry.lastModFileDate,
            crc: entry.crc32,
            raw,
            size,
          });
          zip.readEntry();
        })().catch((e: unknown) => {
          reject(e instanceof AppError ? e : unreadableZip((e as Error).message));
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  const names = parts.map((p) => p.name.toString('utf8'));
  // Without the workbook's relationships exceljs's streaming reader spools every sheet to a temp file.
  if (!names.includes('xl/_rels/workbook.xml.rels') || !names.includes('xl/workbook.xml'))
    throw unreadableZip('no xl/workbook.xml or xl/_rels/workbook.xml.rels');
  if (!names.includes('xl/sharedStrings.xml')) {
    parts.push({
      name: Buffer.from('xl/sharedStrings.xml'),
      method: 0,
      time: 0,
      date: 0,
      crc: crc32(EMPTY_SHARED_STRINGS),
      raw: EMPTY_SHARED_STRINGS,
      size: EMPTY_SHARED_STRINGS.length,
    });
  }
  const ordered = parts
    .map((p) => ({ p, name: p.name.toString('utf8') }))
    .sort((a, b) => rank(a.name) - rank(b.name) || sheetNo(a.name) - sheetNo(b.name))
    .map((x) => x.p);
  return pack(ordered);
}

const partLimitOf = (name: string, limits: InflateLimits) =>
  name === 'xl/sharedStrings.xml' && limits.sharedStrings !== undefined ? Math.min(limits.sharedStrings, limits.part) : limits.part;

/** Inflates one part, discarding its bytes, and stops as soon as a limit is passed. */
function inflatedSize(zip: yauzl.ZipFile, entry: yauzl.Entry, partLimit: number, totalLimit: number, before: number): Promise<number> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(unreadableZip(err.message));
      let n = 0;
      stream.on('data', (chunk: Buffer) => {
        n += chunk.length;
        if (n > partLimit || before + n > totalLimit) {
          stream.destroy();
          reject(
            n > partLimit
              ? tooLarge(partLimit, `part ${entry.fileName} inflates past ${partLimit} bytes`)
              : tooLarge(totalLimit, `parts inflate past ${totalLimit} bytes`),
          );
        }
      });
      stream.on('error', (e: Error) => reject(unreadableZip(e.message)));
      stream.on('end', () => resolve(n));
    });
  });
}

function rawBytes(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // A stored part's bytes are its raw bytes (yauzl refuses `decompress` for it).
    const options = (entry.compressionMethod === 0 ? {} : { decompress: false }) as yauzl.ZipFileOptions;
    zip.openReadStream(entry, options, (err, stream) => {
      if (err) return reject(unreadableZip(err.message));
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (e: Error) => reject(unreadableZip(e.message)));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/** A plain zip (no data descriptors, UTF-8 names) of the parts, in the order given. */
function pack(parts: Part[]): Buffer {
  const UTF8 = 0x0800;
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(UTF8, 6);
    local.writeUInt16LE(p.method, 8);
    local.writeUInt16LE(p.time, 10);
    local.writeUInt16LE(p.date, 12);
    local.writeUInt32LE(p.crc >>> 0, 14);
    local.writeUInt32LE(p.raw.length, 18);
    local.writeUInt32LE(p.size, 22);
    local.writeUInt16LE(p.name.length, 26);
    local.writeUInt16LE(0, 28);
    out.push(local, p.name, p.raw);

    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(UTF8, 8);
    dir.writeUInt16LE(p.method, 10);
    dir.writeUInt16LE(p.time, 12);
    dir.writeUInt16LE(p.date, 14);
    dir.writeUInt32LE(p.crc >>> 0, 16);
    dir.writeUInt32LE(p.raw.length, 20);
    dir.writeUInt32LE(p.size, 24);
    dir.writeUInt16LE(p.name.length, 28);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, p.name);
    offset += 30 + p.name.length + p.raw.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, cd, end]);
}

import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, createDeflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';

/** Zip parts by hand, for crafted XLSX uploads (bombs, parts out of order, hostile sheet XML). */
export interface ZipPart {
  name: string;
  /** Deflated bytes, the inflated size and CRC. */
  raw: Buffer;
  size: number;
  crc: number;
}

export const part = (name: string, data: Buffer | string): ZipPart => {
  const buf = Buffer.from(data);
  return { name, raw: deflateRawSync(buf), size: buf.length, crc: crc32(buf) };
};

/** `mb` megabytes of spaces inside a sheet (or whatever `open` and `close` make of it), deflated as a stream (a few hundred KB), never held inflated. */
export async function bombPart(
  name: string,
  mb: number,
  open = '<worksheet><sheetData>',
  close = '</sheetData></worksheet>',
): Promise<ZipPart> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  let crc = crc32(open);
  deflate.write(open);
  for (let i = 0; i < mb; i++) {
    if (!deflate.write(chunk)) await new Promise((r) => deflate.once('drain', r));
    crc = crc32(chunk, crc);
  }
  deflate.end(close);
  await done;
  const size = mb * 1024 * 1024 + Buffer.byteLength(open) + Buffer.byteLength(close);
  return { name, raw: Buffer.concat(out), size, crc: crc32(close, crc) };
}

/** A zip of the parts in the order given; `declare` overrides the inflated size its headers state. */
export function zip(parts: ZipPart[], declare?: (p: ZipPart) => number): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const size = declare ? declare(p) : p.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(p.crc >>> 0, 14);
    local.writeUInt32LE(p.raw.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    out.push(local, name, p.raw);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(p.crc >>> 0, 16);
    dir.writeUInt32LE(p.raw.length, 20);
    dir.writeUInt32LE(size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, name);
    offset += 30 + name.length + p.raw.length;
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

/** The parts of a real workbook (exceljs wrote it), to re-pack in another order. */
export async function partsOf(file: Buffer): Promise<ZipPart[]> {
  const z = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(file, { lazyEntries: true }, (err, f) => (err ? reject(err) : resolve(f))),
  );
  const parts: ZipPart[] = [];
  await new Promise<void>((resolve, reject) => {
    z.on('entry', (e: yauzl.Entry) => {
      if (e.fileName.endsWith('/')) return z.readEntry();
      z.openReadStream(e, (e.compressionMethod === 0 ? {} : { decompress: false }) as yauzl.ZipFileOptions, (err, s) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        s.on('data', (c: Buffer) => chunks.push(c));
        s.on('end', () => {
          const raw = Buffer.concat(chunks);
          const data = e.compressionMethod === 8 ? inflateRawSync(raw) : raw;
          parts.push(part(e.fileName, data));
          z.readEntry();
        });
      });
    });
    z.on('end', () => resolve());
    z.on('error', reject);
    z.readEntry();
  });
  return parts;
}

/** exceljs's temp files (the `tmp` package: tmp-<pid>-…) of this process. */
export const tempFiles = () => readdirSync(os.tmpdir()).filter((n) => n.startsWith(`tmp-${process.pid}`));

/**
 * Counts every byte the server's yauzl inflates in this process (the upload guard reads zips through it): how
 * far a guard let a bomb inflate, measured instead of timed.
 */
export function countInflated(): { bytes(): number; restore(): void } {
  type Open = (entry: yauzl.Entry, options: yauzl.ZipFileOptions, cb: (err: Error | null, stream: NodeJS.ReadableStream) => void) => void;
  // The server's own copy of yauzl (its workspace pins another version than the tests').
  const serverYauzl = jest.requireActual<typeof yauzl>(require.resolve('yauzl', { paths: [path.join(__dirname, '../../server')] }));
  const proto = serverYauzl.ZipFile.prototype as unknown as { openReadStream: Open };
  const real = proto.openReadStream;
  let n = 0;
  proto.openReadStream = function (this: yauzl.ZipFile, entry, options, cb) {
    const callback = typeof options === 'function' ? (options as typeof cb) : cb;
    const opts = typeof options === 'function' ? {} : options;
    const inflates = entry.compressionMethod !== 0 && (opts as { decompress?: boolean }).decompress !== false;
    real.call(this, entry, opts, (err, stream) => {
      if (stream && inflates) {
        const readable = stream as unknown as { push(chunk: unknown, encoding?: BufferEncoding): boolean };
        const push = readable.push.bind(readable);
        readable.push = (chunk, encoding) => {
          if (Buffer.isBuffer(chunk)) n += chunk.length;
          return push(chunk, encoding);
        };
      }
      callback(err, stream);
    });
  };
  return { bytes: () => n, restore: () => void (proto.openReadStream = real) };
}

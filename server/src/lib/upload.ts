import type { FastifyRequest } from 'fastify';
import { AppError } from './errors';
import { unreadable } from './sheet-reader';

export const UPLOAD_MAX_BYTES = 20 * 1024 * 1024;

/**
 * The one file of a multipart upload. The part is streamed by @fastify/multipart and stops at
 * `maxBytes` (413 PAYLOAD_TOO_LARGE past it); anything that is not such an upload is IMPORT_INVALID, never a 5xx.
 */
export async function readUpload(request: FastifyRequest, maxBytes = UPLOAD_MAX_BYTES): Promise<Buffer> {
  if (!request.isMultipart()) throw unreadable('not multipart/form-data', '请以文件形式上传');
  let buf: Buffer | undefined;
  try {
    const part = await request.file({ limits: { fileSize: maxBytes, files: 1, fields: 10, parts: 12 } });
    if (!part) throw unreadable('no file part', '请选择要上传的文件');
    buf = await part.toBuffer();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('PAYLOAD_TOO_LARGE', `文件超过 ${Math.round(maxBytes / 1048576)} MB`, {
        details: [{ path: 'file', reason: `file larger than ${maxBytes} bytes` }],
      });
    if (typeof code === 'string' && code.startsWith('FST_')) throw unreadable(`multipart: ${code}`);
    throw e;
  }
  return buf;
}

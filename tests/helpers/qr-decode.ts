import { Resvg } from '@resvg/resvg-js';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

/** Reads a QR code out of a PNG with an independent decoder (jsQR); null when none is found. */
export function decodeQrPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  const found = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
  return found?.data ?? null;
}

/** Rasterises an SVG QR code with resvg, then decodes it as a PNG. */
export function decodeQrSvg(svg: string): string | null {
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: 400 }, background: 'white' }).render().asPng();
  return decodeQrPng(Buffer.from(png));
}

/** The text and the QR version (1–40) of an SVG QR code, read by jsQR. */
export function readQrSvg(svg: string): { data: string; version: number } | null {
  const png = PNG.sync.read(Buffer.from(new Resvg(svg, { fitTo: { mode: 'width', value: 400 }, background: 'white' }).render().asPng()));
  const found = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  return found ? { data: found.data, version: found.version } : null;
}

/** The text and the QR version of a PNG QR code, read by jsQR. */
export function readQrPng(png: Buffer): { data: string; version: number } | null {
  const image = PNG.sync.read(png);
  const found = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
  return found ? { data: found.data, version: found.version } : null;
}

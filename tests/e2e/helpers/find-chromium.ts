import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface ChromiumBinary {
  executablePath: string;
  source: 'CHROMIUM_PATH' | 'system' | 'bundled';
  /** Extra environment for the browser process (shared libraries the machine lacks). */
  env?: Record<string, string>;
}

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Library names the machine's dynamic loader cannot find for `binary` (empty when ldd is missing). */
function missingLibraries(binary: string): string[] {
  try {
    const out = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out
      .split('\n')
      .filter((l) => l.includes('not found'))
      .map((l) => l.trim().split(/\s/)[0]!);
  } catch {
    return [];
  }
}

/**
 * `CHROMIUM_PATH`, else Debian's chromium, else the Chromium inside the `@sparticuz/chromium`
 * package (unpacked to the temp dir; never downloaded). `E2E_SYSTEM_CHROMIUM=0` skips the system
 * lookup, which is how `.ci/run` proves the suite passes on a machine with Node and npm only.
 */
export function findChromium(): ChromiumBinary {
  if (process.env.CHROMIUM_PATH) return { executablePath: process.env.CHROMIUM_PATH, source: 'CHROMIUM_PATH' };
  if (process.env.E2E_SYSTEM_CHROMIUM !== '0') {
    const system = SYSTEM_CHROMIUM.find((p) => existsSync(p));
    if (system) return { executablePath: system, source: 'system' };
  }
  const out = execFileSync(process.execPath, [path.join(__dirname, 'bundled-chromium.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { executablePath, libDir } = JSON.parse(out) as { executablePath: string; libDir: string | null };
  if (libDir && missingLibraries(executablePath).length > 0) {
    const ld = [libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    return { executablePath, source: 'bundled', env: { LD_LIBRARY_PATH: ld } };
  }
  return { executablePath, source: 'bundled' };
}

import type { FastifyInstance } from 'fastify';

/** Runs `job` every `ms` while the app is open (0: never); a failure is logged and the next run goes ahead. */
export function every(app: FastifyInstance, ms: number, name: string, job: () => Promise<unknown>): void {
  if (ms <= 0) return;
  const timer = setInterval(() => {
    job().catch((err) => app.log.warn({ err }, `${name} failed`));
  }, ms);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}

import net from 'node:net';
import { assertPortFree } from '../../server/src/db/port-check';

/** A start-up that cannot happen says why, not "start-up failed: undefined" (issue 23). */
test('a busy embedded PostgreSQL port is named in the start-up error', async () => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const port = (busy.address() as net.AddressInfo).port;
  try {
    const check = assertPortFree(port);
    await expect(check).rejects.toThrow(`port ${port} is already in use`);
    await expect(check).rejects.toThrow('EMBEDDED_PG_PORT');
  } finally {
    await new Promise((resolve) => busy.close(resolve));
  }
  // Free again: the check itself leaves nothing listening.
  await expect(assertPortFree(port)).resolves.toBeUndefined();
  await expect(assertPortFree(port)).resolves.toBeUndefined();
});

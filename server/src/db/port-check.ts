import net from 'node:net';

/** Resolves when nothing listens on `port`; else rejects naming the port and how to choose another. */
export function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new Error(
            `the embedded PostgreSQL's port ${port} is already in use (another PostgreSQL or a previous run still holds it): ` +
              'stop it, or set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use a running PostgreSQL',
          ),
        );
      } else {
        reject(new Error(`the embedded PostgreSQL's port ${port} cannot be used: ${err.code ?? err.message}`));
      }
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

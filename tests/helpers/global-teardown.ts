export default async function globalTeardown() {
  const server = (globalThis as { __pioneerTestServer?: { stop(): Promise<void> } }).__pioneerTestServer;
  await server?.stop();
}

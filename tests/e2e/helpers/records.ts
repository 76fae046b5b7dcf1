import type { Locator, Page } from 'playwright-core';
import pg from 'pg';
import type { RunningApp } from './app-process';

/** Helpers of the 服务记录 walks (records.e2e, records-admin.e2e). */

import { UI_TIMEOUT } from './walk';

export { answerModal, signIn, UI_TIMEOUT, watch } from './walk';

/** Calls the API as a demo login (`dev:secretary`): for set-up and read-backs only, never for the walked steps. */
export async function apiAs(app: RunningApp, login: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const signed = await fetch(`${app.baseUrl}/api/v1/auth/wechat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: login }),
  });
  const session = (await signed.json()) as { token: string };
  const res = await fetch(`${app.baseUrl}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${session.token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Goes back through the navigateTo stack until `locator` shows. */
export async function backTo(page: Page, locator: () => Locator) {
  await page.goBack();
  await locator().waitFor({ timeout: UI_TIMEOUT });
}

/** The secretary's community and its user id, and the member ids of `memberLogins`. */
export async function demoIds(app: RunningApp, memberLogins: string[]) {
  const me = (await apiAs(app, 'dev:secretary', '/auth/me')) as { user: { id: string; roles: Array<{ role: string; orgId: string }> } };
  const community = me.user.roles.find((g) => g.role === 'secretary')!.orgId;
  const memberIds = await Promise.all(
    memberLogins.map(async (login) => ((await apiAs(app, login, '/members/me')) as { member: { id: string } }).member.id),
  );
  return { community, secretaryUserId: me.user.id, memberIds };
}

/**
 * The demo's 清和坊社区 posts all lie ahead; records need one that ended: yesterday 09:00–11:00
 * (Beijing) plus `hourOffset`, claimed by `memberIds`, who were there but never scanned.
 */
export async function insertEndedPost(
  app: RunningApp,
  post: { title: string; community: string; createdBy: string; memberIds: string[]; hourOffset?: number },
): Promise<string> {
  const midnight = Math.floor((Date.now() + 8 * 3600_000) / 86_400_000) * 86_400_000 - 8 * 3600_000;
  const startsAt = new Date(midnight - 86_400_000 + (9 + (post.hourOffset ?? 0)) * 3600_000);
  const endsAt = new Date(startsAt.getTime() + 2 * 3600_000);
  const client = new pg.Client({ connectionString: await app.databaseUrl() });
  await client.connect();
  try {
    await client.query('begin');
    const task = await client.query<{ id: string }>(
      `insert into tasks (community_org_id, title, category, description, location, starts_at, ends_at, capacity, claimed, claim_opens_at, created_by)
       values ($1, $2, 'care', '为行动不便的老人上门理发。', '清和坊社区党群服务中心', $3, $4, 5, $5, $6, $7) returning id`,
      [post.community, post.title, startsAt, endsAt, post.memberIds.length, new Date(startsAt.getTime() - 3 * 86_400_000), post.createdBy],
    );
    for (const memberId of post.memberIds) {
      await client.query(`insert into claims (task_id, member_id, status, claimed_at) values ($1, $2, 'claimed', $3)`, [
        task.rows[0].id,
        memberId,
        new Date(startsAt.getTime() - 2 * 86_400_000),
      ]);
    }
    await client.query('commit');
    return task.rows[0].id;
  } finally {
    await client.end();
  }
}

import { startApp } from './helpers/app-process';
import { launchBrowser, shown } from './helpers/browser';

async function main() {
  const app = await startApp();
  const b = await launchBrowser();
  console.log('up', app.baseUrl);
  const shot = async (page: import('playwright-core').Page, name: string) => page.screenshot({ path: `/tmp/look/${name}.png` });
  const signIn = async (page: import('playwright-core').Page, login: string) => {
    await page.locator('#app .login').waitFor({ timeout: 15000 });
    await page.locator('#app .login .field-input input').fill(login);
    await page.locator('#app .login .btn', { hasText: '登录' }).click();
  };
  try {
    for (const who of ['dev:admin', 'dev:secretary', 'dev:member1', 'dev:newbie']) {
      const ctx = await b.newPhone();
      const page = await ctx.newPage();
      page.on('pageerror', (e) => console.log(who, 'pageerror', e.message));
      page.on('console', (m) => m.type() === 'error' && console.log(who, 'console', m.text()));
      await page.goto(`${app.baseUrl}/`);
      await signIn(page, who);
      await page.waitForTimeout(2500);
      console.log(who, page.url());
      await shot(page, `landing-${who.slice(4)}`);
      if (who === 'dev:secretary') {
        await page.goto(`${app.baseUrl}/#/staff/verify/index`);
        await page.waitForTimeout(2000);
        await shot(page, 'verify');
        await page.goto(`${app.baseUrl}/#/staff/community-qr/index`);
        await page.waitForTimeout(4000);
        await shot(page, 'poster');
        await page.goto(`${app.baseUrl}/#/pages/nope/index`);
        await page.waitForTimeout(2000);
        await shot(page, 'notfound');
      }
      if (who === 'dev:member1') {
        await page.goto(`${app.baseUrl}/#/pages/pioneer-code/index`);
        await page.waitForTimeout(2000);
        await shot(page, 'code');
        await page.goto(`${app.baseUrl}/#/pages/task-detail/index?id=00000000-0000-4000-8000-000000000000`);
        await page.waitForTimeout(2000);
        await shot(page, 'detail-404');
      }
      if (who === 'dev:newbie') {
        await shown(page).locator('.btn', { hasText: '查找我的社区' }).click();
        await page.waitForTimeout(1000);
        await page.locator('[data-testid="find-q"] input').fill('清和');
        await page.waitForTimeout(1500);
        await shot(page, 'find');
        await shown(page).locator('.find__item').first().click();
        await page.waitForTimeout(2000);
        await shown(page).locator('.btn', { hasText: '生成先锋码' }).click();
        await page.waitForTimeout(800);
        await shot(page, 'register-errors');
      }
      await ctx.close();
    }
  } finally {
    await b.close();
    await app.stop();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});

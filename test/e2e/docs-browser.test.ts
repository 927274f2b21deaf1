import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCESS_KEY, startStack, type Stack } from '../support/stack.js';

/**
 * The docs page in a real browser: headless Chromium (Debian's `chromium` package, driven by playwright-core)
 * against the demo stack (the gateway in front of the emulator, the demo key pair). Authorize with the
 * AccessKey headers, then "Try it out" and Execute on a GET and a PUT: both show 200 in the page.
 *
 * CHROMIUM_PATH overrides /usr/bin/chromium. A missing browser fails the test (it never skips): .ci/run
 * installs the package when it is missing. UPDATE_DOCS_SCREENSHOT=1 writes the README's screenshot,
 * docs/docs-page.png; otherwise the screenshot goes to a temporary folder.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps trying to reach Google's services.
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const REGION = 'cn-beijing';
const root = resolve(__dirname, '../..');

let stack: Stack;
let context: BrowserContext;
let page: Page;
let profile: string;
let instanceId: string;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
const offHost: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH`);
  }
  stack = await startStack('v3');
  // The instance the PUT stops, made like the demo makes its own.
  const created = await fetch(`${stack.base}/api/instances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...DEMO_ACCESS_KEY, regionId: REGION, imageId: 'aliyun_2_1903_x64_20G_alibase_20220408.vhd', instanceType: 'ecs.t1.xsmall', instanceName: 'docs-browser' }),
  });
  const json = await created.json() as { data?: { value?: { body?: { InstanceIdSets?: { InstanceIdSet?: string[] } } } } };
  instanceId = json.data?.value?.body?.InstanceIdSets?.InstanceIdSet?.[0] ?? '';
  expect(created.status, JSON.stringify(json)).toBe(200);
  profile = mkdtempSync(join(tmpdir(), 'ecs-gateway-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // Content-Security-Policy violations (the docs pages carry helmet's CSP) show up as console errors.
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  // Everything the page loads comes from the gateway itself (no CDN).
  const origin = new URL(stack.base).origin;
  page.on('request', (req) => { if (!req.url().startsWith(origin) && !req.url().startsWith('data:')) offHost.push(req.url()); });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await stack?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Expands an operation, presses "Try it out", optionally replaces its JSON body, presses Execute; resolves with the status shown. */
async function tryItOut(operationId: string, body?: unknown): Promise<{ status: string; response: string }> {
  const op = page.locator(`[id="operations-Instance-${operationId}"]`);
  await op.locator('.opblock-summary').first().click();
  await op.locator('button.try-out__btn').click();
  if (body !== undefined) await op.locator('textarea.body-param__text').fill(JSON.stringify(body, null, 2));
  await op.locator('button.execute').click();
  const status = op.locator('.live-responses-table tr.response .response-col_status').first();
  await status.waitFor({ timeout: 30_000 });
  return { status: (await status.innerText()).trim(), response: await op.locator('.live-responses-table tr.response .response-col_description').first().innerText() };
}

describe('/docs in headless Chromium', () => {
  it('authorizes with the AccessKey headers, then a GET and a PUT run from the page answer 200', async () => {
    await page.goto(`${stack.base}/docs`);
    await page.locator('.swagger-ui .opblock').first().waitFor({ timeout: 60_000 });

    // Authorize: the AccessKey ID and secret, as the X-Access-Key-Id / X-Access-Key-Secret headers.
    await page.locator('.scheme-container button.authorize').click();
    const modal = page.locator('.modal-ux');
    for (const [scheme, value] of [['accessKeyId', DEMO_ACCESS_KEY.accessKeyId], ['accessKeySecret', DEMO_ACCESS_KEY.accessKeySecret]] as const) {
      const form = modal.locator('.auth-container', { has: page.locator(`h4 code:text-is("${scheme}")`) });
      await form.locator('input').fill(value);
      await form.locator('button.authorize').click();
      await expect.poll(() => form.locator('button', { hasText: 'Logout' }).count()).toBe(1);
    }
    await modal.locator('button.close-modal').click();

    // The headers go out, not query parameters; the gateway answers 200 and the page shows it.
    const sent: { url: string; headers: Record<string, string> }[] = [];
    page.on('request', (req) => { if (req.url().includes('/api/')) sent.push({ url: req.url(), headers: req.headers() }); });

    const regions = await tryItOut('Instance_ListRegions');
    expect(regions.status).toBe('200');
    expect(regions.response).toContain('"RegionId"');

    const stopped = await tryItOut('Instance_StopInstances', { regionId: REGION, instanceIds: [instanceId] });
    expect(stopped.status).toBe('200');
    expect(stopped.response).toContain(instanceId);

    expect(sent.map((s) => new URL(s.url).pathname)).toEqual(['/api/regions', '/api/instances/stop']);
    for (const s of sent) {
      expect(s.headers['x-access-key-id']).toBe(DEMO_ACCESS_KEY.accessKeyId);
      expect(s.headers['x-access-key-secret']).toBe(DEMO_ACCESS_KEY.accessKeySecret);
      expect(s.url).not.toContain(DEMO_ACCESS_KEY.accessKeySecret);
    }
    // And the emulator did stop it.
    const after = await fetch(`${stack.base}/api/instances/${instanceId}?regionId=${REGION}`, { headers: { 'x-access-key-id': DEMO_ACCESS_KEY.accessKeyId, 'x-access-key-secret': DEMO_ACCESS_KEY.accessKeySecret } });
    expect(JSON.stringify(await after.json())).toMatch(/"Status":"Stopp(ing|ed)"/);

    expect(pageErrors).toEqual([]);
    expect(consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m))).toEqual([]);
    expect(offHost).toEqual([]);

    // The PUT, from its summary line down to its 200.
    await page.setViewportSize({ width: 1280, height: 1700 });
    await page.locator('[id="operations-Instance-Instance_StopInstances"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    const shot = process.env.UPDATE_DOCS_SCREENSHOT === '1' ? join(root, 'docs/docs-page.png') : join(profile, 'docs-page.png');
    await page.screenshot({ path: shot, fullPage: false });
    expect(existsSync(shot)).toBe(true);
  }, 180_000);
});

// The memory inspector's stale badge in the built webview (needs `npm run build` and Chromium).
import assert from 'node:assert/strict';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, memorySnapshot, WebviewPage, WebviewServer } from '../helpers/webviewPage';

describe('memory inspector: stale entries', function () {
  this.timeout(30_000);
  let browser: Browser;
  let context: BrowserContext;
  let server: WebviewServer;
  let view: WebviewPage | undefined;

  before(async () => {
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 300, height: 800 } });
    server = await WebviewServer.start();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async function () {
    const problems = [...(view?.problems ?? [])];
    await view?.close();
    view = undefined;
    if (this.currentTest?.state === 'passed') assert.deepEqual(problems, [], 'the page or the host reported problems');
  });

  it('marks a block with stale entries, names the changed file in the tooltip, and clears when fresh again', async () => {
    view = await WebviewPage.open(context, server);
    const { page } = view;
    await page.locator('.session-title').filter({ hasText: /\S/ }).waitFor();
    const value = '- The retry limit is 3, see src/retry.ts <!-- mc:k3f9ab t=2026-12-01 c=src/retry.ts@0123abcd -->\n- Tests: npm test';
    const blocks = [{ label: 'project', description: 'Facts', limit: 60, value }];
    await view.emit('memory/updated', {
      snapshot: memorySnapshot({
        blocks,
        stale: [{ block: 'project', id: 'k3f9ab', text: '- The retry limit is 3, see src/retry.ts', why: 'src/retry.ts changed on 2026-12-02', files: ['src/retry.ts'] }],
      }),
    });
    const inspector = page.getByTestId('memory-inspector');
    await inspector.locator('summary').click();
    const project = inspector.locator('[data-testid="memory-block"][data-block="project"]');
    const badge = project.getByTestId('stale-badge');
    await badge.waitFor();
    assert.match((await badge.textContent()) ?? '', /1 stale \(src\/retry\.ts\)/);
    assert.equal(await badge.getAttribute('title'), '- The retry limit is 3, see src/retry.ts\n  src/retry.ts changed on 2026-12-02');
    // The marker is the file's own text, kept in the editor, but not counted against the limit.
    assert.equal(await project.locator('.block-counter').textContent(), '58/60');

    await view.emit('memory/updated', { snapshot: memorySnapshot({ blocks, stale: [] }) });
    await badge.waitFor({ state: 'detached' });
  });
});

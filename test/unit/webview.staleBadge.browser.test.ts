// The memory inspector's stale badge in the built webview (needs `npm run build` and Chromium).
import assert from 'node:assert/strict';
import { ChatPages, memorySnapshot } from '../helpers/webviewPage';

describe('memory inspector: stale entries', function () {
  this.timeout(30_000);
  const pages = ChatPages.inSuite({ width: 300, height: 800 });

  it('marks a block with stale entries, names the changed file in the tooltip, and clears when fresh again', async () => {
    const view = await pages.open();
    const { page } = view;
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

// The chat's layout, sessions, context and onboarding (issue 16 items 5-7, issue 13 part 4) in headless
// Chromium against the built webview, the test playing the host (test/helpers/webviewPage.ts).
// Needs `npm run build` first.
import assert from 'node:assert/strict';
import type { SessionSummary, TranscriptItem } from '../../src/protocol/shapes';
import { initialState, memorySnapshot, modelConfig, ChatPages, type OpenOptions } from '../helpers/webviewPage';

const TIME = '2025-01-02T10:05:00.000Z';

describe('chat webview: layout, sessions, context, onboarding', function () {
  this.timeout(30_000);
  const pages = ChatPages.inSuite({ width: 300, height: 700 });
  const open = (options?: OpenOptions) => pages.open(options);

  it('has a one-line header, usage in the composer footer, and Memory as a full-height overlay', async () => {
    const { page } = await open();
    const header = await page.locator('.chat-header').boundingBox();
    assert.ok(header && header.height <= 32, `the header is one line (${header?.height} px)`);
    assert.equal(await page.locator('.composer [data-testid="context-usage"] .usage-total').textContent(), '4.0k / 8.0k');
    assert.equal(await page.getByRole('button', { name: 'New session' }).count(), 1, 'one New session button');

    await pages.view!.emit('memory/updated', { snapshot: memorySnapshot({ blocks: [{ label: 'project', description: 'Facts about this codebase that are long enough to be clipped at 300 px', limit: 2000, value: 'x' }] }) });
    await page.getByTestId('memory-inspector').locator('summary').click();
    const panel = await page.locator('.memory-inspector .overlay-panel').boundingBox();
    assert.ok(panel && Math.abs(panel.y - (header?.height ?? 0)) <= 2 && Math.abs(panel.y + panel.height - 700) <= 1, `memory fills the view under the header (${JSON.stringify(panel)})`);
    const description = page.locator('.block-description').first();
    assert.equal(await description.getAttribute('title'), 'Facts about this codebase that are long enough to be clipped at 300 px');
    // One overlay at a time; Escape closes it.
    // (`toggle` events are asynchronous: wait for the state rather than read it at once.)
    await page.getByTestId('session-list').locator('summary').click();
    await page.waitForFunction(() => !(document.querySelector('[data-testid="memory-inspector"]') as HTMLDetailsElement).open);
    await page.locator('.session-search').waitFor();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !(document.querySelector('[data-testid="session-list"]') as HTMLDetailsElement).open);
  });

  it('does not scroll sideways at 170 px, and the usage legend shows on focus', async () => {
    const { page } = await open();
    await page.setViewportSize({ width: 170, height: 600 });
    await pages.view!.emit('agent/message', { item: { type: 'assistant', id: 'a-1', text: 'A long line: ' + 'word '.repeat(80) + '\n\n```ts\nconst x = "' + 'y'.repeat(200) + '";\n```', time: TIME } });
    const widths = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, client: document.scrollingElement!.clientWidth }));
    assert.ok(widths.scroll <= widths.client, `no sideways scroll (${widths.scroll} > ${widths.client})`);
    const header = await page.locator('.chat-header').boundingBox();
    assert.ok(header && header.height <= 32);
    await page.getByTestId('context-usage').focus();
    await page.locator('.usage-legend').waitFor({ state: 'visible' });
  });

  it('fits the memory overlay in a 170 px view: no block row runs past the edge', async () => {
    const { page } = await open();
    await page.setViewportSize({ width: 170, height: 600 });
    await page.getByTestId('memory-inspector').locator('summary').click();
    await page.getByTestId('memory-block').first().waitFor();
    const past = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      return Array.from(document.querySelectorAll('.memory-inspector *'))
        .filter((e) => e.checkVisibility() && e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > width + 1)
        .map((e) => `${e.tagName.toLowerCase()}.${Array.from(e.classList).join('.')} ends at ${Math.round(e.getBoundingClientRect().right)}`);
    });
    assert.deepEqual(past, []);
  });

  it('lists sessions with relative dates, searches, renames, deletes after confirming, and continues a past one', async () => {
    const now = Date.now();
    const sessions: SessionSummary[] = [
      { id: 's-0', title: 'Set up CI', started: new Date(now - 3 * 3600_000).toISOString(), ended: new Date(now - 2 * 3600_000 - 60_000).toISOString(), current: false },
      { id: 's-1', title: 'Fix the parser', started: new Date(now - 50 * 60_000).toISOString(), ended: new Date(now - 40 * 60_000).toISOString(), current: false },
      { id: 's-2', title: '', started: new Date(now - 5 * 60_000).toISOString(), current: true },
    ];
    const transcript: TranscriptItem[] = [{ type: 'user', id: 'u-1', text: 'Why is the build slow?', time: TIME }];
    const { page } = await open({ initial: initialState({ session: sessions[2], transcript }), handlers: { 'session/list': () => sessions } });
    await page.locator('.session-title', { hasText: 'Why is the build slow?' }).waitFor();

    const list = page.getByTestId('session-list');
    await list.locator('summary').click();
    const items = list.locator('.session-item');
    await items.nth(2).waitFor();
    const texts = await items.allTextContents();
    // Two hours back is yesterday in the first two hours of the page's day (its own time zone).
    const sameDay = await page.evaluate((iso) => new Date(iso).toDateString() === new Date().toDateString(), sessions[0].ended!);
    const twoHoursAgo = sameDay ? 'Set up CI2 h ago' : 'Set up CIyesterday';
    assert.deepEqual(texts, ['Why is the build slow?(current)5 min ago', 'Fix the parser40 min ago', twoHoursAgo], 'newest first, the current one titled like the header, no seconds');

    await list.getByRole('searchbox', { name: 'Search sessions' }).fill('pars');
    assert.deepEqual(await items.allTextContents(), ['Fix the parser40 min ago']);
    // What was said counts too: the host finds the words in the sessions' messages.
    pages.view!.handle('session/search', ({ query }) => (query === 'github actions' ? ['s-0'] : []));
    await list.getByRole('searchbox', { name: 'Search sessions' }).fill('github actions');
    assert.deepEqual((await pages.view!.waitForPosted('session/search', 0)).data, { query: 'github actions' });
    await items.filter({ hasText: 'Set up CI' }).waitFor();
    assert.equal(await items.count(), 1);
    await list.getByRole('searchbox', { name: 'Search sessions' }).fill('');

    await list.getByRole('button', { name: 'Rename Fix the parser' }).click();
    const rename = list.getByRole('textbox', { name: 'New title' });
    await rename.fill('Parser: keep comments');
    await rename.press('Enter');
    assert.deepEqual((await pages.view!.waitForPosted('session/rename')).data, { id: 's-1', title: 'Parser: keep comments' });
    await items.filter({ hasText: 'Parser: keep comments' }).waitFor();

    await list.getByRole('button', { name: 'Delete Set up CI' }).click();
    await list.getByText('Its messages stay in recall memory').waitFor();
    assert.equal((await pages.view!.posted()).some((m) => m.name === 'session/delete'), false, 'nothing deleted before confirming');
    await list.getByRole('button', { name: 'Confirm delete Set up CI' }).click();
    assert.deepEqual((await pages.view!.waitForPosted('session/delete')).data, { id: 's-0' });
    await items.nth(1).waitFor();
    assert.equal(await items.count(), 2);
    assert.equal(await list.getByRole('button', { name: /Delete Why is the build slow/ }).count(), 0, 'the current session cannot be deleted');

    // Open a past one: the header names it; Continue makes it current.
    pages.view!.handle('session/open', ({ id }) => ({ session: { ...sessions[1], title: 'Parser: keep comments' }, transcript: [{ type: 'user', id: 'u-0', text: `Old question in ${id}`, time: TIME }], readOnly: true }));
    await items.filter({ hasText: 'Parser: keep comments' }).click();
    await page.getByTestId('message-user').filter({ hasText: 'Old question in s-1' }).waitFor();
    assert.equal(await page.locator('.session-title').textContent(), 'Parser: keep comments', 'the header shows the viewed session');
    pages.view!.handle('ready', () => initialState({ session: { ...sessions[1], title: 'Parser: keep comments', current: true }, transcript: [{ type: 'user', id: 'u-0', text: 'Old question in s-1', time: TIME }] }));
    await page.getByTestId('resume-session').click();
    assert.deepEqual((await pages.view!.waitForPosted('session/resume')).data, { id: 's-1' });
    await pages.view!.waitForPosted('ready', 1);
    await page.locator('.readonly-banner').waitFor({ state: 'hidden' });
    assert.equal(await page.getByTestId('chat-input').isEnabled(), true, 'the resumed session takes messages');
    assert.equal(await page.locator('.session-title').textContent(), 'Parser: keep comments');
  });

  it('attaches @file content as a removable chip with its tokens, the paperclip, Add Selection, and ↑ recalls prompts', async () => {
    const { page } = await open({ handlers: { 'workspace/files': ({ query }) => ['src/store.ts', 'src/util/format.ts'].filter((p) => p.includes(query)) } });
    const input = page.getByTestId('chat-input');
    await input.click();
    await input.pressSequentially('explain @stor');
    await page.locator('.mention', { hasText: 'src/store.ts' }).waitFor();
    await input.press('Enter');
    assert.deepEqual((await pages.view!.waitForPosted('workspace/attach')).data, { path: 'src/store.ts' });
    const chip = page.getByTestId('attachment-chip');
    await chip.waitFor();
    assert.equal(await chip.textContent(), 'store.ts5', 'the chip names the file and its tokens');
    assert.equal(await chip.getAttribute('title'), 'src/store.ts, 5 tokens');

    pages.view!.handle('editor/attach', () => [{ attachment: { path: 'src/a.ts', startLine: 2, endLine: 3, text: 'b\nc' }, tokens: 2 }]);
    await page.getByTestId('attach').click();
    await chip.nth(1).waitFor();
    await chip.nth(1).getByRole('button', { name: 'Remove src/a.ts:2-3' }).click();
    assert.equal(await chip.count(), 1);
    await pages.view!.emit('composer/attach', { items: [{ attachment: { path: 'src/b.ts', startLine: 1, endLine: 1, text: 'x' }, tokens: 1 }] });
    await chip.nth(1).waitFor();

    await input.press('Enter');
    const sent = (await pages.view!.waitForPosted('chat/send')).data as { text: string; attachments: unknown[] };
    assert.equal(sent.text, 'explain @src/store.ts');
    assert.deepEqual(sent.attachments, [{ path: 'src/store.ts', text: 'content of src/store.ts\n' }, { path: 'src/b.ts', startLine: 1, endLine: 1, text: 'x' }]);
    assert.equal(await chip.count(), 0, 'chips go with the message');

    await input.fill('');
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'explain @src/store.ts');
    await input.press('ArrowDown');
    assert.equal(await input.inputValue(), '');

    // Typed without the list: the path's content still goes along; a decorator stays text.
    await input.fill('compare @src/other.ts with @Injectable');
    await input.press('Enter');
    const typed = (await pages.view!.waitForPosted('chat/send', 1)).data as { text: string; attachments: unknown[] };
    assert.deepEqual(typed.attachments, [{ path: 'src/other.ts', text: 'content of src/other.ts\n' }]);
    assert.deepEqual((await pages.view!.posted()).filter((m) => m.name === 'workspace/attach').map((m) => m.data), [{ path: 'src/store.ts' }, { path: 'src/other.ts' }]);
  });

  it('shows the onboarding panel when no model is configured: Test connection lists models, the pick is saved', async () => {
    const { page } = await open({ handlers: { 'model/config': () => modelConfig({ baseUrl: 'https://api.openai.com/v1', configured: false }) } });
    const panel = page.getByTestId('onboarding');
    await panel.waitFor();
    assert.equal(await page.getByTestId('onboarding-provider').inputValue(), 'openai');
    await page.getByTestId('onboarding-provider').selectOption({ label: 'Any OpenAI-compatible URL' });
    assert.equal(await page.getByTestId('onboarding-url').inputValue(), '');
    assert.equal(await page.getByTestId('onboarding-save').isDisabled(), true, 'nothing to save before a test');
    await page.getByTestId('onboarding-url').fill('http://127.0.0.1:9999/v1');
    pages.view!.handle('model/test', ({ baseUrl }) => {
      if (baseUrl.includes('9999')) throw Object.assign(new Error('cannot reach the model server at http://127.0.0.1:9999/v1: connection refused'), { kind: 'network' });
      return { models: ['fake-model', 'other-model'] };
    });
    await page.getByTestId('onboarding-test').click();
    await page.getByTestId('onboarding-status').filter({ hasText: 'Could not connect: cannot reach the model server' }).waitFor();
    await page.getByTestId('onboarding-url').fill('http://127.0.0.1:1234/v1');
    await page.getByTestId('onboarding-key').fill('sk-local');
    await page.getByTestId('onboarding-test').click();
    assert.deepEqual((await pages.view!.waitForPosted('model/test', 1)).data, { baseUrl: 'http://127.0.0.1:1234/v1', apiKey: 'sk-local' });
    await page.getByTestId('onboarding-status').filter({ hasText: 'Connected: 2 models' }).waitFor();
    await page.getByTestId('onboarding-model').selectOption('other-model');
    await page.getByTestId('onboarding-save').click();
    assert.deepEqual((await pages.view!.waitForPosted('model/save')).data, { baseUrl: 'http://127.0.0.1:1234/v1', model: 'other-model', apiKey: 'sk-local' });
    await panel.waitFor({ state: 'hidden' });
    assert.equal(await page.getByTestId('model-picker').inputValue(), 'other-model');

    // The header's picker lists the server's models and switches.
    await page.getByTestId('model-picker').focus();
    await pages.view!.waitForPosted('model/list');
    await page.getByTestId('model-picker').selectOption('fake-model');
    assert.deepEqual((await pages.view!.waitForPosted('model/save', 1)).data, { baseUrl: 'http://127.0.0.1:1234/v1', model: 'fake-model' });
  });
});

// The conversation's flow in the built chat webview (dist/webview.js) in headless Chromium: following new
// content, the activity row, code blocks, the view at 170 px, and WCAG contrast in VS Code's four default
// themes (their real variables: test/fixtures/webviewThemes.json). Needs `npm run build` first and Debian's
// chromium, like webview.browser.test.ts.
import assert from 'node:assert/strict';
import type { ToolCard, TranscriptItem } from '../../src/protocol/shapes';
import { CONTRAST_SOURCE, type ContrastFinding } from '../helpers/contrast';
import { initialState, SESSION, type ThemeName, ChatPages, type OpenOptions, WebviewPage } from '../helpers/webviewPage';

const TIME = '2025-01-02T10:05:00.000Z';

const user = (id: string, text: string): TranscriptItem => ({ type: 'user', id, text, time: TIME });
const assistant = (id: string, text: string): TranscriptItem => ({ type: 'assistant', id, text, time: TIME });

/** A conversation long enough to scroll in an 800 px view. */
function longConversation(): TranscriptItem[] {
  const items: TranscriptItem[] = [];
  for (let i = 1; i <= 12; i++) {
    items.push(user(`u-${i}`, `Question ${i}: what does module ${i} do?`));
    items.push(assistant(`a-${i}`, `Module ${i} ${'does a number of careful things with the ledger. '.repeat(6)}`));
  }
  return items;
}

describe('chat webview flow in a browser', function () {
  this.timeout(60_000);
  const pages = ChatPages.inSuite({ width: 420, height: 800 });
  const open = (options?: OpenOptions) => pages.open(options);

  /** How far the conversation is from its end, in pixels. */
  function distanceFromEnd(v: WebviewPage): Promise<number> {
    return v.page.locator('.transcript').evaluate((t) => t.scrollHeight - t.scrollTop - t.clientHeight);
  }

  it('follows new content at the bottom; scrolled up, a new reply shows "New messages" instead, and sending brings the view to the end', async () => {
    const { page } = await open({ initial: initialState({ transcript: longConversation() }) });
    const transcript = page.locator('.transcript');
    const jump = page.getByTestId('jump-to-latest');
    await page.getByTestId('message-assistant').nth(11).waitFor();
    assert.ok((await transcript.evaluate((t) => t.scrollHeight - t.clientHeight)) > 500, 'the conversation scrolls');
    assert.ok((await distanceFromEnd(pages.view!)) < 2, 'opens at the latest message');

    // At the bottom, a streamed reply is followed as it grows.
    await pages.view!.emit('agent/status', { running: true, queued: [] });
    await pages.view!.emit('agent/text', { delta: 'Streaming: ' + 'more words about the ledger. '.repeat(40) });
    await page.locator('[data-testid="message-assistant"].streaming').waitFor();
    await page.waitForFunction(() => {
      const t = document.querySelector('.transcript')!;
      return t.scrollHeight - t.scrollTop - t.clientHeight < 2;
    });
    await pages.view!.emit('agent/message', { item: assistant('a-13', 'Streaming: ' + 'more words about the ledger. '.repeat(40)) });
    await pages.view!.emit('agent/status', { running: false, queued: [] });
    assert.equal(await jump.isVisible(), false);

    // The person scrolls up to read: a new reply leaves them where they are and offers the way down.
    const box = (await transcript.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -600);
    await page.waitForFunction(() => {
      const t = document.querySelector('.transcript')!;
      return t.scrollHeight - t.scrollTop - t.clientHeight > 500;
    });
    const readingAt = await transcript.evaluate((t) => t.scrollTop);
    await pages.view!.emit('agent/message', { item: assistant('a-14', 'A reply that arrives while the person reads above.') });
    await jump.waitFor({ state: 'visible' });
    assert.equal(await transcript.evaluate((t) => t.scrollTop), readingAt, 'the view did not move under the reader');
    assert.match((await jump.textContent()) ?? '', /New messages/);
    await jump.click();
    await page.waitForFunction(() => {
      const t = document.querySelector('.transcript')!;
      return t.scrollHeight - t.scrollTop - t.clientHeight < 2;
    });
    await jump.waitFor({ state: 'hidden' });

    // Scrolled up again, the person sends: their message and the view go to the end.
    await transcript.evaluate((t) => t.scrollTo({ top: 0 }));
    await page.waitForFunction(() => document.querySelector('.transcript')!.scrollTop === 0);
    await page.getByTestId('chat-input').fill('And module 13?');
    await page.getByTestId('chat-input').press('Enter');
    await page.getByTestId('message-user').filter({ hasText: 'And module 13?' }).waitFor();
    await page.waitForFunction(() => {
      const t = document.querySelector('.transcript')!;
      return t.scrollHeight - t.scrollTop - t.clientHeight < 2;
    });
    assert.equal(await jump.isVisible(), false);
  });

  it('shows what the agent is doing while no text streams: Thinking…, then the tool at work, gone once text streams or the turn ends', async () => {
    const { page } = await open();
    const activity = page.getByTestId('activity');
    assert.equal(await activity.isVisible(), false, 'nothing while idle');
    await pages.view!.emit('agent/status', { running: true, queued: [] });
    await activity.filter({ hasText: 'Thinking…' }).waitFor();
    assert.equal(await activity.getAttribute('role'), 'status');

    const card: ToolCard = { callId: 'c-1', name: 'read_file', args: '{"path":"src/store.ts"}', status: 'running', editsMemory: false };
    await pages.view!.emit('agent/toolCall', { card });
    await activity.filter({ hasText: 'Reading src/store.ts…' }).waitFor();
    await pages.view!.emit('agent/toolResult', { callId: 'c-1', ok: true, content: 'export class Store {}', editsMemory: false });
    await activity.filter({ hasText: 'Thinking…' }).waitFor();

    await pages.view!.emit('agent/toolCall', { card: { callId: 'c-2', name: 'run_command', args: '{"command":"npm test"}', status: 'running', editsMemory: false } });
    await activity.filter({ hasText: 'Running npm test…' }).waitFor();
    await pages.view!.emit('agent/toolResult', { callId: 'c-2', ok: true, content: 'ok', editsMemory: false });

    await pages.view!.emit('agent/text', { delta: 'The store keeps' });
    await activity.waitFor({ state: 'hidden' });
    // The row stays last, below the tool cards and the reply, above nothing but the queue.
    await pages.view!.emit('agent/message', { item: assistant('a-1', 'The store keeps todos.') });
    await activity.filter({ hasText: 'Thinking…' }).waitFor();
    const order = await page.evaluate(() => Array.from(document.querySelector('.transcript')!.children).map((c) => c.className));
    assert.deepEqual(order.slice(0, 2), ['transcript-items', 'activity']);
    await pages.view!.emit('agent/status', { running: false, queued: [] });
    await activity.waitFor({ state: 'hidden' });
  });

  it('Copy says "Copied" on the button for a moment and to screen readers; task lists are checkboxes', async () => {
    const { page } = await open();
    const text = 'Steps:\n\n- [x] write the test\n- [ ] fix the bug\n\n```ts\nconst n = 1;\n```';
    await pages.view!.emit('agent/message', { item: assistant('a-1', text) });
    const reply = page.getByTestId('message-assistant');
    const copy = reply.getByRole('button', { name: 'Copy code' });
    await copy.click();
    const copied = reply.getByRole('button', { name: 'Copied' });
    await copied.waitFor();
    assert.equal((await copied.innerText()).trim(), 'Copied', 'the feedback is visible, not only an icon');
    await page.locator('#memcode-announcer', { hasText: 'Code copied to the clipboard' }).waitFor({ state: 'attached' });
    assert.equal(await page.locator('#memcode-announcer').getAttribute('aria-live'), 'polite');
    await reply.getByRole('button', { name: 'Copy code' }).waitFor({ timeout: 5000 });
    assert.equal((await reply.locator('.code-action-label').first().textContent()) ?? '', '', 'and goes back to an icon');

    const boxes = reply.locator('input[type="checkbox"]');
    assert.equal(await boxes.count(), 2);
    assert.deepEqual(await boxes.evaluateAll((b) => b.map((e) => [(e as HTMLInputElement).checked, (e as HTMLInputElement).disabled])), [
      [true, true],
      [false, true],
    ]);
    assert.equal(await reply.locator('ul').evaluate((u) => getComputedStyle(u).listStyleType), 'none', 'no bullets beside the boxes');
  });

  it('highlights code with the theme’s token colours: keywords, strings and numbers differ from plain text in Light Modern', async () => {
    const { page } = await open({ theme: 'light' });
    await pages.view!.emit('agent/message', { item: assistant('a-1', '```ts\n// the answer\nconst answer: string = "forty" + 2;\n```') });
    const code = page.locator('pre code.hljs');
    await code.waitFor();
    // Source text: tsx's keepNames would wrap a helper function in __name, which the page lacks.
    const colours = (await page.evaluate(`(() => {
      const c = document.querySelector('pre code.hljs');
      const of = (sel) => getComputedStyle(c.querySelector(sel)).color;
      return { plain: getComputedStyle(c).color, keyword: of('.hljs-keyword'), string: of('.hljs-string'), number: of('.hljs-number'), comment: of('.hljs-comment') };
    })()`)) as Record<string, string>;
    const distinct = new Set(Object.values(colours));
    assert.equal(distinct.size, 5, `token colours: ${JSON.stringify(colours)}`);
  });

  it('leaves stale retry warnings and the error behind once a retry works', async () => {
    const { page } = await open({ initial: initialState({ transcript: [user('u-1', 'Explain the parser')] }) });
    await pages.view!.emit('agent/status', { running: true, queued: [] });
    await pages.view!.emit('agent/message', { item: { type: 'notice', id: 'n-1', kind: 'warning', text: 'the model server failed (500); retry 1 in 1.0 s', time: TIME } });
    await pages.view!.emit('agent/error', { error: { kind: 'server', message: 'The model server failed (500).', hint: 'the model server failed; retry', retryable: true } });
    await pages.view!.emit('agent/status', { running: false, queued: [] });
    await page.getByTestId('error').waitFor();
    await page.getByRole('button', { name: 'Retry' }).click();
    await pages.view!.waitForPosted('chat/retry');
    await pages.view!.emit('agent/status', { running: true, queued: [] });
    await pages.view!.emit('agent/text', { delta: 'The parser reads' });
    await page.getByTestId('error').waitFor({ state: 'detached' });
    assert.equal(await page.locator('.notice-warning').count(), 0);
    // The state saved for a reload no longer holds them either.
    await page.waitForFunction(() => window.__state !== undefined && !JSON.stringify(window.__state).includes('retry 1 in'));
  });

  it('keeps errors and warnings when the view is drawn again from the host (moved to another container, reloaded)', async () => {
    const saved = {
      version: 1,
      session: SESSION,
      transcript: {
        items: [
          user('local-1', 'Why does it fail?'),
          { type: 'error', id: 'local-e', error: { kind: 'network', message: 'connect ECONNREFUSED', hint: 'could not reach the server', retryable: true }, time: TIME },
        ],
        streaming: '',
        queued: [],
      },
      running: false,
    };
    const { page } = await open({ savedState: saved, initial: initialState({ transcript: [user('m1', 'Why does it fail?')] }) });
    await pages.view!.waitForPosted('ready');
    await page.waitForFunction(() => (window.__state as { transcript?: { items?: { id: string }[] } })?.transcript?.items?.some((i) => i.id === 'm1'));
    const error = page.getByTestId('error');
    assert.equal(await error.count(), 1, 'the error is still shown');
    assert.match((await error.textContent()) ?? '', /ECONNREFUSED/);
    const order = await page.evaluate(() => Array.from(document.querySelectorAll('.transcript-items > *')).map((e) => (e as HTMLElement).dataset.testid));
    assert.deepEqual(order, ['message-user', 'error']);
  });

  it('shows the person what the model-facing alerts mean, and a stopped reply as stopped', async () => {
    const { page } = await open();
    const alert = 'memory pressure: 83% of the context window is used. Older messages will soon be evicted to recall memory; save what matters to working context (or archival memory) now.';
    await pages.view!.emit('agent/message', { item: { type: 'notice', id: 'm5', kind: 'system_alert', text: alert, time: TIME } });
    await pages.view!.emit('agent/message', { item: assistant('m6', 'Half of an answer\n\n[stopped by the person]') });
    const notice = page.locator('.notice-system_alert');
    await notice.waitFor();
    assert.match((await notice.textContent()) ?? '', /The context is 83% full/);
    assert.doesNotMatch((await notice.textContent()) ?? '', /save what matters/);
    const reply = page.getByTestId('message-assistant');
    assert.doesNotMatch((await reply.textContent()) ?? '', /\[stopped by the person\]/);
    assert.equal(await reply.locator('.stopped-mark').textContent(), 'Stopped');
  });

  it('fits a 170 px view: nothing makes the chat scroll sideways', async () => {
    const { page } = await open({
      initial: initialState({
        transcript: [
          user('u-1', `Look at ${'averyveryverylongidentifierwithoutanybreaks'.repeat(3)}`),
          assistant('a-1', `Use \`${'someExtremelyLongFunctionNameThatNeverEnds'.repeat(2)}\` here:\n\n\`\`\`ts\nconst value = computeSomethingWithAVeryLongName(argumentNumberOne, argumentNumberTwo);\n\`\`\`\n\n| column one | column two | column three |\n|---|---|---|\n| a | b | c |`),
          { type: 'notice', id: 'n-1', kind: 'warning', text: `could not reach http://127.0.0.1:65535/${'v1/'.repeat(20)}`, time: TIME },
          { type: 'error', id: 'e-1', error: { kind: 'network', message: `ECONNREFUSED ${'x'.repeat(80)}`, retryable: true }, time: TIME },
        ],
      }),
    });
    await page.setViewportSize({ width: 170, height: 700 });
    await page.getByTestId('error').waitFor();
    const wide = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const out: string[] = [];
      for (const e of Array.from(document.querySelectorAll('body *'))) {
        const r = e.getBoundingClientRect();
        // A closed overlay's content is skipped, not removed: getBoundingClientRect would lay it out anyway.
        if (r.width === 0 || !e.checkVisibility() || e.closest('pre, table, .usage-bar')) continue;
        if (r.right > width + 1) out.push(`${e.tagName.toLowerCase()}.${Array.from(e.classList).join('.')} ends at ${Math.round(r.right)}`);
      }
      return { width, scroll: document.scrollingElement!.scrollWidth, out };
    });
    assert.deepEqual(wide.out, [], `elements past the ${wide.width} px view`);
    // Code and tables scroll inside their own box.
    const pre = page.locator('.code-block pre');
    assert.equal(await pre.evaluate((p) => getComputedStyle(p).overflowX), 'auto');
    assert.ok((await pre.evaluate((p) => p.getBoundingClientRect().right)) <= wide.width + 1);
  });

  describe('WCAG contrast in the four default themes', () => {
    const themes: ThemeName[] = ['light', 'dark', 'highContrast', 'highContrastLight'];

    /** Everything the chat draws: messages, inline and block code, notices, warnings, errors, cards, buttons. */
    async function fillConversation(v: WebviewPage): Promise<void> {
      await v.emit('agent/status', { running: true, queued: ['and then this'] });
      for (const item of [
        { type: 'notice', id: 'n-r', kind: 'auto_recall', text: 'Possibly relevant memories:\n- src/a.ts:1-2: export const a = 1', time: TIME },
        assistant('a-1', 'Use `npm test` and see [the docs](https://example.com).\n\n> quoted\n\n- [x] done\n- [ ] todo\n\n```ts\n// comment\nconst answer: number = 42 + "forty";\nfunction f() { return true; }\n```\n\n```diff\n- old\n+ new\n```'),
        { type: 'notice', id: 'n-e', kind: 'eviction', text: '3 older messages moved out of context into recall memory and summarized', time: TIME },
        { type: 'notice', id: 'n-w', kind: 'warning', text: 'could not find the model’s context window; using 16,000 tokens', time: TIME },
        { type: 'notice', id: 'n-a', kind: 'system_alert', text: 'memory pressure: 83% of the context window is used.', time: TIME },
        assistant('a-2', 'Half\n\n[stopped by the person]'),
      ] as TranscriptItem[]) {
        await v.emit('agent/message', { item });
      }
      await v.emit('agent/toolCall', { card: { callId: 'c-1', name: 'read_file', args: '{"path":"a.ts"}', status: 'running', editsMemory: false } });
      await v.emit('agent/toolCall', { card: { callId: 'c-2', name: 'working_context_append', args: '{}', status: 'running', editsMemory: false } });
      await v.emit('agent/toolResult', { callId: 'c-2', ok: true, content: 'ok', editsMemory: true, block: 'project' });
      await v.emit('agent/toolCall', { card: { callId: 'c-3', name: 'run_command', args: '{}', status: 'running', editsMemory: false } });
      await v.emit('agent/toolResult', { callId: 'c-3', ok: false, content: 'failed', editsMemory: false });
      await v.emit('agent/error', { error: { kind: 'server', message: 'The model server failed (500).', hint: 'the model server failed; retry', retryable: true } });
      await v.page.getByTestId('error').waitFor();
      await v.page.locator('.tool-card.status-error').waitFor();
      await v.page.getByTestId('chat-input').fill('typed text');
    }

    function failures(findings: ContrastFinding[]): string[] {
      return findings.filter((f) => f.ratio < f.required).map((f) => `${f.where} "${f.text}": ${f.color} on ${f.background} = ${f.ratio} (needs ${f.required})`);
    }

    for (const theme of themes) {
      it(`every text in the chat reaches 4.5:1 (icons 3:1) in ${theme}`, async () => {
        const { page } = await open({ theme, initial: initialState({ transcript: [user('u-1', 'Explain the parser')] }) });
        await page.setViewportSize({ width: 420, height: 2400 });
        await fillConversation(pages.view!);
        await page.getByTestId('tool-card').first().locator('summary').first().click();
        const findings = (await page.evaluate(`(${CONTRAST_SOURCE})('body')`)) as ContrastFinding[];
        assert.ok(findings.length > 40, `only ${findings.length} texts checked`);
        for (const part of ['user-text', 'hljs-keyword', 'hljs-string', 'hljs-number', 'hljs-comment', 'code-language', 'notice-warning', 'notice-eviction', 'error-message', 'error-hint', 'tool-sentence', 'memory-mark', 'activity-text', 'stopped-mark', 'badge', 'chat-input']) {
          assert.ok(findings.some((f) => f.where.includes(part)), `${part} was not checked`);
        }
        assert.deepEqual(failures(findings), []);

        // "New messages", over a conversation the person scrolled up in.
        await page.setViewportSize({ width: 420, height: 600 });
        // From the end, so the wheel really scrolls (and its scroll event is what the wait below sees).
        await page.locator('.transcript').evaluate((t) => t.scrollTo({ top: t.scrollHeight }));
        await page.waitForFunction(() => document.querySelector('.transcript')!.scrollTop > 100);
        const box = (await page.locator('.transcript').boundingBox())!;
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.wheel(0, -3000);
        await page.waitForFunction(() => document.querySelector('.transcript')!.scrollTop === 0);
        await pages.view!.emit('agent/message', { item: assistant('a-9', 'One more thing.') });
        await page.getByTestId('jump-to-latest').waitFor();
        const jump = (await page.evaluate(`(${CONTRAST_SOURCE})('.jump-row')`)) as ContrastFinding[];
        assert.ok(jump.some((f) => f.text === 'New messages'), 'the button text was checked');
        assert.deepEqual(failures(jump), []);

        // The read-only banner of a past session.
        const past = { id: 's-0', title: 'Set up CI', started: '2025-01-01T09:00:00.000Z', current: false };
        pages.view!.handle('session/open', () => ({ session: past, transcript: [user('u-0', 'Old')], readOnly: true }));
        pages.view!.handle('session/list', () => [past, SESSION]);
        await page.getByTestId('session-list').locator('summary').click();
        await page.locator('.session-item[data-session-id="s-0"]').click();
        await page.locator('.readonly-banner').waitFor();
        const banner = (await page.evaluate(`(${CONTRAST_SOURCE})('.readonly-banner')`)) as ContrastFinding[];
        assert.ok(banner.length >= 2, 'the banner text was checked');
        assert.deepEqual(failures(banner), []);
      });
    }
  });
});

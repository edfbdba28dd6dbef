// The built chat webview (dist/webview.js) in headless Chromium, with the test playing the extension host
// through the real host messenger (test/helpers/webviewPage.ts). Needs `npm run build` first and Debian's
// chromium (`apt-get install chromium`).
import assert from 'node:assert/strict';
import type { ToolCard, TranscriptItem } from '../../src/protocol/shapes';
import { initialState, memorySnapshot, ChatPages, type OpenOptions, WebviewPage } from '../helpers/webviewPage';

const TIME = '2025-01-02T10:05:00.000Z';

describe('chat webview in a browser', function () {
  this.timeout(30_000);
  const pages = ChatPages.inSuite({ width: 420, height: 800 });
  const open = (options?: OpenOptions) => pages.open(options);

  it('shows a streamed reply as it arrives, then the finished markdown with a highlighted code block', async () => {
    const { page } = await open();
    await pages.view!.emit('agent/status', { running: true, queued: [] });
    await pages.view!.emit('agent/text', { delta: 'Here is ' });
    await pages.view!.emit('agent/text', { delta: 'the **fix**:\n\n```ts\nconst answer' });

    const reply = page.getByTestId('message-assistant');
    await reply.filter({ hasText: 'Here is the fix' }).waitFor();
    assert.equal(await reply.count(), 1);
    assert.match((await reply.getAttribute('class')) ?? '', /\bstreaming\b/);
    assert.equal(await reply.locator('strong').textContent(), 'fix');
    // The partial reply is saved too, so a view hidden mid-reply shows it again at once.
    await page.waitForFunction(() => /Here is the \*\*fix/.test((window.__state as { transcript?: { streaming?: string } } | undefined)?.transcript?.streaming ?? ''));

    const text = 'Here is the **fix**:\n\n```ts\nconst answer: number = 42;\n```\n\nThat is all.';
    await pages.view!.emit('agent/text', { delta: ': number = 42;\n```\n\nThat is all.' });
    await pages.view!.emit('agent/message', { item: { type: 'assistant', id: 'a-1', text, time: TIME } });
    await pages.view!.emit('agent/status', { running: false, queued: [] });

    const final = page.locator('[data-testid="message-assistant"]:not(.streaming)');
    await final.filter({ hasText: 'That is all.' }).waitFor();
    assert.equal(await reply.count(), 1, 'the streamed text is replaced, not repeated');
    const code = final.locator('pre code.hljs');
    assert.equal((await code.textContent())?.trim(), 'const answer: number = 42;');
    assert.ok((await code.locator('.hljs-keyword').count()) > 0, 'the TypeScript keyword is highlighted');
    assert.equal(await final.locator('.code-language').textContent(), 'ts');
    assert.ok(await final.getByRole('button', { name: 'Copy code' }).isVisible());
    await final.getByRole('button', { name: 'Insert code at cursor' }).click();
    const insert = await pages.view!.waitForPosted('editor/insert');
    assert.deepEqual(insert.data, { code: 'const answer: number = 42;\n' });
  });

  it('neutralizes <script> and event-handler markup in model output (with no CSP to fall back on)', async () => {
    const { page } = await open({ csp: false });
    const evil = [
      'Try this: <script>window.__pwned = "script"</script>',
      '',
      '<img src=x onerror="window.__pwned = \'block img\'">',
      '',
      'Inline <img src=x onerror="window.__pwned = \'inline img\'"> and [a link](javascript:window.__pwned=\'link\') <svg onload="window.__pwned=\'svg\'"></svg>',
    ].join('\n');
    // Both paths: the streamed rendering and the finished message.
    await pages.view!.emit('agent/text', { delta: evil });
    await page.getByTestId('message-assistant').filter({ hasText: 'Try this' }).waitFor();
    await pages.view!.emit('agent/message', { item: { type: 'assistant', id: 'a-evil', text: evil, time: TIME } });
    await pages.view!.emit('agent/toolCall', { card: { callId: 'c-evil', name: 'read_file', args: '<img src=x onerror="window.__pwned=\'args\'">', status: 'running', editsMemory: false } });
    const message = page.locator('[data-testid="message-assistant"]:not(.streaming)');
    await message.waitFor();
    await page.getByTestId('tool-card').waitFor();

    const transcript = page.locator('.transcript');
    assert.equal(await transcript.locator('script').count(), 0, 'no script element');
    assert.equal(await transcript.locator('img, svg').count(), 0, 'raw HTML does not become elements');
    const handlers = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.transcript *')).flatMap((e) => Array.from(e.attributes).filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`)),
    );
    assert.deepEqual(handlers, []);
    assert.equal(await transcript.locator('a[href^="javascript:" i]').count(), 0, 'no javascript: link');
    const shown = (await message.textContent()) ?? '';
    assert.match(shown, /<script>window\.__pwned = "script"<\/script>/, 'the markup is shown as the text it is');
    assert.match(shown, /<img src=x onerror=/);
    // A round trip through the page's task queue: anything scheduled by the markup would have run by now.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    assert.equal(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned), undefined, 'nothing ran');
  });

  it('Stop posts chat/stop while the agent is running', async () => {
    const { page } = await open();
    const stop = page.getByTestId('stop');
    assert.equal(await stop.isDisabled(), true, 'nothing to stop while idle');
    await pages.view!.emit('agent/status', { running: true, queued: [] });
    await stop.click(); // waits until the button is enabled
    const posted = await pages.view!.waitForPosted('chat/stop');
    assert.equal(posted.kind, 'request');
    assert.equal(posted.data, undefined);
    assert.ok(posted.id);

    await page.getByTestId('chat-input').press('Escape');
    await pages.view!.waitForPosted('chat/stop', 1);
  });

  it('shows a tool call as a collapsed card that opens on click or Enter, with memory edits marked', async () => {
    const { page } = await open();
    const card: ToolCard = { callId: 'c-1', name: 'working_context_append', args: '{"block":"project","content":"Uses pnpm."}', status: 'running', editsMemory: false };
    await pages.view!.emit('agent/toolCall', { card });
    const tool = page.getByTestId('tool-card');
    const header = tool.locator('summary').first();
    await header.waitFor();
    assert.equal(await header.getAttribute('aria-label'), 'Adding to project notes — running', 'a sentence, then its state, with a separator');
    const details = tool.locator('details.tool-details');
    assert.equal(await details.evaluate((d) => (d as HTMLDetailsElement).open), false, 'collapsed at first');
    assert.equal(await tool.locator('.tool-quote').isVisible(), false);
    assert.equal(await tool.locator('.memory-mark').count(), 0, 'nothing edited yet');

    await header.click();
    assert.equal(await tool.locator('.tool-quote').textContent(), 'Uses pnpm.', 'what is saved, as text');
    assert.equal(await tool.locator('.tool-args').isVisible(), false, 'the raw JSON is one click away');
    await tool.locator('.tool-raw > summary').click();
    assert.equal(await tool.locator('.tool-args').textContent(), '{\n  "block": "project",\n  "content": "Uses pnpm."\n}');

    await pages.view!.emit('agent/toolResult', { callId: 'c-1', ok: true, content: 'Appended to project (24/2000 chars).', editsMemory: true, block: 'project' });
    await page.waitForFunction(() => document.querySelector('[data-testid="tool-card"] summary')?.getAttribute('aria-label')?.includes('done'));
    assert.equal(await tool.count(), 1, 'the result updates the same card');
    assert.equal(await header.getAttribute('aria-label'), 'Added to project notes — done — updated project notes');
    assert.equal(await tool.locator('.memory-mark').textContent(), 'updated project notes');
    assert.match((await tool.getAttribute('class')) ?? '', /\bedits-memory\b/);
    // The card the person opened stays open when its result arrives (its raw view too), and keeps the keyboard focus.
    assert.equal(await tool.locator('.tool-result').isVisible(), true);
    assert.equal(await tool.locator('.tool-result').textContent(), 'Appended to project (24/2000 chars).');
    await header.focus();
    await pages.view!.emit('agent/toolResult', { callId: 'c-1', ok: true, content: 'Appended to project (24/2000 chars).', editsMemory: true, block: 'project' });
    assert.equal(await header.evaluate((e) => e === document.activeElement), true);

    // In a sidebar as narrow as VS Code's default, the badge stays inside the card, on one line.
    await page.setViewportSize({ width: 300, height: 600 });
    const [cardBox, markBox] = [await tool.boundingBox(), await tool.locator('.memory-mark').boundingBox()];
    assert.ok(cardBox && markBox);
    assert.ok(markBox.x + markBox.width <= cardBox.x + cardBox.width, `badge ends at ${markBox.x + markBox.width}, card at ${cardBox.x + cardBox.width}`);
    assert.ok(markBox.height < 24, `badge is ${markBox.height}px high: it wrapped`);

    await page.keyboard.press('Enter');
    assert.equal(await tool.locator('.tool-result').isVisible(), false, 'Enter on the header closes the card');
    await page.keyboard.press('Enter');
    assert.equal(await tool.locator('.tool-result').isVisible(), true, 'and opens it again');
  });

  it('asks for an edit on its card, in view without opening it; after Accept the card shows the file with +/− lines, Open and Undo', async () => {
    const { page } = await open();
    const card: ToolCard = { callId: 'c-e', name: 'edit_file', args: '{"path":"src/app.ts","old_text":"3000","new_text":"8080"}', status: 'running', editsMemory: false };
    await pages.view!.emit('agent/toolCall', { card });
    await pages.view!.emit('approval/pending', { approval: { id: 'a1', kind: 'edit', callId: 'c-e', title: 'Edit src/app.ts', path: 'src/app.ts', detail: 'edit src/app.ts at line 1: replace 1 line with 1 line', added: 1, removed: 1 } });
    const tool = page.getByTestId('tool-card');
    const accept = tool.getByTestId('approval-accept');
    await accept.waitFor();
    assert.equal(await tool.locator('details.tool-details').evaluate((d) => (d as HTMLDetailsElement).open), false, 'the question is outside the fold');
    assert.equal(await tool.locator('summary').first().getAttribute('aria-label'), 'Editing src/app.ts — waiting for your approval');
    assert.match(await tool.getByTestId('approval').innerText(), /Waiting for your approval[\s\S]*src\/app\.ts\s*\+1 −1/);
    assert.equal(await accept.getAttribute('aria-label'), 'Accept: Edit src/app.ts');
    await accept.click();
    assert.deepEqual((await pages.view!.waitForPosted('approval/answer')).data, { id: 'a1', answer: 'accept' });
    assert.equal(await accept.isDisabled(), true, 'one answer per click');

    await pages.view!.emit('approval/settled', { id: 'a1', callId: 'c-e', outcome: 'accepted' });
    await tool.getByTestId('approval').waitFor({ state: 'detached' });
    await pages.view!.emit('edit/applied', { callId: 'c-e', change: { path: 'src/app.ts', added: 1, removed: 1, turnId: 't1' } });
    await pages.view!.emit('agent/toolResult', { callId: 'c-e', ok: true, content: '{"ok":true,"path":"src/app.ts","line":1,"removed_lines":1,"added_lines":1}', editsMemory: false });
    const change = tool.getByTestId('edit-change');
    await change.waitFor();
    assert.equal(await tool.locator('summary').first().getAttribute('aria-label'), 'Edited src/app.ts +1 −1 — done');
    await change.getByTestId('edit-open').click();
    assert.deepEqual((await pages.view!.waitForPosted('file/open')).data, { path: 'src/app.ts' });
    await tool.locator('.tool-sentence .file-link').click();
    assert.deepEqual((await pages.view!.waitForPosted('file/open', 1)).data, { path: 'src/app.ts', line: 1 }, 'the file in the sentence is a link too');
    assert.equal(await tool.locator('details.tool-details').evaluate((d) => (d as HTMLDetailsElement).open), false, 'following the link does not fold the card open');
    await change.getByTestId('edit-undo').click();
    assert.deepEqual((await pages.view!.waitForPosted('edit/undo')).data, { callId: 'c-e' });
    await change.locator('.badge', { hasText: 'undone' }).waitFor();
    assert.equal(await change.getByTestId('edit-undo').count(), 0);

    // The turn ends with its summary: Undo all restores the turn's checkpoint.
    const files: TranscriptItem = { type: 'files', id: 'files-t1', turnId: 't1', files: [{ path: 'src/app.ts', added: 1, removed: 1 }, { path: 'src/new.ts', added: 4, removed: 0, created: true }], time: TIME };
    await pages.view!.emit('agent/message', { item: files });
    const summary = page.getByTestId('files-changed');
    await summary.waitFor();
    assert.match(await summary.innerText(), /2 files changed\s*\+5 −1/);
    await summary.getByTestId('undo-all').click();
    assert.deepEqual((await pages.view!.waitForPosted('turn/restore')).data, { turnId: 't1' });
    await summary.locator('.files-changed-title .badge', { hasText: 'undone' }).waitFor();
    assert.equal(await summary.locator('.badge', { hasText: 'undone' }).count(), 1, 'said once, in the title');
    assert.equal(await summary.getByTestId('keep-all').count(), 0, 'answered: the buttons go');

    await pages.view!.emit('agent/message', { item: { ...files, id: 'files-t2', turnId: 't2' } as TranscriptItem });
    const second = page.getByTestId('files-changed').nth(1);
    await second.getByTestId('keep-all').click();
    assert.deepEqual((await pages.view!.waitForPosted('turn/keep')).data, { turnId: 't2' });
    await second.locator('.files-changed-title .badge', { hasText: 'kept' }).waitFor();
  });

  it('asks for a command with Allow once / Always allow / Reject, and sends a typed reason with Reject', async () => {
    const { page } = await open();
    await pages.view!.emit('agent/toolCall', { card: { callId: 'c-r', name: 'run_command', args: '{"command":"npm test"}', status: 'running', editsMemory: false } });
    await pages.view!.emit('approval/pending', { approval: { id: 'a2', kind: 'command', callId: 'c-r', title: 'Run `npm test`', command: 'npm test', detail: 'in /work/project' } });
    const tool = page.getByTestId('tool-card');
    await tool.getByTestId('approval-always').waitFor();
    assert.deepEqual(await tool.locator('.approval-buttons button').allInnerTexts(), ['Allow once', 'Always allow in this workspace', 'Reject']);
    await tool.getByTestId('approval-reject').click();
    const reason = tool.getByTestId('approval-reason');
    assert.equal(await reason.evaluate((e) => e === document.activeElement), true, 'the reason box takes the focus');
    await reason.pressSequentially('use pnpm');
    // The card is drawn again while the person types (the question listed again): the form, its text and the focus stay.
    await pages.view!.emit('approval/pending', { approval: { id: 'a2', kind: 'command', callId: 'c-r', title: 'Run `npm test`', command: 'npm test', detail: 'in /work/project' } });
    assert.equal(await tool.locator('.approval-buttons').isHidden(), true, 'the redrawn card went back to its buttons');
    assert.equal(await reason.inputValue(), 'use pnpm');
    assert.equal(await reason.evaluate((e) => e === document.activeElement), true, 'the redrawn reason box lost the focus');
    await page.keyboard.type(' test');
    await page.keyboard.press('Enter');
    assert.deepEqual((await pages.view!.waitForPosted('approval/answer')).data, { id: 'a2', answer: 'reject', reason: 'use pnpm test' });
    await pages.view!.emit('approval/settled', { id: 'a2', callId: 'c-r', outcome: 'rejected' });
    await pages.view!.emit('agent/toolResult', { callId: 'c-r', ok: false, content: '{"error":"the person rejected the command: use pnpm test"}', editsMemory: false });
    await tool.locator('summary').first().click();
    assert.equal(await tool.locator('summary').first().getAttribute('aria-label'), 'Did not run `npm test` — rejected');
    assert.equal(await tool.locator('.tool-error').textContent(), 'You rejected it: use pnpm test');
  });

  it('draws results as code, terminal output and file links, with the raw JSON one click away', async () => {
    const { page } = await open();
    const results: Array<[ToolCard, string]> = [
      [{ callId: 'r1', name: 'read_file', args: '{"path":"src/store.ts"}', status: 'ok', editsMemory: false, result: JSON.stringify({ path: 'src/store.ts', start_line: 1, end_line: 2, total_lines: 2, content: 'export class TodoStore {\n}' }) }, 'Read src/store.ts, lines 1–2'],
      [{ callId: 'r2', name: 'run_command', args: '{"command":"npm test"}', status: 'ok', editsMemory: false, result: JSON.stringify({ exit_code: 0, output: '3 passing\n', timed_out: false }) }, 'Ran `npm test` — exit 0'],
      [{ callId: 'r3', name: 'search_files', args: '{"pattern":"TodoStore"}', status: 'ok', editsMemory: false, result: JSON.stringify({ matches: [{ path: 'src/store.ts', line: 1, text: 'export class TodoStore {' }], total: 1, truncated: false }) }, 'Searched for `TodoStore` — 1 file'],
    ];
    for (const [card] of results) await pages.view!.emit('agent/message', { item: { type: 'tool', id: `t-${card.callId}`, card } });
    const cards = page.getByTestId('tool-card');
    await cards.nth(2).waitFor();
    for (const [i, [, sentence]] of results.entries()) assert.equal(await cards.nth(i).locator('summary').first().getAttribute('aria-label'), `${sentence} — done`);

    await cards.nth(0).locator('summary').first().click({ position: { x: 6, y: 6 } });
    assert.equal(await cards.nth(0).locator('pre.tool-code').innerText(), 'export class TodoStore {\n}', 'the file as code, not an escaped JSON string');
    await cards.nth(1).locator('summary').first().click({ position: { x: 6, y: 6 } });
    assert.equal(await cards.nth(1).locator('pre.tool-terminal').innerText(), '3 passing\n');
    await cards.nth(2).locator('summary').first().click({ position: { x: 6, y: 6 } });
    await cards.nth(2).locator('.tool-hits .file-link').click();
    assert.deepEqual((await pages.view!.waitForPosted('file/open')).data, { path: 'src/store.ts', line: 1 });
    assert.equal(await cards.nth(1).locator('.tool-result').isVisible(), false);
    await cards.nth(1).locator('.tool-raw > summary').click();
    assert.match(await cards.nth(1).locator('.tool-result').innerText(), /"exit_code": 0/);
  });

  it('puts a question open before a reload back on its card, and code blocks get Apply to file and Run in terminal', async () => {
    const card: ToolCard = { callId: 'c-w', name: 'write_file', args: '{"path":"b.ts","content":"x"}', status: 'running', editsMemory: false };
    const { page } = await open({
      initial: initialState({ running: true, transcript: [{ type: 'tool', id: 't-c-w', card }] }),
      handlers: { 'approval/list': () => [{ id: 'a9', kind: 'edit', callId: 'c-w', title: 'Edit b.ts', path: 'b.ts', added: 1, removed: 0 }] },
    });
    await page.getByTestId('approval-accept').waitFor();

    await pages.view!.emit('agent/message', { item: { type: 'assistant', id: 'm-code', text: 'Run:\n\n```sh\nnpm test\n```\n\nand use:\n\n```ts\nconst a = 1;\n```', time: TIME } });
    const blocks = page.locator('.code-block');
    await blocks.nth(1).waitFor();
    assert.equal(await blocks.nth(1).getByTestId('code-run').count(), 0, 'Run only on shell code');
    await blocks.nth(1).getByTestId('code-apply').click();
    assert.deepEqual((await pages.view!.waitForPosted('code/apply')).data, { code: 'const a = 1;\n', language: 'ts' });
    await blocks.nth(0).getByTestId('code-run').click();
    assert.deepEqual((await pages.view!.waitForPosted('code/run')).data, { code: 'npm test\n' });
  });

  it('sends on Enter, adds a newline on Shift+Enter, and shows a message typed while running as queued', async () => {
    const { page } = await open();
    const input = page.getByTestId('chat-input');
    await input.click();
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    assert.equal(await input.inputValue(), 'first line\nsecond line');
    assert.equal((await pages.view!.posted()).filter((m) => m.name === 'chat/send').length, 0, 'Shift+Enter does not send');

    await page.keyboard.press('Enter');
    const sent = await pages.view!.waitForPosted('chat/send');
    assert.deepEqual(sent.data, { text: 'first line\nsecond line' });
    assert.equal(await input.inputValue(), '');
    const user = page.getByTestId('message-user');
    await user.filter({ hasText: 'second line' }).waitFor();
    assert.equal(await user.locator('.user-text').textContent(), 'first line\nsecond line');

    pages.view!.handle('chat/send', () => ({ queued: true }));
    await pages.view!.emit('agent/status', { running: true, queued: [] });
    await page.getByTestId('stop').and(page.locator(':enabled')).waitFor();
    await input.fill('and then this');
    await page.getByTestId('send').click();
    assert.deepEqual((await pages.view!.waitForPosted('chat/send', 1)).data, { text: 'and then this' });
    const queued = page.locator('[data-testid="message-user"].queued');
    await queued.filter({ hasText: 'and then this' }).waitFor();
    assert.equal(await queued.locator('.badge').textContent(), 'queued');

    await pages.view!.emit('agent/status', { running: true, queued: ['and then this'] });
    await pages.view!.emit('agent/status', { running: false, queued: [] });
    await queued.waitFor({ state: 'detached' });
    // Out of the queue, it reads as sent (once), until the host's own copy replaces it.
    assert.equal(await user.filter({ hasText: 'and then this' }).count(), 1);
  });

  it('shows an agent error inline with its hint, and Retry posts chat/retry', async () => {
    const { page } = await open();
    await pages.view!.emit('agent/error', { error: { kind: 'no_api_key', message: 'No API key is set.', hint: 'Run MemCode: Set API Key.', retryable: false } });
    await pages.view!.emit('agent/error', { error: { kind: 'rate_limit', message: 'The server is rate limiting requests.', hint: 'Wait a minute, then retry.', retryable: true } });
    const errors = page.getByTestId('error');
    await errors.nth(1).waitFor();
    assert.equal(await errors.first().getByRole('button', { name: 'Retry' }).count(), 0, 'no Retry where it would not help');
    assert.equal(await errors.first().locator('.error-hint').textContent(), 'Run MemCode: Set API Key.');

    const rateLimit = errors.nth(1);
    assert.equal(await rateLimit.getAttribute('role'), 'alert');
    assert.equal(await rateLimit.locator('.error-message').textContent(), 'The server is rate limiting requests.');
    assert.equal(await rateLimit.locator('.error-hint').textContent(), 'Wait a minute, then retry.');
    const retry = rateLimit.getByRole('button', { name: 'Retry' });
    await retry.click();
    const posted = await pages.view!.waitForPosted('chat/retry');
    assert.equal(posted.data, undefined);
    assert.equal(await retry.isDisabled(), true, 'one retry per click');
  });

  it('says the context is being measured until the host sends usage, then draws the bar', async () => {
    const memory = memorySnapshot();
    delete memory.usage;
    const { page } = await open({ initial: initialState({ memory }) });
    const usage = page.getByTestId('context-usage');
    await usage.getByText('Measuring the context…').waitFor();
    await pages.view!.emit('memory/updated', { snapshot: memorySnapshot() });
    await usage.locator('.usage-total', { hasText: '4.0k / 8.0k' }).waitFor();
    // A later snapshot without usage keeps the last bar rather than blanking it.
    await pages.view!.emit('memory/updated', { snapshot: memory });
    assert.match((await usage.textContent()) ?? '', /4\.0k \/ 8\.0k/);
  });

  it('lists the project instruction files with their token counts and gives them a segment of the usage bar', async () => {
    const { page } = await open();
    await pages.view!.emit('memory/updated', {
      snapshot: memorySnapshot({
        instructionFiles: [
          { path: 'AGENTS.md', tokens: 1500 },
          { path: 'src/api/AGENTS.md', tokens: 90, note: 'cut to fit' },
          { path: '.cursor/rules/release.mdc', tokens: 0, note: 'listed only' },
        ],
        usage: { system: 1200, instructions: 1590, workingContext: 800, summary: 0, queue: 410, total: 4000, budget: 7000, contextWindow: 8000 },
      }),
    });
    const usage = page.getByTestId('context-usage');
    await usage.locator('.usage-segment.usage-instructions').waitFor();
    assert.match((await usage.textContent()) ?? '', /System 1\.2k.*Instructions 1\.6k.*Working context 800/);
    const inspector = page.getByTestId('memory-inspector');
    await inspector.locator('summary').click();
    const files = inspector.getByTestId('instruction-files').locator('li');
    assert.deepEqual(await files.allTextContents(), ['AGENTS.md1.5k tokens', 'src/api/AGENTS.md90 tokens · cut to fit', '.cursor/rules/release.mdclisted only']);
  });

  it('says where the context window came from next to its size', async () => {
    const { page } = await open();
    const usage = page.getByTestId('context-usage');
    assert.equal(await usage.getByTestId('context-window-source').count(), 0, 'nothing to say when the host does not know');
    const base = memorySnapshot().usage!;
    await pages.view!.emit('memory/updated', { snapshot: memorySnapshot({ usage: { ...base, contextWindow: 32_768, contextWindowSource: 'server:ollama' } }) });
    const source = usage.getByTestId('context-window-source');
    // The legend is the usage's tooltip: in the page, shown on hover or focus.
    await source.getByText('window from Ollama').waitFor({ state: 'attached' });
    assert.match((await usage.textContent()) ?? '', /of 33k tokens in use.*window from Ollama/);
    await usage.focus();
    await source.waitFor({ state: 'visible' });
    assert.match((await source.getAttribute('title')) ?? '', /32768 tokens \(server:ollama\).*memcode\.contextWindow/);
  });

  it('shows memory blocks and context usage with token numbers from memory/updated, and saves an edited block', async () => {
    const { page } = await open();
    const usage = page.getByTestId('context-usage');
    assert.match((await usage.textContent()) ?? '', /4\.0k \/ 8\.0k/);

    const updated = memorySnapshot({
      blocks: [
        { label: 'project', description: 'Facts about this codebase', limit: 2000, value: 'Uses pnpm, not npm.' },
        { label: 'user', description: 'How the person likes to work', limit: 1000, value: 'Prefers small commits.' },
      ],
      recallCount: 13,
      usage: { system: 1200, workingContext: 800, summary: 0, queue: 4000, total: 6000, budget: 7000, contextWindow: 8000 },
    });
    await pages.view!.emit('memory/updated', { snapshot: updated });
    await usage.locator('.usage-total', { hasText: '6.0k / 8.0k' }).waitFor();
    const meter = usage.getByRole('meter');
    assert.equal(await meter.getAttribute('aria-valuenow'), '6000');
    assert.equal(await meter.getAttribute('aria-valuemax'), '8000');
    assert.equal(await usage.locator('.usage-segment.usage-queue').evaluate((e) => (e as HTMLElement).style.width), '50%');
    assert.match((await usage.textContent()) ?? '', /System 1\.2k.*Working context 800.*Summary 0.*Queue 4\.0k/);

    const inspector = page.getByTestId('memory-inspector');
    await inspector.locator('summary').click();
    const blocks = inspector.getByTestId('memory-block');
    assert.deepEqual(await blocks.evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.block)), ['project', 'user']);
    const project = inspector.locator('[data-testid="memory-block"][data-block="project"]');
    assert.equal(await project.locator('textarea').inputValue(), 'Uses pnpm, not npm.');
    assert.equal(await project.locator('.block-counter').textContent(), '19/2000');
    assert.match((await inspector.textContent()) ?? '', /Recall: 13 messages/);

    pages.view!.handle('memory/setBlock', ({ value }) => {
      if (value.length > 20) throw Object.assign(new Error('project is over its limit'), { kind: 'limit' });
      return { ok: true };
    });
    await project.locator('textarea').fill('Uses pnpm 9.');
    await project.getByRole('button', { name: 'Save project' }).click();
    assert.deepEqual((await pages.view!.waitForPosted('memory/setBlock')).data, { label: 'project', value: 'Uses pnpm 9.' });
    await project.locator('.block-status', { hasText: 'Saved' }).waitFor();

    await project.locator('textarea').fill('Uses pnpm 9 everywhere, always.');
    await project.getByRole('button', { name: 'Save project' }).click();
    await project.locator('.block-status.failed', { hasText: 'over its limit' }).waitFor();
  });

  it('folds automatically recalled memories into one line that opens to show each hit', async () => {
    const { page } = await open();
    const text = [
      'Possibly relevant memories, found automatically for the next message (check them before relying on them):',
      '- src/billing/ledger.ts:1-4 (reconcile): export function reconcile() {}',
      '- recall #3 (2026-11-30, user): we reconcile monthly',
    ].join('\n');
    await pages.view!.emit('agent/message', { item: { type: 'notice', id: 'n-1', kind: 'auto_recall', text, time: TIME } });
    const notice = page.locator('details.notice-auto_recall');
    await notice.locator('summary', { hasText: 'Recalled 2 memories for this message' }).waitFor();
    assert.equal(await notice.locator('.recall-hits').isVisible(), false, 'folded at first');
    await notice.locator('summary').click();
    assert.deepEqual(await notice.locator('.recall-hits li').allTextContents(), [
      'src/billing/ledger.ts:1-4 (reconcile): export function reconcile() {}',
      'recall #3 (2026-11-30, user): we reconcile monthly',
    ]);
  });

  it('titles a session that has no name yet with its first message', async () => {
    const untitled = { id: 's-3', title: '', started: TIME, current: true };
    const { page } = await open({ initial: initialState({ session: untitled }) });
    await page.locator('.session-title', { hasText: 'New session' }).waitFor();
    await pages.view!.emit('agent/message', { item: { type: 'user', id: 'u-9', text: 'Why does the parser drop comments?\nSee src/parse.ts', time: TIME } });
    await page.locator('.session-title', { hasText: 'Why does the parser drop comments?' }).waitFor();
    assert.doesNotMatch((await page.locator('.session-title').textContent()) ?? '', /See src/);
  });

  it('starts a new session and lists past ones', async () => {
    const past = { id: 's-0', title: 'Set up CI', started: '2025-01-01T09:00:00.000Z', current: false };
    const transcript: TranscriptItem[] = [{ type: 'user', id: 'u-1', text: 'Hello', time: TIME }];
    const { page } = await open({ initial: initialState({ transcript }) });
    await page.getByTestId('message-user').filter({ hasText: 'Hello' }).waitFor();

    await page.getByTestId('new-session').click();
    await pages.view!.waitForPosted('session/new');
    await pages.view!.waitForPosted('memory/get');
    await page.locator('.session-title', { hasText: 'New session' }).waitFor();
    assert.equal(await page.getByTestId('message-user').count(), 0, 'the transcript is cleared');

    pages.view!.handle('session/list', () => [past, { id: 's-2', title: '', started: '2025-01-03T10:00:00.000Z', current: true }]);
    const list = page.getByTestId('session-list');
    await list.locator('summary').click();
    await pages.view!.waitForPosted('session/list');
    const items = list.locator('.session-item');
    await items.nth(1).waitFor();
    assert.deepEqual(await items.evaluateAll((b) => b.map((e) => (e as HTMLElement).dataset.sessionId)), ['s-2', 's-0'], 'newest first');
    assert.match((await items.first().textContent()) ?? '', /New session\s*\(current\)/, 'the current session by the title the header shows');

    // A past session opens read-only; Back returns to the current one.
    pages.view!.handle('session/open', ({ id }) => ({ session: past, transcript: [{ type: 'user', id: 'u-0', text: `Old question in ${id}`, time: TIME }], readOnly: true }));
    await items.nth(1).click();
    assert.deepEqual((await pages.view!.waitForPosted('session/open')).data, { id: 's-0' });
    await page.getByTestId('message-user').filter({ hasText: 'Old question in s-0' }).waitFor();
    const banner = page.locator('.readonly-banner');
    assert.match((await banner.textContent()) ?? '', /Set up CI.*read-only/);
    assert.equal(await page.getByTestId('chat-input').isDisabled(), true, 'nothing can be sent to a past session');

    await banner.getByRole('button', { name: 'Back to the current session' }).click();
    await pages.view!.waitForPosted('ready', 1);
    await banner.waitFor({ state: 'hidden' });
    assert.equal(await page.getByTestId('chat-input').isEnabled(), true);
    await page.getByTestId('message-user').filter({ hasText: 'Hello' }).waitFor();
  });

  it('draws the saved transcript at once after a reload, before the host answers ready', async () => {
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    const saved = {
      version: 1,
      session: { id: 's-1', title: 'Fix the parser', started: TIME, current: true },
      transcript: { items: [{ type: 'user', id: 'u-1', text: 'What broke?', time: TIME }], streaming: 'It was the lexer', queued: [] },
      running: true,
    };
    pages.view = await WebviewPage.open(pages.context, pages.server, {
      savedState: saved,
      initial: async () => {
        await held;
        return initialState({
          transcript: [
            { type: 'user', id: 'u-1', text: 'What broke?', time: TIME },
            { type: 'assistant', id: 'a-1', text: 'It was the lexer.', time: TIME },
          ],
        });
      },
    });
    const { page } = pages.view;
    await page.getByTestId('message-user').filter({ hasText: 'What broke?' }).waitFor();
    await page.locator('[data-testid="message-assistant"].streaming', { hasText: 'It was the lexer' }).waitFor();
    assert.equal(await page.getByTestId('stop').isEnabled(), true, 'still running as saved');

    answer();
    await page.locator('[data-testid="message-assistant"]:not(.streaming)', { hasText: 'It was the lexer.' }).waitFor();
    assert.equal(await page.getByTestId('message-assistant').count(), 1);
    assert.equal(await page.getByTestId('stop').isDisabled(), true);
    await page.waitForFunction(() => {
      const state = window.__state as { transcript?: { items?: { id: string }[] } } | undefined;
      return state?.transcript?.items?.some((i) => i.id === 'a-1');
    });
  });

  it('carries every data-testid of the product contract', async () => {
    const { page } = await open({ initial: initialState({ transcript: [{ type: 'user', id: 'u-1', text: 'Hi', time: TIME }] }) });
    await pages.view!.emit('agent/message', { item: { type: 'assistant', id: 'a-1', text: 'Hello.', time: TIME } });
    await pages.view!.emit('agent/toolCall', { card: { callId: 'c-1', name: 'grep', args: '{}', status: 'running', editsMemory: false } });
    await pages.view!.emit('agent/error', { error: { kind: 'network', message: 'offline', retryable: true } });
    await page.getByTestId('error').waitFor();
    const ids = ['chat-input', 'send', 'stop', 'new-session', 'message-user', 'message-assistant', 'tool-card', 'memory-inspector', 'memory-block', 'context-usage', 'error', 'session-list'];
    const counts = await page.evaluate((all) => Object.fromEntries(all.map((id) => [id, document.querySelectorAll(`[data-testid="${id}"]`).length])), ids);
    assert.deepEqual(
      Object.entries(counts).filter(([, n]) => n === 0).map(([id]) => id),
      [],
      'missing test ids',
    );
    for (const id of ['chat-input', 'send', 'stop', 'new-session', 'memory-inspector', 'context-usage', 'session-list']) assert.equal(counts[id], 1, `one ${id}`);
    assert.equal(counts['memory-block'], 3, 'one per block');
  });
});

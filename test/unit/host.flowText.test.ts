import assert from 'node:assert/strict';
import { hitLabel } from '../../src/app/memoryHitLabel';
import { toChatError } from '../../src/host/chatErrors';
import { indexProgressMessage, indexProgressPercent } from '../../src/host/indexProgressText';
import { baseUrlFrom } from '../../src/host/memcodeSettings';
import { contextLabel } from '../../src/host/statusBarText';
import { LlmError } from '../../src/llm/types';

describe('host status bar text', () => {
  it('labels the context share and takes it of the window, as the chat panel does', () => {
    const label = contextLabel({ system: 1000, workingContext: 500, summary: 0, queue: 1200, total: 2700, budget: 12800, contextWindow: 16000 });
    assert.ok(label);
    assert.equal(label.text, '17% context');
    assert.match(label.tooltip, /2,700 of 16,000 tokens \(17% of the model's window\)/);
    assert.match(label.tooltip, /past 12,800/);
    assert.equal(label.accessible, 'context 17% full');
    assert.equal(contextLabel(undefined), undefined);
  });
});

describe('host index progress text', () => {
  it('does not show the count found so far as the total while the walk goes on', () => {
    const scanning = { phase: 'scanning' as const, filesDone: 0, filesTotal: 1000, chunks: 0, bytes: 0 };
    assert.equal(indexProgressMessage('demo', scanning), 'demo: finding files… 1,000 so far');
    assert.equal(indexProgressPercent(scanning), 0);
    const indexing = { phase: 'indexing' as const, filesDone: 300, filesTotal: 1207, chunks: 950, bytes: 1 };
    assert.equal(indexProgressMessage('demo', indexing), 'demo: 300 of 1,207 files, 950 chunks');
    assert.ok(Math.abs(indexProgressPercent(indexing) - 24.85) < 0.01);
  });
});

describe('host error hints name where the server URL came from', () => {
  it('names MEMCODE_BASE_URL when the environment set it, the setting otherwise', () => {
    const offline = new LlmError('network', 'connect ECONNREFUSED 127.0.0.1:9');
    const fromEnv = toChatError(offline, { hasApiKey: false, baseUrl: 'http://127.0.0.1:9/v1', baseUrlFrom: baseUrlFrom({ MEMCODE_BASE_URL: 'http://127.0.0.1:9/v1' }) });
    assert.match(fromEnv.hint ?? '', /check the MEMCODE_BASE_URL environment variable/);
    assert.doesNotMatch(fromEnv.hint ?? '', /memcode\.baseUrl/);
    const fromSetting = toChatError(offline, { hasApiKey: false, baseUrl: 'http://127.0.0.1:9/v1', baseUrlFrom: baseUrlFrom({}) });
    assert.match(fromSetting.hint ?? '', /check memcode\.baseUrl/);
  });
});

describe('search memory labels', () => {
  it('label a hit by its first line that has words, not by a brace', () => {
    assert.equal(hitLabel('{\n  "name": "demo",\n  "version": "1.0.0"\n}'), '"name": "demo",');
    assert.equal(hitLabel('}\n\n```\nexport function parse(text: string) {'), 'export function parse(text: string) {');
    assert.equal(hitLabel('{}'), '{}', 'nothing better: the first line');
    assert.equal(hitLabel(`x${'y'.repeat(200)}`).length, 80);
  });
});

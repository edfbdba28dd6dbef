import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { embeddingSettings, settingsFrom, type MemcodeSettings, type SettingsReader } from '../../src/host/memcodeSettings';

/** A reader over plain values, keyed as under `memcode.` (what WorkspaceConfiguration.get sees). */
const reader = (values: Record<string, unknown>): SettingsReader => ({ get: <T>(key: string) => values[key] as T | undefined });

/** VS Code's own reader returns package.json's default for a key nobody set. */
function packageDefaults(): Record<string, unknown> {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
  const sections = [pkg.contributes.configuration].flat();
  const out: Record<string, unknown> = {};
  for (const section of sections) {
    for (const [key, spec] of Object.entries<{ default?: unknown }>(section.properties)) out[key.replace(/^memcode\./, '')] = spec.default;
  }
  return out;
}

const DEFAULTS: MemcodeSettings = {
  baseUrl: 'https://api.openai.com/v1',
  model: 'gpt-4o-mini',
  // Unset: found from the server on the first turn.
  contextWindow: undefined,
  requestTimeout: 120,
  embeddings: { provider: 'local', model: undefined, baseUrl: undefined },
  index: { exclude: [], maxFileSize: 1_000_000, autoUpdate: true },
  files: { allow: [] },
  maxSteps: 25,
  autoRecall: true,
  memoryMode: 'full',
  approval: { edits: 'ask', commands: 'ask' },
  storagePath: '',
  mcpServers: {},
  archival: { backend: 'vectra' },
  memory: { review: 'auto', userStorePath: '', shareWithTeam: false },
};

describe('host settings', () => {
  it('reads memcode.archival.backend, and a value it does not know as the embedded store', () => {
    assert.deepEqual(settingsFrom(reader({ 'archival.backend': 'postgres' })).archival, { backend: 'postgres' });
    assert.deepEqual(settingsFrom(reader({ 'archival.backend': 'mysql' })).archival, { backend: 'vectra' });
  });

  it('uses the defaults for every setting nobody set', () => {
    assert.deepEqual(settingsFrom(reader({})), DEFAULTS);
  });

  it("reads package.json's declared defaults as the same settings (VS Code passes them for unset keys)", () => {
    const defaults = packageDefaults();
    assert.ok(Object.keys(defaults).length >= 14, 'package.json declares the settings');
    assert.deepEqual(settingsFrom(reader(defaults)), DEFAULTS);
  });

  it('reads every setting the person set, trimming text', () => {
    const settings = settingsFrom(
      reader({
        baseUrl: '  http://localhost:1234/v1 ',
        model: ' qwen2.5-coder ',
        contextWindow: 32_768,
        requestTimeout: 300,
        'embeddings.provider': 'openai',
        'embeddings.model': ' nomic-embed-text ',
        'embeddings.baseUrl': 'http://localhost:11434/v1',
        'index.exclude': ['dist/**', '  *.snap '],
        'index.maxFileSize': 50_000,
        'index.autoUpdate': false,
        'files.allow': [' config/dev.pem ', '', 42],
        maxSteps: 8,
        autoRecall: false,
        memoryMode: 'summary',
        'approval.edits': 'auto',
        'approval.commands': 'never',
        storagePath: ' ../shared-memory ',
        mcpServers: { echo: { command: 'node', args: ['echo.js'] } },
        'archival.backend': 'postgres',
        'memory.review': 'ask',
        'memory.userStorePath': ' ~/notes/me.md ',
        'memory.shareWithTeam': true,
      }),
    );
    assert.deepEqual(settings, {
      baseUrl: 'http://localhost:1234/v1',
      model: 'qwen2.5-coder',
      contextWindow: 32_768,
      requestTimeout: 300,
      embeddings: { provider: 'openai', model: 'nomic-embed-text', baseUrl: 'http://localhost:11434/v1' },
      index: { exclude: ['dist/**', '*.snap'], maxFileSize: 50_000, autoUpdate: false },
      files: { allow: ['config/dev.pem'] },
      maxSteps: 8,
      autoRecall: false,
      memoryMode: 'summary',
      approval: { edits: 'auto', commands: 'never' },
      storagePath: '../shared-memory',
      mcpServers: { echo: { command: 'node', args: ['echo.js'] } },
      archival: { backend: 'postgres' },
      memory: { review: 'ask', userStorePath: '~/notes/me.md', shareWithTeam: true },
    });
  });

  it('falls back to the default for blank text, for numbers that are not positive, and for values of the wrong type', () => {
    const settings = settingsFrom(
      reader({
        baseUrl: '   ',
        model: 42,
        contextWindow: 0,
        requestTimeout: 0,
        'index.maxFileSize': -1,
        maxSteps: Number.NaN,
        'index.autoUpdate': 'no',
        autoRecall: 0,
        'index.exclude': 'dist/**',
        storagePath: ['x'],
        'embeddings.model': '',
        mcpServers: ['x'],
      }),
    );
    assert.deepEqual(settings, DEFAULTS);
    assert.equal(settingsFrom(reader({ contextWindow: '8192' })).contextWindow, DEFAULTS.contextWindow);
    assert.equal(settingsFrom(reader({ maxSteps: Infinity })).maxSteps, DEFAULTS.maxSteps);
  });

  it("refuses a context window below package.json's minimum of 2048 tokens", () => {
    assert.equal(settingsFrom(reader({ contextWindow: 1000 })).contextWindow, DEFAULTS.contextWindow);
    assert.equal(settingsFrom(reader({ contextWindow: 2048 })).contextWindow, 2048);
  });

  it('keeps only the text patterns of index.exclude', () => {
    assert.deepEqual(settingsFrom(reader({ 'index.exclude': ['a/**', 3, null, '', ' b '] })).index.exclude, ['a/**', 'b']);
  });

  it('treats an unknown enum value as the safe default: ask before edits and commands, local embeddings', () => {
    const settings = settingsFrom(reader({ 'approval.edits': 'always', 'approval.commands': 'yes', 'embeddings.provider': 'ollama' }));
    assert.deepEqual(settings.approval, { edits: 'ask', commands: 'ask' });
    assert.equal(settings.embeddings.provider, 'local');
    assert.equal(settingsFrom(reader({ 'approval.edits': 'AUTO' })).approval.edits, 'ask', 'enum values are exact');
  });

  it('reads memcode.memoryMode, treating anything but none or summary as full', () => {
    assert.equal(settingsFrom(reader({ memoryMode: 'none' })).memoryMode, 'none');
    assert.equal(settingsFrom(reader({ memoryMode: 'summary' })).memoryMode, 'summary');
    for (const bad of ['NONE', 'fifo', '', 1, null]) assert.equal(settingsFrom(reader({ memoryMode: bad })).memoryMode, 'full');
  });

  it("declares memcode.memoryMode in package.json with the three modes, each described", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    const spec = pkg.contributes.configuration.properties['memcode.memoryMode'];
    assert.deepEqual([...spec.enum].sort(), ['full', 'none', 'summary']);
    assert.equal(spec.enumDescriptions.length, 3);
    assert.equal(spec.default, 'full');
  });

  it('lets MEMCODE_BASE_URL win over memcode.baseUrl, unless it is blank', () => {
    const values = reader({ baseUrl: 'http://configured/v1' });
    assert.equal(settingsFrom(values, { MEMCODE_BASE_URL: ' http://fake:9/v1 ' }).baseUrl, 'http://fake:9/v1');
    assert.equal(settingsFrom(reader({}), { MEMCODE_BASE_URL: 'http://fake:9/v1' }).baseUrl, 'http://fake:9/v1');
    assert.equal(settingsFrom(values, { MEMCODE_BASE_URL: '  ' }).baseUrl, 'http://configured/v1');
    assert.equal(settingsFrom(values, {}).baseUrl, 'http://configured/v1');
    assert.equal(settingsFrom(values).baseUrl, 'http://configured/v1', 'no environment given: none is read');
  });

  describe('embeddingSettings', () => {
    it('needs no key or server for the local embedder', () => {
      assert.deepEqual(embeddingSettings(settingsFrom(reader({ 'embeddings.model': 'ignored' })), 'sk-test'), { provider: 'local' });
    });

    it("uses the chat key and, by default, the chat server for the openai provider", () => {
      const settings = settingsFrom(reader({ baseUrl: 'http://localhost:1234/v1', 'embeddings.provider': 'openai' }));
      assert.deepEqual(embeddingSettings(settings, 'sk-test'), { provider: 'openai', model: undefined, baseUrl: 'http://localhost:1234/v1', apiKey: 'sk-test' });
      assert.equal(embeddingSettings(settings, undefined).apiKey, undefined);
    });

    it('uses memcode.embeddings.baseUrl and model when set', () => {
      const settings = settingsFrom(reader({ 'embeddings.provider': 'openai', 'embeddings.baseUrl': 'http://ollama:11434/v1', 'embeddings.model': 'nomic-embed-text' }));
      assert.deepEqual(embeddingSettings(settings, undefined), { provider: 'openai', model: 'nomic-embed-text', baseUrl: 'http://ollama:11434/v1', apiKey: undefined });
    });

    it('follows MEMCODE_BASE_URL for the embeddings server too when none is set for it', () => {
      const settings = settingsFrom(reader({ 'embeddings.provider': 'openai' }), { MEMCODE_BASE_URL: 'http://fake:9/v1' });
      assert.equal(embeddingSettings(settings, undefined).baseUrl, 'http://fake:9/v1');
    });
  });
});

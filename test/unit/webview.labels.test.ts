import assert from 'node:assert/strict';
import { formatTokens, memoryEditLabel, prettyArgs, usageSegments } from '../../src/webview/labels';
import { mentionAt, withFolders } from '../../src/webview/mentions';
import { typedMentions } from '../../src/webview/composer';
import { isEnvelopeLike } from '../../src/webview/transport';

describe('webview labels', () => {
  it('marks working-context edits with the block they changed', () => {
    assert.equal(memoryEditLabel({ name: 'working_context_append', editsMemory: true, block: 'project' }), 'updated project notes');
    assert.equal(memoryEditLabel({ name: 'working_context_replace', editsMemory: true, block: 'user' }), 'updated user preferences');
    assert.equal(memoryEditLabel({ name: 'working_context_rewrite', editsMemory: true, block: 'task' }), 'updated task scratchpad');
  });

  it('marks archival inserts and leaves read-only tools unmarked', () => {
    assert.equal(memoryEditLabel({ name: 'archival_memory_insert', editsMemory: true }), 'saved to archival memory');
    assert.equal(memoryEditLabel({ name: 'archival_memory_search', editsMemory: false }), undefined);
    assert.equal(memoryEditLabel({ name: 'working_context_append', editsMemory: true, block: 'notes' }), 'updated notes notes');
  });

  it('splits the usage bar into shares of the context window with the token numbers', () => {
    const segments = usageSegments({ system: 1000, workingContext: 500, summary: 250, queue: 2250, total: 4000, budget: 7000, contextWindow: 8000 });
    assert.deepEqual(
      segments.map((s) => [s.key, s.tokens, Math.round(s.percent * 100) / 100]),
      [
        ['system', 1000, 12.5],
        ['workingContext', 500, 6.25],
        ['summary', 250, 3.13],
        ['queue', 2250, 28.13],
      ],
    );
  });

  it('gives the project instructions a segment after the system part only when there are some', () => {
    const segments = usageSegments({ system: 1000, instructions: 400, workingContext: 500, summary: 0, queue: 100, total: 2000, budget: 7000, contextWindow: 8000 });
    assert.deepEqual(segments.map((s) => [s.key, s.label, s.tokens]).slice(0, 3), [['system', 'System', 1000], ['instructions', 'Instructions', 400], ['workingContext', 'Working context', 500]]);
    assert.equal(usageSegments({ system: 1, instructions: 0, workingContext: 1, summary: 0, queue: 0, total: 2, budget: 7, contextWindow: 8 }).length, 4);
  });

  it('never lets the usage bar overflow when the parts exceed the window', () => {
    const segments = usageSegments({ system: 6000, workingContext: 2000, summary: 2000, queue: 2000, total: 12000, budget: 7000, contextWindow: 8000 });
    const sum = segments.reduce((a, s) => a + s.percent, 0);
    assert.ok(sum <= 100 + 1e-9, `segments add up to ${sum}%`);
    assert.equal(segments[0].percent, 50);
  });

  it('formats token counts compactly and arguments as pretty JSON when they parse', () => {
    assert.equal(formatTokens(950), '950');
    assert.equal(formatTokens(4200), '4.2k');
    assert.equal(formatTokens(128000), '128k');
    assert.equal(prettyArgs('{"block":"project","content":"x"}'), '{\n  "block": "project",\n  "content": "x"\n}');
    assert.equal(prettyArgs('{not json'), '{not json');
  });

  it('hands only messenger envelopes to the messenger', () => {
    assert.equal(isEnvelopeLike({ kind: 'event', name: 'agent/text', data: { delta: 'x' } }), true);
    assert.equal(isEnvelopeLike({ kind: 'response', id: '1' }), true);
    assert.equal(isEnvelopeLike({ type: 'vscode-internal' }), false);
    assert.equal(isEnvelopeLike('hello'), false);
    assert.equal(isEnvelopeLike([{ kind: 'event' }]), false);
  });

  it('finds the @file mention being typed before the caret', () => {
    assert.deepEqual(mentionAt('look at @src/ag', 15), { start: 8, query: 'src/ag' });
    assert.deepEqual(mentionAt('@', 1), { start: 0, query: '' });
    assert.equal(mentionAt('mail me at a@b.c', 16), undefined);
    assert.equal(mentionAt('@src/a.ts done', 14), undefined);
  });

  it('finds the paths a message names with @, leaving decorators and addresses alone', () => {
    assert.deepEqual(typedMentions('Compare @src/a.ts and @docs/, see @README.md. Not @Injectable or me@example.com'), ['src/a.ts', 'docs/', 'README.md']);
    assert.deepEqual(typedMentions('nothing here'), []);
  });

  it('offers the folders of the found files that match, before the files', () => {
    assert.deepEqual(withFolders(['src/util/format.ts', 'src/util/parse.ts', 'test/util.test.ts'], 'util'), ['src/util/', 'src/util/format.ts', 'src/util/parse.ts', 'test/util.test.ts']);
    assert.deepEqual(withFolders(['src/a.ts'], ''), ['src/a.ts']);
  });
});

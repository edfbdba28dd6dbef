import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { TerminalPrinter } from '../../src/cli/printer';
import { call } from '../helpers/toolContext';

/** A real printer on in-memory streams: what the terminal would show on stderr. */
function printer(): { printer: TerminalPrinter; err: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  err.on('data', (c: Buffer) => chunks.push(c.toString()));
  out.resume();
  return { printer: new TerminalPrinter({ out, err }), err: () => chunks.join('') };
}

describe('TerminalPrinter: memory edits', () => {
  it('names the block a working-context edit changed', () => {
    const p = printer();
    const append = call('working_context_append', { block: 'project', content: 'x' });
    p.printer.onToolResult(append, { ok: true, content: '{"ok":true}', args: { block: 'project', content: 'x' } }, true);
    assert.equal(p.err(), '  ✎ updated project notes\n');
  });

  it('says a note was saved to archival memory, not that block "" was updated (issue 15, minor)', () => {
    const p = printer();
    const args = { content: 'the deploy runs on Fridays' };
    p.printer.onToolResult(call('archival_memory_insert', args), { ok: true, content: '{"ok":true,"id":"n1"}', args }, true);
    assert.equal(p.err(), '  ✎ saved a note to archival memory\n');
  });

  it('shows a memory edit that failed as a failure', () => {
    const p = printer();
    const args = { block: 'task', old_text: 'nope', new_text: 'x' };
    p.printer.onToolResult(call('working_context_replace', args), { ok: false, content: '{"error":"old_text not found in task"}', args }, true);
    assert.equal(p.err(), '  ✗ {"error":"old_text not found in task"}\n');
  });
});

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatBlockFile } from '../../src/memory/frontMatter';
import { RecallLog } from '../../src/memory/recall';
import { MemoryStore, type MemoryPaths } from '../../src/memory/store';
import type { MessageRecord } from '../../src/memory/types';
import { WorkingContext } from '../../src/memory/workingContext';
import { removeTempWorkspaces, tempWorkspace } from '../helpers/workspace';

// Damage a small fixture at every byte: cut it off there, or overwrite that byte. Each time the load must
// not throw, must say when it left something out, and must keep everything that was whole.
const GARBLE = [0x00, 0xff, 0x0a, 0x7d /* } */, 0x78 /* x */];

describe('recall log and block parsers under damage at every byte', function () {
  this.timeout(120_000);
  let paths: MemoryPaths;
  let warnings: string[];

  beforeEach(() => {
    paths = MemoryStore.open(path.join(tempWorkspace('memcode-fuzz-'), '.memcode'), { warn: () => {} }).paths;
    warnings = [];
  });
  afterEach(() => removeTempWorkspaces());

  /** A log of four records, and where each one's line starts and ends (the index of its newline). */
  function recallFixture(): { bytes: Buffer; records: MessageRecord[]; lines: Array<{ start: number; end: number }> } {
    const log = RecallLog.open(paths, { warn: () => {}, clock: () => new Date('2026-03-02T09:00:00Z') });
    log.append({ session: 's-1', role: 'user', content: 'deploy with make ship', tokens: 5 });
    log.append({ session: 's-1', role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"Makefile"}' }], tokens: 9 });
    log.append({ session: 's-1', role: 'tool', kind: 'tool_result', name: 'read_file', toolCallId: 'c1', content: 'ship:\n\tfly deploy — ok ✓', ok: true, tokens: 7 });
    log.append({ session: 's-1', role: 'assistant', content: 'It runs fly deploy.', tokens: 6 });
    const bytes = fs.readFileSync(paths.messagesFile);
    const lines: Array<{ start: number; end: number }> = [];
    for (let start = 0; start < bytes.length; ) {
      const end = bytes.indexOf(0x0a, start);
      lines.push({ start, end });
      start = end + 1;
    }
    return { bytes, records: [...log.all()], lines };
  }

  function loadDamaged(bytes: Buffer): RecallLog {
    fs.writeFileSync(paths.messagesFile, bytes);
    warnings = [];
    return RecallLog.open(paths, { warn: (m) => warnings.push(m) });
  }

  /** After the damage a new message is kept too, with an id of its own, and survives a reload. */
  function appendAndReload(log: RecallLog, what: string): void {
    const before = log.all().map((r) => JSON.stringify(r));
    const added = log.append({ session: 's-1', role: 'user', content: 'after the damage', tokens: 4 });
    const reloaded = RecallLog.open(paths, { warn: () => {} }).all();
    const ids = reloaded.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, `${what}: ids are unique (${ids})`);
    assert.deepEqual(reloaded.map((r) => JSON.stringify(r)), [...before, JSON.stringify(added)], `${what}: nothing lost after an append`);
  }

  it('recall log cut off at every byte: keeps every whole record, warns about the rest, appends after it', () => {
    const { bytes, records, lines } = recallFixture();
    for (let cut = 0; cut <= bytes.length; cut++) {
      const what = `cut at byte ${cut}`;
      const log = loadDamaged(bytes.subarray(0, cut));
      // A record is whole when its JSON is all there; only its newline may be missing.
      const whole = records.filter((_, i) => lines[i].end <= cut);
      assert.deepEqual(log.all(), whole, what);
      const atBoundary = lines.some((l) => l.end + 1 === cut) || cut === 0;
      if (!atBoundary) assert.ok(warnings.length > 0, `${what}: no warning`);
      appendAndReload(log, what);
    }
  });

  it('recall log garbled at every byte: keeps every record whose line was not touched, warns about the one that was', () => {
    const { bytes, records, lines } = recallFixture();
    for (let at = 0; at < bytes.length; at++) {
      for (const value of GARBLE) {
        if (bytes[at] === value) continue;
        const what = `byte ${at} set to 0x${value.toString(16)}`;
        const damaged = Buffer.from(bytes);
        damaged[at] = value;
        const log = loadDamaged(damaged);
        // A line's newline belongs to the line after it too: garbling it joins the two.
        const touched = (i: number) => (lines[i].start <= at && at <= lines[i].end) || (i > 0 && lines[i - 1].end === at);
        for (let i = 0; i < records.length; i++) {
          const kept = log.get(records[i].id);
          if (!touched(i)) assert.deepEqual(kept, records[i], `${what}: record ${records[i].id} was untouched`);
          else if (!kept) assert.ok(warnings.length > 0, `${what}: record ${records[i].id} left out without a warning`);
        }
        // Appending after every damage would take a minute of fsyncs; the last line's damage is the case that matters.
        if (at >= lines[lines.length - 1].start || value === 0x0a) appendAndReload(log, what);
      }
    }
  });

  describe('working-context block files', () => {
    const project = { description: 'The project: architecture, conventions, build and test commands.', limit: 4000, value: 'Tests: `npm test`.\nDeploy: make ship — never on Fridays ✓' };
    const user = { description: 'The person.', limit: 3000, value: 'Prefers short answers.' };
    const text = formatBlockFile(project);
    const frontMatterEnd = text.indexOf('---\n', 4) + 4;

    function loadWith(damaged: Buffer): Map<string, { description: string; limit: number; value: string }> {
      fs.mkdirSync(paths.memoryDir, { recursive: true });
      fs.writeFileSync(path.join(paths.memoryDir, 'user.md'), formatBlockFile(user));
      fs.writeFileSync(path.join(paths.memoryDir, 'project.md'), damaged);
      warnings = [];
      const wc = new WorkingContext(paths.memoryDir, { warn: (m) => warnings.push(m) });
      wc.load();
      return new Map(wc.blocks().map((b) => [b.label, { description: b.description, limit: b.limit, value: b.value }]));
    }

    it('cut off at every byte: the other blocks load whole, the front matter is kept or the cut is reported', () => {
      const bytes = Buffer.from(text);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const what = `cut at byte ${cut}`;
        const blocks = loadWith(bytes.subarray(0, cut));
        assert.deepEqual(blocks.get('user'), user, what);
        const got = blocks.get('project');
        assert.ok(got, `${what}: the block is loaded`);
        const settingsKept = got.description === project.description && got.limit === project.limit;
        if (!settingsKept) assert.ok(warnings.some((w) => w.includes('project.md')), `${what}: settings lost without a warning`);
        if (cut >= frontMatterEnd) assert.equal(got.value, bytes.subarray(frontMatterEnd, cut).toString('utf8').replace(/\n$/, ''), `${what}: the value is what was left of it`);
        else assert.ok(bytes.subarray(0, cut).toString().startsWith(got.value), `${what}: the text is kept as the value`);
      }
    });

    it('garbled at every byte: the other blocks load whole, and lost settings are always reported', () => {
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; at++) {
        for (const value of GARBLE) {
          if (bytes[at] === value) continue;
          const what = `byte ${at} set to 0x${value.toString(16)}`;
          const damaged = Buffer.from(bytes);
          damaged[at] = value;
          const blocks = loadWith(damaged);
          assert.deepEqual(blocks.get('user'), user, what);
          const got = blocks.get('project');
          assert.ok(got, `${what}: the block is loaded`);
          if (at >= frontMatterEnd) {
            assert.equal(got.description, project.description, what);
            assert.equal(got.limit, project.limit, what);
          } else if (!warnings.some((w) => w.includes('project.md'))) {
            // Not reported: then only the garbled character itself may differ. (A line break in place of the
            // limit's last digit leaves a valid shorter number, as a garbled digit would: no parser can tell.)
            assert.ok(got.limit === project.limit || String(project.limit).slice(0, -1) === String(got.limit), `${what}: limit ${got.limit}`);
            assert.equal(got.value, project.value, what);
            assert.ok(Math.abs(got.description.length - project.description.length) <= 1, `${what}: description "${got.description}"`);
          }
        }
      }
    });
  });
});

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SessionList } from '../../src/memory/sessions';
import { MemoryStore, type MemoryPaths } from '../../src/memory/store';
import { MemoryError } from '../../src/memory/types';

describe('session list', () => {
  let dir: string;
  let paths: MemoryPaths;
  let warnings: string[];
  let now: number;
  const open = () => SessionList.open(paths, { clock: () => new Date(now), warn: (m) => warnings.push(m) });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-sessions-'));
    paths = MemoryStore.open(path.join(dir, '.memcode'), { warn: () => {} }).paths;
    warnings = [];
    now = Date.parse('2026-03-02T09:00:00Z');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts a session when there is none, and keeps returning it, across reopening', () => {
    const sessions = open();
    assert.deepEqual(sessions.list(), []);
    assert.equal(fs.existsSync(paths.sessionsFile), false, 'opening alone writes nothing');
    const first = sessions.current();
    assert.match(first.id, /^s-[0-9a-z]+-[0-9a-f]{6}$/);
    assert.ok(first.id.startsWith(`s-${now.toString(36)}-`));
    assert.equal(first.title, 'New session');
    assert.equal(first.started, '2026-03-02T09:00:00.000Z');
    assert.equal(first.ended, undefined);
    assert.deepEqual(sessions.current(), first);
    assert.deepEqual(open().current(), first);
    assert.deepEqual(JSON.parse(fs.readFileSync(paths.sessionsFile, 'utf8')), [first]);
  });

  it('ends a session with its title, after which the next one becomes current', () => {
    const sessions = open();
    const first = sessions.current();
    now += 3_600_000;
    const ended = sessions.end(first.id, 'Fix the login redirect');
    assert.equal(ended.ended, '2026-03-02T10:00:00.000Z');
    assert.equal(ended.title, 'Fix the login redirect');
    const second = sessions.start();
    assert.notEqual(second.id, first.id);
    assert.deepEqual(sessions.current(), second);
    assert.deepEqual(open().list().map((s) => [s.title, Boolean(s.ended)]), [['Fix the login redirect', true], ['New session', false]]);
  });

  it('starts a fresh one when every session has ended', () => {
    const sessions = open();
    const only = sessions.current();
    sessions.end(only.id, 'Done');
    const next = sessions.current();
    assert.notEqual(next.id, only.id);
    assert.equal(sessions.list().length, 2);
  });

  it('renames sessions, refusing unknown ids and empty titles', () => {
    const sessions = open();
    const s = sessions.current();
    sessions.rename(s.id, '  Ledger migration  ');
    assert.equal(open().list()[0].title, 'Ledger migration');
    assert.throws(() => sessions.rename('s-nope', 'x'), (e: unknown) => e instanceof MemoryError && e.kind === 'not_found' && e.message === 'no session "s-nope"');
    assert.throws(() => sessions.rename(s.id, '  '), (e: unknown) => e instanceof MemoryError && e.kind === 'invalid');
  });

  it('sees sessions another process started, and never undoes them when it changes the list', () => {
    const mine = open();
    const other = open();
    const a = mine.current();
    assert.deepEqual(other.list(), [], 'not yet refreshed');
    other.refresh();
    other.end(a.id, 'Ended elsewhere');
    const b = other.start();
    mine.rename(b.id, 'Renamed here');
    assert.deepEqual(open().list().map((s) => s.title), ['Ended elsewhere', 'Renamed here']);
  });

  it('reopens a past session as the current one, ending the one that was open', () => {
    const sessions = open();
    const first = sessions.current();
    sessions.end(first.id, 'Fix the login redirect');
    const second = sessions.start();
    now += 60_000;
    const reopened = sessions.reopen(first.id);
    assert.equal(reopened.ended, undefined);
    assert.equal(reopened.title, 'Fix the login redirect', 'keeps its title');
    assert.equal(open().current().id, first.id, 'new messages continue the reopened session');
    assert.equal(open().list().find((s) => s.id === second.id)?.ended, '2026-03-02T09:01:00.000Z');
    assert.throws(() => sessions.reopen('s-nope'), (e: unknown) => e instanceof MemoryError && e.kind === 'not_found');
  });

  it('deletes a past session from the list but never the current one', () => {
    const sessions = open();
    const first = sessions.current();
    sessions.end(first.id, 'Old');
    const second = sessions.start();
    sessions.remove(first.id);
    assert.deepEqual(open().list().map((s) => s.id), [second.id]);
    assert.throws(() => sessions.remove(second.id), (e: unknown) => e instanceof MemoryError && e.kind === 'invalid' && /current session/.test(e.message));
    assert.throws(() => sessions.remove(first.id), (e: unknown) => e instanceof MemoryError && e.kind === 'not_found');
  });

  it('moves a corrupted sessions.json aside with a warning and starts a new list', () => {
    fs.writeFileSync(paths.sessionsFile, '[{"id": "s-1", "title": 3}]');
    const sessions = open();
    assert.deepEqual(sessions.list(), []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /sessions\.json was corrupted \(valid JSON but not the expected shape\); moved aside to .*sessions\.json\.corrupt-\d{8}T\d{6} and started fresh/);
    const aside = fs.readdirSync(paths.root).find((n) => n.startsWith('sessions.json.corrupt-'))!;
    assert.equal(fs.readFileSync(path.join(paths.root, aside), 'utf8'), '[{"id": "s-1", "title": 3}]');
  });
});

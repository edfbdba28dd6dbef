// The project's memory folder (DESIGN.md §5): its layout, its schema version and its lock.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from './atomicFile';
import { acquireLock, type LockHandle } from './lock';
import { type AgentFile, type Clock, MemoryError, SCHEMA_VERSION } from './types';

/** The memory folder's name inside the workspace when `memcode.storagePath` / `--storage` is not set. */
import { MEMORY_FOLDER_NAME } from '../common/defaults';

export { MEMORY_FOLDER_NAME };

export interface MemoryPaths {
  root: string;
  agentFile: string;
  /** Working context: one Markdown file per block (see blockFile). */
  memoryDir: string;
  recallDir: string;
  messagesFile: string;
  stateFile: string;
  sessionsFile: string;
  archivalDir: string;
  /** The archival store's own manifest (its shards and schema); present once anything was archived. */
  archivalManifestFile: string;
  /** The indexer's record of each workspace file it indexed (indexing/fileRecords.ts); present once indexed. */
  fileRecordsFile: string;
  /** What `memcode import` already brought into recall (app/importConversations.ts), so a second import adds nothing. */
  importedFile: string;
  lockFile: string;
  /** Every change to a working-context block (journal.ts), beside the blocks so it can be shared with them. */
  journalFile: string;
  /** Which stale entries the agent was already alerted about (staleness.ts); this machine's state. */
  stalenessFile: string;
  /** The turns' checkpoints of workspace files the agent edited (app/checkpoints.ts). */
  checkpointsDir: string;
}

/** The memory folder of a workspace: `memcode.storagePath` / `--storage` (relative to the workspace) or `<workspace>/.memcode`. */
export function memoryRoot(workspaceRoot: string, storagePath?: string): string {
  return storagePath ? path.resolve(workspaceRoot, storagePath) : path.join(workspaceRoot, MEMORY_FOLDER_NAME);
}

/** The Markdown file of working-context block `label` (e.g. `project`) in `memoryDir`. */
export function blockFile(memoryDir: string, label: string): string {
  return path.join(memoryDir, `${label}.md`);
}

export function memoryPaths(root: string): MemoryPaths {
  const r = path.resolve(root);
  const recallDir = path.join(r, 'recall');
  const archivalDir = path.join(r, 'archival');
  return {
    root: r,
    agentFile: path.join(r, 'agent.json'),
    memoryDir: path.join(r, 'memory'),
    recallDir,
    messagesFile: path.join(recallDir, 'messages.jsonl'),
    stateFile: path.join(recallDir, 'state.json'),
    sessionsFile: path.join(r, 'sessions.json'),
    archivalDir,
    archivalManifestFile: path.join(archivalDir, 'manifest.json'),
    fileRecordsFile: path.join(archivalDir, 'files.json'),
    importedFile: path.join(recallDir, 'imported.jsonl'),
    lockFile: path.join(r, 'lock'),
    journalFile: path.join(r, 'memory', 'journal.jsonl'),
    stalenessFile: path.join(r, 'staleness.json'),
    checkpointsDir: path.join(r, 'checkpoints'),
  };
}

export interface MemoryStoreOptions {
  clock?: Clock;
  warn?: (msg: string) => void;
  /** The chat model in use; recorded in agent.json. */
  model?: string;
}

export class MemoryStore {
  private constructor(
    readonly root: string,
    readonly paths: MemoryPaths,
    private agentFile: AgentFile,
    readonly clock: Clock,
    readonly warn: (msg: string) => void,
  ) {}

  /** Opens the memory folder at `root`, creating the layout if it is missing. */
  static open(root: string, opts: MemoryStoreOptions = {}): MemoryStore {
    const clock = opts.clock ?? (() => new Date());
    const warn = opts.warn ?? ((msg: string) => console.warn(`[memcode] ${msg}`));
    const paths = memoryPaths(root);
    // Refuse a newer schema before touching anything: an older MemCode must not "repair" newer data.
    refuseNewerSchema(paths.agentFile);
    createLayout(paths);
    let created = false;
    let agent = readJsonFile<AgentFile>(paths.agentFile, {
      fallback: () => {
        created = true;
        return { schemaVersion: SCHEMA_VERSION, agentId: randomUUID(), created: clock().toISOString() };
      },
      validate: isAgentFile,
      warn,
    });
    if (opts.model && agent.model !== opts.model) {
      agent = { ...agent, model: opts.model };
      created = true;
    }
    if (created) writeJsonAtomic(paths.agentFile, agent);
    return new MemoryStore(paths.root, paths, agent, clock, warn);
  }

  get agent(): AgentFile {
    return this.agentFile;
  }

  /** Records the chat model in use in agent.json (the folder outlives any one agent built on it). */
  recordModel(model: string): void {
    if (this.agentFile.model === model) return;
    this.agentFile = { ...this.agentFile, model };
    writeJsonAtomic(this.paths.agentFile, this.agentFile);
  }

  /** Takes the folder's lock for one turn or one index run; fails with MemoryError('locked') after `waitMs`. */
  lock(purpose: string, waitMs = 0, onWait?: (message: string) => void): Promise<LockHandle> {
    return acquireLock(this.paths.lockFile, { purpose, waitMs, onWait });
  }

  async withLock<T>(purpose: string, fn: () => Promise<T>, waitMs = 0, onWait?: (message: string) => void): Promise<T> {
    const handle = await this.lock(purpose, waitMs, onWait);
    try {
      return await fn();
    } finally {
      handle.release();
    }
  }
}

function createLayout(paths: MemoryPaths): void {
  try {
    for (const dir of [paths.root, paths.memoryDir, paths.recallDir, paths.archivalDir]) fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new MemoryError('io', `could not create the memory folder ${paths.root}: ${(err as Error).message}`);
  }
  // Created once and then left alone: a team that shares memory/ edits this file.
  const gitignore = path.join(paths.root, '.gitignore');
  if (!fs.existsSync(gitignore)) writeFileAtomic(gitignore, '*\n');
}

function refuseNewerSchema(agentFile: string): void {
  let version: unknown;
  try {
    version = (JSON.parse(fs.readFileSync(agentFile, 'utf8')) as { schemaVersion?: unknown } | null)?.schemaVersion;
  } catch {
    return; // Missing or corrupt: open() deals with it.
  }
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw new MemoryError(
      'schema_newer',
      `${agentFile} was written by a newer MemCode (schema ${version}, this one reads up to ${SCHEMA_VERSION}); update MemCode or point memcode.storagePath elsewhere`,
    );
  }
}

function isAgentFile(v: unknown): v is AgentFile {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Partial<AgentFile>;
  return (
    typeof a.schemaVersion === 'number' &&
    typeof a.agentId === 'string' &&
    a.agentId.length > 0 &&
    typeof a.created === 'string' &&
    (a.model === undefined || typeof a.model === 'string')
  );
}

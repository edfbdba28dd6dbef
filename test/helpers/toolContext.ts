// A real ToolContext for the tool tests: a temp workspace on disk with a real memory folder, and an
// approval double that records what it was asked and answers as the test says.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryStore } from '../../src/memory/store';
import { RecallLog } from '../../src/memory/recall';
import { WorkingContext } from '../../src/memory/workingContext';
import { strict as assert } from 'node:assert';
import type { ToolCall } from '../../src/llm/types';
import type { ApprovalDecision, ApprovalProvider, ApprovalRequest, ToolContext, ToolOutcome } from '../../src/tools/types';
import { WorkspaceFiles } from '../../src/workspace/workspaceFiles';
import { tempWorkspace } from './workspace';

export class RecordingApprovals implements ApprovalProvider {
  readonly requests: ApprovalRequest[] = [];
  constructor(public answer: ApprovalDecision = { approved: true }) {}
  async request(request: ApprovalRequest): Promise<ApprovalDecision> {
    this.requests.push(request);
    return this.answer;
  }
}

export interface TestWorkspace {
  root: string;
  ctx: ToolContext;
  approvals: RecordingApprovals;
  store: MemoryStore;
  write(rel: string, content: string | Buffer): string;
  read(rel: string): string;
}

/**
 * `storagePath`: the memory folder's path inside the workspace (default `.memcode`); `exclude` and `allow`:
 * patterns as in settings (`memcode.index.exclude`, `memcode.files.allow`).
 */
export function testWorkspace(opts: { signal?: AbortSignal; storagePath?: string; exclude?: string[]; allow?: string[] } = {}): TestWorkspace {
  const root = tempWorkspace('memcode-tools-');
  const store = MemoryStore.open(path.join(root, opts.storagePath ?? '.memcode'), { warn: () => {} });
  const workingContext = new WorkingContext(store.paths.memoryDir, { warn: () => {} });
  workingContext.load();
  const recall = RecallLog.open(store.paths, { warn: () => {} });
  const approvals = new RecordingApprovals();
  const workspace = new WorkspaceFiles({ root, memoryDir: store.paths.root, exclude: opts.exclude, allow: opts.allow });
  const ctx: ToolContext = { workspaceRoot: root, workspace, workingContext, recall, approvals, signal: opts.signal };
  return {
    root,
    ctx,
    approvals,
    store,
    write(rel, content) {
      const abs = path.join(root, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
      return abs;
    },
    read(rel) {
      return fs.readFileSync(path.join(root, rel), 'utf8');
    },
  };
}

let callId = 0;
export function call(name: string, args: Record<string, unknown> | string) {
  return { id: `call_${++callId}`, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) };
}

/** The JSON a successful or failed tool call sent back to the model. */
export function parsed(content: string): any {
  return JSON.parse(content);
}

/** Dispatches through a registry and checks the outcome's kind, returning the parsed result or error text. */
export function toolHarness(registry: { dispatch(call: ToolCall, ctx: ToolContext): Promise<ToolOutcome> }) {
  const run = (ws: TestWorkspace, name: string, args: Record<string, unknown>) => registry.dispatch(call(name, args), ws.ctx);
  return {
    run,
    async ok(ws: TestWorkspace, name: string, args: Record<string, unknown>): Promise<any> {
      const out = await run(ws, name, args);
      assert.equal(out.ok, true, out.content);
      return parsed(out.content);
    },
    async error(ws: TestWorkspace, name: string, args: Record<string, unknown>): Promise<string> {
      const out = await run(ws, name, args);
      assert.equal(out.ok, false, `expected an error, got ${out.content.slice(0, 300)}`);
      return parsed(out.content).error;
    },
  };
}

// Temp workspaces on real disk, removed after each test file.
import { startFakeLlm, type FakeLlm } from './fakeLlm';
import { MESSAGE_TIME_HEADER } from '../../src/core/promptSections';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

export function tempWorkspace(prefix = 'memcode-test-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** Writes `text` to `rel` under `root`, making the folders on the way. */
export function writeFile(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

export function removeTempWorkspaces(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function readMessages(workspace: string): Array<Record<string, any>> {
  const file = path.join(workspace, '.memcode', 'recall', 'messages.jsonl');
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** The system prompt of a recorded chat request. */
export function systemPrompt(body: any): string {
  return body.messages.find((m: any) => m.role === 'system')?.content ?? '';
}

/** A queue message's text as the person typed it: without MemCode's time header (core/promptSections.ts). */
export function withoutTime(content: string): string {
  return content.replace(MESSAGE_TIME_HEADER, '');
}

/** A fresh fake model server and temp workspace per test: `beforeEach(async () => ({ llm, workspace } = await startTestEnv()))`. */
export async function startTestEnv(): Promise<{ llm: FakeLlm; workspace: string }> {
  return { llm: await startFakeLlm(), workspace: tempWorkspace() };
}

export async function stopTestEnv(llm: FakeLlm): Promise<void> {
  await llm.close();
  removeTempWorkspaces();
}

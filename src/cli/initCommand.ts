// `memcode init [-C DIR] [--yes]`: drafts the `project` working-context block from the repository
// (app/projectDraft.ts), prints it (or, when the block already has text, the difference) and writes it
// only once the person says yes, or with --yes. Declining is not a failure: exit 0 either way.
import { proposeProjectBlock, writeProjectBlock } from '../app/projectDraft';
import { MemoryStore } from '../memory/store';
import { WorkingContext } from '../memory/workingContext';
import { WorkspaceFiles } from '../workspace/workspaceFiles';

export interface InitCommandOptions {
  workspaceRoot: string;
  memoryRoot: string;
  exclude: string[];
  allow: string[];
  yes: boolean;
  lockWaitMs: number;
  /** Asks a yes/no question; resolves '' when there is no one to answer (end of input). */
  ask: (question: string) => Promise<string>;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export async function initCommand(opts: InitCommandOptions): Promise<number> {
  const warn = (m: string) => opts.err.write(`[warning] ${m}\n`);
  const store = MemoryStore.open(opts.memoryRoot, { warn });
  const workingContext = new WorkingContext(store.paths.memoryDir, { warn });
  workingContext.load();
  const workspace = new WorkspaceFiles({ root: opts.workspaceRoot, memoryDir: store.paths.root, exclude: opts.exclude, allow: opts.allow });
  const proposal = proposeProjectBlock(workspace, workingContext);
  if (proposal.unchanged) {
    opts.err.write('The project block already says what the draft would say; nothing to do.\n');
    return 0;
  }
  if (proposal.diff) {
    opts.err.write(`The project block already has text. The draft would change it (- now, + draft):\n`);
    opts.out.write(`${proposal.diff}\n`);
  } else {
    opts.err.write(`Draft of the project block (${proposal.draft.length}/${proposal.limit} characters):\n`);
    opts.out.write(`${proposal.draft}\n`);
  }
  if (!opts.yes) {
    const answer = (await opts.ask(proposal.diff ? 'Replace the project block with this draft? [y/N] ' : 'Write this to the project block? [y/N] ')).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      opts.err.write('Not written. (--yes writes without asking.)\n');
      return 0;
    }
  }
  await writeProjectBlock(store, workingContext, proposal.current, proposal.draft, opts.lockWaitMs);
  opts.err.write(`Written to ${store.paths.memoryDir}/project.md; edit it there or in the memory inspector.\n`);
  return 0;
}

// `memcode`: the headless CLI over the same core as the extension (DESIGN.md §8).
import * as readline from 'node:readline/promises';
import { Command, CommanderError, Option } from 'commander';
import { SETTING_DEFAULTS } from '../common/defaults';
import { AgentError } from '../core/events';
import { clockFromEnv, memoryRoot, openAgent } from '../app/openAgent';
import type { Agent } from '../core/agent';
import { LlmError } from '../llm/types';
import { MemoryError } from '../memory/types';
import { resolveUserStorePath, setUserStoreFile } from '../memory/userStore';
import { shareMemory } from './memoryShareCommand';
import { CliApprovals, lineAsker, terminalAsk } from './approvals';
import { agentModes, mcpServersConfig, memoryReviewMode, resolveConfig, UsageError, type CliOptions } from './config';
import { TerminalPrinter } from './printer';
import { searchMemory, showMemory } from './memoryCommands';
import { checkMemory, logMemory, revertMemory } from './memoryTrustCommands';
import { consolidateCommand } from './consolidateCommand';
import { stopOnInterrupt } from './stopOnInterrupt';
import { indexCommand } from './indexCommand';
import { doctorCommand } from './doctorCommand';
import { mcpCommand } from './mcpCommand';
import { initCommand } from './initCommand';
import { importCommand } from './importCommand';
import { IMPORT_SOURCES, isImportSource } from '../app/importConversations';
import { FALLBACK_CONTEXT_WINDOW } from '../llm/contextWindow';

export const EXIT = { ok: 0, failure: 1, usage: 2, model: 3 } as const;

function commonOptions(cmd: Command): Command {
  return cmd
    .option('-C, --dir <dir>', 'the workspace folder (default: the current folder)')
    .option('--storage <path>', 'memory folder (default: <dir>/.memcode; env MEMCODE_STORAGE_PATH)')
    .option('--allow-path <glob...>', 'secrets-looking files (e.g. config/dev.pem) the file tools and the index may open; never .git or the memory folder (env MEMCODE_ALLOW_PATHS, comma-separated)');
}

function embeddingOptions(cmd: Command): Command {
  return cmd
    .option('--embeddings <provider>', 'embedder for archival memory: local (offline, default) or openai (any OpenAI-compatible /embeddings; env MEMCODE_EMBEDDINGS_PROVIDER)')
    .option('--embeddings-model <name>', 'embedding model for --embeddings openai (env MEMCODE_EMBEDDINGS_MODEL; default text-embedding-3-small)')
    .option('--embeddings-base-url <url>', 'embeddings server (env MEMCODE_EMBEDDINGS_BASE_URL; default the chat server)')
    .option('--archival-backend <backend>', 'where archival memory lives: vectra (the memory folder, default) or postgres (shared, PostgreSQL + pgvector; URL from env MEMCODE_DATABASE_URL); env MEMCODE_ARCHIVAL_BACKEND');
}

function modelOptions(cmd: Command): Command {
  return cmd
    .option('--base-url <url>', 'OpenAI-compatible server (env MEMCODE_BASE_URL, OPENAI_BASE_URL)')
    .option('--model <name>', 'model name (env MEMCODE_MODEL)')
    .addOption(new Option('--api-key <key>', 'API key (env OPENAI_API_KEY; prefer the env var: flags show up in ps)'))
    .option('--context-window <tokens>', 'context window of the model in tokens (env MEMCODE_CONTEXT_WINDOW)')
    .option('--max-steps <n>', 'function-call steps per message before the agent must answer (default 25)')
    .option('--timeout <seconds>', `how long the model server may stay silent: until it starts answering (retries included) and between pieces of a streamed answer (env MEMCODE_TIMEOUT; default ${SETTING_DEFAULTS.requestTimeout})`)
    .option('--lock-wait <seconds>', 'how long to wait for another MemCode process using the same memory (default 30)')
    .option('--no-auto-recall', 'do not search memory automatically before each message')
    .option('--memory <mode>', 'memory: full (MemCode, default), summary (recursive summary only) or none (FIFO truncation); env MEMCODE_MEMORY')
    .option('--tools <set>', 'tools the model gets: all (default) or memory (memory tools only); env MEMCODE_TOOLS');
}

interface ChatFlags extends CliOptions {
  message?: string;
  new?: boolean;
  yes?: boolean;
}

async function chat(flags: ChatFlags): Promise<number> {
  const config = resolveConfig(flags);
  const modes = agentModes(flags);
  const mcpServers = mcpServersConfig(flags);
  const interactive = flags.message === undefined;
  const rl = interactive ? readline.createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY }) : undefined;
  const review = memoryReviewMode(flags);
  if (flags.shareWithTeam) shareMemory(memoryRoot(config.workspaceRoot, config.storagePath), 'on');
  // With -m there is no prompt; in review mode 'ask' the answers to memory edits are read from stdin (a
  // terminal or a pipe). In an interactive session the prompt's own readline asks, as for file edits.
  const answers = review === 'ask' && !rl ? lineAsker(process.stdin, process.stderr) : undefined;
  const printer = new TerminalPrinter({ out: process.stdout, err: process.stderr });
  const agent = openAgent({
    ...config,
    ...modes,
    embeddings: config.embeddings,
    approvals: new CliApprovals({
      yes: !!flags.yes,
      ask: rl && process.stdin.isTTY ? terminalAsk(rl) : undefined,
      review,
      askMemory: answers ? answers.ask : rl && process.stdin.isTTY ? terminalAsk(rl) : undefined,
    }),
    observer: printer,
    clock: clockFromEnv(process.env.MEMCODE_NOW),
    warn: (m) => process.stderr.write(`[warning] ${m}\n`),
    mcpServers,
  });
  try {
    return await chatWith(agent, flags, rl, printer);
  } finally {
    // MCP server processes end with the chat, not with whatever kills this process later.
    answers?.close();
    await agent.close();
  }
}

async function chatWith(agent: Agent, flags: ChatFlags, rl: readline.Interface | undefined, printer: TerminalPrinter): Promise<number> {
  const interactive = rl !== undefined;
  if (flags.new) await agent.newSession();

  // Ctrl-C stops the running turn; a second one (or one at the prompt) leaves.
  let stopping = false;
  const onInterrupt = () => {
    if (agent.running && !stopping) {
      stopping = true;
      process.stderr.write('\n[stopping…]\n');
      agent.stop();
      return;
    }
    process.exit(130);
  };
  process.on('SIGINT', onInterrupt);
  // In a terminal readline takes Ctrl-C itself and never raises the process signal.
  rl?.on('SIGINT', onInterrupt);

  const turn = async (text: string) => {
    stopping = false;
    const result = await agent.send(text);
    printer.endReply();
    if (result.stopped) process.stderr.write('[stopped]\n');
  };

  if (!interactive) {
    if (!flags.message!.trim()) throw new UsageError('-m needs a message');
    await turn(flags.message!);
    return EXIT.ok;
  }
  return interactiveLoop(agent, rl!, turn);
}

async function interactiveLoop(agent: Agent, rl: readline.Interface, turn: (text: string) => Promise<void>): Promise<number> {
  const tty = !!process.stdin.isTTY;
  if (tty) process.stderr.write(`MemCode — memory in ${agent.recall.count()} messages. Type a message; Ctrl-C stops a reply, Ctrl-D leaves.\n`);
  // In a terminal a line typed during a reply is an interrupt for the running turn; piped lines are taken one by one.
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  rl.on('line', (line) => {
    if (!line.trim()) return;
    if (tty && agent.running) {
      process.stderr.write('[queued: delivered at the next step]\n');
      void agent.send(line);
      return;
    }
    lines.push(line);
    wake?.();
  });
  rl.on('close', () => {
    closed = true;
    wake?.();
  });
  const prompt = () => tty && rl.setPrompt('> ') === undefined && rl.prompt();
  prompt();
  for (;;) {
    if (!lines.length) {
      if (closed) return EXIT.ok;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    await turn(lines.shift()!);
    prompt();
  }
}

export function buildProgram(): Command {
  const program = new Command('memcode')
    .description('A coding assistant that remembers: MemGPT-style memory for your project')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const chatCmd = program.command('chat').description('chat with the agent: one message with -m, else an interactive session');
  commonOptions(embeddingOptions(modelOptions(chatCmd)))
    .option('-m, --message <text>', 'send one message, print the reply, exit')
    .option('--new', 'close the current session (folded into the summary) and start a new one')
    .option('-y, --yes', 'approve file edits, commands and MCP tool calls without asking')
    .option('--share-with-team', 'commit the project block and its history with the project (same as `memcode memory share on`)')
    .option('--review <mode>', 'memory edits by the agent: auto (default) writes them, ask asks at the prompt first (env MEMCODE_MEMORY_REVIEW)')
    .option('--mcp-config <file>', "MCP servers whose tools the agent may call: VS Code's mcp.json, Claude Desktop's config or a map of servers by name (env MEMCODE_MCP_CONFIG)")
    .action(async (flags: ChatFlags) => {
      process.exitCode = await chat(flags);
    });

  const indexCmd = program.command('index').description('index the workspace into archival memory (incremental; Ctrl-C stops cleanly)');
  commonOptions(embeddingOptions(indexCmd))
    .option('--rebuild', 'throw the index away and build it again (needed after changing the embedder)')
    .option('--exclude <glob...>', 'more gitignore-style patterns to leave out')
    .option('--max-file-size <bytes>', 'skip files larger than this (default 1000000)')
    .option('--api-key <key>', 'API key for --embeddings openai (env OPENAI_API_KEY)')
    .option('--base-url <url>', 'server for --embeddings openai when --embeddings-base-url is not given')
    .option('--lock-wait <seconds>', 'how long to wait for another MemCode process using the same memory (default 30)')
    .action(async (flags: CliOptions & { rebuild?: boolean }) => {
      const config = resolveConfig(flags);
      process.exitCode = await indexCommand({
        memoryRoot: memoryRoot(config.workspaceRoot, config.storagePath),
        workspaceRoot: config.workspaceRoot,
        rebuild: !!flags.rebuild,
        embeddings: config.embeddings,
        archival: config.archival,
        exclude: config.exclude,
        maxFileSize: config.maxFileSize,
        allow: config.allow,
        lockWaitMs: config.lockWaitMs,
      });
    });

  const doctorCmd = program
    .command('doctor')
    .description('check the memory folder and repair what can be repaired without losing anything (damaged files are kept aside)');
  commonOptions(embeddingOptions(doctorCmd))
    .option('--check', 'only report what is wrong; change nothing')
    .option('--lock-wait <seconds>', 'how long to wait for another MemCode process using the same memory (default 30)')
    .action(async (flags: CliOptions & { check?: boolean }) => {
      const config = resolveConfig(flags);
      process.exitCode = await doctorCommand({
        memoryRoot: memoryRoot(config.workspaceRoot, config.storagePath),
        embeddings: config.embeddings,
        checkOnly: !!flags.check,
        lockWaitMs: config.lockWaitMs,
      });
    });

  const mcpCmd = program
    .command('mcp')
    .description("serve this project's memory to other agents (Claude Code, Copilot, Cursor, Codex) over MCP on stdin/stdout");
  commonOptions(embeddingOptions(mcpCmd))
    .option('--api-key <key>', 'API key for --embeddings openai (env OPENAI_API_KEY)')
    .option('--base-url <url>', 'server for --embeddings openai when --embeddings-base-url is not given')
    .option('--lock-wait <seconds>', 'how long a write waits for another MemCode process using the same memory (default 30)')
    .option('--review <mode>', 'memory review mode: auto (default) or ask (every write is refused: nobody can review it over MCP); env MEMCODE_MEMORY_REVIEW')
    .action(async (flags: CliOptions) => {
      const config = resolveConfig(flags);
      process.exitCode = await mcpCommand({
        review: memoryReviewMode(flags),
        workspaceRoot: config.workspaceRoot,
        memoryRoot: memoryRoot(config.workspaceRoot, config.storagePath),
        embeddings: config.embeddings,
        archival: config.archival,
        lockWaitMs: config.lockWaitMs,
        version: program.version() ?? '0.1.0',
      });
    });

  const initCmd = program
    .command('init')
    .description('draft the project block of working context from the repository (README, manifests, scripts, CI, instruction files) and write it once you agree');
  commonOptions(initCmd)
    .option('-y, --yes', 'write the draft without asking')
    .option('--lock-wait <seconds>', 'how long to wait for another MemCode process using the same memory (default 30)')
    .action(async (flags: CliOptions & { yes?: boolean }) => {
      const config = resolveConfig(flags);
      process.exitCode = await initCommand({
        workspaceRoot: config.workspaceRoot,
        memoryRoot: memoryRoot(config.workspaceRoot, config.storagePath),
        exclude: config.exclude,
        allow: config.allow,
        yes: !!flags.yes,
        lockWaitMs: config.lockWaitMs,
        ask: askOnce,
        out: process.stdout,
        err: process.stderr,
      });
    });

  const memory = program.command('memory').description('inspect the project memory');
  commonOptions(memory.command('show').description('print the working-context blocks, the summary and counts'))
    .option('--json', 'print JSON (blocks, summary, counts, sessions) for scripts')
    .action((flags: CliOptions & { json?: boolean }) => {
      const config = resolveConfig(flags);
      process.stdout.write(
        showMemory(memoryRoot(config.workspaceRoot, config.storagePath), {
          json: !!flags.json,
          // Without a window setting the budget is measured against the fallback: `memory show` asks no server.
          instructions: { workspaceRoot: config.workspaceRoot, contextWindow: config.contextWindow ?? FALLBACK_CONTEXT_WINDOW, allow: config.allow },
        }),
      );
    });
  commonOptions(embeddingOptions(memory.command('search').argument('<query>').description('search recall memory (every message ever exchanged) and archival memory (indexed files, notes)')))
    .option('--page <n>', 'page of results', '1')
    .option('--json', 'print JSON (messages and archival hits) for scripts')
    .action(async (query: string, flags: CliOptions & { page: string; json?: boolean }) => {
      const config = resolveConfig(flags);
      const page = Number(flags.page);
      if (!Number.isInteger(page) || page < 1) throw new UsageError('--page must be 1 or more');
      const found = await searchMemory(config.workspaceRoot, memoryRoot(config.workspaceRoot, config.storagePath), query, page, config.embeddings, {
        json: !!flags.json,
        archival: config.archival,
      });
      process.stdout.write(found.text);
      if (!found.ok) process.exitCode = EXIT.failure;
    });

  commonOptions(memory.command('share').argument('<on|off>').description("commit the project block and its history with the project (on), or keep the whole memory folder out of git (off): writes the memory folder's .gitignore"))
    .action(async (setting: string, flags: CliOptions) => {
      const config = resolveConfig(flags);
      process.stdout.write(shareMemory(memoryRoot(config.workspaceRoot, config.storagePath), setting));
    });

  commonOptions(memory.command('check').description('list the memory entries whose cited code changed, moved or was deleted since they were written'))
    .option('--json', 'print JSON for scripts')
    .action(async (flags: CliOptions & { json?: boolean }) => {
      const config = resolveConfig(flags);
      process.stdout.write((await checkMemory(config.workspaceRoot, memoryRoot(config.workspaceRoot, config.storagePath), { json: !!flags.json, allow: config.allow })).text);
    });
  commonOptions(memory.command('log').argument('[block]', 'only this block (project, user, task, …)').description('the memory journal: every change to the working-context blocks, newest first (who, when, which message, the diff)'))
    .option('--limit <n>', 'at most this many changes')
    .option('--json', 'print JSON for scripts')
    .action((block: string | undefined, flags: CliOptions & { json?: boolean; limit?: string }) => {
      const config = resolveConfig(flags);
      const limit = flags.limit === undefined ? undefined : Number(flags.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError('--limit must be 1 or more');
      process.stdout.write(logMemory(memoryRoot(config.workspaceRoot, config.storagePath), block, { json: !!flags.json, limit }));
    });
  commonOptions(memory.command('revert').argument('<id>', 'a journal entry id from `memcode memory log`').description('undo one change to working context (later changes to other lines stay); the undo is journaled too'))
    .option('--lock-wait <seconds>', 'how long to wait for another MemCode process using the same memory (default 30)')
    .action(async (id: string, flags: CliOptions) => {
      const config = resolveConfig(flags);
      process.stdout.write(await revertMemory(memoryRoot(config.workspaceRoot, config.storagePath), id, config.lockWaitMs));
    });

  commonOptions(modelOptions(memory.command('consolidate').description('one model pass over working context: merge duplicates, newest value wins on contradictions, check stale entries against the code, keep blocks under their limits (journaled; lines a person wrote are kept unless named as dropped)')))
    .option('--dry-run', 'print the diff without writing it')
    .action(async (flags: CliOptions & { dryRun?: boolean }) => {
      const config = resolveConfig(flags);
      const interrupt = stopOnInterrupt('the model answers (nothing is written)');
      try {
        process.stdout.write(await consolidateCommand({ ...config, memoryRoot: memoryRoot(config.workspaceRoot, config.storagePath) }, { dryRun: !!flags.dryRun, signal: interrupt.signal }));
      } finally {
        interrupt.dispose();
      }
    });

  const importCmd = program
    .command('import')
    .argument('<path...>', 'conversation files, or folders to search for them (e.g. ~/.claude/projects/<project>, ~/.codex/sessions)')
    .description('import past conversations from Claude Code, Codex, Cline or a JSONL file into recall memory (deduplicated, original dates kept)');
  commonOptions(importCmd)
    .option('--from <format>', `the format, when it cannot be told from the path and content: ${IMPORT_SOURCES.join(', ')}`)
    .option('--json', 'print the import report as JSON')
    .option('--lock-wait <seconds>', 'how long to wait for another MemCode process using the same memory (default 30)')
    .action(async (paths: string[], flags: CliOptions & { from?: string; json?: boolean }) => {
      const config = resolveConfig(flags);
      if (flags.from !== undefined && !isImportSource(flags.from)) throw new UsageError(`--from must be one of ${IMPORT_SOURCES.join(', ')}`);
      process.exitCode = await importCommand({
        memoryRoot: memoryRoot(config.workspaceRoot, config.storagePath),
        paths,
        from: flags.from,
        lockWaitMs: config.lockWaitMs,
        json: !!flags.json,
      });
    });
  return program;
}

/** One answer from stdin (a terminal or a pipe); '' at the end of input. */
async function askOnce(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: !!process.stdin.isTTY });
  try {
    return await new Promise<string>((resolve) => {
      rl.once('close', () => resolve(''));
      rl.question(question).then(resolve, () => resolve(''));
    });
  } finally {
    rl.close();
  }
}

/** Maps every failure to a message and an exit code; never a stack trace for an expected failure. */
export function exitCodeFor(err: unknown): { code: number; message?: string } {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return { code: EXIT.ok };
    return { code: EXIT.usage };
  }
  if (err instanceof UsageError) return { code: EXIT.usage, message: `memcode: ${err.message}` };
  if (err instanceof LlmError) return { code: err.kind === 'aborted' ? EXIT.failure : EXIT.model, message: `memcode: ${err.message}` };
  if (err instanceof MemoryError || err instanceof AgentError) return { code: EXIT.failure, message: `memcode: ${err.message}` };
  return { code: EXIT.failure, message: `memcode: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` };
}

export async function main(argv: string[]): Promise<void> {
  // The user block is the person's, shared by all their projects and with the extension (memory/userStore.ts).
  setUserStoreFile(resolveUserStorePath(process.env.MEMCODE_USER_STORE));
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const { code, message } = exitCodeFor(err);
    if (message) process.stderr.write(`${message}\n`);
    process.exitCode = code;
  }
  // Interactive readline and keep-alive sockets must not hold the process open after the answer.
  if (process.exitCode !== undefined || !process.stdin.isTTY) setImmediate(() => process.exit(process.exitCode ?? 0));
}

if (require.main === module) void main(process.argv);

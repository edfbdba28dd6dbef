// `memcode mcp [-C DIR]`: serves this project's memory to other agents over MCP on stdin/stdout. stdout
// carries the protocol and nothing else, so every warning, and anything a library would print, goes to
// stderr. The SDK is loaded only here, so other commands start as fast as before.
import type { MemoryReviewMode } from '../tools/types';
import { format } from 'node:util';
import type * as McpServerModule from '../app/mcpServer';
import { type ArchivalBackendSettings, MemoryFolder } from '../app/memoryFolder';
import type { EmbedderSettings } from '../indexing/embeddings';

export interface McpCommandOptions {
  workspaceRoot: string;
  memoryRoot: string;
  embeddings: EmbedderSettings;
  archival?: ArchivalBackendSettings;
  lockWaitMs: number;
  version: string;
  review?: MemoryReviewMode;
}

export async function mcpCommand(opts: McpCommandOptions): Promise<number> {
  const log = (message: string) => process.stderr.write(`[memcode mcp] ${message}\n`);
  // A stray console.log would corrupt the protocol stream: send it where the warnings go.
  const toStderr = (...args: unknown[]) => void process.stderr.write(`${format(...args)}\n`);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  const folder = new MemoryFolder({
    workspaceRoot: opts.workspaceRoot,
    memoryRoot: opts.memoryRoot,
    embeddings: () => opts.embeddings,
    archival: () => opts.archival ?? { backend: 'vectra' },
    warn: (m) => log(`warning: ${m}`),
    lockWaitMs: opts.lockWaitMs,
  });
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { serveMemoryOverStdio } = require('../app/mcpServer') as typeof McpServerModule;
    await serveMemoryOverStdio({ folder, lockWaitMs: opts.lockWaitMs, review: opts.review, onLockWait: log, log, version: opts.version });
    return 0;
  } finally {
    folder.dispose();
  }
}

// Every setting's default, in one place. The keys are package.json's `memcode.*` settings without the
// prefix (test/unit/common.defaults.test.ts checks that the two agree); the host, the CLI and the
// agent read their fallbacks here rather than writing the values again.

export const SETTING_DEFAULTS = {
  baseUrl: 'https://api.openai.com/v1',
  model: 'gpt-4o-mini',
  /**
   * null: found from the server on the first turn (llm/contextWindow.ts). A number is the person's word and
   * wins, though a server that names a smaller limit in a context-length error still corrects it.
   */
  contextWindow: null,
  /**
   * Seconds the model server may stay silent: until it starts answering (retries included) and between
   * two pieces of a streamed answer. Generous because a local server may first load the model or read a
   * long prompt; a long answer that keeps streaming is never cut.
   */
  requestTimeout: 120,
  'embeddings.provider': 'local',
  /** '' means the provider's own default (indexing/embeddings.ts). */
  'embeddings.model': '',
  /** '' means the chat server's baseUrl. */
  'embeddings.baseUrl': '',
  'index.exclude': [],
  'index.maxFileSize': 1_000_000,
  'index.autoUpdate': true,
  /** Secrets-looking paths the person opens to the file tools and the indexer (workspace/secrets.ts). */
  'files.allow': [],
  maxSteps: 25,
  autoRecall: true,
  memoryMode: 'full',
  'approval.edits': 'ask',
  'approval.commands': 'ask',
  /** '' means `<workspace>/.memcode`. */
  storagePath: '',
  /** MCP servers by name, in the shape of VS Code's `mcp.json` "servers" (app/mcpConfig.ts). */
  mcpServers: {},
  /**
   * Where archival memory lives: 'vectra', the embedded store in the memory folder, or 'postgres', a shared
   * PostgreSQL + pgvector database (its URL from MemCode: Set Database URL or MEMCODE_DATABASE_URL).
   */
  'archival.backend': 'vectra',
  /** How the agent's working-context edits are reviewed (tools/memoryReview.ts): 'auto', 'notify' or 'ask'. */
  'memory.review': 'auto',
  /** '' means `~/.memcode/user.md` (memory/userStore.ts): the one file the extension and the CLI both reach. */
  'memory.userStorePath': '',
  /** Commit memory/project.md and its journal (memory/teamSharing.ts manages `.memcode/.gitignore`). */
  'memory.shareWithTeam': false,
} as const;

/** The memory folder's name when storagePath is empty; the file tools and the indexer never enter one. */
export const MEMORY_FOLDER_NAME = '.memcode';

/** The embedding model of the openai provider when none is set (OpenAI's small model). */
export const DEFAULT_OPENAI_EMBEDDING_MODEL = 'text-embedding-3-small';

export type SettingKey = keyof typeof SETTING_DEFAULTS;

/** package.json's minimum for contextWindow: a smaller window cannot hold the system prompt and the working context. */
export const MIN_CONTEXT_WINDOW = 2048;

/** Options only the `memcode` command has (flags and environment variables, no package.json entry). */
export const CLI_DEFAULTS = {
  /** How long `memcode` waits for another process's memory lock. */
  lockWaitSeconds: 30,
  tools: 'all',
} as const;

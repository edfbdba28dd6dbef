// The tool layer's front door: the registry the agent dispatches through, built with the tools a host allows.
import { archivalTools } from './archivalTools';
import { createRunCommandTool } from './commandTool';
import { editTools } from './editTools';
import { fileTools } from './fileTools';
import { memoryTools } from './memoryTools';
import { ToolRegistry } from './registry';

export interface ToolRegistryOptions {
  /** working_context_* and conversation_search*; default true. */
  memoryTools?: boolean;
  /** archival_memory_insert and archival_memory_search; default true. */
  archivalTools?: boolean;
  /** read_file, list_files, search_files; default true. */
  fileTools?: boolean;
  /** edit_file, write_file and run_command (all behind approval); default true. */
  editTools?: boolean;
  /** run_command's timeout; default 60 s. */
  commandTimeoutMs?: number;
}

export function createToolRegistry(options: ToolRegistryOptions = {}): ToolRegistry {
  const registry = new ToolRegistry();
  if (options.memoryTools ?? true) for (const tool of memoryTools) registry.register(tool);
  if (options.archivalTools ?? true) for (const tool of archivalTools) registry.register(tool);
  if (options.fileTools ?? true) for (const tool of fileTools) registry.register(tool);
  if (options.editTools ?? true) {
    for (const tool of editTools) registry.register(tool);
    registry.register(createRunCommandTool({ timeoutMs: options.commandTimeoutMs }));
  }
  return registry;
}

export { MAX_TOOL_RESULT_CHARS, ToolRegistry, truncateResult, type PagingHint } from './registry';
export { parseToolArguments, type ParsedArguments } from './argumentRepair';
export { validateArgs, type ValidationResult } from './validateArgs';
export { memoryTools } from './memoryTools';
export { archivalTools } from './archivalTools';
export { fileTools } from './fileTools';
export { editTools, editFileTool, writeFileTool } from './editTools';
export { createRunCommandTool, runCommandTool, DEFAULT_COMMAND_TIMEOUT_MS } from './commandTool';
export * from './types';

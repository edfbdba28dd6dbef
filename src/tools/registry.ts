// The functions the model may call: their schemas for the chat request, and one dispatch that repairs,
// validates, runs and sizes every call. Whatever goes wrong comes back as `{"error": "..."}` so the
// model can correct itself; dispatch never throws into the agent loop (DESIGN.md §4).
// Most tools are registered once; a ToolSource (the MCP servers) adds tools known only at run time,
// read again at the start of each turn.
import { fitToTokens } from '../llm/tokens';
import type { ToolCall, ToolSchema } from '../common/types';
import { parseToolArguments } from './argumentRepair';
import type { Tool, ToolContext, ToolOutcome } from './types';
import { validateArgs } from './validateArgs';

/** Tool results longer than this are cut, with a note saying how to get the rest. */
export const MAX_TOOL_RESULT_CHARS = 12_000;

/** A tool may say how to get the part of a long result that was cut (e.g. "use read_file with start_line"). */
export interface PagingHint {
  pagingHint?: string;
}

// `any`: each tool has its own argument type, and dispatch validates arguments against its schema first.
type AnyTool = Tool<any> & PagingHint;

/**
 * Tools that exist only at run time (an MCP server's). `tools` is asked at the start of each turn and must
 * not throw: a source reports its own failures (to the person) and returns what it has.
 */
export interface ToolSource {
  tools(signal?: AbortSignal): Promise<Tool<any>[]>;
  /** Releases what the source holds (server processes, connections); its tools are gone afterwards. */
  close(): Promise<void>;
}

const DEFAULT_PAGING_HINT = 'ask for a smaller piece (a narrower range, a narrower query or the next page)';

export class ToolRegistry {
  private readonly tools = new Map<string, AnyTool>();
  /** Each source with the names its tools were registered under last time. */
  private readonly sources = new Map<ToolSource, string[]>();

  constructor(tools: AnyTool[] = []) {
    for (const tool of tools) this.register(tool);
  }

  register(tool: AnyTool): void {
    if (this.tools.has(tool.name)) throw new Error(`tool "${tool.name}" is registered twice`);
    this.tools.set(tool.name, tool);
  }

  addSource(source: ToolSource): void {
    this.sources.set(source, []);
  }

  /**
   * Asks every source for its tools now and replaces the ones it gave before. A source's tool whose name
   * a registered tool already has is left out: the fixed tools always win.
   */
  async refresh(signal?: AbortSignal): Promise<void> {
    for (const [source, previous] of this.sources) {
      let tools: AnyTool[];
      try {
        tools = await source.tools(signal);
      } catch {
        continue; // a source reports its own failures; keep what it gave before
      }
      for (const name of previous) this.tools.delete(name);
      const names: string[] = [];
      for (const tool of tools) {
        if (this.tools.has(tool.name)) continue;
        this.tools.set(tool.name, tool);
        names.push(tool.name);
      }
      this.sources.set(source, names);
    }
  }

  /** Closes every source (their tools leave the registry); a closed registry keeps its fixed tools. */
  async close(): Promise<void> {
    const sources = [...this.sources.keys()];
    for (const [, names] of this.sources) for (const name of names) this.tools.delete(name);
    this.sources.clear();
    await Promise.all(sources.map((s) => s.close().catch(() => undefined)));
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  get(name: string): AnyTool | undefined {
    return this.tools.get(name);
  }

  list(): AnyTool[] {
    return [...this.tools.values()];
  }

  schemas(): ToolSchema[] {
    return this.list().map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
  }

  async dispatch(call: ToolCall, ctx: ToolContext): Promise<ToolOutcome> {
    if (ctx.signal?.aborted) return failure('cancelled');
    const tool = this.tools.get(call.name);
    if (!tool) {
      return failure(`unknown tool "${call.name}"; available tools: ${[...this.tools.keys()].join(', ')}`);
    }

    const parsed = parseToolArguments(call.arguments);
    if (!parsed.ok) {
      return failure(
        `arguments of ${tool.name} are not valid JSON: ${parsed.error}. Send a JSON object matching the schema.`,
      );
    }
    const checked = validateArgs(tool.parameters, parsed.value);
    if (!checked.ok) {
      return { ...failure(`invalid arguments for ${tool.name}: ${checked.errors.join('; ')}`), args: parsed.value };
    }
    const args = checked.value;

    let result: unknown;
    try {
      result = await tool.run(args, ctx);
    } catch (err) {
      if (ctx.signal?.aborted) return { ...failure('cancelled'), args };
      return { ...failure(errorMessage(err)), args };
    }
    if (ctx.signal?.aborted) return { ...failure('cancelled'), args };
    const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { ok: true, content: fitResult(text, tool.pagingHint ?? DEFAULT_PAGING_HINT, ctx), args };
  }
}

/** Cuts `text` to MAX_TOOL_RESULT_CHARS (note included), ending with how much was cut and how to page on. */
export function truncateResult(text: string, pagingHint: string = DEFAULT_PAGING_HINT, max = MAX_TOOL_RESULT_CHARS): string {
  if (text.length <= max) return text;
  // The note's length depends on the number in it; measure it with the worst case first.
  const noteFor = (cut: number) => `\n[result cut: ${cut} of ${text.length} characters not shown; ${pagingHint}]`;
  const keep = Math.max(0, max - noteFor(text.length).length);
  return text.slice(0, keep) + noteFor(text.length - keep);
}

/** The character limit, then the context's token limit. */
function fitResult(text: string, pagingHint: string, ctx: ToolContext): string {
  const chars = Math.min(MAX_TOOL_RESULT_CHARS, text.length);
  const render = (max: number) => truncateResult(text, pagingHint, max);
  return ctx.maxResultTokens && ctx.countTokens ? fitToTokens(render, chars, ctx.maxResultTokens, ctx.countTokens) : render(chars);
}

function failure(message: string): ToolOutcome {
  return { ok: false, content: JSON.stringify({ error: message }) };
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

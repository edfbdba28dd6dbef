// Anthropic-style message content (Claude Code and Cline both store it): a string, or blocks of text,
// tool_use, tool_result, thinking, image. Split into what the person said and what the tools did.
import { asRecord, describeCall, describeResult } from './transcript';

export interface SplitContent {
  /** Text blocks, joined. */
  text: string;
  /** Tool calls and results as one-line summaries: they belong with the assistant's message. */
  toolLines: string[];
}

/**
 * `toolNames` maps a tool_use id to its tool's name, filled as calls are seen, so a result (which names
 * only the id) reads `[Bash result: …]`.
 */
export function splitContent(content: unknown, toolNames: Map<string, string>): SplitContent {
  if (typeof content === 'string') return { text: content, toolLines: [] };
  const texts: string[] = [];
  const toolLines: string[] = [];
  for (const raw of Array.isArray(content) ? content : []) {
    const block = asRecord(raw);
    if (!block) continue;
    switch (block.type) {
      case 'text':
        if (typeof block.text === 'string') texts.push(block.text);
        break;
      case 'tool_use':
      case 'server_tool_use': {
        const name = typeof block.name === 'string' ? block.name : 'tool';
        if (typeof block.id === 'string') toolNames.set(block.id, name);
        toolLines.push(describeCall(name, block.input));
        break;
      }
      case 'tool_result': {
        const name = typeof block.tool_use_id === 'string' ? toolNames.get(block.tool_use_id) : undefined;
        toolLines.push(describeResult(name, resultText(block.content), block.is_error === true));
        break;
      }
      case 'image':
        texts.push('[image]');
        break;
      // thinking and redacted_thinking are the model's scratch work, not part of the conversation.
    }
  }
  return { text: texts.join('\n'), toolLines };
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b) => {
      const block = asRecord(b);
      return block?.type === 'text' && typeof block.text === 'string' ? block.text : block?.type === 'image' ? '[image]' : '';
    })
    .filter(Boolean)
    .join('\n');
}

// A model's reply put together: from streamed chunks (ReplyAssembler), or from one whole JSON completion
// when a proxy ignored `stream: true` (completionResult). Both end in the same ChatResult and the same
// checks, so the agent cannot tell which way it came.

import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { interruptedError } from './errors';
import { LlmError, type ChatResult, type ToolCall, type Usage } from './types';

/** Collects streamed deltas: text in order, tool calls by their index. */
export class ReplyAssembler {
  private content = '';
  private readonly calls: ToolCall[] = [];
  private readonly callsByIndex = new Map<number, ToolCall>();
  private finishReason: string | undefined;
  private usage: Usage | undefined;
  private sawChoice = false;

  /** Text or a tool call has arrived (a bare role chunk, which some servers send at once, does not count). */
  get started(): boolean {
    return this.content !== '' || this.calls.length > 0;
  }

  /** Returns the text this chunk adds, if any. */
  add(chunk: ChatCompletionChunk): string {
    if (chunk.usage) {
      this.usage = {
        promptTokens: chunk.usage.prompt_tokens ?? 0,
        completionTokens: chunk.usage.completion_tokens ?? 0,
      };
    }
    let text = '';
    for (const choice of chunk.choices ?? []) {
      if ((choice.index ?? 0) !== 0) continue;
      this.sawChoice = true;
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string' && delta.content) {
        this.content += delta.content;
        text += delta.content;
      }
      for (const fragment of delta.tool_calls ?? []) this.addToolCallFragment(fragment);
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    return text;
  }

  private addToolCallFragment(fragment: ChatCompletionChunk.Choice.Delta.ToolCall): void {
    const index = typeof fragment.index === 'number' ? fragment.index : undefined;
    let call = index !== undefined ? this.callsByIndex.get(index) : undefined;
    // Some servers reuse index 0 for every call, or omit the index: a new id means a new call.
    if (call && fragment.id && call.id && fragment.id !== call.id) call = undefined;
    if (!call && index === undefined && !fragment.id) call = this.calls[this.calls.length - 1];
    if (!call) {
      call = { id: '', name: '', arguments: '' };
      this.calls.push(call);
      if (index !== undefined) this.callsByIndex.set(index, call);
    }
    if (fragment.id) call.id = fragment.id;
    const name = fragment.function?.name;
    if (name && !call.name) call.name = name;
    const args = fragment.function?.arguments;
    if (typeof args === 'string') call.arguments += args;
    else if (args && typeof args === 'object') call.arguments += JSON.stringify(args);
  }

  finish(url: string): ChatResult {
    const toolCalls = this.calls
      .filter((call) => call.name || call.arguments)
      .map((call, i) => ({ ...call, id: call.id || `call_${Date.now().toString(36)}_${i}` }));
    if (!this.sawChoice || (!this.content && toolCalls.length === 0)) {
      throw emptyReplyError(url);
    }
    if (!this.finishReason) throw interruptedError(undefined, url);
    return { content: this.content, toolCalls, finishReason: this.finishReason, usage: this.usage };
  }
}

function emptyReplyError(url: string): LlmError {
  return new LlmError('bad_response', `the model server at ${url} returned an empty reply (no text and no tool calls)`, { url });
}

/** A whole (non-streamed) chat completion as a ChatResult; its text is delivered by the caller. */
export function completionResult(completion: ChatCompletion, url: string): ChatResult {
  const choice = completion.choices.find((c) => (c.index ?? 0) === 0) ?? completion.choices[0];
  const message = choice?.message;
  const content = typeof message?.content === 'string' ? message.content : '';
  const toolCalls: ToolCall[] = (message?.tool_calls ?? [])
    .map((call, i) => {
      const fn = (call as { function?: { name?: unknown; arguments?: unknown } }).function;
      const args = fn?.arguments;
      return {
        id: call.id || `call_${Date.now().toString(36)}_${i}`,
        name: typeof fn?.name === 'string' ? fn.name : '',
        arguments: typeof args === 'string' ? args : args && typeof args === 'object' ? JSON.stringify(args) : '',
      };
    })
    .filter((call) => call.name || call.arguments);
  if (!content && toolCalls.length === 0) throw emptyReplyError(url);
  const usage: Usage | undefined = completion.usage
    ? { promptTokens: completion.usage.prompt_tokens ?? 0, completionTokens: completion.usage.completion_tokens ?? 0 }
    : undefined;
  // A whole completion is finished by definition; some servers leave the reason out.
  const finishReason = choice?.finish_reason || (toolCalls.length ? 'tool_calls' : 'stop');
  return { content, toolCalls, finishReason, usage };
}

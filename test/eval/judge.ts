// The LLM judge for items the rules cannot decide (EVAL.md "Scoring a real model"): LongMemEval's
// per-type yes/no prompts, at temperature 0. Undefined when the judge's server fails or says neither.
import type { KeyEntry } from './generator';

export interface JudgeServer {
  baseUrl: string;
  model: string;
  apiKey?: string;
}

function prompt(question: string, entry: KeyEntry, reply: string): string {
  if (entry.kind === 'abstain') {
    return `I will give you an unanswerable question, an explanation, and a response from a model. Please answer yes if the model correctly identifies the question as unanswerable. The model could say that the information is incomplete, or some other information is given but the asked information is not.\n\nQuestion: ${question}\n\nExplanation: the asked information was never given.\n\nModel Response: ${reply}\n\nDoes the model correctly identify the question as unanswerable? Answer yes or no only.`;
  }
  const gold = entry.gold.join(', ');
  const flavour =
    entry.family === 'F2'
      ? ' If the response contains some previous information along with an updated answer, the response should be considered as correct as long as the updated answer is the required answer.'
      : entry.family === 'F3'
        ? ' Do not penalize off-by-one errors for the number of days.'
        : '';
  return `I will give you a question, a correct answer, and a response from a model. Please answer yes if the response contains the correct answer. Otherwise, answer no. If the response is equivalent to the correct answer or contains all the intermediate steps to get the correct answer, you should also answer yes. If the response only contains a subset of the information required by the answer, answer no.${flavour}\n\nQuestion: ${question}\n\nCorrect Answer: ${gold}\n\nModel Response: ${reply}\n\nIs the model response correct? Answer yes or no only.`;
}

export async function judgeAnswer(server: JudgeServer, question: string, entry: KeyEntry, reply: string): Promise<boolean | undefined> {
  try {
    const res = await fetch(`${server.baseUrl.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(server.apiKey ? { authorization: `Bearer ${server.apiKey}` } : {}) },
      body: JSON.stringify({ model: server.model, temperature: 0, max_tokens: 5, messages: [{ role: 'user', content: prompt(question, entry, reply) }] }),
      signal: AbortSignal.timeout(60_000),
    });
    const text: string = ((await res.json()) as { choices?: Array<{ message?: { content?: string } }> }).choices?.[0]?.message?.content ?? '';
    if (/^\s*yes/i.test(text)) return true;
    if (/^\s*no/i.test(text)) return false;
    return undefined;
  } catch {
    return undefined;
  }
}

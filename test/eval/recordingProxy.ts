// Backend (B) of EVAL.md: a recording proxy in front of a real OpenAI-compatible server, so a real
// model's run leaves the same trace as the oracle's. Requests are forwarded as they are; replies are
// streamed back unchanged, and the assistant text of non-streamed replies is recorded.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeReply, RecordedRequest } from '../helpers/fakeLlm';

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  replies: Map<unknown, FakeReply>;
  close(): Promise<void>;
}

/** True when `baseUrl` answers GET /models within `timeoutMs`. */
export async function reachable(baseUrl: string, apiKey?: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/$/, '')}/models`, { signal: AbortSignal.timeout(timeoutMs), headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
    return res.status < 500;
  } catch {
    return false;
  }
}

export async function startRecordingProxy(target: string, apiKey?: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const replies = new Map<unknown, FakeReply>();
  const base = target.replace(/\/$/, '');
  const server = http.createServer((req, res) => {
    const pieces: Buffer[] = [];
    req.on('data', (p: Buffer) => pieces.push(p));
    req.on('end', () => {
      const raw = Buffer.concat(pieces).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // forwarded as it came
      }
      const path = (req.url ?? '/').replace(/^\/v1/, '');
      requests.push({ path: `/v1${path}`, method: req.method ?? 'GET', headers: { ...req.headers }, body, time: Date.now() });
      void forward(path, req.method ?? 'GET', raw, body, res);
    });
  });

  async function forward(path: string, method: string, raw: string, body: unknown, res: http.ServerResponse): Promise<void> {
    try {
      const upstream = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: method === 'GET' ? undefined : raw,
      });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      if (!upstream.body) return void res.end();
      const chunks: Buffer[] = [];
      for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
        chunks.push(Buffer.from(chunk));
        res.write(chunk);
      }
      res.end();
      const text = Buffer.concat(chunks).toString('utf8');
      replies.set(body, { text: replyText(text) });
    } catch (err) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `recording proxy: ${(err as Error).message}`, type: 'server_error' } }));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    replies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The assistant text of a JSON or SSE chat reply. */
function replyText(raw: string): string {
  try {
    return JSON.parse(raw)?.choices?.[0]?.message?.content ?? '';
  } catch {
    let text = '';
    for (const line of raw.split('\n')) {
      if (!line.startsWith('data: ') || line.includes('[DONE]')) continue;
      try {
        text += JSON.parse(line.slice(6))?.choices?.[0]?.delta?.content ?? '';
      } catch {
        // a partial line
      }
    }
    return text;
  }
}

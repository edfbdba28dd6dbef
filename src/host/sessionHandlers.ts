// The chat's History actions beyond listing and viewing (chatHandlers.ts): resume, rename, delete. No
// vscode here: the tests run them over a real messenger against a real agent.
import type { RecallLog } from '../memory/recall';
import type { SessionList } from '../memory/sessions';
import type { HostMessenger } from '../protocol/messenger';
import type { SessionSummary } from '../protocol/shapes';

export interface SessionHost {
  activeFolder(): { agent(): Promise<{ sessions: Pick<SessionList, 'rename' | 'remove'>; recall: Pick<RecallLog, 'all'> }> };
  /** Makes a past session current (Agent.resumeSession) and tells every chat view. */
  resumeSession(id: string): Promise<SessionSummary>;
}

/** Sessions whose conversation holds every word of `query` in one message (case-insensitive), most recent first. */
export function sessionsMentioning(recall: Pick<RecallLog, 'all'>, query: string, limit = 200): string[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const found = new Set<string>();
  const records = recall.all();
  for (let i = records.length - 1; i >= 0 && found.size < limit; i--) {
    const r = records[i];
    if ((r.role !== 'user' && r.role !== 'assistant') || found.has(r.session)) continue;
    const text = r.content.toLowerCase();
    if (words.every((w) => text.includes(w))) found.add(r.session);
  }
  return [...found];
}

export function registerSessionHandlers(messenger: HostMessenger, host: SessionHost): void {
  messenger.on('session/resume', ({ id }) => host.resumeSession(id));
  messenger.on('session/rename', async ({ id, title }) => {
    const agent = await host.activeFolder().agent();
    agent.sessions.rename(id, title);
  });
  messenger.on('session/search', async ({ query }) => sessionsMentioning((await host.activeFolder().agent()).recall, query));
  messenger.on('session/delete', async ({ id }) => {
    const agent = await host.activeFolder().agent();
    agent.sessions.remove(id);
  });
}

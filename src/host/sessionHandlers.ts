// The chat's History actions beyond listing and viewing (chatHandlers.ts): resume, rename, delete. No
// vscode here: the tests run them over a real messenger against a real agent.
import type { SessionList } from '../memory/sessions';
import type { HostMessenger } from '../protocol/messenger';
import type { SessionSummary } from '../protocol/shapes';

export interface SessionHost {
  activeFolder(): { agent(): Promise<{ sessions: Pick<SessionList, 'rename' | 'remove'> }> };
  /** Makes a past session current (Agent.resumeSession) and tells every chat view. */
  resumeSession(id: string): Promise<SessionSummary>;
}

export function registerSessionHandlers(messenger: HostMessenger, host: SessionHost): void {
  messenger.on('session/resume', ({ id }) => host.resumeSession(id));
  messenger.on('session/rename', async ({ id, title }) => {
    const agent = await host.activeFolder().agent();
    agent.sessions.rename(id, title);
  });
  messenger.on('session/delete', async ({ id }) => {
    const agent = await host.activeFolder().agent();
    agent.sessions.remove(id);
  });
}

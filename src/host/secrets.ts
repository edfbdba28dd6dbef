// The API key lives only in SecretStorage: never in settings, on disk or in a log line.
import * as vscode from 'vscode';

const KEY = 'memcode.apiKey';
/** The shared archival database's URL (memcode.archival.backend = postgres): it holds a password. */
const DATABASE_URL_KEY = 'memcode.databaseUrl';

export class ApiKeyStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly secrets: vscode.SecretStorage) {
    secrets.onDidChange((e) => {
      if (e.key === KEY) this.changed.fire();
    });
  }

  get(): Promise<string | undefined> {
    return Promise.resolve(this.secrets.get(KEY)).then((k) => k || undefined);
  }

  /** Stores a key typed in the chat's onboarding panel (an empty one removes it). */
  async set(value: string): Promise<void> {
    if (value.trim()) await this.secrets.store(KEY, value.trim());
    else await this.secrets.delete(KEY);
  }

  /** Asks for the key in a password box; an empty answer clears it. Returns false when the person cancelled. */
  async prompt(): Promise<boolean> {
    const value = await vscode.window.showInputBox({
      title: 'MemCode: Set API Key',
      prompt: 'API key for the model server (stored in VS Code secret storage). Leave empty to remove it; a local server may need none.',
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return false;
    if (value.trim()) await this.secrets.store(KEY, value.trim());
    else await this.secrets.delete(KEY);
    void vscode.window.showInformationMessage(value.trim() ? 'MemCode: API key saved.' : 'MemCode: API key removed.');
    return true;
  }

  /** The archival database's URL: secret storage first, then MEMCODE_DATABASE_URL (as the CLI reads it). */
  async databaseUrl(): Promise<string | undefined> {
    const stored = await Promise.resolve(this.secrets.get(DATABASE_URL_KEY));
    return stored || process.env.MEMCODE_DATABASE_URL || undefined;
  }

  /** Asks for the database URL in a password box (it holds a password); an empty answer clears it. False when cancelled. */
  async promptDatabaseUrl(): Promise<boolean> {
    const value = await vscode.window.showInputBox({
      title: 'MemCode: Set Database URL',
      prompt:
        'PostgreSQL URL (with pgvector) for shared archival memory, e.g. postgres://user:password@host:5432/memcode. Stored in VS Code secret storage; used when memcode.archival.backend is "postgres". Leave empty to remove it.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (text.trim() === '' || /^postgres(ql)?:\/\//i.test(text.trim()) ? undefined : 'A postgres:// or postgresql:// URL'),
    });
    if (value === undefined) return false;
    if (value.trim()) await this.secrets.store(DATABASE_URL_KEY, value.trim());
    else await this.secrets.delete(DATABASE_URL_KEY);
    void vscode.window.showInformationMessage(value.trim() ? 'MemCode: database URL saved.' : 'MemCode: database URL removed.');
    return true;
  }
}

// Commands the person chose "Always allow in this workspace" for. Kept in VS Code's workspace state, not in
// the memory folder: the memory folder lives inside the workspace, so a cloned repository could bring its
// own list and have its commands run unasked. Exact command lines only (after trimming): allowing
// `npm test` does not allow `npm test; rm -rf ~`. No vscode here: the store is typed structurally.

/** The part of vscode.Memento this needs. */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export class CommandAllowList {
  private readonly key: string;

  /** `folder`: the workspace folder's URI, so each folder of a multi-root workspace has its own list. */
  constructor(
    private readonly state: StateStore,
    folder: string,
  ) {
    this.key = `memcode.allowedCommands:${folder}`;
  }

  has(command: string): boolean {
    return this.list().includes(command.trim());
  }

  list(): string[] {
    const value = this.state.get<unknown>(this.key);
    return Array.isArray(value) ? value.filter((c): c is string => typeof c === 'string') : [];
  }

  async add(command: string): Promise<void> {
    const c = command.trim();
    if (!c || this.has(c)) return;
    await this.state.update(this.key, [...this.list(), c]);
  }

  async clear(): Promise<void> {
    await this.state.update(this.key, undefined);
  }
}

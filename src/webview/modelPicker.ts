// The header's model picker: the configured model, and the server's other models once the list is
// opened (asked then, not at every start); "Set up model…" opens the onboarding panel.
import type { ModelConfig } from '../protocol/shapes';
import { el } from './dom';

export interface ModelPickerActions {
  list(): Promise<string[]>;
  choose(model: string): Promise<void>;
  setUp(): void;
}

const SET_UP = '\u0000set-up';

export class ModelPicker {
  readonly element: HTMLSelectElement;
  private model = '';
  private loaded = false;

  constructor(private readonly actions: ModelPickerActions) {
    this.element = el('select', { className: 'model-picker', testid: 'model-picker', attrs: { 'aria-label': 'Model', title: 'Model' } });
    // Listed on first use: pointerdown and focus come before the list opens.
    const load = () => void this.load();
    this.element.addEventListener('pointerdown', load);
    this.element.addEventListener('focus', load);
    this.element.addEventListener('change', () => void this.change());
    this.render([]);
  }

  setConfig(config: ModelConfig): void {
    if (config.model !== this.model) this.loaded = false;
    this.model = config.model;
    this.element.title = `Model: ${config.model}\nServer: ${config.baseUrl}`;
    this.render(this.loaded ? Array.from(this.element.options).map((o) => o.value).filter((v) => v !== SET_UP) : []);
  }

  private render(models: readonly string[], note?: string): void {
    const all = [...new Set([this.model, ...models].filter(Boolean))];
    this.element.replaceChildren(
      ...all.map((m) => el('option', { text: m, attrs: { value: m } })),
      ...(note ? [el('option', { text: note, attrs: { disabled: '', value: '' } })] : []),
      el('option', { text: 'Set up model…', attrs: { value: SET_UP } }),
    );
    this.element.value = this.model;
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    try {
      this.render(await this.actions.list());
    } catch (error) {
      this.loaded = false;
      this.render([], 'Could not list models');
      this.element.title = `Could not list the server's models: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private async change(): Promise<void> {
    const value = this.element.value;
    if (value === SET_UP) {
      this.element.value = this.model;
      this.actions.setUp();
      return;
    }
    if (!value || value === this.model) return;
    try {
      await this.actions.choose(value);
      this.model = value;
    } catch {
      this.element.value = this.model;
    }
  }
}

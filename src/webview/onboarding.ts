// The first-run panel (and "Set up model"): pick a provider preset, enter the key or the URL, Test
// connection lists the server's models, pick one, and the choice is saved (settings for the URL and the
// model, secret storage for the key: the host does both). Shown by itself while nothing is configured.
import type { ModelConfig, ProviderPresetInfo } from '../protocol/shapes';
import { button, el } from './dom';

export interface OnboardingActions {
  test(baseUrl: string, apiKey: string | undefined): Promise<string[]>;
  save(baseUrl: string, model: string, apiKey: string | undefined): Promise<ModelConfig>;
  /** Saved (or closed with `undefined`). */
  done(config: ModelConfig | undefined): void;
}

let fieldIds = 0;
function field(label: string, control: HTMLElement, note?: HTMLElement): HTMLElement {
  const id = control.id || `onboarding-field-${++fieldIds}`;
  control.id = id;
  return el('div', { className: 'onboarding-field' }, el('label', { text: label, attrs: { for: id } }), control, note);
}

export class OnboardingPanel {
  readonly element: HTMLElement;
  private readonly provider: HTMLSelectElement;
  private readonly hint: HTMLElement;
  private readonly url: HTMLInputElement;
  private readonly key: HTMLInputElement;
  private readonly keyField: HTMLElement;
  private readonly keyLabel: HTMLElement;
  private readonly status: HTMLElement;
  private readonly model: HTMLSelectElement;
  private readonly modelField: HTMLElement;
  private readonly testButton: HTMLButtonElement;
  private readonly saveButton: HTMLButtonElement;
  private presets: ProviderPresetInfo[] = [];
  private config?: ModelConfig;

  constructor(private readonly actions: OnboardingActions) {
    this.provider = el('select', { className: 'onboarding-provider', testid: 'onboarding-provider' });
    this.provider.addEventListener('change', () => this.choosePreset());
    this.hint = el('div', { className: 'onboarding-hint muted' });
    this.url = el('input', { className: 'onboarding-url', testid: 'onboarding-url', attrs: { type: 'url', placeholder: 'http://localhost:11434/v1', spellcheck: 'false' } });
    this.url.addEventListener('input', () => this.resetModels());
    this.key = el('input', { className: 'onboarding-key', testid: 'onboarding-key', attrs: { type: 'password', autocomplete: 'off', spellcheck: 'false' } });
    this.key.addEventListener('input', () => this.resetModels());
    this.keyField = field('API key', this.key, el('div', { className: 'muted onboarding-note', text: "Kept in VS Code's secret storage, never in settings." }));
    this.keyLabel = this.keyField.querySelector('label')!;
    this.status = el('div', { className: 'onboarding-status', testid: 'onboarding-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.model = el('select', { className: 'onboarding-model', testid: 'onboarding-model' });
    this.model.addEventListener('change', () => this.update());
    this.modelField = field('Model', this.model);
    this.modelField.hidden = true;
    this.testButton = button('Test connection', () => void this.test(), { text: 'Test connection', className: 'secondary', testid: 'onboarding-test' });
    this.saveButton = button('Use this model', () => void this.save(), { text: 'Use this model', className: 'primary', testid: 'onboarding-save' });
    this.element = el(
      'section',
      { className: 'overlay-panel onboarding', testid: 'onboarding', attrs: { 'aria-label': 'Set up a model' } },
      el('div', { className: 'overlay-head' }, el('span', { className: 'overlay-title', text: 'Connect a model' }), el('span', { className: 'spacer' }), button('Close', () => this.close(), { icon: 'close', className: 'icon' })),
      el('p', { className: 'onboarding-intro', text: 'MemCode talks to any OpenAI-compatible server: a hosted one with a key, or one on this machine.' }),
      field('Provider', this.provider, this.hint),
      field('Base URL', this.url),
      this.keyField,
      el('div', { className: 'onboarding-actions' }, this.testButton),
      this.status,
      this.modelField,
      el('div', { className: 'onboarding-actions' }, this.saveButton, button('Not now', () => this.close(), { text: 'Not now', className: 'secondary' })),
    );
    this.element.hidden = true;
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        this.close();
      }
    });
  }

  get visible(): boolean {
    return !this.element.hidden;
  }

  show(config: ModelConfig): void {
    this.config = config;
    this.presets = config.presets;
    this.provider.replaceChildren(...config.presets.map((p) => el('option', { text: p.label, attrs: { value: p.id } })));
    const url = config.baseUrl.replace(/\/+$/, '');
    const preset = config.presets.find((p) => p.baseUrl && p.baseUrl === url) ?? config.presets.find((p) => !p.baseUrl);
    this.provider.value = preset?.id ?? '';
    this.applyPreset(preset, url);
    this.key.value = '';
    this.key.placeholder = config.hasKey ? 'A key is stored (leave empty to keep it)' : '';
    this.status.textContent = '';
    this.status.className = 'onboarding-status';
    this.element.hidden = false;
    this.provider.focus();
  }

  close(): void {
    if (this.element.hidden) return;
    this.element.hidden = true;
    this.actions.done(undefined);
  }

  private choosePreset(): void {
    this.applyPreset(this.presets.find((p) => p.id === this.provider.value), undefined);
    (this.url.value ? (this.keyField.hidden ? this.testButton : this.key) : this.url).focus();
  }

  private applyPreset(preset: ProviderPresetInfo | undefined, url: string | undefined): void {
    this.hint.textContent = preset?.hint ?? '';
    this.url.value = url ?? preset?.baseUrl ?? '';
    const needsKey = preset?.needsKey ?? false;
    this.keyLabel.textContent = needsKey ? 'API key' : 'API key (optional)';
    this.resetModels();
  }

  private resetModels(): void {
    this.modelField.hidden = true;
    this.model.replaceChildren();
    this.update();
  }

  private async test(): Promise<void> {
    const url = this.url.value.trim();
    if (!url) {
      this.say('Enter the server’s base URL first.', 'failed');
      this.url.focus();
      return;
    }
    this.testButton.disabled = true;
    this.say(`Asking ${url} for its models…`, '');
    try {
      const models = await this.actions.test(url, this.key.value.trim() || undefined);
      if (!models.length) {
        this.say('Connected, but the server lists no models. Load or pull one, then test again.', 'failed');
        return;
      }
      this.say(`Connected: ${models.length} ${models.length === 1 ? 'model' : 'models'}. Pick one.`, 'ok');
      this.model.replaceChildren(...models.map((m) => el('option', { text: m, attrs: { value: m } })));
      this.model.value = models.includes(this.config?.model ?? '') ? this.config!.model : models[0];
      this.modelField.hidden = false;
      this.model.focus();
    } catch (error) {
      this.say(`Could not connect: ${error instanceof Error ? error.message : String(error)}`, 'failed');
    } finally {
      this.testButton.disabled = false;
      this.update();
    }
  }

  private async save(): Promise<void> {
    const model = this.model.value;
    if (!model) return;
    this.saveButton.disabled = true;
    try {
      const config = await this.actions.save(this.url.value.trim(), model, this.key.value.trim() || undefined);
      this.key.value = '';
      this.element.hidden = true;
      this.actions.done(config);
    } catch (error) {
      this.say(`Could not save: ${error instanceof Error ? error.message : String(error)}`, 'failed');
    } finally {
      this.update();
    }
  }

  private say(text: string, kind: '' | 'ok' | 'failed'): void {
    this.status.textContent = text;
    this.status.className = `onboarding-status${kind ? ` ${kind}` : ''}`;
  }

  private update(): void {
    this.saveButton.disabled = this.modelField.hidden || !this.model.value;
  }
}

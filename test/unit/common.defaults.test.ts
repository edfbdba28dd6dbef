import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MIN_CONTEXT_WINDOW, SETTING_DEFAULTS } from '../../src/common/defaults';

interface SettingEntry {
  default?: unknown;
  minimum?: number;
}

function packageSettings(): Record<string, SettingEntry> {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const sections = [pkg.contributes.configuration].flat() as Array<{ properties: Record<string, SettingEntry> }>;
  const settings: Record<string, SettingEntry> = {};
  for (const section of sections) {
    for (const [key, entry] of Object.entries(section.properties)) {
      if (key.startsWith('memcode.')) settings[key.slice('memcode.'.length)] = entry;
    }
  }
  return settings;
}

describe('settings defaults', () => {
  it('declares the same settings as package.json, with the same defaults', () => {
    const declared = packageSettings();
    assert.deepEqual(Object.keys(SETTING_DEFAULTS).sort(), Object.keys(declared).sort(), 'every memcode.* setting in both places');
    for (const [key, value] of Object.entries(SETTING_DEFAULTS)) {
      assert.deepEqual(declared[key].default, value, `memcode.${key}`);
    }
  });

  it('has the context window minimum package.json declares', () => {
    assert.equal(packageSettings().contextWindow.minimum, MIN_CONTEXT_WINDOW);
  });
});

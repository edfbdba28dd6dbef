// The memcode.* settings, read fresh on every use so a change applies without a reload. The checking
// and the defaults are in memcodeSettings.ts (no vscode there, so the tests cover them).
import * as vscode from 'vscode';
import { settingsFrom, type MemcodeSettings } from './memcodeSettings';

export { embeddingSettings, type MemcodeSettings } from './memcodeSettings';

export function readSettings(scope?: vscode.Uri): MemcodeSettings {
  return settingsFrom(vscode.workspace.getConfiguration('memcode', scope), process.env);
}

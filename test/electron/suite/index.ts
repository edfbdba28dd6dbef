// Entry point VS Code's test runner loads inside the extension host (bundled by ../run.ts): runs the
// mocha suite below and resolves or rejects with the result.
import Mocha from 'mocha';
import { registerExtensionTests } from './extension.test';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 60_000 });
  mocha.suite.emit('pre-require', globalThis, 'memcode-extension-tests', mocha);
  registerExtensionTests();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} in-editor test(s) failed`)) : resolve()));
  });
}

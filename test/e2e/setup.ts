// Installs code-server (VS Code in the browser, from the npm registry) into test/e2e/.cache/code-server
// for the e2e harness, once: a marker file with the version makes later runs a no-op.
//
//   npx tsx test/e2e/setup.ts            # install if missing
//   npx tsx test/e2e/setup.ts --force    # reinstall
//
// It is not a dependency of the extension (package.json stays small): it lives in its own package
// folder. The workarounds from /work/shared/E2E.md are scripted here:
// - @vscode/ripgrep's postinstall downloads rg from GitHub: its cache in $TMPDIR is seeded with a
//   tarball of Debian's /usr/bin/rg, so nothing is downloaded;
// - as root the postinstall scripts need npm_config_unsafe_perm=true, and node-pty's postinstall runs
//   npx, which must not prompt (npm_config_yes=true);
// - the kerberos native module needs the krb5 headers (Debian libkrb5-dev).
// The browser is Debian's chromium, driven by playwright-core (already a devDependency).

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_CACHE_DIR = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CACHE_DIR = path.join(here, '.cache');
export const CODE_SERVER_DIR = path.join(CACHE_DIR, 'code-server');
const MARKER = path.join(CODE_SERVER_DIR, '.installed-version');
export const CODE_SERVER_BIN = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.MEMCODE_E2E_CHROMIUM ?? '/usr/bin/chromium';
const RG = '/usr/bin/rg';

export function isInstalled(): boolean {
  try {
    return fs.readFileSync(MARKER, 'utf8').trim() === CODE_SERVER_VERSION && fs.existsSync(CODE_SERVER_BIN);
  } catch {
    return false;
  }
}

/** Throws one error listing every missing system piece, with the command that installs it. */
export function checkPrerequisites(opts: { forInstall: boolean }): void {
  const missing: string[] = [];
  if (!fs.existsSync(CHROMIUM)) missing.push(`chromium (${CHROMIUM}): apt-get install -y chromium`);
  if (opts.forInstall) {
    if (!fs.existsSync(RG)) missing.push(`ripgrep (${RG}): apt-get install -y ripgrep`);
    if (!hasKrb5Headers()) missing.push('libkrb5-dev (krb5 headers, for the kerberos native module): apt-get install -y libkrb5-dev');
    for (const tool of ['tar', 'make', 'g++', 'python3']) {
      if (!onPath(tool)) missing.push(`${tool} (for native modules): apt-get install -y ${tool === 'g++' || tool === 'make' ? 'build-essential' : tool}`);
    }
  }
  const [major] = process.versions.node.split('.').map(Number);
  if (major !== 20 && major !== 22) missing.push(`Node 20 or 22 (found ${process.versions.node}); code-server ${CODE_SERVER_VERSION} runs on Node 20`);
  if (missing.length > 0) {
    throw new Error(`e2e setup: missing prerequisite(s):\n  - ${missing.join('\n  - ')}`);
  }
}

function hasKrb5Headers(): boolean {
  if (fs.existsSync('/usr/include/gssapi/gssapi.h') || fs.existsSync('/usr/include/krb5.h')) return true;
  return onPath('krb5-config');
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, cmd)));
}

/** Seeds the @vscode/ripgrep download cache with Debian's rg; returns the TMPDIR to use. */
function seedRipgrepCache(): string {
  const tmp = path.join(CACHE_DIR, 'tmp');
  const cacheDir = path.join(tmp, RIPGREP_CACHE_DIR);
  const tarball = path.join(cacheDir, RIPGREP_TARBALL);
  if (fs.existsSync(tarball)) return tmp;
  const staging = path.join(tmp, 'rg-staging');
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.mkdirSync(staging, { recursive: true });
  fs.copyFileSync(RG, path.join(staging, 'rg'));
  fs.chmodSync(path.join(staging, 'rg'), 0o755);
  execFileSync('tar', ['czf', tarball, '-C', staging, 'rg']);
  return tmp;
}

export async function setup(opts: { force?: boolean; quiet?: boolean } = {}): Promise<{ installed: boolean; ms: number }> {
  const started = Date.now();
  const log = (msg: string) => {
    if (!opts.quiet) console.log(msg);
  };
  if (!opts.force && isInstalled()) {
    checkPrerequisites({ forInstall: false });
    log(`code-server ${CODE_SERVER_VERSION} already installed in ${CODE_SERVER_DIR}`);
    return { installed: false, ms: Date.now() - started };
  }
  checkPrerequisites({ forInstall: true });
  fs.mkdirSync(CODE_SERVER_DIR, { recursive: true });
  fs.rmSync(MARKER, { force: true });
  const pkgJson = path.join(CODE_SERVER_DIR, 'package.json');
  fs.writeFileSync(
    pkgJson,
    JSON.stringify({ name: 'memcode-e2e-code-server', private: true, description: 'code-server for the MemCode e2e harness (test/e2e/setup.ts)' }, null, 2) + '\n',
  );
  const tmpdir = seedRipgrepCache();
  log(`installing code-server@${CODE_SERVER_VERSION} into ${CODE_SERVER_DIR} (about a minute, ~300 MB)...`);
  const env = {
    ...process.env,
    TMPDIR: tmpdir,
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['install', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: CODE_SERVER_DIR,
      env,
      stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${code}) in ${CODE_SERVER_DIR}\n${output.slice(-4000)}`));
    });
  });
  if (!fs.existsSync(CODE_SERVER_BIN)) {
    throw new Error(`npm install finished but ${CODE_SERVER_BIN} is missing`);
  }
  // ripgrep must be a working binary (the seeded one), or search in code-server is broken.
  const rgBin = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  if (!fs.existsSync(rgBin)) log(`warning: ${rgBin} missing; code-server search may not work`);
  fs.writeFileSync(MARKER, CODE_SERVER_VERSION + '\n');
  const ms = Date.now() - started;
  log(`code-server ${CODE_SERVER_VERSION} installed in ${(ms / 1000).toFixed(1)} s`);
  return { installed: true, ms };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  setup({ force: process.argv.includes('--force') }).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}

// `npm start [-- [--desktop|--browser] [--port N] [FOLDER]]`: try MemCode in a real VS Code.
//
// - Browser (the default when no `code` binary is on PATH): serves VS Code (code-server 4.100.3,
//   installed by test/e2e/setup.ts into test/e2e/.cache if missing) on 127.0.0.1 with MemCode
//   installed from the freshly built memcode.vsix into a persistent profile (test/e2e/.cache/profile,
//   git-ignored: settings, the API key and open editors survive between runs), FOLDER open. It prints
//   the URL and stays up until Ctrl-C, then kills code-server's process group.
// - Desktop (`--desktop`, or when `code` is on PATH): `code --extensionDevelopmentPath=<repo> FOLDER`.
//
// FOLDER defaults to the directory `npm start` was run from. The model server is configured as
// usual: the memcode.baseUrl setting or MEMCODE_BASE_URL in the environment (passed through).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startCodeServer, type CodeServer } from '../test/e2e/codeServer';
import { CACHE_DIR, setup } from '../test/e2e/setup';

const ROOT = path.resolve(__dirname, '..');
const VSIX = path.join(ROOT, 'memcode.vsix');
const PROFILE = process.env.MEMCODE_DEV_PROFILE ?? path.join(CACHE_DIR, 'profile');

interface Options {
  desktop: boolean;
  browser: boolean;
  port?: number;
  folder: string;
}

function usage(): string {
  return 'usage: npm start -- [--desktop | --browser] [--port N] [FOLDER]';
}

function parseArgs(argv: string[]): Options {
  // npm runs scripts from the package root; INIT_CWD is where `npm start` was typed.
  const base = process.env.INIT_CWD ?? process.cwd();
  const opts: Options = { desktop: false, browser: false, folder: base };
  let folder: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--desktop') opts.desktop = true;
    else if (a === '--browser') opts.browser = true;
    else if (a === '--port') opts.port = Number(argv[++i]);
    else if (a.startsWith('--port=')) opts.port = Number(a.slice('--port='.length));
    else if (a === '-h' || a === '--help') {
      console.log(usage());
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${usage()}`);
    else if (folder === undefined) folder = a;
    else throw new Error(`one folder only\n${usage()}`);
  }
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port > 0 && opts.port < 65536)) throw new Error(`bad --port\n${usage()}`);
  if (folder !== undefined) opts.folder = path.resolve(base, folder);
  if (!fs.existsSync(opts.folder) || !fs.statSync(opts.folder).isDirectory()) throw new Error(`not a folder: ${opts.folder}`);
  return opts;
}

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function desktop(code: string, folder: string): Promise<never> {
  console.log(`opening desktop VS Code with MemCode in development mode: ${code} --extensionDevelopmentPath=${ROOT} ${folder}`);
  const child = spawn(code, [`--extensionDevelopmentPath=${ROOT}`, folder], { stdio: 'inherit' });
  const exitCode = await new Promise<number>((resolve) => {
    child.on('error', (err) => {
      console.error(`could not run ${code}: ${err.message}`);
      resolve(1);
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  process.exit(exitCode);
}

async function browser(opts: Options): Promise<void> {
  if (!fs.existsSync(VSIX)) throw new Error(`no ${VSIX}: run npm run package first (npm start does)`);
  await setup();
  fs.mkdirSync(PROFILE, { recursive: true });
  let server: CodeServer | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (server) {
      console.log('\nstopping code-server…');
      await server.stop();
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGHUP', () => void stop(0));

  console.log(`installing ${path.relative(process.cwd(), VSIX) || VSIX} into ${PROFILE} and starting code-server…`);
  server = await startCodeServer({ workspace: opts.folder, vsix: VSIX, dataDir: PROFILE, port: opts.port, timeoutMs: 120_000 });
  const pid = server.pid();
  console.log(`\nMemCode in VS Code: ${server.folderUrl}\n  folder   ${opts.folder}\n  profile  ${PROFILE}\n  logs     ${server.stdoutLog}\nCtrl-C to stop.`);
  // Stay up while code-server does; exit with it if it dies on its own.
  setInterval(() => {
    if (stopping || pid === undefined) return;
    try {
      process.kill(pid, 0);
    } catch {
      console.error(`code-server (pid ${pid}) exited; see ${server?.stdoutLog}`);
      void stop(1);
    }
  }, 2000);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const code = opts.browser ? undefined : onPath('code');
  if (opts.desktop && !code) throw new Error('--desktop: no `code` binary on PATH (install VS Code and its shell command, or drop --desktop)');
  if (code && (opts.desktop || !opts.browser)) return desktop(code, opts.folder);
  await browser(opts);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

// MemCode: Initialize Project Memory and `memcode init`: a first draft of the `project` working-context
// block from what the repository says about itself (README, package manifests, Makefile, CI workflows,
// the instruction files), without a model: the same repository gives the same draft, and nothing is
// invented. Files are read through the workspace policy, so a secret never ends up in memory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MemoryStore } from '../memory/store';
import { MemoryError } from '../memory/types';
import type { WorkingContext } from '../memory/workingContext';
import { InstructionFiles } from '../workspace/instructionFiles';
import type { WorkspaceFiles } from '../workspace/workspaceFiles';
import { lineDiffText } from './lineDiff';

/** Files larger than this are not read for the draft: a manifest or a README's first paragraph is near the top. */
const MAX_READ = 256 * 1024;
/** A walk to count source files stops here: the main languages are clear long before. */
const MAX_WALK = 20_000;

const LANGUAGES: Record<string, string> = {
  '.ts': 'TypeScript', '.tsx': 'TypeScript', '.mts': 'TypeScript', '.cts': 'TypeScript',
  '.js': 'JavaScript', '.jsx': 'JavaScript', '.mjs': 'JavaScript', '.cjs': 'JavaScript',
  '.py': 'Python', '.go': 'Go', '.rs': 'Rust', '.java': 'Java', '.kt': 'Kotlin', '.scala': 'Scala',
  '.c': 'C', '.h': 'C', '.cc': 'C++', '.cpp': 'C++', '.cxx': 'C++', '.hpp': 'C++', '.cs': 'C#',
  '.rb': 'Ruby', '.php': 'PHP', '.swift': 'Swift', '.m': 'Objective-C', '.dart': 'Dart', '.lua': 'Lua',
  '.ex': 'Elixir', '.exs': 'Elixir', '.erl': 'Erlang', '.hs': 'Haskell', '.clj': 'Clojure', '.r': 'R',
  '.sh': 'Shell', '.bash': 'Shell', '.ps1': 'PowerShell', '.vue': 'Vue', '.svelte': 'Svelte', '.zig': 'Zig',
};

const OTHER_CI = ['.gitlab-ci.yml', '.circleci/config.yml', 'azure-pipelines.yml', 'Jenkinsfile', '.travis.yml', 'bitbucket-pipelines.yml'];

interface Facts {
  name?: string;
  description?: string;
  languages: string[];
  /** e.g. ['Build', '`npm run build`'], in the order found. */
  commands: Array<[string, string]>;
  notes: string[];
  ci: string[];
  instructionFiles: string[];
  conventions: string[];
}

export interface ProjectDraftOptions {
  /** The `project` block's character limit: the draft never exceeds it. */
  limit: number;
}

/** A concise Markdown summary of the repository for the `project` block, at most `limit` characters. */
export function draftProjectBlock(workspace: WorkspaceFiles, options: ProjectDraftOptions): string {
  const read = (rel: string) => readText(workspace, rel);
  const facts: Facts = { languages: countLanguages(workspace), commands: [], notes: [], ci: [], instructionFiles: [], conventions: [] };
  readme(read, facts);
  node(workspace, read, facts);
  python(workspace, read, facts);
  rust(read, facts);
  go(read, facts);
  makefile(read, facts);
  ci(workspace, read, facts);
  instructions(workspace, facts);
  facts.name ??= path.basename(workspace.root);
  return render(facts, options.limit);
}

/** A draft beside the block it would replace, for the person to review. */
export interface ProjectBlockProposal {
  draft: string;
  /** The block's value now. */
  current: string;
  limit: number;
  /** The draft says what the block already says. */
  unchanged: boolean;
  /** Line diff from the current value to the draft; absent when the block is empty. */
  diff?: string;
}

export function proposeProjectBlock(workspace: WorkspaceFiles, workingContext: WorkingContext): ProjectBlockProposal {
  workingContext.refresh();
  const block = workingContext.get('project');
  const draft = draftProjectBlock(workspace, { limit: block.limit });
  const current = block.value;
  return { draft, current, limit: block.limit, unchanged: current.trim() === draft.trim(), ...(current.trim() ? { diff: lineDiffText(current, draft) } : {}) };
}

/**
 * Writes the reviewed text to the `project` block under the memory folder's lock, unless the block
 * changed since it was shown (the agent or a person wrote it meanwhile): what was approved was a change
 * to the text the person saw, not to whatever is there now.
 */
export async function writeProjectBlock(store: MemoryStore, workingContext: WorkingContext, shown: string, value: string, lockWaitMs = 30_000): Promise<void> {
  await store.withLock(
    'initialize project memory',
    async () => {
      workingContext.refresh();
      if (workingContext.get('project').value !== shown) {
        throw new MemoryError('invalid', 'the project block changed while the draft was shown; nothing was written: run it again to see the new difference');
      }
      workingContext.setValue('project', value);
    },
    lockWaitMs,
  );
}

// ------------------------------------------------------------------ sources

function readme(read: Reader, facts: Facts): void {
  const name = ['README.md', 'README', 'README.rst', 'README.txt', 'readme.md', 'Readme.md'].find((n) => read(n) !== undefined);
  const text = name ? read(name) : undefined;
  if (!text) return;
  // An ATX heading (# Name) or a setext / reStructuredText one (Name over a line of = or -).
  const heading = /^#\s+(.+)$/m.exec(text) ?? /^([^\s=#-][^\n]*)\n(?:=+|-+)[ \t]*$/m.exec(text);
  if (heading) facts.name = plain(heading[1]);
  facts.description = firstParagraph(text);
}

/** The first paragraph of prose: no headings, badges, HTML, front matter or code. */
export function firstParagraph(markdown: string): string | undefined {
  const lines = markdown.replace(/^---\n[\s\S]*?\n---\n/, '').split('\n');
  const paragraph: string[] = [];
  let inCode = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (/^(=+|-+)$/.test(lines[i + 1]?.trim() ?? '') && line) {
      i++; // a setext heading and its underline
      if (paragraph.length) break;
      continue;
    }
    if (line.startsWith('```')) {
      inCode = !inCode;
      if (paragraph.length) break;
      continue;
    }
    if (inCode) continue;
    const skip = !line || /^(#|=+$|-+$|<|!\[|\[!\[|>\s*\[!)/.test(line) || /^\[[^\]]*\]:/.test(line);
    if (skip) {
      if (paragraph.length) break;
      continue;
    }
    paragraph.push(line);
  }
  const text = plain(paragraph.join(' '));
  return text ? cutAt(text, 400) : undefined;
}

function node(workspace: WorkspaceFiles, read: Reader, facts: Facts): void {
  const text = read('package.json');
  if (!text) return;
  let pkg: { name?: unknown; description?: unknown; scripts?: unknown; packageManager?: unknown; workspaces?: unknown };
  try {
    pkg = JSON.parse(text);
  } catch {
    return;
  }
  if (typeof pkg.name === 'string' && !facts.name) facts.name = pkg.name;
  if (typeof pkg.description === 'string' && pkg.description.trim() && !facts.description) facts.description = pkg.description.trim();
  const manager =
    typeof pkg.packageManager === 'string'
      ? pkg.packageManager.split('@')[0]
      : exists(workspace, 'pnpm-lock.yaml')
        ? 'pnpm'
        : exists(workspace, 'yarn.lock')
          ? 'yarn'
          : exists(workspace, 'bun.lockb') || exists(workspace, 'bun.lock')
            ? 'bun'
            : 'npm';
  facts.notes.push(`Package manager: ${manager}${pkg.workspaces ? ' (workspaces)' : ''}`);
  const scripts = pkg.scripts && typeof pkg.scripts === 'object' ? Object.keys(pkg.scripts as object) : [];
  const run = (s: string) => (manager === 'npm' ? (s === 'test' || s === 'start' ? `npm ${s}` : `npm run ${s}`) : manager === 'bun' ? `bun run ${s}` : `${manager} ${s}`);
  addScripts(facts, scripts, run);
}

/** Scripts sorted into the kinds a coding agent asks about; the rest listed together. */
function addScripts(facts: Facts, scripts: string[], run: (s: string) => string): void {
  const kinds: Array<[string, RegExp]> = [
    ['Build', /^(build|compile|bundle)(:|$)/],
    ['Test', /^(test|tests|e2e|coverage)(:|$)/],
    ['Lint', /^(lint|typecheck|type-check|check|tsc|format|fmt|prettier)(:|$)/],
    ['Run', /^(start|dev|serve|watch)(:|$)/],
  ];
  const used = new Set<string>();
  for (const [label, re] of kinds) {
    const found = scripts.filter((s) => re.test(s));
    for (const s of found) used.add(s);
    if (found.length) facts.commands.push([label, found.slice(0, 4).map((s) => `\`${run(s)}\``).join(', ')]);
  }
  const rest = scripts.filter((s) => !used.has(s) && !/^(pre|post)/.test(s));
  if (rest.length) facts.commands.push(['Other scripts', rest.slice(0, 8).map((s) => `\`${run(s)}\``).join(', ')]);
}

function python(workspace: WorkspaceFiles, read: Reader, facts: Facts): void {
  const text = read('pyproject.toml');
  const hasSetup = exists(workspace, 'setup.py') || exists(workspace, 'setup.cfg');
  const hasRequirements = exists(workspace, 'requirements.txt');
  if (!text && !hasSetup && !hasRequirements) return;
  const toml = text ? parseTomlLite(text) : new Map<string, Map<string, string>>();
  const project = toml.get('project') ?? toml.get('tool.poetry');
  const name = project?.get('name');
  if (name && !facts.name) facts.name = name;
  const description = project?.get('description');
  if (description && !facts.description) facts.description = description;
  const python = project?.get('requires-python') ?? toml.get('tool.poetry.dependencies')?.get('python');
  const has = (section: string) => [...toml.keys()].some((k) => k === section || k.startsWith(`${section}.`));
  const runner = has('tool.poetry') ? 'poetry run ' : exists(workspace, 'uv.lock') ? 'uv run ' : has('tool.hatch') ? 'hatch run ' : '';
  const tool = has('tool.poetry') ? 'poetry' : exists(workspace, 'uv.lock') ? 'uv' : has('tool.hatch') ? 'hatch' : 'pip';
  facts.notes.push(`Python${python ? ` ${python}` : ''}, managed with ${tool}`);
  const deps = text ?? '';
  if (has('tool.pytest') || /\bpytest\b/.test(deps) || exists(workspace, 'pytest.ini') || exists(workspace, 'tests') || exists(workspace, 'conftest.py')) {
    facts.commands.push(['Test', `\`${runner}pytest\``]);
  } else if (exists(workspace, 'tox.ini')) facts.commands.push(['Test', '`tox`']);
  const lint: string[] = [];
  if (has('tool.ruff') || /\bruff\b/.test(deps)) lint.push(`\`${runner}ruff check .\``);
  if (has('tool.mypy') || /\bmypy\b/.test(deps)) lint.push(`\`${runner}mypy .\``);
  if (has('tool.black') || /\bblack\b/.test(deps)) lint.push(`\`${runner}black .\``);
  if (lint.length) facts.commands.push(['Lint', lint.join(', ')]);
  const scripts = toml.get('project.scripts') ?? toml.get('tool.poetry.scripts');
  if (scripts?.size) facts.commands.push(['Entry points', [...scripts.keys()].slice(0, 6).map((s) => `\`${s}\``).join(', ')]);
}

function rust(read: Reader, facts: Facts): void {
  const text = read('Cargo.toml');
  if (!text) return;
  const toml = parseTomlLite(text);
  const name = toml.get('package')?.get('name');
  if (name && !facts.name) facts.name = name;
  const description = toml.get('package')?.get('description');
  if (description && !facts.description) facts.description = description;
  if (toml.has('workspace')) facts.notes.push('Cargo workspace');
  facts.commands.push(['Build', '`cargo build`'], ['Test', '`cargo test`'], ['Lint', '`cargo clippy`, `cargo fmt --check`']);
}

function go(read: Reader, facts: Facts): void {
  const text = read('go.mod');
  if (!text) return;
  const module = /^module\s+(\S+)/m.exec(text)?.[1];
  const version = /^go\s+(\S+)/m.exec(text)?.[1];
  if (module) {
    facts.name ??= module.split('/').pop();
    facts.notes.push(`Go module \`${module}\`${version ? ` (go ${version})` : ''}`);
  }
  facts.commands.push(['Build', '`go build ./...`'], ['Test', '`go test ./...`'], ['Lint', '`go vet ./...`']);
}

function makefile(read: Reader, facts: Facts): void {
  const text = read('Makefile') ?? read('makefile') ?? read('GNUmakefile');
  if (!text) return;
  const targets = [...text.matchAll(/^([A-Za-z][\w-]*)\s*:(?!=)/gm)].map((m) => m[1]);
  const wanted = ['all', 'build', 'test', 'check', 'lint', 'fmt', 'format', 'install', 'dev', 'run', 'clean'];
  const found = wanted.filter((t) => targets.includes(t));
  if (found.length) facts.commands.push(['Make', found.map((t) => `\`make ${t}\``).join(', ')]);
}

function ci(workspace: WorkspaceFiles, read: Reader, facts: Facts): void {
  const dir = '.github/workflows';
  let names: string[] = [];
  try {
    names = fs.readdirSync(path.join(workspace.root, dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    // no workflows
  }
  for (const file of names) {
    const text = read(`${dir}/${file}`);
    if (!text) continue;
    const title = /^name:\s*(.+)$/m.exec(text)?.[1];
    const runs = [...new Set(workflowRuns(text))].slice(0, 5);
    facts.ci.push(`${dir}/${file}${title ? ` (${plain(unquote(title.trim()))})` : ''}${runs.length ? `: ${runs.map((r) => `\`${r}\``).join(', ')}` : ''}`);
  }
  for (const other of OTHER_CI) if (exists(workspace, other)) facts.ci.push(other);
}

/** The commands of a workflow's `run:` steps (the first line of a block scalar). */
function workflowRuns(yaml: string): string[] {
  const lines = yaml.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:-\s+)?run:\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    let command = m[2].trim();
    if (/^[|>][-+]?$/.test(command)) command = (lines[i + 1] ?? '').trim();
    command = unquote(command);
    if (command && command.length <= 80) out.push(command);
  }
  return out;
}

function instructions(workspace: WorkspaceFiles, facts: Facts): void {
  for (const file of new InstructionFiles(workspace).collect()) {
    facts.instructionFiles.push(file.path);
    for (const line of file.text.split('\n')) {
      const bullet = /^\s{0,3}(?:[-*+]|\d+\.)\s+(.+)$/.exec(line)?.[1]?.trim();
      if (!bullet || bullet.length > 160 || facts.conventions.includes(bullet)) continue;
      facts.conventions.push(bullet);
    }
  }
}

function countLanguages(workspace: WorkspaceFiles): string[] {
  const counts = new Map<string, number>();
  let seen = 0;
  for (const entry of workspace.entries({ recursive: true, skipNoise: true })) {
    if (++seen > MAX_WALK) break;
    if (entry.isDir) continue;
    const language = LANGUAGES[path.extname(entry.rel).toLowerCase()];
    if (language) counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    // A language with one file in fifty is a script or two, not what the project is written in.
    .filter(([, n], i) => i === 0 || n / total >= 0.02)
    .slice(0, 4)
    .map(([language, n]) => `${language} (${n} file${n === 1 ? '' : 's'})`);
}

// ------------------------------------------------------------------ rendering

/** Sections in order of importance: what does not fit the limit is dropped from the end, line by line. */
function render(facts: Facts, limit: number): string {
  const head = [`# ${facts.name}`];
  if (facts.description) head.push('', facts.description);
  const overview: string[] = [];
  if (facts.languages.length) overview.push(`- Languages: ${facts.languages.join(', ')}`);
  for (const note of facts.notes) overview.push(`- ${note}`);
  const commands = mergeCommands(facts.commands).map(([label, value]) => `- ${label}: ${value}`);
  const sections: Array<[string, string[]]> = [
    ['', overview],
    ['## Commands', commands],
    ['## CI', facts.ci.map((c) => `- ${c}`)],
    ['## Conventions (from the instruction files)', facts.conventions.slice(0, 12).map((c) => `- ${c}`)],
    ['## Instruction files (MemCode reads them every step)', facts.instructionFiles.length ? [`- ${facts.instructionFiles.join(', ')}`] : []],
  ];
  let text = head.join('\n');
  if (text.length > limit) return cutAt(text, limit);
  for (const [title, lines] of sections) {
    if (!lines.length) continue;
    const opening = title ? `\n\n${title}` : '\n';
    if (text.length + opening.length + lines[0].length + 1 > limit) break;
    text += opening;
    for (const line of lines) {
      if (text.length + line.length + 1 > limit) return text;
      text += `\n${line}`;
    }
  }
  return text;
}

/** One line per kind of command, whichever manifests it came from. */
function mergeCommands(commands: Array<[string, string]>): Array<[string, string]> {
  const merged = new Map<string, string[]>();
  for (const [label, value] of commands) merged.set(label, [...(merged.get(label) ?? []), value]);
  return [...merged.entries()].map(([label, values]) => [label, values.join(', ')]);
}

// ------------------------------------------------------------------ helpers

type Reader = (rel: string) => string | undefined;

function readText(workspace: WorkspaceFiles, rel: string): string | undefined {
  try {
    const { abs } = workspace.resolve(rel, 'read');
    const stat = fs.statSync(abs);
    if (!stat.isFile() || stat.size > MAX_READ || workspace.isBinaryFile(abs)) return undefined;
    return fs.readFileSync(abs, 'utf8').replace(/\r\n/g, '\n');
  } catch {
    return undefined;
  }
}

function exists(workspace: WorkspaceFiles, rel: string): boolean {
  return fs.existsSync(path.join(workspace.root, rel));
}

/** Markdown links, emphasis and inline HTML reduced to their text. */
function plain(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/(\*\*|__)(.*?)\1/g, '$2')
    .replace(/\s+/g, ' ')
    .trim();
}

function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

function unquote(s: string): string {
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}

/**
 * Just enough TOML for manifests: `[section]` headers and `key = "string"` (or a one-line array / other
 * value, kept as written). Multi-line values are skipped; nothing here needs them.
 */
export function parseTomlLite(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>([['', new Map()]]);
  let section = out.get('')!;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      const name = header[1].replace(/"/g, '');
      section = out.get(name) ?? new Map();
      out.set(name, section);
      continue;
    }
    const kv = /^("?[\w.-]+"?)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const value = kv[2].trim();
    const string = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(value);
    section.set(kv[1].replace(/"/g, ''), string ? (string[1] ?? string[2]).replace(/\\"/g, '"') : value);
  }
  return out;
}

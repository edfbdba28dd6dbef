import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lineDiffText } from '../../src/app/lineDiff';
import { draftProjectBlock, firstParagraph, parseTomlLite, proposeProjectBlock, writeProjectBlock } from '../../src/app/projectDraft';
import { MemoryStore } from '../../src/memory/store';
import { WorkingContext } from '../../src/memory/workingContext';
import { WorkspaceFiles } from '../../src/workspace/workspaceFiles';
import { runCli } from '../helpers/cli';
import { removeTempWorkspaces, tempWorkspace, writeFile } from '../helpers/workspace';

/** A small TypeScript project as a developer would have it: README with badges, scripts, CI, AGENTS.md, a secret. */
export function nodeFixture(): string {
  const root = tempWorkspace('memcode-node-');
  writeFile(root, 'README.md', '# Ledger\n\n[![CI](https://x/badge.svg)](https://x)\n\nLedger keeps **double-entry** books for small shops, with a [REST API](docs/api.md).\nIt runs on Node 20.\n\n## Install\n\nnpm i\n');
  writeFile(root, 'package.json', JSON.stringify({ name: 'ledger', description: 'books', packageManager: 'pnpm@9.1.0', scripts: { build: 'tsc -p .', test: 'vitest run', 'test:e2e': 'playwright test', lint: 'eslint .', dev: 'tsx watch src/main.ts', migrate: 'tsx scripts/migrate.ts', prepare: 'husky' } }, null, 2));
  writeFile(root, '.github/workflows/ci.yml', 'name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pnpm install --frozen-lockfile\n      - name: Test\n        run: |\n          pnpm test\n          pnpm lint\n');
  writeFile(root, 'AGENTS.md', '# Agent rules\n- Money is integer cents, never floats.\n- Every migration is reversible.\n\nSome prose that is not a rule.\n');
  writeFile(root, '.env', 'STRIPE_KEY=sk_live_NEVERSHOWN\n');
  for (let i = 0; i < 8; i++) writeFile(root, `src/mod${i}.ts`, 'export {};\n');
  writeFile(root, 'scripts/migrate.js', '');
  return root;
}

function pythonFixture(): string {
  const root = tempWorkspace('memcode-python-');
  writeFile(root, 'README.rst', 'Weatherly\n=========\n\nWeatherly forecasts rain for allotment gardeners from public radar data.\n');
  writeFile(root, 'pyproject.toml', '[project]\nname = "weatherly"\ndescription = "Rain forecasts for gardeners"\nrequires-python = ">=3.11"\ndependencies = ["httpx"]\n\n[project.scripts]\nweatherly = "weatherly.cli:main"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n\n[tool.ruff]\nline-length = 100\n');
  writeFile(root, 'uv.lock', '');
  writeFile(root, 'weatherly/__init__.py', '');
  writeFile(root, 'weatherly/cli.py', '');
  writeFile(root, 'tests/test_cli.py', '');
  writeFile(root, 'CLAUDE.md', '* Type hints on every public function.\n');
  return root;
}

describe('project memory draft', () => {
  after(() => removeTempWorkspaces());

  it('drafts a node project: name, what it is, languages, commands, CI and conventions', () => {
    const root = nodeFixture();
    const draft = draftProjectBlock(new WorkspaceFiles({ root }), { limit: 5000 });
    assert.equal(
      draft,
      [
        '# Ledger',
        '',
        'Ledger keeps double-entry books for small shops, with a REST API. It runs on Node 20.',
        '',
        '- Languages: TypeScript (8 files), JavaScript (1 file)',
        '- Package manager: pnpm',
        '',
        '## Commands',
        '- Build: `pnpm build`',
        '- Test: `pnpm test`, `pnpm test:e2e`',
        '- Lint: `pnpm lint`',
        '- Run: `pnpm dev`',
        '- Other scripts: `pnpm migrate`',
        '',
        '## CI',
        '- .github/workflows/ci.yml (CI): `pnpm install --frozen-lockfile`, `pnpm test`',
        '',
        '## Conventions (from the instruction files)',
        '- Money is integer cents, never floats.',
        '- Every migration is reversible.',
        '',
        '## Instruction files (MemCode reads them every step)',
        '- AGENTS.md',
      ].join('\n'),
    );
  });

  it('drafts a python project from pyproject.toml and finds its tools', () => {
    const root = pythonFixture();
    const draft = draftProjectBlock(new WorkspaceFiles({ root }), { limit: 5000 });
    assert.match(draft, /^# Weatherly\n\nWeatherly forecasts rain for allotment gardeners from public radar data\.\n/);
    assert.match(draft, /- Languages: Python \(3 files\)/);
    assert.match(draft, /- Python >=3\.11, managed with uv/);
    assert.match(draft, /- Test: `uv run pytest`/);
    assert.match(draft, /- Lint: `uv run ruff check \.`/);
    assert.match(draft, /- Entry points: `weatherly`/);
    assert.match(draft, /- Type hints on every public function\./);
  });

  it('stays within the block limit, dropping the least important lines, and never reads secrets', () => {
    const root = nodeFixture();
    const full = draftProjectBlock(new WorkspaceFiles({ root }), { limit: 5000 });
    assert.ok(!full.includes('NEVERSHOWN'));
    for (const limit of [40, 200, 400]) {
      const draft = draftProjectBlock(new WorkspaceFiles({ root }), { limit });
      assert.ok(draft.length <= limit, `${draft.length} > ${limit}`);
      assert.ok(full.startsWith(draft.replace(/…$/, '')), `a prefix of the full draft at ${limit}`);
    }
  });

  it('falls back to the folder name for a bare repository', () => {
    const root = tempWorkspace('memcode-bare-');
    assert.equal(draftProjectBlock(new WorkspaceFiles({ root }), { limit: 5000 }), `# ${path.basename(root)}`);
  });

  it('proposes a diff against a block with text and refuses to write over a block changed meanwhile', async () => {
    const root = nodeFixture();
    const store = MemoryStore.open(path.join(root, '.memcode'));
    const workingContext = new WorkingContext(store.paths.memoryDir);
    workingContext.load();
    workingContext.setValue('project', '# Ledger\n\nOld notes.');
    const workspace = new WorkspaceFiles({ root, memoryDir: store.paths.root });
    const proposal = proposeProjectBlock(workspace, workingContext);
    assert.equal(proposal.unchanged, false);
    assert.match(proposal.diff!, /^ {2}# Ledger\n {2}\n- Old notes\.\n\+ Ledger keeps/);
    workingContext.setValue('project', '# Ledger\n\nSomeone else wrote this.');
    await assert.rejects(writeProjectBlock(store, workingContext, proposal.current, proposal.draft), /changed while the draft was shown/);
    assert.match(workingContext.get('project').value, /Someone else/);
    const again = proposeProjectBlock(workspace, workingContext);
    await writeProjectBlock(store, workingContext, again.current, again.draft);
    assert.equal(workingContext.get('project').value, again.draft);
    assert.equal(proposeProjectBlock(workspace, workingContext).unchanged, true);
  });

  it('reads the first paragraph of prose, a little TOML and diffs lines', () => {
    assert.equal(firstParagraph('---\ntitle: x\n---\n<p align="center"><img src="a.png"></p>\n\n# T\n\n```sh\nnpm i\n```\nFast *and* [small](x).\nSecond line.\n\nNext.'), 'Fast *and* small. Second line.');
    assert.equal(firstParagraph('# Only a title\n'), undefined);
    const toml = parseTomlLite('name = "top"\n[package]\nname = "crab" # comment\nversion = \'0.1.0\'\n[[bin]]\nname = "crab-cli"\n');
    assert.equal(toml.get('package')?.get('name'), 'crab');
    assert.equal(toml.get('package')?.get('version'), '0.1.0');
    assert.equal(toml.get('bin')?.get('name'), 'crab-cli');
    assert.equal(lineDiffText('a\nb\nc', 'a\nc\nd'), '  a\n- b\n  c\n+ d');
    assert.equal(lineDiffText('', 'x'), '+ x');
  });
});

describe('memcode init', function () {
  this.timeout(30_000);
  after(() => removeTempWorkspaces());

  const projectBlock = (root: string) => fs.readFileSync(path.join(root, '.memcode/memory/project.md'), 'utf8');

  it('writes a sensible project block with --yes and exits 0', async () => {
    const root = nodeFixture();
    const run = await runCli(['init', '-C', root, '--yes']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^# Ledger\n/);
    const block = projectBlock(root);
    assert.match(block, /- Test: `pnpm test`, `pnpm test:e2e`/);
    assert.match(block, /- Money is integer cents, never floats\./);
    assert.ok(!block.includes('NEVERSHOWN'));
  });

  it('asks before writing, writes nothing on no, and shows the difference before replacing a block with text', async () => {
    const root = pythonFixture();
    const declined = await runCli(['init', '-C', root], {}, 'n\n');
    assert.equal(declined.code, 0, declined.stderr);
    assert.match(declined.stderr, /Write this to the project block\? \[y\/N\]/);
    assert.match(declined.stderr, /Not written/);
    assert.doesNotMatch(projectBlock(root), /weatherly/);

    const noAnswer = await runCli(['init', '-C', root]);
    assert.equal(noAnswer.code, 0);
    assert.doesNotMatch(projectBlock(root), /weatherly/, 'no answer is no');

    const store = MemoryStore.open(path.join(root, '.memcode'));
    const workingContext = new WorkingContext(store.paths.memoryDir);
    workingContext.load();
    workingContext.setValue('project', 'Deploys go through the staging bucket first.');
    const replaced = await runCli(['init', '-C', root], {}, 'y\n');
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.match(replaced.stderr, /already has text/);
    assert.match(replaced.stdout, /^- Deploys go through the staging bucket first\.$/m);
    assert.match(replaced.stdout, /^\+ # Weatherly$/m);
    assert.match(projectBlock(root), /# Weatherly/);

    const again = await runCli(['init', '-C', root, '--yes']);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /nothing to do/);
  });

  it('lists the instruction files with their token counts in memcode memory show', async () => {
    const root = nodeFixture();
    const run = await runCli(['memory', 'show', '-C', root]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /## project instructions \(read-only, in every prompt\)\nAGENTS\.md: \d+ tokens\n/);
  });
});

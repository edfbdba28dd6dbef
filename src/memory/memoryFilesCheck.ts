// The doctor's look at the memory folder's small files: working-context blocks (Markdown with front
// matter) and JSON files such as sessions.json. A block whose front matter is damaged is rewritten the
// way it is read (the whole text as its value) after a copy is kept; a JSON file that does not parse
// is moved aside, and its owner starts it fresh.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { asidePath, moveAside, writeFileAtomic } from './atomicFile';
import type { Checkup } from './checkup';
import { formatBlockFile, parseBlockFile } from './frontMatter';
import { DEFAULT_BLOCK_LIMIT, DEFAULT_BLOCKS } from './workingContext';

export async function checkBlocks(memoryDir: string, checkup: Checkup): Promise<void> {
  const names = fs.existsSync(memoryDir) ? fs.readdirSync(memoryDir).filter((f) => f.endsWith('.md')) : [];
  for (const name of names) {
    const file = path.join(memoryDir, name);
    const parsed = parseBlockFile(fs.readFileSync(file, 'utf8'));
    if (!parsed.problem) continue;
    const label = name.slice(0, -'.md'.length);
    const defaults = DEFAULT_BLOCKS.find((b) => b.label === label);
    const block = {
      description: parsed.description ?? defaults?.description ?? '',
      limit: parsed.limit ?? defaults?.limit ?? DEFAULT_BLOCK_LIMIT,
      value: parsed.value,
    };
    await checkup.found(file, parsed.problem, 'rewrite its front matter, keeping its whole text as the value (and a copy of the file)', () => {
      const copy = asidePath(file, checkup.now());
      fs.copyFileSync(file, copy);
      writeFileAtomic(file, formatBlockFile(block));
      return `rewrote its front matter with its whole text as the value; the original is kept as ${copy}`;
    });
  }
}

/** A JSON file its owner reads with `validate`; `fresh` says what happens once it is moved aside. */
export async function checkJsonFile(file: string, validate: (v: unknown) => boolean, fresh: string, checkup: Checkup): Promise<void> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    await checkup.found(file, `cannot be read (${(err as Error).message})`, 'check the file permissions');
    return;
  }
  let problem: string | undefined;
  try {
    if (!validate(JSON.parse(text))) problem = 'valid JSON but not the expected shape';
  } catch (err) {
    problem = `not valid JSON: ${(err as Error).message}`;
  }
  if (!problem) return;
  await checkup.found(file, `is corrupted (${problem})`, `move it aside (${fresh})`, () => `moved it aside to ${moveAside(file, checkup.now())}; ${fresh}`);
}

// Related words and nouns' broader terms from an offline lexicon built from WordNet
// (scripts/buildLexicon.ts → lexicon.txt), for query expansion: a question asks in other words than
// the turn that answers it ("hobby" for "pastime", "animal" for "dog"), and no neural model can be
// downloaded to bridge that. The text (0.7 MB) is read from its file on the first lookup, not at start:
// the build copies it beside the bundles (dist/lexicon.txt), so neither activation nor a CLI run without
// recall search reads it, and it is held once, as one string (as a module it was also kept as source).
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Lexicon {
  /** The lexicon's text; a word's list is read from it when asked for (maps of ~30k arrays took 8 MiB). */
  data: string;
  /** A word → where its related words start in `data` (synonyms, derived forms). */
  related: Map<string, number>;
  /** A noun → where its broader terms start, nearest first (dog → animal, mammal). */
  broader: Map<string, number>;
  /** Irregular form → the word it is looked up as (went → go). */
  irregular: Map<string, string>;
}

let lexicon: Lexicon | undefined;

function load(): Lexicon {
  if (lexicon) return lexicon;
  const data = readLexicon();
  const related = new Map<string, number>();
  const broader = new Map<string, number>();
  const irregular = new Map<string, string>();
  // Lines: "word related…", "noun<broader…" or "form>word"; '#' lines are the notice.
  for (let start = 0; start < data.length; ) {
    let end = data.indexOf('\n', start);
    if (end < 0) end = data.length;
    let head = data[start] === '#' ? end : start;
    while (head < end && data[head] !== ' ' && data[head] !== '<' && data[head] !== '>') head++;
    if (head > start) {
      const word = data.slice(start, head);
      if (data[head] === '>') irregular.set(word, data.slice(head + 1, end));
      else (data[head] === '<' ? broader : related).set(word, head < end ? head + 1 : end);
    }
    start = end + 1;
  }
  lexicon = { data, related, broader, irregular };
  return lexicon;
}

/**
 * The lexicon's text: beside this module in the sources (src/memory), beside the bundle once built
 * (dist). Without it search still works, only without related words: said once, not thrown at every search.
 */
function readLexicon(): string {
  const file = path.join(__dirname, 'lexicon.txt');
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    console.error(`MemCode: the lexicon ${file} could not be read (${(err as Error).message}); searching without related words`);
    return '';
  }
}

/** The space-separated words from `at` to the end of its line. */
function wordsAt(data: string, at: number | undefined): readonly string[] {
  if (at === undefined) return [];
  let end = data.indexOf('\n', at);
  if (end < 0) end = data.length;
  return end > at ? data.slice(at, end).split(' ') : [];
}

/** Suffix rules for finding a word's dictionary form (WordNet's "morphy"): ending → replacement. */
const DETACH: ReadonlyArray<readonly [string, string]> = [
  ["'s", ''],
  ['’s', ''],
  ['ies', 'y'],
  ['ses', 's'],
  ['xes', 'x'],
  ['ches', 'ch'],
  ['shes', 'sh'],
  ['men', 'man'],
  ['es', 'e'],
  ['es', ''],
  ['s', ''],
  ['ied', 'y'],
  ['ed', 'e'],
  ['ed', ''],
  ['ing', 'e'],
  ['ing', ''],
  ['ier', 'y'],
  ['iest', 'y'],
  ['er', ''],
  ['est', ''],
];

/** The form `word` is listed under in the lexicon, or undefined if it is not in it. */
export function lexiconForm(word: string): string | undefined {
  const { related, broader, irregular } = load();
  const known = (w: string) => related.has(w) || broader.has(w);
  const w = word.toLowerCase();
  if (known(w)) return w;
  const base = irregular.get(w);
  if (base !== undefined) return base;
  for (const [ending, replacement] of DETACH) {
    if (w.length - ending.length < 3 || !w.endsWith(ending)) continue;
    const candidate = w.slice(0, w.length - ending.length) + replacement;
    if (known(candidate)) return candidate;
    // A doubled final consonant before -ing/-ed ("stopped", "running").
    if ((ending === 'ing' || ending === 'ed') && /([b-df-hj-np-tv-z])\1$/.test(candidate) && known(candidate.slice(0, -1))) return candidate.slice(0, -1);
  }
  return undefined;
}

/** A noun's broader terms (dog → animal, mammal…), nearest first; empty for a word that has none. */
export function broaderWords(word: string): readonly string[] {
  const form = lexiconForm(word);
  if (form === undefined) return [];
  const { data, broader } = load();
  return wordsAt(data, broader.get(form));
}

/** The nouns that have broader terms, numbered, and per broader term the numbers of its nouns. */
interface Nouns {
  ids: Map<string, number>;
  narrower: Map<string, number[]>;
}

let nouns: Nouns | undefined;

function loadNouns(): Nouns {
  if (nouns) return nouns;
  const ids = new Map<string, number>();
  const narrower = new Map<string, number[]>();
  const { data, broader } = load();
  for (const [noun, at] of broader) {
    const id = ids.size;
    ids.set(noun, id);
    for (const w of wordsAt(data, at)) {
      const list = narrower.get(w) ?? [];
      list.push(id);
      narrower.set(w, list);
    }
  }
  // recallSearch keeps a message's nouns as 16-bit numbers.
  if (ids.size > 0xffff) throw new Error(`the lexicon has ${ids.size} nouns with broader terms, more than 16-bit numbers hold`);
  nouns = { ids, narrower };
  return nouns;
}

/** The number of `word`'s noun (in any inflection) among those with broader terms, or -1. */
export function nounId(word: string): number {
  const form = lexiconForm(word);
  return form === undefined ? -1 : (loadNouns().ids.get(form) ?? -1);
}

/**
 * Which nouns `word` is a broader term of ("animals" → dog, cat, beagle…): a mask by `nounId`, or
 * undefined when it is no noun's broader term.
 */
export function narrowerNouns(word: string): Uint8Array | undefined {
  const { ids, narrower } = loadNouns();
  const w = word.toLowerCase();
  const list = narrower.get(w) ?? narrower.get(lexiconForm(w) ?? '');
  if (!list) return undefined;
  const mask = new Uint8Array(ids.size);
  for (const id of list) mask[id] = 1;
  return mask;
}

/** Words related to `word` (synonyms, derived forms, a noun's broader term), best first; empty when it is not in the lexicon. */
export function relatedWords(word: string): readonly string[] {
  const form = lexiconForm(word);
  if (form === undefined) return [];
  const { data, related } = load();
  return wordsAt(data, related.get(form));
}

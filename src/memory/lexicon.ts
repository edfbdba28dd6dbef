// Related words from an offline lexicon built from WordNet (scripts/buildLexicon.ts → lexiconData.ts),
// for query expansion: a question asks in other words than the turn that answers it ("animal" for
// "dog", "hobby" for "pastime"), and no neural model can be downloaded to bridge that. The data (a few
// hundred kB) is parsed on the first lookup, not at start; the build puts it in its own file
// (dist/vendor/lexicon.js, esbuild.js) so neither activation nor a CLI run without recall search reads it.

interface Lexicon {
  related: Map<string, readonly string[]>;
  /** Irregular form → the word it is looked up as (went → go). */
  irregular: Map<string, string>;
}

let lexicon: Lexicon | undefined;

function load(): Lexicon {
  if (lexicon) return lexicon;
  const { LEXICON_DATA } = require('./lexiconData') as { LEXICON_DATA: string };
  const related = new Map<string, readonly string[]>();
  const irregular = new Map<string, string>();
  for (const line of LEXICON_DATA.split('\n')) {
    if (!line) continue;
    const arrow = line.indexOf('>');
    if (arrow > 0) {
      irregular.set(line.slice(0, arrow), line.slice(arrow + 1));
      continue;
    }
    const words = line.split(' ');
    related.set(words[0], words.slice(1));
  }
  lexicon = { related, irregular };
  return lexicon;
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
  const { related, irregular } = load();
  const w = word.toLowerCase();
  if (related.has(w)) return w;
  const base = irregular.get(w);
  if (base !== undefined) return base;
  for (const [ending, replacement] of DETACH) {
    if (w.length - ending.length < 3 || !w.endsWith(ending)) continue;
    const candidate = w.slice(0, w.length - ending.length) + replacement;
    if (related.has(candidate)) return candidate;
    // A doubled final consonant before -ing/-ed ("stopped", "running").
    if ((ending === 'ing' || ending === 'ed') && /([b-df-hj-np-tv-z])\1$/.test(candidate) && related.has(candidate.slice(0, -1))) return candidate.slice(0, -1);
  }
  return undefined;
}

/** Words related to `word` (synonyms, derived forms, a noun's broader term), best first; empty when it is not in the lexicon. */
export function relatedWords(word: string): readonly string[] {
  const form = lexiconForm(word);
  return form === undefined ? [] : (load().related.get(form) ?? []);
}

// Hybrid archival search: the vector and keyword rankings fused by reciprocal rank, with the passages
// that hold a name the query types exactly as a third, heavier ranking, and those that define it as a
// fourth.
import { codeTerms, termsOfName, visitCodeWords } from './codeTokens';
import { lexiconForm } from './lexicon';
import { reciprocalRankFusion, RRF_K } from './rankFusion';
import { CODE_STOP_WORDS } from './stopWords';

type Ranked = Array<{ id: number; score: number }>;

/** The vector and keyword rankings fused into one, scaled so that first place in every ranking scores 1. */
export function fuseHybrid(
  query: string,
  vector: Ranked,
  keyword: Ranked,
  textsOf: (docs: number[]) => string[],
  symbolOf: (doc: number) => string | undefined,
  hasTerm?: (doc: number, term: string) => boolean,
  hasWhole?: (doc: number, term: string) => boolean | undefined,
): Ranked {
  const rankings = [vector.map((h) => h.id), keyword.map((h) => h.id)];
  const weights = [1, 1];
  // A name typed exactly is the strongest signal there is: the hits holding it form a third ranking,
  // so they rise above chunks that are merely close in meaning.
  const names = [...compoundIdentifiers(query), ...properNames(query)];
  if (names.length > 0) {
    const { defining, exact } = exactNameRanking(names, keyword, vector, textsOf, symbolOf, hasTerm, hasWhole);
    if (exact.length > 0) {
      rankings.push(exact);
      // Weighted up: holding the exact name outweighs being middling in both other lists (a route asked
      // for among many passages that mention others: the memory eval's F5).
      weights.push(1.5);
    }
    if (defining.length > 0) {
      // The definition of the name asked for is what a person typing it usually wants: it ranks once
      // more on its own, so chunks that only use the name, or a longer one, fall behind it (the
      // bench's identifier → definition row).
      rankings.push(defining);
      weights.push(1.5);
    }
  }
  const best = weights.reduce((a, b) => a + b, 0) / (RRF_K + 1);
  return reciprocalRankFusion(rankings, RRF_K, weights).map((h) => ({ id: h.id, score: h.score / best }));
}

/**
 * The hits that hold a name the query types, best first: those whose symbol says they define it, then
 * those holding it as a whole word, each in the keyword ranking's order, then the vector ranking's.
 * Those holding it only inside a longer name (`StringEdit` in `StringEditWithReason`) are left out: they
 * keep only their places in the other rankings. `hasTerm` (the keyword index's own postings) spares
 * reading the texts of hits that cannot hold a name: a text holding it has each of its words' terms.
 */
function exactNameRanking(
  names: string[],
  keyword: Ranked,
  vector: Ranked,
  textsOf: (docs: number[]) => string[],
  symbolOf: (doc: number) => string | undefined,
  hasTerm?: (doc: number, term: string) => boolean,
  hasWhole?: (doc: number, term: string) => boolean | undefined,
): { defining: number[]; exact: number[] } {
  const wholeWords = names.map(wholeWord);
  const terms = names.map((name) => (hasTerm ? termsOfName(name) : []));
  const mayHold = (doc: number, i: number) => terms[i].every(([whole, stemmed]) => hasTerm!(doc, whole) || hasTerm!(doc, stemmed));
  // A name that is one word the keyword index keeps as a term of its own (stringedit, max_retries) is
  // decided by its postings: they say whether a word of the passage is the name itself (`hasWhole`;
  // undefined for a passage stored before they said so).
  // Only other names (paths, names of people) need texts read: at a million passages the texts are on
  // disk, and reading a hundred a query was most of its time.
  const ownTerm = names.map((name) => hasWhole !== undefined && name.length <= 80 && /^[\p{L}\p{N}_$]+$/u.test(name) && codeTerms(name).includes(name));
  const defining: number[] = [];
  /** Hits holding a name, in ranking order; `undefined` where only the text can tell. */
  const holds: Array<{ id: number; whole: boolean | undefined; unknown: number[] }> = [];
  const seen = new Set<number>();
  for (const { id } of [...keyword, ...vector]) {
    if (seen.has(id)) continue;
    seen.add(id);
    const defined = definedNames(symbolOf(id));
    if (defined.length > 0 && names.some((name) => defined.includes(name))) defining.push(id);
    else {
      // Per name: whole or not by the postings, or undefined where only the text can tell.
      const known = names.map((name, i) => (ownTerm[i] ? hasWhole!(id, name) : undefined));
      if (known.includes(true)) holds.push({ id, whole: true, unknown: [] });
      else {
        const unknown = names.flatMap((_, i) => (known[i] === undefined && mayHold(id, i) ? [i] : []));
        if (unknown.length > 0) holds.push({ id, whole: undefined, unknown });
      }
    }
  }
  const toRead = holds.filter((h) => h.whole === undefined);
  const texts = toRead.length > 0 ? textsOf(toRead.map((h) => h.id)) : [];
  const firstWords = names.map((name) => name.split(' ')[0]);
  toRead.forEach((hit, k) => {
    const text = texts[k].toLowerCase();
    hit.whole = hit.unknown.some((i) => text.includes(firstWords[i]) && wholeWords[i].test(text));
  });
  return { defining, exact: [...defining, ...holds.filter((h) => h.whole).map((h) => h.id)] };
}

/** `name` not running on into a longer identifier at either end (a route's leading `/` needs no edge); a person's two names may wrap a line. */
function wholeWord(name: string): RegExp {
  const edge = '[\\p{L}\\p{N}_$]';
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
  const before = new RegExp(`^${edge}`, 'u').test(name) ? `(?<!${edge})` : '';
  const after = new RegExp(`${edge}$`, 'u').test(name) ? `(?!${edge})` : '';
  return new RegExp(`${before}${escaped}${after}`, 'u');
}

/**
 * The names in a query that a chunk either holds verbatim or does not: compound identifiers (parseConfig,
 * max_retries) and paths, routes and dotted names (/v2/refunds, src/app.ts). Dashed words alone are
 * left out: "on-call" is prose more often than a name.
 */
export function compoundIdentifiers(query: string): string[] {
  const names: string[] = [];
  visitCodeWords(query, () => {}, (word) => names.push(word));
  for (const match of query.matchAll(/[\w@~]*(?:[/.-][\w@~]+)+\/?/g)) {
    const name = match[0].toLowerCase().replace(/[./-]+$/, '');
    if (name.length >= 4 && /[/.]/.test(name) && /[a-z]/.test(name) && !names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * Proper names a query types (people, products, places: "Zegaleb Ratamib's channel", "the Quoxel
 * release"), lowercased: runs of capitalised words holding one the offline lexicon does not know. A
 * text that names who or what was asked about is what was meant, far more than one merely close in
 * wording (the offline embedder knows no names, so its ranking of them is noise). Words of a code
 * reference (`Intl.DateTimeFormat`) are left to `compoundIdentifiers`.
 */
export function properNames(query: string): string[] {
  const names = new Set<string>();
  let run: string[] = [];
  let runOpensSentence = false;
  let sentenceStart = true;
  const close = () => {
    const words = [...run];
    while (words.length > 0 && CODE_STOP_WORDS.has(words[0].toLowerCase())) words.shift();
    // The sentence's first word is capitalised for its place: alone it says nothing ("Explain the
    // indexer"), and a common one is not part of the name after it ("Ask Zegaleb").
    if (runOpensSentence && words[0] === run[0] && (words.length === 1 || isCommonWord(words[0]))) words.shift();
    // "the Date object", "the Node interface", "New York": capitalised common words say too little to
    // outrank meaning; a name the lexicon does not know ("Ratamib") does.
    if (words.some((word) => !isCommonWord(word))) names.add(words.join(' ').toLowerCase());
    run = [];
  };
  for (const match of query.matchAll(/[\p{L}\p{N}_$]+(?:['’]s\b)?|[^\s\p{L}\p{N}_$]+/gu)) {
    const token = match[0];
    const word = token.replace(/['’]s$/, '');
    if (/^\p{Lu}\p{Ll}+$/u.test(word) && standsAlone(query, match.index, token.length)) {
      if (run.length === 0) runOpensSentence = sentenceStart;
      run.push(word);
      // A possessive ends the name: "Ann's Falcon" is two.
      if (word !== token) close();
    } else if (run.length > 0) close();
    sentenceStart = /^[.!?:;]+$/.test(token);
  }
  if (run.length > 0) close();
  return [...names];
}

function isCommonWord(word: string): boolean {
  return lexiconForm(word) !== undefined;
}

/** The word at `at` is prose, not part of a code reference like `Intl.DateTimeFormat` or `` `Animation` ``. */
function standsAlone(text: string, at: number, length: number): boolean {
  const before = at === 0 ? ' ' : text[at - 1];
  const after = text.slice(at + length, at + length + 2);
  return /[\s("“‘]/u.test(before) && (after === '' || /^(?:[\s,;:!?)"”’]|\.(?:\s|$))/u.test(after));
}

/**
 * The names a chunk's `symbol` says it defines, lowercased. The chunker writes `add`, `ts.Node` (a
 * namespace's member, also defining `Node`), `Owner: a, b, …` (a class split into groups of members),
 * `Stack::push` and `Display for Point` (a Rust impl).
 */
export function definedNames(symbol: string | undefined): string[] {
  if (!symbol) return [];
  const names = new Set<string>();
  for (const part of symbol.toLowerCase().split(/,\s*|:\s+|\s+for\s+/)) {
    const name = part.trim();
    if (!name || name === '…') continue;
    names.add(name);
    const last = name.split(/\.|::/).pop();
    if (last) names.add(last);
  }
  return [...names];
}

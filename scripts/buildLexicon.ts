// Generates src/memory/lexicon.txt: a compact offline lexicon of related words from WordNet 3.0
// (Debian `wordnet-base`, /usr/share/wordnet), for query expansion in keyword search (issue 11 part 4:
// paraphrase is the biggest miss and no neural model can be downloaded). Run it by hand when the
// rules below change, and commit both files:
//
//   npx tsx scripts/buildLexicon.ts [/usr/share/wordnet]
//
// What goes in, per word: the other words of its most frequent senses (synonyms), the words it is
// derived from or gives (adopt ↔ adoption), and for a noun the first word of its first sense's
// hypernym (dog → canine), capped at MAX_RELATED. Only words sense-tagged in WordNet's corpus count
// (a rough "in common use" filter that keeps the file small), single words of letters only.
// Apart, per common noun, its broader terms by hypernym (dog → animal, mammal; see TOO_GENERAL).
// Irregular forms (went → go) whose base is in the lexicon come along, for looking words up.
// The WordNet license (src/memory/WORDNET-LICENSE.txt) heads the generated file, which ships as is.
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = process.argv[2] ?? '/usr/share/wordnet';
const out = path.join(__dirname, '../src/memory/lexicon.txt');
const POS = [
  { file: 'noun', tag: 'n' },
  { file: 'verb', tag: 'v' },
  { file: 'adj', tag: 'a' },
  { file: 'adv', tag: 'r' },
] as const;
/** Senses read per word and part of speech, most frequent first: rarer senses bring more noise than help. */
const SENSES = 2;
const MAX_RELATED = 8;
const WORD = /^[a-z]{3,15}$/;

interface Synset {
  words: string[];
  /** [pointer symbol, target offset, target pos, source word number (0 = whole synset), target word number]. */
  pointers: Array<[string, string, string, number, number]>;
}

function readData(file: string): Map<string, Synset> {
  const synsets = new Map<string, Synset>();
  for (const line of fs.readFileSync(path.join(dir, `data.${file}`), 'latin1').split('\n')) {
    if (!line || line.startsWith('  ')) continue;
    const f = line.split(' | ')[0].split(' ');
    const offset = f[0];
    const wcnt = parseInt(f[3], 16);
    const words: string[] = [];
    for (let i = 0; i < wcnt; i++) words.push(f[4 + i * 2].toLowerCase().replace(/\(.*\)$/, ''));
    let at = 4 + wcnt * 2;
    const pcnt = Number(f[at++]);
    const pointers: Synset['pointers'] = [];
    for (let i = 0; i < pcnt; i++, at += 4) {
      const st = f[at + 3];
      pointers.push([f[at], f[at + 1], f[at + 2], parseInt(st.slice(0, 2), 16), parseInt(st.slice(2), 16)]);
    }
    synsets.set(`${f[2] === 's' ? 'a' : f[2]}${offset}`, { words, pointers });
  }
  return synsets;
}

const synsets = new Map<string, Synset>();
/** word → per part of speech, its synset keys in frequency order, with how often that part of speech is tagged. */
const senses = new Map<string, Array<{ keys: string[]; tagged: number }>>();
const common = new Set<string>();
for (const { file, tag } of POS) {
  for (const [k, v] of readData(file)) synsets.set(k, v);
  for (const line of fs.readFileSync(path.join(dir, `index.${file}`), 'latin1').split('\n')) {
    if (!line || line.startsWith('  ')) continue;
    const f = line.trim().split(' ');
    const lemma = f[0];
    const synsetCount = Number(f[2]);
    const pcnt = Number(f[3]);
    const tagged = Number(f[5 + pcnt]);
    const offsets = f.slice(6 + pcnt, 6 + pcnt + synsetCount);
    if (!WORD.test(lemma)) continue;
    if (tagged > 0) common.add(lemma);
    const list = senses.get(lemma) ?? [];
    list.push({ keys: offsets.map((o) => `${tag}${o}`), tagged });
    senses.set(lemma, list);
  }
}

const lexicon = new Map<string, string[]>();
for (const word of [...common].sort()) {
  const related: string[] = [];
  const add = (w: string | undefined) => {
    if (w && w !== word && common.has(w) && !related.includes(w) && !w.startsWith(word) && !word.startsWith(w)) related.push(w);
  };
  // A part of speech the word is rarely used as ("dog" the verb) brings only noise.
  const all = senses.get(word) ?? [];
  const most = Math.max(...all.map((l) => l.tagged));
  const lists = all.filter((l) => l.tagged * 4 >= most).map((l) => l.keys);
  // Synonyms of every part of speech's first sense first, then second senses, then derivations, then hypernyms.
  for (let s = 0; s < SENSES; s++) for (const list of lists) {
    const syn = synsets.get(list[s] ?? '');
    for (const w of syn?.words ?? []) add(w);
  }
  for (const list of lists) {
    const syn = synsets.get(list[0]);
    if (!syn) continue;
    const me = syn.words.indexOf(word) + 1;
    for (const [sym, off, pos, src, dst] of syn.pointers) {
      if (sym !== '+' || (src !== 0 && src !== me)) continue;
      const target = synsets.get(`${pos === 's' ? 'a' : pos}${off}`);
      add(target?.words[dst > 0 ? dst - 1 : 0]);
    }
  }
  const noun = lists.find((l) => l[0]?.startsWith('n'));
  const first = noun ? synsets.get(noun[0]) : undefined;
  for (const [sym, off] of first?.pointers ?? []) if (sym === '@') add(synsets.get(`n${off}`)?.words[0]);
  if (related.length) lexicon.set(word, related.slice(0, MAX_RELATED));
}

// Broader terms, for matching a general word in a question to the specific one in a text ("animal" →
// "adopted a dog"): a noun's ancestors by hypernym from its first sense, nearest first, breadth first
// (dog → carnivore, mammal, domestic animal…), common single words only, without the top of the
// hierarchy (entity, object, act…), which would relate everything to everything.
const TOO_GENERAL = new Set(['entity', 'object', 'whole', 'unit', 'thing', 'abstraction', 'event', 'act', 'deed', 'activity', 'matter', 'substance', 'artifact', 'artefact', 'instrumentality', 'instrumentation', 'organism', 'being', 'creation', 'work', 'relation', 'attribute', 'state', 'group', 'grouping', 'measure', 'quantity', 'communication', 'cognition', 'content', 'part', 'portion', 'location', 'region', 'point', 'feature', 'process', 'physical', 'psychological', 'causal', 'agent', 'cause', 'happening', 'occurrence', 'condition', 'quality', 'property', 'structure', 'construction', 'way', 'collection', 'aggregation', 'assemblage', 'set']);
const BROADER_DEPTH = 8;
const MAX_BROADER = 8;
const broader = new Map<string, string[]>();
for (const word of [...common].sort()) {
  const all = senses.get(word) ?? [];
  const most = Math.max(...all.map((l) => l.tagged));
  const noun = all.find((l) => l.keys[0]?.startsWith('n') && l.tagged * 4 >= most);
  if (!noun) continue;
  const found: string[] = [];
  const seen = new Set<string>([noun.keys[0]]);
  let level = [noun.keys[0]];
  for (let depth = 0; depth < BROADER_DEPTH && level.length > 0 && found.length < MAX_BROADER; depth++) {
    const next: string[] = [];
    for (const key of level) {
      for (const [sym, off] of synsets.get(key)?.pointers ?? []) {
        const up = `n${off}`;
        if ((sym !== '@' && sym !== '@i') || seen.has(up)) continue;
        seen.add(up);
        next.push(up);
        for (const w of synsets.get(up)?.words ?? []) {
          if (WORD.test(w) && common.has(w) && !TOO_GENERAL.has(w) && w !== word && !found.includes(w) && found.length < MAX_BROADER) found.push(w);
        }
      }
    }
    level = next;
  }
  if (found.length > 0) broader.set(word, found);
}

const irregular: string[] = [];
for (const { file } of POS) {
  for (const line of fs.readFileSync(path.join(dir, `${file}.exc`), 'latin1').split('\n')) {
    const [form, base] = line.trim().split(' ');
    if (form && base && WORD.test(form) && (lexicon.has(base) || broader.has(base)) && !lexicon.has(form) && !broader.has(form)) irregular.push(`${form}>${base}`);
  }
}

// The notice heads the data ('#' lines, skipped when read): the file ships as it is (dist/lexicon.txt).
const comment = (text: string) => text.split('\n').map((l) => (l ? `# ${l}` : '#')).join('\n');
const license = fs.readFileSync(path.join(__dirname, '../src/memory/WORDNET-LICENSE.txt'), 'utf8').trim();
const lines = [...lexicon].map(([w, rel]) => `${w} ${rel.join(' ')}`);
const broaderLines = [...broader].map(([w, up]) => `${w}<${up.join(' ')}`);
const body = [...lines, ...broaderLines, ...[...new Set(irregular)].sort()].join('\n');
const header = [
  `GENERATED by scripts/buildLexicon.ts from WordNet 3.0 (${dir}). Do not edit by hand.`,
  license,
  'One line per word: the word, then its related words, best first; `form>base` lines map irregular',
  'forms to the word they are looked up as; `word<broader words` lines give a noun\'s broader terms,',
  `nearest first. ${lexicon.size} words, ${broader.size} nouns with broader terms, ${irregular.length} irregular forms.`,
].join('\n');
fs.writeFileSync(out, `${comment(header)}\n${body}\n`);
console.log(`${lexicon.size} words, ${broader.size} with broader terms, ${irregular.length} irregular forms, ${(fs.statSync(out).size / 1e6).toFixed(2)} MB → ${out}`);

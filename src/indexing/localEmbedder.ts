// The offline default embedder. No model weights can ship or be fetched (DESIGN.md §10), so meaning
// comes from code-aware features: identifier parts (stemmed), whole compound identifiers, a table of
// programming synonyms, and character trigrams of each part, each feature signed-hashed into two
// buckets. Each term is weighted by how rare it is in code at large (tokenWeights.ts, learned from
// other packages' typings and docs), so `string` or `return` cannot outvote a rare name, and the
// names a text is about (its `code spans`, a chunk's first declared name) count twice.
// Deterministic, in-process, no key; vectors are L2-normalised Float32Arrays.
import { stem, visitCodeWords } from '../memory/codeTokens';
import { TOKEN_STATS, TOKEN_STATS_DOCS, TOKEN_STATS_MIN_DF } from './tokenWeights';
import type { Embedder } from '../memory/archivalMemory';

/** Changes whenever vectors change, so an index built by an older version asks for a rebuild. */
export const LOCAL_EMBEDDER_ID = 'local-hash-v2';
export const LOCAL_DEFAULT_DIMENSIONS = 384;

// Words a person may use for the same idea in code. Each group becomes one extra shared feature, so
// "delete the cache entry" lands near `removeCacheItem`.
const SYNONYM_GROUPS: string[][] = [
  ['remove', 'delete', 'del', 'erase', 'drop', 'unlink', 'rm', 'destroy', 'discard', 'purge'],
  ['get', 'fetch', 'load', 'read', 'retrieve', 'obtain', 'acquire'],
  ['search', 'find', 'query', 'lookup', 'locate', 'seek'],
  ['error', 'exception', 'fail', 'failure', 'err', 'throw', 'panic', 'fault', 'invalid', 'diagnostic'],
  ['init', 'initialize', 'initialise', 'setup', 'bootstrap', 'prepare'],
  ['config', 'configuration', 'settings', 'setting', 'options', 'option', 'opts', 'preferences', 'cfg', 'conf'],
  ['create', 'make', 'new', 'build', 'construct', 'instantiate', 'generate', 'factory'],
  ['add', 'insert', 'append', 'push', 'put', 'register', 'attach'],
  ['set', 'assign', 'update', 'modify', 'change', 'mutate'],
  ['save', 'store', 'persist', 'write', 'flush', 'commit'],
  ['param', 'parameter', 'arg', 'argument', 'args', 'params'],
  ['func', 'function', 'fn', 'method', 'callback', 'procedure', 'routine'],
  ['str', 'string', 'text', 'chars'],
  ['num', 'number', 'int', 'integer', 'numeric', 'float', 'double'],
  ['len', 'length', 'size', 'count'],
  ['dir', 'directory', 'folder'],
  ['msg', 'message'],
  ['res', 'response', 'reply', 'result'],
  ['req', 'request'],
  ['ctx', 'context'],
  ['env', 'environment'],
  ['auth', 'authenticate', 'authentication', 'authorization', 'login', 'credential', 'credentials', 'signin'],
  ['array', 'list', 'collection', 'vector', 'sequence', 'items'],
  ['map', 'dict', 'dictionary', 'hashmap', 'record', 'table'],
  ['bool', 'boolean', 'flag'],
  ['tmp', 'temp', 'temporary'],
  ['idx', 'index', 'position', 'offset', 'pos'],
  ['prev', 'previous', 'last', 'before'],
  ['check', 'validate', 'verify', 'assert', 'ensure', 'test'],
  ['parse', 'decode', 'deserialize', 'unmarshal'],
  ['serialize', 'encode', 'stringify', 'marshal', 'format'],
  ['log', 'print', 'console', 'debug', 'trace', 'logger'],
  ['cancel', 'abort', 'stop', 'terminate', 'kill', 'interrupt'],
  ['start', 'begin', 'open', 'launch', 'run', 'execute', 'exec', 'invoke'],
  ['end', 'finish', 'close', 'complete', 'done', 'dispose', 'cleanup', 'teardown'],
  ['async', 'promise', 'await', 'future', 'deferred', 'thenable'],
  ['user', 'person', 'account', 'member'],
  ['compare', 'equal', 'equals', 'eq', 'same', 'match', 'identical'],
  ['contain', 'contains', 'includes', 'has', 'exists', 'present'],
  ['iterate', 'loop', 'each', 'foreach', 'traverse', 'visit', 'walk', 'iterator'],
  ['element', 'node', 'item', 'entry', 'ast'],
  ['emit', 'dispatch', 'fire', 'trigger', 'raise', 'notify', 'event'],
  ['listen', 'listener', 'subscribe', 'watch', 'observe', 'handler', 'handle'],
  ['convert', 'transform', 'cast', 'coerce', 'translate'],
  ['copy', 'clone', 'duplicate'],
  ['sort', 'order', 'rank'],
  ['filter', 'select', 'where'],
  ['url', 'uri', 'link', 'href'],
  ['http', 'fetch', 'request', 'api', 'endpoint'],
  ['db', 'database', 'sql', 'storage'],
  ['cache', 'memo', 'memoize'],
  ['key', 'id', 'identifier'],
  ['max', 'maximum', 'upper', 'limit'],
  ['min', 'minimum', 'lower'],
  ['timeout', 'deadline', 'delay', 'wait', 'sleep'],
  ['retry', 'backoff', 'attempt'],
  ['path', 'file', 'filename', 'filepath'],
  ['char', 'character'],
  ['img', 'image', 'picture', 'photo'],
  ['btn', 'button'],
  ['win', 'window'],
  ['doc', 'document'],
  ['attr', 'attribute', 'property', 'prop', 'field'],
  ['val', 'value'],
  ['obj', 'object', 'instance'],
  ['src', 'source'],
  ['dest', 'destination', 'target'],
];

// Language keywords say little about meaning but fill every chunk. The rarity table already damps
// TypeScript's; keywords of other languages (self, impl, fn) would look rare there, so all of these
// are damped by name as well.
const CODE_KEYWORDS = [
  'function', 'const', 'let', 'var', 'return', 'export', 'import', 'default', 'declare', 'interface', 'type',
  'class', 'extends', 'implements', 'readonly', 'public', 'private', 'protected', 'static', 'abstract', 'async',
  'await', 'new', 'this', 'void', 'any', 'unknown', 'never', 'undefined', 'null', 'true', 'false', 'string',
  'number', 'boolean', 'object', 'symbol', 'keyof', 'typeof', 'instanceof', 'else', 'for', 'while',
  'switch', 'case', 'break', 'continue', 'try', 'catch', 'finally', 'throw', 'def', 'self', 'pub', 'mut', 'impl',
  'struct', 'enum', 'mod', 'package', 'func', 'int', 'float', 'double', 'char', 'long', 'include', 'namespace',
  'nil', 'none', 'lib', 'reference', 'prototype', 'get', 'set', 'array',
];
const KEYWORD_WEIGHT = 0.6;
const COMPOUND_WEIGHT = 0.8;
const SYNONYM_WEIGHT = 0.6;
/** Total weight of a part's trigrams relative to the part itself. */
const TRIGRAM_WEIGHT = 0.7;
/** Identifiers looked at for the one a text is about before giving up. */
const SUBJECT_SCAN = 24;

/** Inverse document frequency scaled to 0..1: 1 for a term rarer than every one in the table. */
const rarity = new Map<string, number>();
{
  const most = Math.log((TOKEN_STATS_DOCS + 1) / TOKEN_STATS_MIN_DF);
  const fields = TOKEN_STATS.trim().split(/\s+/);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    rarity.set(fields[i], Math.log((TOKEN_STATS_DOCS + 1) / (Number(fields[i + 1]) + 1)) / most);
  }
}
/** `key` is a stemmed part, or '#' and a lowercased compound identifier. */
function rarityOf(key: string): number {
  return rarity.get(key) ?? 1;
}

const synonymOf = new Map<string, number>();
SYNONYM_GROUPS.forEach((group, index) => {
  for (const word of group) if (!synonymOf.has(stem(word))) synonymOf.set(stem(word), index);
});
const keywordStems = new Set(CODE_KEYWORDS.map(stem));

export interface LocalEmbedderOptions {
  dimensions?: number;
}

export class LocalEmbedder implements Embedder {
  readonly id = LOCAL_EMBEDDER_ID;
  readonly dimensions: number;

  constructor(options: LocalEmbedderOptions = {}) {
    const dimensions = options.dimensions ?? LOCAL_DEFAULT_DIMENSIONS;
    if (!Number.isInteger(dimensions) || dimensions < 16) {
      throw new RangeError(`the local embedder needs at least 16 dimensions, not ${dimensions}`);
    }
    this.dimensions = dimensions;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (const text of texts) {
      if (signal?.aborted) throw abortError();
      vectors.push(this.embedOne(text));
    }
    return vectors;
  }

  embedOne(text: string): Float32Array {
    const terms = new Map<string, number>();
    const compounds = new Map<string, number>();
    const onTerm = (term: string) => terms.set(term, (terms.get(term) ?? 0) + 1);
    const onCompound = (word: string) => compounds.set(word, (compounds.get(word) ?? 0) + 1);
    visitCodeWords(text, onTerm, onCompound);
    // Names a text is about count twice: `code spans` in prose (doc comments, questions) and the
    // first name of a chunk, which is usually the one its declaration introduces.
    CODE_SPAN.lastIndex = 0;
    let span: RegExpExecArray | null;
    while ((span = CODE_SPAN.exec(text)) !== null) visitCodeWords(lastSegment(span[1]), onTerm, onCompound);
    const subject = subjectOf(text);
    if (subject) visitCodeWords(subject, onTerm, onCompound);

    const vector = new Float32Array(this.dimensions);
    for (const [term, count] of terms) {
      // Sublinear term frequency: the tenth mention of a name says less than the first.
      const weight = (keywordStems.has(term) ? KEYWORD_WEIGHT : 1) * rarityOf(term) * (1 + Math.log(count));
      this.addFeature(vector, hashString(0x9e3779b1, term), weight);
      const group = synonymOf.get(term);
      if (group !== undefined) this.addFeature(vector, mix(0x85ebca6b ^ group), weight * SYNONYM_WEIGHT);
      if (term.length >= 4) {
        const padded = `^${term}$`;
        const grams = padded.length - 2;
        const each = (weight * TRIGRAM_WEIGHT) / Math.sqrt(grams);
        for (let i = 0; i < grams; i++) this.addFeature(vector, hashTrigram(padded, i), each);
      }
    }
    for (const [word, count] of compounds) {
      this.addFeature(vector, hashString(0xc2b2ae35, word), COMPOUND_WEIGHT * rarityOf(`#${word}`) * (1 + Math.log(count)));
    }
    return normalise(vector);
  }

  // Two signed buckets per feature: a collision in one rarely repeats in the other.
  private addFeature(vector: Float32Array, hash: number, weight: number): void {
    const d = this.dimensions;
    const h2 = mix(hash);
    const w = weight * Math.SQRT1_2;
    vector[(hash >>> 1) % d] += hash & 1 ? w : -w;
    vector[(h2 >>> 1) % d] += h2 & 1 ? w : -w;
  }
}

/** A Markdown `code span` on one line, short enough to be a name or a call. */
const CODE_SPAN = /`([^`\n]{1,80})`/g;
const WORD = /[\p{L}\p{N}_$]+/gu;

/** `Animation.pending` and `fs.readFile()` are about `pending` and `readFile`, not their owners. */
function lastSegment(span: string): string {
  const call = span.indexOf('(');
  const name = call >= 0 ? span.slice(0, call) : span;
  const dot = name.lastIndexOf('.');
  return dot >= 0 && dot < name.length - 1 ? name.slice(dot + 1) : span;
}

/** Whether a word holds more than keywords and filler; chunks open with the same few words. */
const meaningfulCache = new Map<string, boolean>();

function isMeaningful(word: string): boolean {
  let meaningful = meaningfulCache.get(word);
  if (meaningful === undefined) {
    meaningful = false;
    visitCodeWords(word, (term) => {
      if (!keywordStems.has(term)) meaningful = true;
    });
    // Bounded: most first words are keywords or declared names, and names are seen once.
    if (meaningfulCache.size < 10_000) meaningfulCache.set(word, meaningful);
  }
  return meaningful;
}

/** The first identifier that is neither a language keyword nor filler, if any comes soon. */
function subjectOf(text: string): string | undefined {
  WORD.lastIndex = 0;
  let match: RegExpExecArray | null;
  for (let seen = 0; seen < SUBJECT_SCAN && (match = WORD.exec(text)) !== null; seen++) {
    if (isMeaningful(match[0])) return match[0];
  }
  return undefined;
}

function normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  if (sum === 0) {
    // Text with no words at all: a fixed unit vector keeps cosine defined.
    vector[0] = 1;
    return vector;
  }
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) vector[i] *= scale;
  return vector;
}

/** FNV-1a, seeded so the feature kinds (part, compound) never share a hash. */
function hashString(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h);
}

function hashTrigram(text: string, at: number): number {
  let h = 0x27d4eb2f;
  for (let i = at; i < at + 3; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h);
}

/** murmur3's finaliser: spreads FNV's weak low bits before they pick a bucket. */
function mix(input: number): number {
  let h = input >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function abortError(): Error {
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}

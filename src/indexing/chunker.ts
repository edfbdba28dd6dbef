// Code-aware chunking (DESIGN.md §6): one chunk per top-level function, class or declaration, its doc
// comment attached, big classes split into groups of methods, big namespaces into their declarations,
// and line windows for everything else. Whatever the parse leaves out is folded into a neighbour, so no
// non-blank line of a file is ever missing from the index.
import type ParserModule from 'web-tree-sitter';
import type { Chunk } from './types';
import { type GrammarOptions, loadGrammars, type Language } from './grammars';
import { LANGUAGES, languageForPath, syntaxLanguageForPath, type LanguageSpec, type SyntaxLanguage } from './languages';
import { SourceLines, lineWindows } from './lineChunker';

type Parser = ParserModule;
type SyntaxNode = ParserModule.SyntaxNode;

/** Which grammars to load and from where (grammars.ts), and how big a chunk may grow. */
export interface CodeChunkerOptions extends GrammarOptions {
  /** Most lines in a structural chunk before it is split (default 150). */
  maxChunkLines?: number;
  /**
   * Characters in a chunk before it is split (default 8000, about 2k tokens); a folded-in header or
   * closing brace may add a quarter, which is the hard cap: no chunk is longer, a longer line is cut.
   */
  maxChunkChars?: number;
  /** Most chunks from one file (default 2000; see DEFAULT_MAX_CHUNKS_PER_FILE). */
  maxChunksPerFile?: number;
}

/** Rows are 0-based and inclusive inside the chunker; chunks get 1-based lines at the end. */
interface Span {
  start: number;
  end: number;
  kind: string;
  symbol?: string;
  /** Only for pieces of a line longer than maxChunkChars. */
  text?: string;
}

interface Unit {
  start: number;
  end: number;
  kind: string;
  symbol?: string;
  /** Imports, variables, expressions and loose comments: packed together with their neighbours. */
  groupable: boolean;
  /** The declaration itself, wrappers (export, declare, decorators) removed. */
  node?: SyntaxNode;
  /** Several declarations sharing rows, held as one: their names are not each piece's to claim. */
  merged?: boolean;
}

const WINDOW_LINES = 60;
const WINDOW_OVERLAP = 10;
const MAX_SYMBOL_NAMES = 12;
/**
 * Every chunk costs a vector, a record and an embedding call, so one file must not flood the store.
 * Ordinary code makes one chunk per 300-2,000 characters (typescript.d.ts: 1,758 chunks from 588 KB, the
 * most of any file in typescript/lib under the 1 MB indexing limit); a generated file of thousands of
 * one-line declarations makes far more. Past the cap, neighbouring chunks are packed together just
 * enough to fit, so every line stays indexed; only a file of over ~8 MB (a raised size limit) loses its tail.
 */
const DEFAULT_MAX_CHUNKS_PER_FILE = 2000;
const VARIABLE_DECLARATIONS = new Set(['lexical_declaration', 'variable_declaration']);
const FUNCTION_VALUES = new Set(['arrow_function', 'function', 'function_expression', 'generator_function']);
const CLASS_VALUES = new Set(['class', 'class_expression']);
/** Preprocessor blocks have no body field: their statements sit beside the condition. */
const PREPROC_HEADERS = ['name', 'condition'];

export class CodeChunker {
  private readonly maxLines: number;
  private readonly maxChars: number;
  private readonly maxChunks: number;
  private readonly warn?: (message: string) => void;

  private constructor(
    private readonly parser: Parser | undefined,
    private readonly grammars: ReadonlyMap<SyntaxLanguage, Language>,
    opts: CodeChunkerOptions,
  ) {
    this.maxLines = Math.max(10, opts.maxChunkLines ?? 150);
    this.maxChars = Math.max(500, opts.maxChunkChars ?? 8000);
    this.maxChunks = Math.max(1, opts.maxChunksPerFile ?? DEFAULT_MAX_CHUNKS_PER_FILE);
    this.warn = opts.warn;
  }

  /** The most characters any chunk holds. */
  get chunkCharCap(): number {
    return Math.floor(this.maxChars * 1.25);
  }

  /**
   * Loads the runtime and the grammars (about 250 ms for all nine, once per process). Never throws for a
   * missing or broken grammar: its language is chunked by lines and `warn` says so once.
   */
  static async create(opts: CodeChunkerOptions = {}): Promise<CodeChunker> {
    const { parser, grammars } = await loadGrammars(opts);
    return new CodeChunker(parser, grammars, opts);
  }

  /** True when `filePath` is chunked by its syntax rather than by lines. */
  parses(filePath: string): boolean {
    const id = syntaxLanguageForPath(filePath);
    return id !== undefined && this.grammars.has(id);
  }

  chunk(filePath: string, text: string): Chunk[] {
    const src = new SourceLines(text);
    const language = languageForPath(filePath);
    const id = syntaxLanguageForPath(filePath);
    const grammar = id && this.grammars.get(id);
    let spans: Span[] | undefined;
    if (grammar && this.parser) spans = this.parseSpans(src, text, grammar, LANGUAGES.get(id)!);
    spans ??= this.windows(src, 0, src.count - 1, 'lines');
    if (spans.length > this.maxChunks) spans = this.pack(filePath, src, spans);
    return spans.map((s) => ({
      path: filePath,
      startLine: s.start + 1,
      endLine: s.end + 1,
      language,
      ...(s.symbol ? { symbol: s.symbol } : {}),
      kind: s.kind,
      text: s.text ?? src.text(s.start, s.end),
    }));
  }

  private parseSpans(src: SourceLines, text: string, grammar: Language, spec: LanguageSpec): Span[] | undefined {
    const parser = this.parser!;
    parser.setLanguage(grammar);
    let tree: ParserModule.Tree | undefined;
    try {
      tree = parser.parse(text);
      const out: Span[] = [];
      this.emitUnits(this.collectUnits(tree.rootNode.namedChildren, spec, ''), spec, src, out);
      return this.coverGaps(src, out);
    } catch {
      // A parser failure on one odd file must not stop an index run: fall back to lines.
      return undefined;
    } finally {
      tree?.delete();
    }
  }

  /** Turns sibling nodes into units, attaching each doc comment to the declaration right below it. */
  private collectUnits(nodes: SyntaxNode[], spec: LanguageSpec, prefix: string): Unit[] {
    const units: Unit[] = [];
    let pending: SyntaxNode[] = [];
    const loose = (upTo: number) => {
      for (let i = 0; i < upTo; i++) units.push({ start: startRow(pending[i]), end: endRow(pending[i]), kind: 'declaration', groupable: true });
    };
    for (const node of nodes) {
      if (spec.attachable.has(node.type)) {
        const last = units[units.length - 1];
        // A comment after code on the same line belongs to that code, not to what follows.
        if (pending.length === 0 && last && startRow(node) === last.end) last.end = Math.max(last.end, endRow(node));
        else pending.push(node);
        continue;
      }
      const unit = this.describe(node, spec, prefix);
      let first = pending.length;
      while (first > 0 && endRow(pending[first - 1]) >= (first === pending.length ? unit.start : startRow(pending[first])) - 1) first--;
      loose(first);
      if (first < pending.length) unit.start = Math.min(unit.start, startRow(pending[first]));
      units.push(unit);
      pending = [];
    }
    loose(pending.length);
    return mergeSharedRows(units);
  }

  private describe(node: SyntaxNode, spec: LanguageSpec, prefix: string): Unit {
    const start = startRow(node);
    const end = endRow(node);
    let decl = node;
    while (spec.wrappers.has(decl.type)) {
      const inner = decl.namedChildren.find((c) => spec.declarations.has(c.type) || spec.wrappers.has(c.type) || VARIABLE_DECLARATIONS.has(c.type));
      if (!inner) break;
      decl = inner;
    }
    let kind = spec.declarations.get(decl.type);
    if (!kind && VARIABLE_DECLARATIONS.has(decl.type)) {
      // `const f = () => {}` and `const K = class {}` are functions and classes by another name.
      const declarator = decl.namedChildren.find((c) => c.type === 'variable_declarator');
      const value = declarator?.childForFieldName('value');
      const name = declarator && nameOf(declarator);
      if (value && FUNCTION_VALUES.has(value.type)) return { start, end, kind: 'function', symbol: qualify(prefix, name), groupable: false, node: value };
      if (value && CLASS_VALUES.has(value.type)) return { start, end, kind: 'class', symbol: qualify(prefix, name), groupable: false, node: value };
    }
    if (!kind) return { start, end, kind: 'declaration', symbol: qualify(prefix, nameOf(decl)), groupable: true, node: decl };
    return { start, end, kind, symbol: qualify(prefix, nameOf(decl)), groupable: false, node: decl };
  }

  private fits(start: number, end: number, src: SourceLines): boolean {
    return end - start + 1 <= this.maxLines && src.chars(start, end) <= this.maxChars;
  }

  private emitUnits(units: Unit[], spec: LanguageSpec, src: SourceLines, out: Span[]): void {
    let group: Unit[] = [];
    const flush = () => {
      if (group.length === 0) return;
      const names = group.map((u) => u.symbol).filter((s): s is string => !!s);
      out.push({ start: group[0].start, end: group[group.length - 1].end, kind: 'declaration', symbol: joinNames(names) });
      group = [];
    };
    for (const unit of units) {
      if (unit.groupable && this.fits(unit.start, unit.end, src)) {
        if (group.length > 0 && !this.fits(group[0].start, unit.end, src)) flush();
        group.push(unit);
        continue;
      }
      flush();
      this.emitUnit(unit, spec, src, out);
    }
    flush();
  }

  private emitUnit(unit: Unit, spec: LanguageSpec, src: SourceLines, out: Span[]): void {
    if (this.fits(unit.start, unit.end, src)) {
      out.push({ start: unit.start, end: unit.end, kind: unit.kind, symbol: unit.symbol });
      return;
    }
    const node = unit.node;
    if (node && spec.statementContainers.has(node.type)) {
      // Namespaces qualify what they hold (`ts.Node`); an include guard's name means nothing to a reader.
      const scoped = unit.symbol && (unit.kind === 'namespace' || unit.kind === 'module');
      const inner = this.collectUnits(bodyChildren(node), spec, scoped ? `${unit.symbol}.` : '');
      if (inner.length > 0) {
        this.emitUnits(inner, spec, src, out);
        return;
      }
    }
    if (node && spec.memberContainers.has(node.type)) {
      const members = this.collectUnits(bodyChildren(node), spec, '');
      if (members.length > 0) {
        this.emitMembers(unit, members, spec, src, out);
        return;
      }
    }
    out.push(...this.windows(src, unit.start, unit.end, unit.kind, unit.merged ? undefined : unit.symbol));
  }

  /** Splits a big class into runs of members, each chunk naming the class and the members it holds. */
  private emitMembers(owner: Unit, members: Unit[], spec: LanguageSpec, src: SourceLines, out: Span[]): void {
    const ownerName = owner.symbol ?? '';
    const qualified = (u: Unit) => (u.symbol && ownerName ? `${ownerName}.${u.symbol}` : u.symbol);
    const firstOut = out.length;
    let group: Unit[] = [];
    const flush = () => {
      if (group.length === 0) return;
      // `Owner: a, b, c` names the class once and every member the chunk holds.
      const names = joinNames(group.map((u) => u.symbol).filter((s): s is string => !!s));
      const symbol = ownerName && names ? `${ownerName}: ${names}` : ownerName || names;
      out.push({ start: group[0].start, end: group[group.length - 1].end, kind: 'method', symbol: symbol || undefined });
      group = [];
    };
    for (const member of members) {
      if (this.fits(member.start, member.end, src)) {
        if (group.length > 0 && !this.fits(group[0].start, member.end, src)) flush();
        group.push(member);
        continue;
      }
      flush();
      this.emitUnit({ ...member, kind: member.groupable ? 'method' : member.kind, symbol: qualified(member) ?? (ownerName || undefined) }, spec, src, out);
    }
    flush();
    // The class line (with its doc comment) and the closing brace go with the first and last groups, so
    // a search for the class's documentation lands on the chunk that declares it.
    const first = out[firstOut];
    const last = out[out.length - 1];
    if (first && !first.text && this.fitsLoosely(owner.start, first.end, src)) first.start = Math.min(first.start, owner.start);
    if (last && !last.text && this.fitsLoosely(last.start, owner.end, src)) last.end = Math.max(last.end, owner.end);
  }

  /** Room for a class header or a closing brace on top of a full chunk. */
  private fitsLoosely(start: number, end: number, src: SourceLines): boolean {
    return end - start + 1 <= this.maxLines * 1.25 && src.chars(start, end) <= this.maxChars * 1.25;
  }

  /**
   * Packs neighbouring spans into fewer, bigger ones until the file fits its chunk cap: each span
   * grows to at most twice the file's size over the cap (never past maxChars), the least packing that
   * fits. Pieces of a long line are already as big as a chunk gets and stay as they are.
   */
  private pack(filePath: string, src: SourceLines, spans: Span[]): Span[] {
    const budget = Math.min(this.maxChars, Math.ceil((2 * src.chars(0, src.count - 1)) / this.maxChunks));
    const out: Span[] = [];
    let group: Span[] = [];
    const flush = () => {
      if (group.length === 0) return;
      const first = group[0];
      const names = group.map((g) => g.symbol).filter((n): n is string => !!n);
      const kinds = new Set(group.map((g) => g.kind));
      out.push({
        start: first.start,
        end: Math.max(...group.map((g) => g.end)),
        kind: kinds.size === 1 ? first.kind : 'declaration',
        symbol: group.length === 1 ? first.symbol : joinNames(names),
      });
      group = [];
    };
    for (const span of spans) {
      if (span.text !== undefined) {
        flush();
        out.push(span);
        continue;
      }
      if (group.length > 0 && src.chars(group[0].start, Math.max(span.end, group[group.length - 1].end)) > budget) flush();
      group.push(span);
    }
    flush();
    if (out.length <= this.maxChunks) return out;
    const kept = out.slice(0, this.maxChunks);
    this.warn?.(`${filePath}: indexed up to line ${kept[kept.length - 1].end + 1} of ${src.count}; more than ${this.maxChunks} chunks even packed`);
    return kept;
  }

  private windows(src: SourceLines, start: number, end: number, kind: string, symbol?: string): Span[] {
    return lineWindows(src, start, end, { windowLines: WINDOW_LINES, overlapLines: WINDOW_OVERLAP, maxChars: this.maxChars }).map((w) => ({
      start: w.start,
      end: w.end,
      kind,
      symbol,
      ...(w.text !== undefined ? { text: w.text } : {}),
    }));
  }

  /**
   * Folds rows no chunk holds (a namespace's opening line, a closing brace, a stray token) into the
   * chunk right after or before them, or gives them line windows of their own when that would make the
   * neighbour too big. Returns the spans in file order.
   */
  private coverGaps(src: SourceLines, spans: Span[]): Span[] {
    const covered = new Uint8Array(src.count);
    const startingAt = new Map<number, Span>();
    const endingAt = new Map<number, Span>();
    for (const s of spans) {
      covered.fill(1, s.start, s.end + 1);
      if (s.text !== undefined) continue;
      if (!startingAt.has(s.start)) startingAt.set(s.start, s);
      endingAt.set(s.end, s);
    }
    const extra: Span[] = [];
    let row = 0;
    while (row < src.count) {
      if (covered[row] || src.isBlank(row)) {
        row++;
        continue;
      }
      const a = row;
      let b = row;
      for (let r = row + 1; r < src.count && !covered[r]; r++) if (!src.isBlank(r)) b = r;
      row = b + 1;
      let next = b + 1;
      while (next < src.count && !covered[next] && src.isBlank(next)) next++;
      const after = startingAt.get(next);
      if (after && this.fitsLoosely(a, after.end, src)) {
        startingAt.delete(after.start);
        after.start = a;
        startingAt.set(a, after);
        continue;
      }
      let prev = a - 1;
      while (prev >= 0 && !covered[prev] && src.isBlank(prev)) prev--;
      const before = endingAt.get(prev);
      if (before && this.fitsLoosely(before.start, b, src)) {
        endingAt.delete(before.end);
        before.end = b;
        endingAt.set(b, before);
        continue;
      }
      extra.push(...this.windows(src, a, b, 'lines'));
    }
    return [...spans, ...extra].sort((x, y) => x.start - y.start || x.end - y.end);
  }
}

/**
 * Declarations that share a row become one unit: a chunk is whole rows, so two chunks for `a(); b();`
 * would each store the row, and a minified line holding a thousand declarations would be stored a
 * thousand times. Merged units have no node: they are cut by lines, not split by structure.
 */
function mergeSharedRows(units: Unit[]): Unit[] {
  const out: Unit[] = [];
  const names = new Map<Unit, string[]>();
  for (const unit of units) {
    const last = out[out.length - 1];
    if (!last || unit.start > last.end) {
      out.push(unit);
      continue;
    }
    if (!names.has(last)) names.set(last, last.symbol ? [last.symbol] : []);
    if (unit.symbol) names.get(last)!.push(unit.symbol);
    last.end = Math.max(last.end, unit.end);
    if (last.kind !== unit.kind) last.kind = 'declaration';
    last.groupable = last.groupable && unit.groupable;
    last.node = undefined;
    last.merged = true;
  }
  for (const [unit, list] of names) unit.symbol = joinNames(list);
  return out;
}

function startRow(node: SyntaxNode): number {
  return node.startPosition.row;
}

/** A node that swallows its line break ends at column 0 of the next row, which it does not really hold. */
function endRow(node: SyntaxNode): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
}

function bodyChildren(node: SyntaxNode): SyntaxNode[] {
  const body = node.childForFieldName('body');
  if (body) return body.namedChildren;
  if (node.type === 'ERROR') return node.namedChildren;
  if (node.type.startsWith('preproc_')) {
    const headers = new Set(PREPROC_HEADERS.map((f) => node.childForFieldName(f)?.id));
    return node.namedChildren.filter((c) => !headers.has(c.id));
  }
  return [];
}

function nameOf(node: SyntaxNode): string | undefined {
  const direct = node.childForFieldName('name');
  if (direct) return cleanName(direct.text);
  if (node.type === 'impl_item') {
    const type = node.childForFieldName('type')?.text;
    const trait = node.childForFieldName('trait')?.text;
    return cleanName(trait && type ? `${trait} for ${type}` : type);
  }
  // C and C++ hide the name inside nested declarators: `int *(*f)(void)`.
  let declarator = node.childForFieldName('declarator');
  while (declarator) {
    if (declarator.type === 'qualified_identifier') return cleanName(declarator.text); // `Stack::push`
    const named = declarator.childForFieldName('name');
    if (named) return cleanName(named.text);
    const inner = declarator.childForFieldName('declarator');
    if (!inner) return cleanName(declarator.text);
    declarator = inner;
  }
  // Go `type X struct`, `const ( ... )`, and JS `const a = 1`: the first spec or declarator names it.
  for (const child of node.namedChildren) {
    if (child.type.endsWith('_spec') || child.type === 'variable_declarator') {
      const named = child.childForFieldName('name');
      if (named) return cleanName(named.text);
    }
  }
  return undefined;
}

function cleanName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const name = raw.split('\n', 1)[0].replace(/^['"`]|['"`]$/g, '').trim();
  return name ? name.slice(0, 100) : undefined;
}

function qualify(prefix: string, name: string | undefined): string | undefined {
  return name ? `${prefix}${name}` : undefined;
}

function joinNames(names: string[]): string | undefined {
  if (names.length === 0) return undefined;
  const shown = names.slice(0, MAX_SYMBOL_NAMES).join(', ');
  return names.length > MAX_SYMBOL_NAMES ? `${shown}, …` : shown;
}

// Which tree-sitter grammar reads which file, and what its syntax nodes mean to the chunker. The node
// type names are those of the grammars in tree-sitter-wasms@0.1.13 (built with tree-sitter 0.20).
import * as path from 'node:path';

export type SyntaxLanguage = 'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'c' | 'cpp';

export interface LanguageSpec {
  id: SyntaxLanguage;
  /** `tree-sitter-<grammar>.wasm` in tree-sitter-wasms/out. */
  grammar: string;
  /** Nodes that stand alone as one chunk, with the chunk kind they get. */
  declarations: ReadonlyMap<string, string>;
  /** Nodes that only wrap a declaration (`export`, `declare`, decorators, templates). */
  wrappers: ReadonlySet<string>;
  /** Declarations whose body holds more declarations: an oversized one is split into its own statements. */
  statementContainers: ReadonlySet<string>;
  /** Declarations whose body holds members: an oversized one is split into groups of members. */
  memberContainers: ReadonlySet<string>;
  /** Comment-like nodes that belong to the declaration right below them (doc comments, attributes). */
  attachable: ReadonlySet<string>;
}

const CLASS_LIKE_TS: Array<[string, string]> = [
  ['class_declaration', 'class'],
  ['abstract_class_declaration', 'class'],
  ['class', 'class'],
  ['interface_declaration', 'interface'],
  ['enum_declaration', 'enum'],
];

function spec(
  id: SyntaxLanguage,
  parts: {
    grammar?: string;
    declarations: Array<[string, string]>;
    wrappers?: string[];
    statementContainers?: string[];
    memberContainers?: string[];
    attachable?: string[];
  },
): LanguageSpec {
  return {
    id,
    grammar: parts.grammar ?? id,
    declarations: new Map(parts.declarations),
    wrappers: new Set(parts.wrappers ?? []),
    // A stretch the parser could not make sense of may still hold whole declarations: look inside it.
    statementContainers: new Set([...(parts.statementContainers ?? []), 'ERROR']),
    memberContainers: new Set(parts.memberContainers ?? []),
    attachable: new Set(parts.attachable ?? ['comment']),
  };
}

const typescriptParts = {
  declarations: [
    ['function_declaration', 'function'],
    ['generator_function_declaration', 'function'],
    ['function_signature', 'function'],
    ...CLASS_LIKE_TS,
    ['type_alias_declaration', 'type'],
    ['internal_module', 'namespace'],
    ['module', 'namespace'],
  ] as Array<[string, string]>,
  // `namespace N {}` parses as an expression statement holding `internal_module`.
  wrappers: ['export_statement', 'ambient_declaration', 'expression_statement'],
  statementContainers: ['internal_module', 'module'],
  memberContainers: ['class_declaration', 'abstract_class_declaration', 'class', 'interface_declaration', 'enum_declaration'],
};

export const LANGUAGES: ReadonlyMap<SyntaxLanguage, LanguageSpec> = new Map<SyntaxLanguage, LanguageSpec>([
  ['typescript', spec('typescript', typescriptParts)],
  ['tsx', spec('tsx', typescriptParts)],
  [
    'javascript',
    spec('javascript', {
      declarations: [
        ['function_declaration', 'function'],
        ['generator_function_declaration', 'function'],
        ['class_declaration', 'class'],
        ['class', 'class'],
      ],
      wrappers: ['export_statement'],
      memberContainers: ['class_declaration', 'class'],
    }),
  ],
  [
    'python',
    spec('python', {
      declarations: [
        ['function_definition', 'function'],
        ['class_definition', 'class'],
      ],
      wrappers: ['decorated_definition'],
      memberContainers: ['class_definition'],
    }),
  ],
  [
    'go',
    spec('go', {
      declarations: [
        ['function_declaration', 'function'],
        ['method_declaration', 'method'],
        ['type_declaration', 'type'],
      ],
    }),
  ],
  [
    'rust',
    spec('rust', {
      declarations: [
        ['function_item', 'function'],
        ['function_signature_item', 'function'],
        ['struct_item', 'struct'],
        ['union_item', 'struct'],
        ['enum_item', 'enum'],
        ['impl_item', 'impl'],
        ['trait_item', 'trait'],
        ['mod_item', 'module'],
        ['macro_definition', 'macro'],
        ['type_item', 'type'],
      ],
      statementContainers: ['mod_item'],
      memberContainers: ['impl_item', 'trait_item', 'struct_item', 'enum_item'],
      attachable: ['line_comment', 'block_comment', 'attribute_item'],
    }),
  ],
  [
    'java',
    spec('java', {
      declarations: [
        ['class_declaration', 'class'],
        ['interface_declaration', 'interface'],
        ['enum_declaration', 'enum'],
        ['record_declaration', 'class'],
        ['annotation_type_declaration', 'interface'],
      ],
      memberContainers: ['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration', 'annotation_type_declaration'],
      attachable: ['line_comment', 'block_comment', 'comment'],
    }),
  ],
  [
    'c',
    spec('c', {
      declarations: [
        ['function_definition', 'function'],
        ['struct_specifier', 'struct'],
        ['union_specifier', 'struct'],
        ['enum_specifier', 'enum'],
        ['type_definition', 'type'],
        ['preproc_function_def', 'macro'],
        ['preproc_ifdef', 'declaration'],
        ['preproc_if', 'declaration'],
      ],
      // Header files wrap everything in an include guard: split it like a namespace.
      statementContainers: ['preproc_ifdef', 'preproc_if', 'preproc_else', 'preproc_elif', 'linkage_specification'],
      memberContainers: ['struct_specifier', 'union_specifier', 'enum_specifier'],
    }),
  ],
  [
    'cpp',
    spec('cpp', {
      declarations: [
        ['function_definition', 'function'],
        ['class_specifier', 'class'],
        ['struct_specifier', 'struct'],
        ['union_specifier', 'struct'],
        ['enum_specifier', 'enum'],
        ['type_definition', 'type'],
        ['alias_declaration', 'type'],
        ['namespace_definition', 'namespace'],
        ['preproc_function_def', 'macro'],
        ['preproc_ifdef', 'declaration'],
        ['preproc_if', 'declaration'],
      ],
      wrappers: ['template_declaration', 'linkage_specification'],
      statementContainers: ['namespace_definition', 'preproc_ifdef', 'preproc_if', 'preproc_else', 'preproc_elif', 'linkage_specification'],
      memberContainers: ['class_specifier', 'struct_specifier', 'union_specifier', 'enum_specifier'],
    }),
  ],
]);

const EXTENSIONS: ReadonlyMap<string, SyntaxLanguage> = new Map<string, SyntaxLanguage>([
  ['.ts', 'typescript'],
  ['.mts', 'typescript'],
  ['.cts', 'typescript'],
  ['.tsx', 'tsx'],
  ['.js', 'javascript'],
  ['.mjs', 'javascript'],
  ['.cjs', 'javascript'],
  ['.jsx', 'javascript'],
  ['.py', 'python'],
  ['.pyi', 'python'],
  ['.go', 'go'],
  ['.rs', 'rust'],
  ['.java', 'java'],
  ['.c', 'c'],
  ['.h', 'c'],
  ['.cc', 'cpp'],
  ['.cpp', 'cpp'],
  ['.cxx', 'cpp'],
  ['.hpp', 'cpp'],
  ['.hh', 'cpp'],
  ['.hxx', 'cpp'],
]);

/** Names for files read as plain lines, so a language filter still works on them. */
const TEXT_LANGUAGES: ReadonlyMap<string, string> = new Map([
  ['.md', 'markdown'],
  ['.json', 'json'],
  ['.yaml', 'yaml'],
  ['.yml', 'yaml'],
  ['.toml', 'toml'],
  ['.html', 'html'],
  ['.css', 'css'],
  ['.scss', 'scss'],
  ['.sh', 'shell'],
  ['.rb', 'ruby'],
  ['.php', 'php'],
  ['.cs', 'csharp'],
  ['.kt', 'kotlin'],
  ['.swift', 'swift'],
  ['.sql', 'sql'],
  ['.xml', 'xml'],
  ['.vue', 'vue'],
  ['.lua', 'lua'],
]);

/** The grammar that parses `filePath`, if we ship one. */
export function syntaxLanguageForPath(filePath: string): SyntaxLanguage | undefined {
  return EXTENSIONS.get(path.extname(filePath).toLowerCase());
}

/** The language recorded on a chunk of `filePath`: a grammar id, a well-known text format, or 'text'. */
export function languageForPath(filePath: string): string {
  const ext = path.extname(filePath).toLowerCase();
  return EXTENSIONS.get(ext) ?? TEXT_LANGUAGES.get(ext) ?? 'text';
}

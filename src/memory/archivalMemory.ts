// Archival memory as everyone who uses it sees it: the agent's tools and automatic recall, the indexer,
// the editor's commands and the CLI all hold one `ArchivalMemory` per memory folder (app/memoryFolder.ts
// owns it). Memory does not know how it is filled: the indexer hands it passages, and the embedder it
// needs is declared here, where it is used.
import type { TextTerms } from './bm25';
import type { Page } from './types';

/** Turns text into vectors. The store records `id` and `dimensions` and refuses to mix embedders. */
export interface Embedder {
  readonly id: string;
  /** 0 when only the server knows: the store asks it once with a probe. */
  readonly dimensions: number;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** A piece of a workspace file as it goes into archival memory. */
export interface FilePassage {
  /** Workspace-relative, '/'-separated. */
  path: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** 'typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'java', 'c', 'cpp', … or 'text'. */
  language: string;
  /** Function, class or method names the passage holds, when the grammar gives them. */
  symbol?: string;
  /** 'function' | 'class' | 'method' | 'declaration' | 'lines' … */
  kind: string;
  text: string;
  /** `textTerms(text)`, when it was made where the passage was prepared (the index worker); not stored. */
  terms?: TextTerms;
}

export interface ArchivalRecord {
  id: string;
  text: string;
  source: 'file' | 'note';
  path?: string;
  startLine?: number;
  endLine?: number;
  language?: string;
  symbol?: string;
  kind?: string;
  time: string;
}

export interface ArchivalHit extends ArchivalRecord {
  /** Hybrid: fused rank score scaled to 0..1 (1 = first in both rankings); vector: cosine; keyword: BM25. */
  score: number;
}

export interface ArchivalQuery {
  /** 1-based. */
  page?: number;
  /** Default 5. */
  pageSize?: number;
  pathPrefix?: string;
  language?: string;
  source?: 'file' | 'note';
  /** Default hybrid. */
  mode?: 'hybrid' | 'vector' | 'keyword';
}

export interface ArchivalMemory {
  /** The embedder the stored vectors came from. */
  readonly embedderId: string;
  count(): number;
  countBySource(): { file: number; note: number };
  /** Workspace paths that have passages stored, sorted. */
  paths(): string[];
  addChunks(passages: FilePassage[], signal?: AbortSignal): Promise<string[]>;
  /** Drops every passage of `paths` and adds `passages`, as one write (a saved file's new version). */
  replaceChunks(paths: string[], passages: FilePassage[], signal?: AbortSignal): Promise<string[]>;
  addNote(text: string): Promise<ArchivalRecord>;
  /** Drops every passage of these paths; returns how many went. */
  deleteByPath(paths: string[]): Promise<number>;
  search(query: string, opts?: ArchivalQuery): Promise<Page<ArchivalHit>>;
  /**
   * Catches up with what another process (the CLI, another window) wrote since this one last looked,
   * reloading only what changed. Cheap when nothing did: callers run it before every operation.
   */
  sync(): Promise<void>;
  /**
   * Resolves once everything is in memory: a big embedded store opens lazily, answering searches from
   * what has loaded; `paths()` and `count()` are whole only after this. Absent: always whole.
   */
  whenLoaded?(): Promise<void>;
  /** Lets go of what it holds open (a database's connections); the embedded store has nothing to close. */
  close?(): Promise<void>;
}

// Shapes shared by the indexer, the chunker, the embedders and the archival store (DESIGN.md §6).

/** One piece of a workspace file as it goes into archival memory. */
export interface Chunk {
  /** Workspace-relative, '/'-separated. */
  path: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** 'typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'java', 'c', 'cpp', … or 'text'. */
  language: string;
  /** Function, class or method names the chunk holds, when the grammar gives them. */
  symbol?: string;
  /** 'function' | 'class' | 'method' | 'declaration' | 'lines' … */
  kind: string;
  text: string;
}

/** Progress of a long run, for a CLI progress bar or a VS Code notification. */
export interface IndexProgress {
  phase: 'scanning' | 'indexing' | 'removing' | 'done';
  filesDone: number;
  filesTotal: number;
  chunks: number;
  bytes: number;
  currentPath?: string;
}

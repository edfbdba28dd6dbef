// Shapes shared by the indexer, the chunker and whoever shows an index run's progress.
import type { FilePassage } from '../memory/archivalMemory';

/**
 * One piece of a workspace file as it goes into archival memory: the passage memory declares it takes
 * (memory/archivalMemory.ts), cut by the chunker.
 */
export type Chunk = FilePassage;

/** Progress of a long run, for a CLI progress bar or a VS Code notification. */
export interface IndexProgress {
  phase: 'scanning' | 'indexing' | 'removing' | 'done';
  filesDone: number;
  filesTotal: number;
  chunks: number;
  bytes: number;
  currentPath?: string;
}

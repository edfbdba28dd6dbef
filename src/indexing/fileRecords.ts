// files.json: what the indexer has stored in archival memory, per workspace file, so an unchanged file is
// neither re-read (same size and mtime) nor re-chunked and re-embedded (same content hash). A file is
// recorded here only after its chunks are stored, so these records never claim more than the index holds.
// (Not to be confused with archival/manifest.json, the archival store's own list of its shards.)
import { readJsonFile, writeFileAtomic } from '../memory/atomicFile';

export const FILE_RECORDS_VERSION = 1;

/** What was indexed of one workspace file. */
export interface FileRecord {
  /** sha1 of the file's bytes, hex. */
  hash: string;
  size: number;
  mtimeMs: number;
  /** Chunks stored for the file; 0 for an empty one. */
  chunks: number;
}

/** The whole of files.json. */
export interface FileRecords {
  version: typeof FILE_RECORDS_VERSION;
  /** The embedder the chunks were stored with; records made with another one are worthless. */
  embedderId: string;
  files: Record<string, FileRecord>;
}

export function emptyFileRecords(embedderId: string): FileRecords {
  return { version: FILE_RECORDS_VERSION, embedderId, files: {} };
}

export function isFileRecords(v: unknown): v is FileRecords {
  if (!v || typeof v !== 'object') return false;
  const m = v as Partial<FileRecords>;
  if (m.version !== FILE_RECORDS_VERSION || typeof m.embedderId !== 'string' || !m.files || typeof m.files !== 'object') return false;
  return Object.values(m.files).every(
    (e) => !!e && typeof e.hash === 'string' && typeof e.size === 'number' && typeof e.mtimeMs === 'number' && typeof e.chunks === 'number',
  );
}

/**
 * The file records at `file` for `embedderId`. Missing, or made for another embedder → empty (everything is
 * indexed again); corrupted → moved aside with a warning, and empty.
 */
export function readFileRecords(file: string, embedderId: string, warn?: (m: string) => void): FileRecords {
  const records = readJsonFile<FileRecords>(file, { fallback: () => emptyFileRecords(embedderId), validate: isFileRecords, warn });
  return records.embedderId === embedderId ? records : emptyFileRecords(embedderId);
}

export function writeFileRecords(file: string, records: FileRecords): void {
  // Compact: with tens of thousands of files the pretty-printed form is several times larger to write.
  writeFileAtomic(file, `${JSON.stringify(records)}\n`);
}

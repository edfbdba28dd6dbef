// files.json: what the indexer has stored in archival memory, per workspace file, so an unchanged file is
// neither re-read (same size and mtime) nor re-chunked and re-embedded (same content hash). A file is
// recorded here only after its chunks are stored, so the manifest never claims more than the index holds.
import { readJsonFile, writeFileAtomic } from '../memory/atomicFile';

export const MANIFEST_VERSION = 1;

export interface ManifestEntry {
  /** sha1 of the file's bytes, hex. */
  hash: string;
  size: number;
  mtimeMs: number;
  /** Chunks stored for the file; 0 for an empty one. */
  chunks: number;
}

export interface IndexManifest {
  version: typeof MANIFEST_VERSION;
  /** The embedder the chunks were stored with; a manifest from another one is worthless. */
  embedderId: string;
  files: Record<string, ManifestEntry>;
}

export function emptyManifest(embedderId: string): IndexManifest {
  return { version: MANIFEST_VERSION, embedderId, files: {} };
}

function isManifest(v: unknown): v is IndexManifest {
  if (!v || typeof v !== 'object') return false;
  const m = v as Partial<IndexManifest>;
  if (m.version !== MANIFEST_VERSION || typeof m.embedderId !== 'string' || !m.files || typeof m.files !== 'object') return false;
  return Object.values(m.files).every(
    (e) => !!e && typeof e.hash === 'string' && typeof e.size === 'number' && typeof e.mtimeMs === 'number' && typeof e.chunks === 'number',
  );
}

/**
 * The manifest at `file` for `embedderId`. Missing, or made for another embedder → empty (everything is
 * indexed again); corrupted → moved aside with a warning, and empty.
 */
export function readManifest(file: string, embedderId: string, warn?: (m: string) => void): IndexManifest {
  const manifest = readJsonFile<IndexManifest>(file, { fallback: () => emptyManifest(embedderId), validate: isManifest, warn });
  return manifest.embedderId === embedderId ? manifest : emptyManifest(embedderId);
}

export function writeManifest(file: string, manifest: IndexManifest): void {
  // Compact: with tens of thousands of files the pretty-printed form is several times larger to write.
  writeFileAtomic(file, `${JSON.stringify(manifest)}\n`);
}

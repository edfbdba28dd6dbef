// What a file's text becomes in archival memory: its chunks, or, for a minified or generated file, one
// summary chunk. The same function runs on the extension host's thread or in the index worker
// (indexWorkerMain.ts), so both paths store exactly the same passages.
import { textTerms } from '../memory/bm25';
import type { CodeChunker } from './chunker';
import { generatedKind, summaryChunk, type GeneratedKind } from './generatedFiles';
import type { Chunk } from './types';

export interface PreparedFile {
  chunks: Chunk[];
  /** Set when the file was stored as one summary chunk. */
  generated?: GeneratedKind;
}

/** Chunks with their keyword terms made here too, so on the worker the host only files them. */
export function preparePassages(chunker: CodeChunker, filePath: string, text: string): PreparedFile {
  const generated = generatedKind(filePath, text);
  const chunks = generated ? [summaryChunk(filePath, text, generated)] : chunker.chunk(filePath, text);
  for (const chunk of chunks) chunk.terms = textTerms(chunk.text);
  return generated ? { chunks, generated } : { chunks };
}

// Child process of the archival scale bench: grows the store in <dir> from <from> to <to> corpus
// chunks through addEmbedded, 25k at a time, each batch made just before it is added and dropped after.
// Prints `progress {...}` lines and one `result {...}` line; run by archivalScale.ts.
//
//   node --require tsx/cjs test/bench/archivalScaleBuild.ts <dir> <from> <to>
import { LocalEmbedder } from '../../src/indexing/localEmbedder';
import { ArchivalStore } from '../../src/memory/archival';
import { corpusBatch, libWindows } from './archivalScaleCorpus';

export interface BuildResult {
  chunks: number;
  /** Opening the store built so far (0 when starting empty). */
  openSeconds: number;
  /** Adding chunks from..to, the last write included. */
  addSeconds: number;
  peakRssMiB: number;
}

const BATCH = 25_000;
const MiB = 1024 * 1024;

async function main(dir: string, from: number, to: number): Promise<void> {
  const texts = libWindows();
  const embedder = new LocalEmbedder();
  const opened = performance.now();
  const store = from === 0 ? await ArchivalStore.rebuild(dir, embedder) : await ArchivalStore.open(dir, embedder);
  const lazy = store as { whenLoaded?: () => Promise<void> };
  if (typeof lazy.whenLoaded === 'function') await lazy.whenLoaded();
  const openSeconds = (performance.now() - opened) / 1000;
  if (store.count() !== from) throw new Error(`the store holds ${store.count()} chunks, expected ${from}`);
  const started = performance.now();
  for (let added = from; added < to; ) {
    const n = Math.min(BATCH, to - added);
    await store.addEmbedded(corpusBatch(texts, embedder.dimensions, added, added + n));
    added += n;
    if (added % 100_000 === 0 || added === to) {
      const progress = { chunks: added, seconds: +((performance.now() - started) / 1000).toFixed(1), rssMiB: Math.round(process.memoryUsage().rss / MiB) };
      console.log(`progress ${JSON.stringify(progress)}`);
    }
  }
  const addSeconds = (performance.now() - started) / 1000;
  const chunks = store.count();
  await (store as { close?: () => Promise<void> }).close?.();
  const result: BuildResult = { chunks, openSeconds, addSeconds, peakRssMiB: Math.round((process.resourceUsage().maxRSS * 1024) / MiB) };
  console.log(`result ${JSON.stringify(result)}`);
}

if (require.main === module) {
  const [dir, from, to] = process.argv.slice(2);
  main(dir, Number(from), Number(to)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

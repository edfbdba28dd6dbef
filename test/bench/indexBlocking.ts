// How long indexing holds the thread it is started on (the extension host's, in the editor): a first
// index of the `typescript` package's lib/*.d.ts through MemoryFolder, on the thread and with the index
// worker, while a timer measures the event loop's delay (what a keystroke or a click would wait).
// With the worker, chunking, keyword terms and local embedding leave the thread; the embedded store's
// own writes (Vectra shards and their caches) are formatted and encoded on it in 8 ms slices, and written and
// fsynced asynchronously.
//
//   node --import tsx test/bench/indexBlocking.ts
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MemoryFolder } from '../../src/app/memoryFolder';

export interface BlockingResults {
  files: number;
  chunks: number;
  inThread: { seconds: number; p99DelayMs: number; maxDelayMs: number };
  inWorker: { seconds: number; p99DelayMs: number; maxDelayMs: number };
}

async function measure(libDir: string, indexInWorker: boolean) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-bench-block-'));
  fs.mkdirSync(path.join(root, 'lib'));
  for (const f of fs.readdirSync(libDir).filter((f) => f.endsWith('.d.ts'))) fs.copyFileSync(path.join(libDir, f), path.join(root, 'lib', f));
  const folder = new MemoryFolder({ workspaceRoot: root, memoryRoot: path.join(root, '.memcode'), embeddings: () => ({ provider: 'local' }), warn: () => {}, indexInWorker });
  try {
    // The grammars and the worker start before the clock does: the editor pays that once per session.
    await (await folder.archival()).search('warm up');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    const t = performance.now();
    delay.enable();
    const report = await folder.index({});
    delay.disable();
    return { seconds: +((performance.now() - t) / 1000).toFixed(1), p99DelayMs: +(delay.percentile(99) / 1e6).toFixed(0), maxDelayMs: +(delay.max / 1e6).toFixed(0), files: report.filesIndexed, chunks: report.chunksStored };
  } finally {
    folder.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export async function runIndexBlocking(log: (m: string) => void = console.log): Promise<BlockingResults> {
  const libDir = path.join(__dirname, '../../node_modules/typescript/lib');
  const inThread = await measure(libDir, false);
  const inWorker = await measure(libDir, true);
  const strip = ({ seconds, p99DelayMs, maxDelayMs }: typeof inThread) => ({ seconds, p99DelayMs, maxDelayMs });
  log(`index of ${inThread.files} files (${inThread.chunks} chunks): event-loop delay p99/max ${inThread.p99DelayMs}/${inThread.maxDelayMs} ms on the thread, ${inWorker.p99DelayMs}/${inWorker.maxDelayMs} ms with the worker (${inThread.seconds} s / ${inWorker.seconds} s)`);
  return { files: inThread.files, chunks: inThread.chunks, inThread: strip(inThread), inWorker: strip(inWorker) };
}

if (require.main === module) void runIndexBlocking().then((r) => console.log(JSON.stringify(r, null, 2)));

// Archival memory at scale (issue 14): for each store size, the store is built once into a temp folder
// (a child process, archivalScaleBuild.ts), then opened in a fresh child (archivalScaleProbe.ts) so
// resident memory is honest: open time, time to the first query, time to fully loaded, RSS, hybrid /
// keyword / vector query latency and save-to-searchable. Sizes grow in one folder (10k, then 100k,
// then 1M with --max 1000000). Texts are real (windows of typescript/lib/*.d.ts), vectors synthetic.
// Every child runs under what is left of a time cap; a size that does not finish is reported as such.
//
//   node --import tsx test/bench/archivalScale.ts [--max 100000 | --sizes 10000,100000,300000] [--cap-minutes 20] [--heap-mb 8192]
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { LOCAL_DEFAULT_DIMENSIONS } from '../../src/indexing/localEmbedder';
import { buildRetrievalSet } from './archivalRecall';
import type { BuildResult } from './archivalScaleBuild';
import { LIB_DIR } from './archivalScaleCorpus';
import type { ProbeResult } from './archivalScaleProbe';

export { randomUnit } from './archivalScaleCorpus';

/** Issue 14's targets for the embedded store, checked at 100k chunks and more. */
export const TARGETS = { rssBytesPerChunk: 1024, rssAllowanceMiB: 100, openMs: 1000, saveToSearchableMs: 200, hybridP95Ms: 50, fromChunks: 100_000 };

export interface ScaleRow {
  chunks: number;
  /** Adding every chunk from empty (sum of the build steps; reopening between steps not counted). */
  buildSeconds: number;
  buildPeakRssMiB: number;
  diskMB: number;
  probe: ProbeResult;
  /** The most resident memory seen once the store was loaded (after load or after queries, each after a gc). */
  steadyRssMiB: number;
  /** (steady RSS - 100 MiB allowance) / chunks. */
  rssBytesPerChunk: number;
  /** (steady RSS - RSS before open) / chunks: the store's own share. */
  storeBytesPerChunk: number;
  targets?: { memory: boolean; open: boolean; saveToSearchable: boolean; hybridP95: boolean };
}

export interface ScaleFailure {
  chunks: number;
  error: string;
}

export interface ScaleResults {
  dimensions: number;
  capMinutes: number;
  rows: Array<ScaleRow | ScaleFailure>;
}

export interface ScaleOptions {
  sizes?: number[];
  capMinutes?: number;
  /** --max-old-space-size for the children (the node default caps the heap near 4 GB). */
  heapMB?: number;
  log?: (m: string) => void;
}

const MiB = 1024 * 1024;
const ROOT = path.join(__dirname, '../..');

export function sizesUpTo(max: number): number[] {
  return [...new Set([10_000, 100_000, max].filter((n) => n <= max))].sort((a, b) => a - b);
}

export function isFailure(row: ScaleRow | ScaleFailure): row is ScaleFailure {
  return 'error' in row;
}

function folderSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderSize(full) : fs.statSync(full).size;
  }
  return total;
}

/** Runs a bench child to its `result` line, relaying `progress` lines; kills it at `timeoutMs`. */
function runChild<T>(script: string, args: string[], nodeFlags: string[], timeoutMs: number, onProgress: (p: Record<string, unknown>) => void): Promise<{ result?: T; error?: string }> {
  return new Promise((resolve) => {
    // tsx's CommonJS hook only: `--import tsx` adds a loader thread (~25 MiB) to every RSS figure.
    const child = spawn(process.execPath, [...nodeFlags, '--require', 'tsx/cjs', path.join(__dirname, script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let result: T | undefined;
    let stderr = '';
    let timedOut = false;
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('result ')) result = JSON.parse(line.slice(7)) as T;
      else if (line.startsWith('progress ')) onProgress(JSON.parse(line.slice(9)));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (result !== undefined && code === 0) resolve({ result });
      else if (timedOut) resolve({ error: `killed at the time cap, after ${Math.round(timeoutMs / 1000)} s` });
      else resolve({ error: `exited with ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
    });
  });
}

function rowOf(chunks: number, buildSeconds: number, buildPeakRssMiB: number, diskMB: number, probe: ProbeResult): ScaleRow {
  const steadyRssMiB = Math.max(probe.memory.loaded.rssMiB, probe.memory.afterQueries.rssMiB);
  const rssBytesPerChunk = Math.round(((steadyRssMiB - TARGETS.rssAllowanceMiB) * MiB) / probe.chunks);
  const storeBytesPerChunk = Math.round(((steadyRssMiB - probe.memory.beforeOpen.rssMiB) * MiB) / probe.chunks);
  const row: ScaleRow = { chunks, buildSeconds: +buildSeconds.toFixed(1), buildPeakRssMiB, diskMB: +diskMB.toFixed(1), probe, steadyRssMiB, rssBytesPerChunk, storeBytesPerChunk };
  if (chunks >= TARGETS.fromChunks) {
    row.targets = {
      memory: rssBytesPerChunk <= TARGETS.rssBytesPerChunk,
      // Open counts until a query is answered: a store that resolves open() early but blocks its first query has not opened.
      open: probe.firstQueryMs <= TARGETS.openMs,
      saveToSearchable: probe.saveToSearchableMs.median <= TARGETS.saveToSearchableMs,
      hybridP95: probe.hybrid.p95Ms <= TARGETS.hybridP95Ms,
    };
  }
  return row;
}

export async function runArchivalScale(opts: ScaleOptions = {}): Promise<ScaleResults> {
  const sizes = opts.sizes ?? sizesUpTo(100_000);
  const capMinutes = opts.capMinutes ?? 20;
  const log = opts.log ?? console.log;
  const heap = opts.heapMB ? [`--max-old-space-size=${opts.heapMB}`] : [];
  const deadline = performance.now() + capMinutes * 60_000;
  const results: ScaleResults = { dimensions: LOCAL_DEFAULT_DIMENSIONS, capMinutes, rows: [] };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'memcode-scale-'));
  const dir = path.join(work, 'archival');
  // The query set is built here: building it in the probe would leave ~90 MiB of RSS behind before the open.
  const queriesFile = path.join(work, 'queries.json');
  fs.writeFileSync(queriesFile, JSON.stringify(buildRetrievalSet(LIB_DIR, 200).pairs.map((p) => p.query)));
  try {
    let built = 0;
    let buildSeconds = 0;
    let buildPeakRssMiB = 0;
    for (const size of sizes) {
      const left = () => deadline - performance.now();
      if (left() <= 0) {
        results.rows.push({ chunks: size, error: `not run: the ${capMinutes}-minute cap was spent` });
        continue;
      }
      const build = await runChild<BuildResult>('archivalScaleBuild.ts', [dir, String(built), String(size)], heap, left(), (p) => log(`  building: ${p.chunks} chunks after ${p.seconds} s, RSS ${p.rssMiB} MiB`));
      if (!build.result) {
        results.rows.push({ chunks: size, error: `build: ${build.error}` });
        break;
      }
      built = size;
      buildSeconds += build.result.addSeconds;
      buildPeakRssMiB = Math.max(buildPeakRssMiB, build.result.peakRssMiB);
      const diskMB = folderSize(dir) / 1e6;
      // A store that was built gets measured: the probe has at least a minute, even past the cap.
      const probe = await runChild<ProbeResult>('archivalScaleProbe.ts', [dir, queriesFile], ['--expose-gc', ...heap], Math.max(left(), 60_000), () => undefined);
      if (!probe.result) {
        results.rows.push({ chunks: size, error: `probe: ${probe.error}` });
        break;
      }
      const row = rowOf(size, buildSeconds, buildPeakRssMiB, diskMB, probe.result);
      results.rows.push(row);
      log(summary(row));
    }
    for (const size of sizes.slice(results.rows.length)) results.rows.push({ chunks: size, error: 'not run: a smaller size failed' });
    return results;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function summary(row: ScaleRow): string {
  const p = row.probe;
  return (
    `${row.chunks} chunks: open ${p.openMs.toFixed(0)} ms, first query ${p.firstQueryMs.toFixed(0)} ms, loaded ${p.loadedMs.toFixed(0)} ms${p.lazy ? '' : ' (eager open)'}; ` +
    `RSS ${row.steadyRssMiB.toFixed(0)} MiB (${row.rssBytesPerChunk} B/chunk over 100 MiB); hybrid p50/p95 ${p.hybrid.p50Ms}/${p.hybrid.p95Ms} ms; save ${p.saveToSearchableMs.median.toFixed(0)} ms`
  );
}

const mark = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? ' ok' : ' MISSED');

/** One line per size: what run.ts and the CLI print. */
export function formatScaleTable(results: ScaleResults): string {
  const head = ['chunks', 'build s', 'disk MB', 'open ms', '1st query ms', 'loaded ms', 'open cpu ms', 'load avg', 'RSS before/open/loaded/queried MiB', 'B/chunk (≤1024)', 'heap/arrayBuffers MiB', 'hybrid p50/p95 ms', 'keyword p95', 'vector p95', 'save med/max ms'];
  const lines = results.rows.map((row) => {
    if (isFailure(row)) return [String(row.chunks), row.error];
    const p = row.probe;
    const m = p.memory;
    const t = row.targets;
    return [
      String(row.chunks),
      row.buildSeconds.toFixed(0),
      row.diskMB.toFixed(0),
      p.openMs.toFixed(0),
      p.firstQueryMs.toFixed(0) + mark(t?.open),
      p.loadedMs.toFixed(0),
      String(p.loadedCpuMs),
      String(p.loadAverage),
      [m.beforeOpen, m.afterOpen, m.loaded, m.afterQueries].map((s) => s.rssMiB.toFixed(0)).join(' / '),
      String(row.rssBytesPerChunk) + mark(t?.memory),
      `${m.loaded.heapUsedMiB.toFixed(0)} / ${m.loaded.arrayBuffersMiB.toFixed(0)}`,
      `${p.hybrid.p50Ms} / ${p.hybrid.p95Ms}${mark(t?.hybridP95)}`,
      String(p.keyword.p95Ms),
      String(p.vector.p95Ms),
      `${p.saveToSearchableMs.median.toFixed(0)} / ${p.saveToSearchableMs.max.toFixed(0)}${mark(t?.saveToSearchable)}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l.length === head.length ? l[i].length : 0))));
  const fmt = (cells: string[]) => (cells.length === head.length ? cells.map((c, i) => c.padStart(widths[i])).join('  ') : `${cells[0].padStart(widths[0])}  ${cells[1]}`);
  return [fmt(head), ...lines.map(fmt)].join('\n');
}

/** The rows run.ts puts in its table: [name, value, target, met]. */
export function scaleRows(results: ScaleResults): Array<[string, string, string, boolean | undefined]> {
  const rows: Array<[string, string, string, boolean | undefined]> = [];
  for (const row of results.rows) {
    if (isFailure(row)) {
      rows.push([`archival store at ${row.chunks} chunks`, row.error, '', undefined]);
      continue;
    }
    const p = row.probe;
    const t = row.targets;
    rows.push(
      [`archival store at ${row.chunks} chunks: open / first query / loaded (cpu)`, `${p.openMs.toFixed(0)} / ${p.firstQueryMs.toFixed(0)} / ${p.loadedMs.toFixed(0)} ms (${p.loadedCpuMs} ms; load avg ${p.loadAverage})`, t ? '≤ 1 s to the first query' : '', t?.open],
      [`  RSS when loaded (fresh process; before open ${p.memory.beforeOpen.rssMiB.toFixed(0)} MiB)`, `${row.steadyRssMiB.toFixed(0)} MiB, ${row.rssBytesPerChunk} B/chunk over 100 MiB (store alone ${row.storeBytesPerChunk} B/chunk)`, t ? '≤ 1 KiB/chunk + 100 MiB' : '', t?.memory],
      [`  hybrid query p50/p95 (keyword / vector p95)`, `${p.hybrid.p50Ms} / ${p.hybrid.p95Ms} ms (${p.keyword.p95Ms} / ${p.vector.p95Ms} ms)`, t ? '≤ 50 ms (p95)' : '', t?.hybridP95],
      [`  save-to-searchable (median/max)`, `${p.saveToSearchableMs.median.toFixed(0)} / ${p.saveToSearchableMs.max.toFixed(0)} ms`, t ? '≤ 200 ms (median)' : '', t?.saveToSearchable],
      [`  build from empty / disk`, `${row.buildSeconds.toFixed(0)} s (peak RSS ${row.buildPeakRssMiB} MiB) / ${row.diskMB.toFixed(0)} MB`, '', undefined],
    );
  }
  return rows;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const sizes = flag('--sizes')?.split(',').map(Number) ?? sizesUpTo(Number(flag('--max') ?? 100_000));
  const capMinutes = flag('--cap-minutes') ? Number(flag('--cap-minutes')) : undefined;
  const heapMB = flag('--heap-mb') ? Number(flag('--heap-mb')) : undefined;
  const out = flag('--json');
  runArchivalScale({ sizes, capMinutes, heapMB })
    .then((results) => {
      console.log(`\n${formatScaleTable(results)}`);
      if (out) fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeChunker } from '../../src/indexing/chunker';
import { languageForPath } from '../../src/indexing/languages';
import { linePieces, lineWindows, SourceLines } from '../../src/indexing/lineChunker';
import type { Chunk } from '../../src/indexing/types';

/** The chunk whose symbol is `symbol`, failing with the whole list when there is none. */
function bySymbol(chunks: Chunk[], symbol: string): Chunk {
  const found = chunks.find((c) => c.symbol === symbol);
  assert.ok(found, `no chunk for ${symbol}; got ${chunks.map((c) => `${c.symbol}@${c.startLine}-${c.endLine}`).join(', ')}`);
  return found;
}

/** Every non-blank line of `text` is in at least one chunk, and each chunk's text is its lines. */
function assertCoversFile(text: string, chunks: Chunk[]): void {
  const lines = text.split(/\r?\n/);
  const covered = new Uint8Array(lines.length + 2);
  for (const c of chunks) {
    assert.ok(c.startLine >= 1 && c.endLine <= lines.length && c.startLine <= c.endLine, `bad range ${c.startLine}-${c.endLine}`);
    for (let l = c.startLine; l <= c.endLine; l++) covered[l] = 1;
    if (c.startLine !== c.endLine || c.text.length <= lines[c.startLine - 1].length) {
      if (c.text === lines.slice(c.startLine - 1, c.endLine).join('\n')) continue;
      assert.ok(lines[c.startLine - 1].includes(c.text), `chunk ${c.startLine}-${c.endLine} text is not its lines`);
    }
  }
  lines.forEach((line, i) => {
    if (line.trim()) assert.ok(covered[i + 1], `line ${i + 1} is in no chunk: ${line.slice(0, 80)}`);
  });
}

describe('CodeChunker', function () {
  let chunker: CodeChunker;
  const warnings: string[] = [];

  before(async function () {
    chunker = await CodeChunker.create({ warn: (m) => warnings.push(m) });
  });

  it('loads all nine grammars from tree-sitter-wasms without a warning', function () {
    assert.deepEqual(warnings, []);
    for (const file of ['a.ts', 'a.tsx', 'a.js', 'a.py', 'a.go', 'a.rs', 'a.java', 'a.c', 'a.cpp']) assert.ok(chunker.parses(file), file);
    assert.equal(chunker.parses('README.md'), false);
  });

  it('chunks TypeScript into top-level declarations with their doc comments attached', function () {
    const text = [
      "import { readFile } from 'node:fs';", // 1
      "import * as path from 'node:path';", // 2
      'const LIMIT = 10;', // 3
      '', // 4
      '/** Adds two numbers. */', // 5
      'export function add(a: number, b: number): number {', // 6
      '  return a + b;', // 7
      '}', // 8
      '', // 9
      '/**', // 10
      ' * A shape with corners.', // 11
      ' */', // 12
      'export class Polygon {', // 13
      '  corners = 3;', // 14
      '  area(): number { return 0; }', // 15
      '}', // 16
      'export interface Point { x: number; y: number }', // 17
      'export type Id = string;', // 18
      'enum Color { Red, Green }', // 19
      'export const double = (x: number) => x * 2;', // 20
    ].join('\n');
    const chunks = chunker.chunk('src/geometry.ts', text);
    assertCoversFile(text, chunks);
    const imports = chunks[0];
    assert.deepEqual([imports.startLine, imports.endLine, imports.kind], [1, 3, 'declaration']);
    const add = bySymbol(chunks, 'add');
    assert.deepEqual([add.startLine, add.endLine, add.kind, add.language], [5, 8, 'function', 'typescript']);
    assert.ok(add.text.startsWith('/** Adds two numbers. */'));
    const polygon = bySymbol(chunks, 'Polygon');
    assert.deepEqual([polygon.startLine, polygon.endLine, polygon.kind], [10, 16, 'class']);
    assert.equal(bySymbol(chunks, 'Point').kind, 'interface');
    assert.equal(bySymbol(chunks, 'Id').kind, 'type');
    assert.equal(bySymbol(chunks, 'Color').kind, 'enum');
    assert.deepEqual([bySymbol(chunks, 'double').kind, bySymbol(chunks, 'double').startLine], ['function', 20]);
  });

  it('keeps a comment separated by a blank line apart from the declaration below it', function () {
    const text = ['// Copyright header', '', 'function f() {}', '// trailing note'].join('\n');
    const chunks = chunker.chunk('a.ts', text);
    assertCoversFile(text, chunks);
    assert.equal(bySymbol(chunks, 'f').startLine, 3);
  });

  it('chunks TSX and JavaScript', function () {
    const tsx = ["import React from 'react';", '/** The app. */', 'export function App() {', '  return <div className="x">hi</div>;', '}'].join('\n');
    const app = bySymbol(chunker.chunk('ui/App.tsx', tsx), 'App');
    assert.deepEqual([app.startLine, app.endLine, app.language], [2, 5, 'tsx']);

    const js = ["const fs = require('fs');", '/** Reads it. */', 'function read(p) {', '  return fs.readFileSync(p);', '}', 'class Cache { get(k) { return k; } }', 'module.exports = { read, Cache };'].join('\n');
    const chunks = chunker.chunk('lib/read.js', js);
    assertCoversFile(js, chunks);
    assert.deepEqual([bySymbol(chunks, 'read').startLine, bySymbol(chunks, 'read').endLine], [2, 5]);
    assert.equal(bySymbol(chunks, 'Cache').kind, 'class');
    assert.equal(chunks[0].language, 'javascript');
  });

  it('chunks Python with decorators and comments attached', function () {
    const text = [
      'import os', // 1
      '', // 2
      '# Joins two paths.', // 3
      'def join(a, b):', // 4
      '    """Return a/b."""', // 5
      '    return os.path.join(a, b)', // 6
      '', // 7
      '@dataclass', // 8
      'class Config:', // 9
      '    name: str = ""', // 10
      '    def load(self):', // 11
      '        pass', // 12
    ].join('\n');
    const chunks = chunker.chunk('pkg/util.py', text);
    assertCoversFile(text, chunks);
    assert.deepEqual([bySymbol(chunks, 'join').startLine, bySymbol(chunks, 'join').endLine, bySymbol(chunks, 'join').kind], [3, 6, 'function']);
    const config = bySymbol(chunks, 'Config');
    assert.deepEqual([config.startLine, config.endLine, config.kind, config.language], [8, 12, 'class', 'python']);
  });

  it('chunks Go functions, methods and types', function () {
    const text = [
      'package main', // 1
      'import "fmt"', // 2
      '// Greet says hello.', // 3
      'func Greet(name string) {', // 4
      '\tfmt.Println(name)', // 5
      '}', // 6
      'type Server struct { Port int }', // 7
      'func (s *Server) Start() error { return nil }', // 8
    ].join('\n');
    const chunks = chunker.chunk('cmd/main.go', text);
    assertCoversFile(text, chunks);
    assert.deepEqual([bySymbol(chunks, 'Greet').startLine, bySymbol(chunks, 'Greet').endLine], [3, 6]);
    assert.equal(bySymbol(chunks, 'Server').kind, 'type');
    assert.deepEqual([bySymbol(chunks, 'Start').kind, bySymbol(chunks, 'Start').startLine], ['method', 8]);
  });

  it('chunks Rust items with doc comments and attributes attached', function () {
    const text = [
      'use std::fmt;', // 1
      '/// A point.', // 2
      '#[derive(Debug)]', // 3
      'pub struct Point { x: i32 }', // 4
      'impl Point {', // 5
      '    pub fn new() -> Self { Point { x: 0 } }', // 6
      '}', // 7
      'impl fmt::Display for Point {', // 8
      '    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { Ok(()) }', // 9
      '}', // 10
      'pub fn origin() -> Point { Point::new() }', // 11
    ].join('\n');
    const chunks = chunker.chunk('src/point.rs', text);
    assertCoversFile(text, chunks);
    const point = bySymbol(chunks, 'Point');
    assert.deepEqual([point.startLine, point.endLine, point.kind], [2, 4, 'struct']);
    assert.ok(chunks.some((c) => c.kind === 'impl' && c.startLine === 5 && c.endLine === 7));
    assert.equal(bySymbol(chunks, 'fmt::Display for Point').kind, 'impl');
    assert.equal(bySymbol(chunks, 'origin').kind, 'function');
  });

  it('chunks Java classes with their Javadoc', function () {
    const text = [
      'package com.example;', // 1
      'import java.util.List;', // 2
      '/** Keeps accounts. */', // 3
      'public class Bank {', // 4
      '  private int total;', // 5
      '  /** Deposits money. */', // 6
      '  public void deposit(int amount) { total += amount; }', // 7
      '}', // 8
      'interface Audited { void audit(); }', // 9
    ].join('\n');
    const chunks = chunker.chunk('src/Bank.java', text);
    assertCoversFile(text, chunks);
    assert.deepEqual([bySymbol(chunks, 'Bank').startLine, bySymbol(chunks, 'Bank').endLine], [3, 8]);
    assert.equal(bySymbol(chunks, 'Audited').kind, 'interface');
  });

  it('chunks C and C++, finding names inside declarators and namespaces', function () {
    const c = ['#include <stdio.h>', '/* Adds. */', 'static int add(int a, int b) {', '  return a + b;', '}', 'struct pair { int a; int b; };', 'char *name(void) { return "x"; }'].join('\n');
    const cChunks = chunker.chunk('src/add.c', c);
    assertCoversFile(c, cChunks);
    assert.deepEqual([bySymbol(cChunks, 'add').startLine, bySymbol(cChunks, 'add').endLine], [2, 5]);
    assert.equal(bySymbol(cChunks, 'pair').kind, 'struct');
    assert.equal(bySymbol(cChunks, 'name').kind, 'function');

    const cpp = ['#include <vector>', '/// A stack.', 'class Stack {', ' public:', '  void push(int v);', '};', 'template <typename T> T id(T t) { return t; }', 'void Stack::push(int v) {}'].join('\n');
    const cppChunks = chunker.chunk('src/stack.cpp', cpp);
    assertCoversFile(cpp, cppChunks);
    assert.deepEqual([bySymbol(cppChunks, 'Stack').startLine, bySymbol(cppChunks, 'Stack').kind], [2, 'class']);
    assert.equal(bySymbol(cppChunks, 'id').kind, 'function');
    assert.equal(bySymbol(cppChunks, 'Stack::push').kind, 'function');
  });

  it('splits a big class into method groups that name the class and their methods', async function () {
    const small = await CodeChunker.create({ maxChunkLines: 20 });
    const methods = Array.from({ length: 12 }, (_, i) => [`  /** Step ${i}. */`, `  step${i}(): number {`, `    return ${i};`, '  }'].join('\n'));
    const text = ['/** Runs steps. */', 'export class Runner {', ...methods, '}'].join('\n');
    const chunks = small.chunk('runner.ts', text);
    assertCoversFile(text, chunks);
    assert.ok(chunks.length >= 3, `expected several groups, got ${chunks.length}`);
    for (const c of chunks) {
      assert.equal(c.kind, 'method');
      assert.ok(c.symbol?.startsWith('Runner: '), c.symbol);
      assert.ok(c.endLine - c.startLine + 1 <= 25, `group of ${c.endLine - c.startLine + 1} lines`);
    }
    assert.equal(chunks[0].startLine, 1, 'the class doc comment and header open the first group');
    assert.ok(chunks[0].symbol!.includes('step0'));
    assert.equal(chunks[chunks.length - 1].endLine, text.split('\n').length, 'the closing brace ends the last group');
    // Each method's doc comment is in the same chunk as its declaration.
    for (let i = 0; i < 12; i++) {
      const holder = chunks.find((c) => c.text.includes(`step${i}(): number`))!;
      assert.ok(holder.text.includes(`/** Step ${i}. */`), `step${i} lost its doc comment`);
    }
  });

  it('descends into a big namespace so its declarations become their own chunks', async function () {
    const small = await CodeChunker.create({ maxChunkLines: 30 });
    const decls = Array.from({ length: 20 }, (_, i) => [`    /** Node kind ${i}. */`, `    interface Node${i} {`, `        kind: ${i};`, '    }'].join('\n'));
    const text = ['declare namespace ts {', '    namespace server {', ...decls, '    }', '}', 'export = ts;'].join('\n');
    const chunks = small.chunk('typescript.d.ts', text);
    assertCoversFile(text, chunks);
    const node7 = bySymbol(chunks, 'ts.server.Node7');
    assert.equal(node7.kind, 'interface');
    assert.ok(node7.text.startsWith('    /** Node kind 7. */'));
    assert.equal(node7.endLine - node7.startLine, 3);
  });

  it('falls back to overlapping line windows for an oversized function and for unknown languages', async function () {
    const small = await CodeChunker.create({ maxChunkLines: 20 });
    const body = Array.from({ length: 130 }, (_, i) => `  total += ${i};`);
    const text = ['function big() {', '  let total = 0;', ...body, '  return total;', '}'].join('\n');
    const chunks = small.chunk('big.js', text);
    assertCoversFile(text, chunks);
    assert.ok(chunks.length >= 3);
    for (const c of chunks) assert.deepEqual([c.symbol, c.kind], ['big', 'function']);
    assert.ok(chunks[1].startLine <= chunks[0].endLine, 'consecutive windows overlap');

    const md = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? '' : `line ${i} of the notes`)).join('\n');
    const mdChunks = chunker.chunk('docs/NOTES.md', md);
    assertCoversFile(md, mdChunks);
    assert.ok(mdChunks.every((c) => c.kind === 'lines' && c.language === 'markdown'));
    assert.ok(mdChunks.every((c) => c.endLine - c.startLine + 1 <= 60));
  });

  it('cuts a minified line longer than the character cap into pieces', function () {
    const line = 'var a=' + 'x+'.repeat(10_000) + '1;';
    const chunks = chunker.chunk('dist/app.min.js', line);
    assert.ok(chunks.length >= 3);
    assert.equal(chunks.map((c) => c.text).join(''), line);
    assert.ok(chunks.every((c) => c.text.length <= 8000 && c.startLine === 1 && c.endLine === 1));
  });

  it('stores a long line once when many declarations share it: a bundle minified to 8,000-character lines', function () {
    // Before: every function on a line became a chunk holding the whole line (150 chunks, 10× the file).
    const functions = Array.from({ length: 3000 }, (_, i) => `function f${i}(a,b){return a*${i}+b}`);
    const lines: string[] = [];
    for (const f of functions) {
      if (lines.length === 0 || lines[lines.length - 1].length + f.length > 7900) lines.push(f);
      else lines[lines.length - 1] += f;
    }
    const text = lines.join('\n');
    const chunks = chunker.chunk('dist/bundle.js', text);
    assertCoversFile(text, chunks);
    const stored = chunks.reduce((n, c) => n + c.text.length, 0);
    assert.ok(chunks.length <= lines.length * 2, `${chunks.length} chunks for ${lines.length} lines`);
    assert.ok(stored <= text.length * 1.2, `${stored} characters stored for a ${text.length}-character file`);
    assert.ok(chunks.every((c) => c.text.length <= chunker.chunkCharCap));
  });

  it('bounds the chunks of a real minified bundle from node_modules by its size', function () {
    let file: string;
    try {
      file = path.join(path.dirname(require.resolve('markdown-it/package.json')), 'dist', 'markdown-it.min.js');
      fs.accessSync(file);
    } catch {
      this.skip();
    }
    const text = fs.readFileSync(file, 'utf8');
    const chunks = chunker.chunk('vendor/markdown-it.min.js', text);
    assertCoversFile(text, chunks);
    const stored = chunks.reduce((n, c) => n + c.text.length, 0);
    assert.ok(stored <= text.length * 1.05, `${stored} characters stored for ${text.length}`);
    assert.ok(chunks.length <= Math.ceil(text.length / 6000) + 3, `${chunks.length} chunks`);
    assert.ok(chunks.every((c) => c.text.length <= chunker.chunkCharCap));
  });

  it('cuts pieces of a long line after a space or punctuation, so a name is not split', function () {
    const line = Array.from({ length: 3000 }, (_, i) => `value${i}`).join(',');
    const pieces = linePieces(line, 1000);
    assert.equal(pieces.join(''), line);
    assert.ok(pieces.every((p) => p.length <= 1000 && p.length >= 750));
    assert.ok(pieces.slice(0, -1).every((p) => p.endsWith(',')), 'each piece ends after a comma');
  });

  it('packs the chunks of a file of thousands of tiny declarations to fit the per-file cap, every line still indexed', async function () {
    const capped = await CodeChunker.create({ maxChunksPerFile: 500 });
    const text = Array.from({ length: 5000 }, (_, i) => `export function handler${i}(event: Event): void { dispatch(event, ${i}); }`).join('\n');
    const chunks = capped.chunk('src/generatedHandlers.ts', text);
    assert.ok(chunks.length <= 500, `${chunks.length} chunks`);
    assertCoversFile(text, chunks);
    assert.ok(chunks[0].symbol?.startsWith('handler0, handler1'), chunks[0].symbol);
    // An ordinary file is far under the cap and chunked as before: one chunk per function.
    assert.equal(capped.chunk('src/few.ts', text.split('\n').slice(0, 20).join('\n')).length, 20);
  });

  it('chunks broken code without throwing and still covers every line', function () {
    const text = ['function ok() { return 1; }', 'class {{{ oops', '  def nonsense(', '}}} )', 'const z = 3;'].join('\n');
    const chunks = chunker.chunk('broken.ts', text);
    assertCoversFile(text, chunks);
    assert.equal(bySymbol(chunks, 'ok').kind, 'function');
  });

  it('covers every line of the real typescript.d.ts and makes its declarations their own chunks', function () {
    const file = path.join(path.dirname(require.resolve('typescript/package.json')), 'lib', 'typescript.d.ts');
    const text = fs.readFileSync(file, 'utf8');
    const chunks = chunker.chunk('lib/typescript.d.ts', text);
    assertCoversFile(text, chunks);
    assert.ok(chunks.length > 500, `${chunks.length} chunks`);
    const createSourceFile = chunks.find((c) => c.symbol === 'ts.createSourceFile');
    assert.ok(createSourceFile, 'ts.createSourceFile has its own chunk');
    assert.ok(chunks.every((c) => c.text.length <= 8000 * 1.25));
  });

  it('names text languages by extension', function () {
    assert.equal(languageForPath('a/b.md'), 'markdown');
    assert.equal(languageForPath('Makefile'), 'text');
    assert.equal(languageForPath('x.hpp'), 'cpp');
  });
});

describe('lineWindows', function () {
  it('covers every non-blank line with windows that overlap and skip blank edges', function () {
    const text = ['', '', ...Array.from({ length: 150 }, (_, i) => (i % 10 === 9 ? '' : `row ${i}`)), '', ''].join('\n');
    const src = new SourceLines(text);
    const windows = lineWindows(src, 0, src.count - 1, { windowLines: 60, overlapLines: 10 });
    const covered = new Set<number>();
    for (const w of windows) {
      assert.ok(!src.isBlank(w.start) && !src.isBlank(w.end));
      for (let r = w.start; r <= w.end; r++) covered.add(r);
    }
    for (let r = 0; r < src.count; r++) if (!src.isBlank(r)) assert.ok(covered.has(r), `row ${r}`);
    assert.ok(windows.length >= 3 && windows.length <= 4);
  });

  it('keeps windows under the character cap when lines are long', function () {
    const src = new SourceLines(Array.from({ length: 100 }, () => 'y'.repeat(900)).join('\n'));
    const windows = lineWindows(src, 0, 99, { maxChars: 4000 });
    assert.ok(windows.every((w) => src.chars(w.start, w.end) <= 4000));
    assert.ok(windows.length < 60, `${windows.length} windows: overlap must not multiply short windows`);
  });
});

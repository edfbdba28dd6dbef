// The small glob language search_files accepts: `*` within a path segment, `**` across segments, `?`,
// `{a,b}` alternatives and `[abc]` classes. A glob without `/` matches a name at any depth (`*.ts`),
// as in .gitignore, which is what a model asking for "*.ts" means. Case-insensitive: models guess case.

export function globToRegExp(glob: string): RegExp {
  let g = glob.trim().replace(/\\/g, '/');
  if (g.startsWith('./')) g = g.slice(2);
  if (g.startsWith('/')) g = g.slice(1);
  const anyDepth = !g.includes('/');
  let re = '';
  let braces = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*') {
      if (g[i + 1] === '*') {
        const atSegmentStart = i === 0 || g[i - 1] === '/';
        i++;
        if (g[i + 1] === '/' && atSegmentStart) {
          i++;
          re += '(?:.*/)?'; // `**/` also matches no folder at all: src/**/*.ts finds src/a.ts
        } else {
          re += '.*';
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) {
      re += '|';
    } else if (c === '[') {
      const close = g.indexOf(']', i + 1);
      if (close > i + 1) {
        const body = g.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      } else {
        re += '\\[';
      }
    } else {
      re += c.replace(/[.+^$()|\\\]{}]/g, '\\$&');
    }
  }
  while (braces-- > 0) re += ')';
  // A glob that names a folder also matches everything in it (`src`, `src/lib`), as in .gitignore.
  return new RegExp(`^${anyDepth ? '(?:.*/)?' : ''}${re}(?:/.*)?$`, 'i');
}

/** Does the workspace-relative path `rel` (forward slashes) match `glob`? */
export function matchesGlob(rel: string, glob: string): boolean {
  return globToRegExp(glob).test(rel);
}

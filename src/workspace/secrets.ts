// Which files hold credentials or keys. They are never read by a tool, never indexed, never sent to a
// provider, whatever .gitignore says: the one list, shared by the file tools and the indexer.
import ignore, { type Ignore } from 'ignore';

/** Gitignore-style, matched at any depth; a folder that matches (e.g. `.env.d/`) covers all it holds. */
export const SECRET_PATTERNS: readonly string[] = [
  '.env*',
  '*.pem',
  '*.key',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '*.p12',
  '*.pfx',
  '*.keystore',
  '*.jks',
  '.npmrc',
  '.pypirc',
  '.netrc',
  '_netrc',
  '.pgpass',
  '.htpasswd',
  'credentials*.json',
  '.git-credentials',
  '**/.aws/credentials',
  '**/.docker/config.json',
];

const defaultSecrets = secretMatcher();

/** SECRET_PATTERNS plus the person's own, compiled once. */
export function secretMatcher(extra: readonly string[] = []): Ignore {
  return ignore().add([...SECRET_PATTERNS, ...extra]);
}

/** True for a workspace-relative, '/'-separated path that looks like credentials or keys. */
export function isSecretPath(rel: string, extra?: string[]): boolean {
  const clean = normalizeRel(rel);
  if (!clean || clean.startsWith('../')) return false;
  return extra?.length ? secretMatcher(extra).ignores(clean) : defaultSecrets.ignores(clean);
}

/** `./a//b/` → `a/b`, '' for the root: the form `ignore` accepts. */
export function normalizeRel(rel: string): string {
  return rel
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .reduce<string[]>((parts, part) => {
      if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else parts.push(part);
      return parts;
    }, [])
    .join('/');
}

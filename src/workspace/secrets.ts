// Which files hold credentials or keys. They are never read by a tool, never indexed, never sent to a
// provider, whatever .gitignore says, unless the person allows a path by name (`memcode.files.allow`):
// the one list, shared by the file tools and the indexer.
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

/**
 * Files named like secrets that are meant to be shared: the templates a project commits so that each
 * person can fill in a `.env` of their own. They hold placeholders, and the model needs them to know
 * which variables exist.
 */
export const NOT_SECRETS: readonly string[] = ['.env*.example', '.env*.sample', '.env*.template'];

/**
 * Which paths are secrets: SECRET_PATTERNS plus the person's own, minus NOT_SECRETS and the paths the
 * person allowed deliberately (`memcode.files.allow`). Compiled once per workspace.
 */
export class SecretRules {
  private readonly secrets: Ignore;
  private readonly allowed: Ignore;

  constructor(opts: { extra?: readonly string[]; allow?: readonly string[] } = {}) {
    this.secrets = ignore().add([...SECRET_PATTERNS, ...(opts.extra ?? [])]);
    this.allowed = ignore().add([...NOT_SECRETS, ...usablePatterns(opts.allow ?? [])]);
  }

  /** For a path already in normalizeRel's form ('' never matches). */
  matches(cleanRel: string): boolean {
    return cleanRel !== '' && this.secrets.ignores(cleanRel) && !this.allowed.ignores(cleanRel);
  }
}

const defaultSecrets = new SecretRules();

/** True for a workspace-relative, '/'-separated path that looks like credentials or keys. */
export function isSecretPath(rel: string, extra?: string[]): boolean {
  const clean = normalizeRel(rel);
  if (!clean || clean.startsWith('../')) return false;
  return (extra?.length ? new SecretRules({ extra }) : defaultSecrets).matches(clean);
}

function usablePatterns(patterns: readonly string[]): string[] {
  return patterns.map((p) => p.trim()).filter((p) => p !== '');
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

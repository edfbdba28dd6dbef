// A database URL carries a password: it is shown only with the password (and any password-like query
// parameter) replaced, and every error that may quote it is passed through here before anyone sees it.

const HIDDEN = '***';

/** `postgres://user:secret@host/db?password=x` → `postgres://user:***@host/db?password=***`; not a URL → a placeholder. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = HIDDEN;
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, HIDDEN);
    }
    return parsed.toString().replace(encodeURIComponent(HIDDEN), HIDDEN);
  } catch {
    return '(the database URL, which is not a valid URL)';
  }
}

/** `text` with the URL, its password and its password-like parameters replaced, wherever they appear. */
export function redactSecrets(text: string, url: string): string {
  let out = text.split(url).join(redactDatabaseUrl(url));
  for (const secret of secretsOf(url)) {
    // Short values would blank out ordinary words; real passwords are longer.
    if (secret.length >= 3) out = out.split(secret).join(HIDDEN);
  }
  return out;
}

function secretsOf(url: string): string[] {
  try {
    const parsed = new URL(url);
    const found = [parsed.password, decodeURIComponent(parsed.password)];
    for (const [key, value] of parsed.searchParams) if (/pass|secret|token|key/i.test(key)) found.push(value);
    return found.filter(Boolean);
  } catch {
    // Not parseable: hide whatever follows a colon before an @ (user:password@host).
    const match = /:([^:@/]+)@/.exec(url);
    return match ? [match[1]] : [];
  }
}

// Text that looks like a credential. Memory is plain files a team may commit (memory/*.md) and is sent to
// the model provider at every step, so memory written by another agent over MCP is refused when it holds
// one. Only formats that are unmistakable: a placeholder like "postgres://user:pass@localhost" in a note
// about setup must still be savable.

interface SecretShape {
  what: string;
  pattern: RegExp;
}

const SECRET_SHAPES: readonly SecretShape[] = [
  { what: 'a private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { what: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { what: 'an API key (sk-…)', pattern: /\bsk-(?:proj-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{32,}/ },
  { what: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { what: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { what: 'a Stripe live key', pattern: /\b[rs]k_live_[0-9A-Za-z]{16,}\b/ },
  { what: 'an npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { what: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
];

/** What kind of secret `text` seems to hold ("a private key"), or undefined. */
export function secretIn(text: string): string | undefined {
  return SECRET_SHAPES.find((s) => s.pattern.test(text))?.what;
}

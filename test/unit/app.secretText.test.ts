import { strict as assert } from 'node:assert';
import { secretIn } from '../../src/app/secretText';

describe('secretIn (memory written by other agents)', () => {
  it('recognises private keys and well-known token formats', () => {
    assert.equal(secretIn('-----BEGIN RSA PRIVATE KEY-----\nMIIE...'), 'a private key');
    assert.equal(secretIn('-----BEGIN PGP PRIVATE KEY BLOCK-----'), 'a private key');
    assert.equal(secretIn('aws: AKIAIOSFODNN7EXAMPLE'), 'an AWS access key id');
    assert.equal(secretIn('GH_TOKEN=ghp_1234567890abcdefghijABCDEFGHIJ123456'), 'a GitHub token');
    assert.equal(secretIn('OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz0123456789'), 'an API key (sk-…)');
    assert.equal(secretIn('xoxb-123456789012-abcdefghij'), 'a Slack token');
    assert.equal(secretIn('npm_abcdefghijklmnopqrstuvwxyz0123456789'), 'an npm token');
  });

  it('lets notes about secrets and placeholders through', () => {
    for (const text of [
      'The deploy token is in .env as DEPLOY_TOKEN; never commit it.',
      'DATABASE_URL=postgres://postgres:postgres@localhost:5432/dev',
      'Set OPENAI_API_KEY=sk-... before running the evals.',
      'Public keys live in keys/*.pub (-----BEGIN PUBLIC KEY-----).',
      'Run `gh auth login` first; the task block names ghp_ tokens as forbidden.',
    ]) {
      assert.equal(secretIn(text), undefined, text);
    }
  });
});

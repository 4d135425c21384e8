import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { checkExternalLink, EXTERNAL_LINK_HOSTS, openExternalIfAllowed } from './external-links';

const HOSTS = ['docs.example.org'];

describe('external links', () => {
  it('allows https links to a listed host, and opens the normalised URL', () => {
    assert.deepEqual(checkExternalLink('https://docs.example.org/guide?x=1#top', HOSTS), {
      ok: true,
      url: 'https://docs.example.org/guide?x=1#top',
    });
    assert.deepEqual(checkExternalLink('HTTPS://DOCS.EXAMPLE.ORG:443/a b', HOSTS), { ok: true, url: 'https://docs.example.org/a%20b' });
  });

  it('refuses, without throwing, anything else: other hosts and schemes, credentials, ports, malformed input', () => {
    for (const url of [
      'https://a.docs.example.org/',
      'https://docs.example.org.evil.com/',
      'https://evil.com/?https://docs.example.org/',
      'https://dоcs.example.org/', // a Cyrillic "о"
      'http://docs.example.org/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://user:pw@docs.example.org/',
      'https://docs.example.org@evil.com/',
      'https://docs.example.org:8443/',
      '//docs.example.org/',
      'docs.example.org',
      'https://[::1',
      '',
      undefined,
      42,
      { toString: () => 'https://docs.example.org/' },
      {
        toString: () => {
          throw new Error('hostile');
        },
      },
    ]) {
      const decision = checkExternalLink(url, HOSTS);
      assert.equal(decision.ok, false, typeof url === 'string' ? url : typeof url);
      assert.ok(!decision.ok && decision.reason.length > 0, 'a refusal says why');
    }
  });

  it('opens an allowed link, logs and drops a refused one, and logs a browser that fails to open', async () => {
    const warn = mock.method(console, 'warn', () => {});
    try {
      const opened: string[] = [];
      assert.equal(
        openExternalIfAllowed('https://docs.example.org/', async (url) => void opened.push(url), HOSTS),
        true,
      );
      assert.equal(
        openExternalIfAllowed('https://evil.com/', async (url) => void opened.push(url), HOSTS),
        false,
      );
      assert.equal(
        openExternalIfAllowed(
          {
            toString: () => {
              throw new Error('hostile');
            },
          },
          async (url) => void opened.push(url),
          HOSTS,
        ),
        false,
      );
      assert.deepEqual(opened, ['https://docs.example.org/']);
      assert.match(String(warn.mock.calls[0]?.arguments[0]), /evil\.com.*not on the allow-list/);
      openExternalIfAllowed('https://docs.example.org/', () => Promise.reject(new Error('no browser')), HOSTS);
      await new Promise((resolve) => setImmediate(resolve));
      assert.match(String(warn.mock.calls[2]?.arguments[0]), /no browser/);
    } finally {
      warn.mock.restore();
    }
  });

  it('refuses every link by default: the renderer links to no outside page today', () => {
    assert.deepEqual(EXTERNAL_LINK_HOSTS, []);
    assert.equal(checkExternalLink('https://example.com/').ok, false);
  });
});

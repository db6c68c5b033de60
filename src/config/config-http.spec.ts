import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.js';

describe('HTTP timeouts in the configuration', () => {
  it('default to 30 s for a whole request and 10 s for its headers', () => {
    expect(loadConfig({})).toMatchObject({ httpRequestTimeoutSeconds: 30, httpHeadersTimeoutSeconds: 10 });
  });

  it('read HTTP_REQUEST_TIMEOUT_SECONDS and HTTP_HEADERS_TIMEOUT_SECONDS', () => {
    expect(loadConfig({ HTTP_REQUEST_TIMEOUT_SECONDS: '60', HTTP_HEADERS_TIMEOUT_SECONDS: '20' })).toMatchObject({
      httpRequestTimeoutSeconds: 60,
      httpHeadersTimeoutSeconds: 20,
    });
  });

  it.each([
    [{ HTTP_REQUEST_TIMEOUT_SECONDS: '0' }, 'HTTP_REQUEST_TIMEOUT_SECONDS'],
    [{ HTTP_REQUEST_TIMEOUT_SECONDS: 'soon' }, 'HTTP_REQUEST_TIMEOUT_SECONDS'],
    [{ HTTP_HEADERS_TIMEOUT_SECONDS: '601' }, 'HTTP_HEADERS_TIMEOUT_SECONDS'],
    [{ HTTP_REQUEST_TIMEOUT_SECONDS: '5', HTTP_HEADERS_TIMEOUT_SECONDS: '10' }, 'HTTP_HEADERS_TIMEOUT_SECONDS'],
  ])('refuse %j, naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}=`));
  });
});

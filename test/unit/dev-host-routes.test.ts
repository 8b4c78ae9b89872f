import { describe, expect, it } from 'vitest';
import { byPrecedence, compileRoute } from '../../dev/host/routes.js';

describe('dev/host route templates', () => {
  it('extracts parameters and decodes them', () => {
    expect(compileRoute('runs/{runId}/cancel').match('/runs/my%20run/cancel')).toEqual({ runId: 'my run' });
    expect(compileRoute('runs/{runId}/cancel').match('/runs/x')).toBeUndefined();
  });

  it('applies inline constraints', () => {
    const route = compileRoute('items/{id:int}');
    expect(route.match('/items/12')).toEqual({ id: '12' });
    expect(route.match('/items/abc')).toBeUndefined();
    expect(compileRoute('v/{n:range(1,5)}').match('/v/6')).toBeUndefined();
    expect(compileRoute('v/{n:range(1,5)}').match('/v/5')).toEqual({ n: '5' });
    expect(compileRoute('g/{id:guid}').match('/g/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBeDefined();
    expect(compileRoute('s/{code:length(3)}').match('/s/abcd')).toBeUndefined();
    expect(compileRoute('r/{x:regex(^a+$)}').match('/r/aaa')).toEqual({ x: 'aaa' });
  });

  it('handles optional, catch-all and mixed segments', () => {
    expect(compileRoute('files/{name?}').match('/files')).toEqual({});
    expect(compileRoute('files/{*path}').match('/files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(compileRoute('docs/{name}.json').match('/docs/readme.json')).toEqual({ name: 'readme' });
    expect(compileRoute('Health').match('/health/')).toEqual({});
  });

  it('rejects unknown constraints at registration', () => {
    expect(() => compileRoute('x/{id:wibble}')).toThrow(/Unsupported route constraint/);
  });

  it('orders literal segments before parameters and catch-alls last', () => {
    const routes = ['runs/{runId}', '{*rest}', 'runs/latest', 'runs/{id:int}'].map(compileRoute).sort(byPrecedence);
    expect(routes.map((r) => r.template)).toEqual(['runs/latest', 'runs/{id:int}', 'runs/{runId}', '{*rest}']);
  });
});

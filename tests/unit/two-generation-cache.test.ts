import { TwoGenerationCache } from '../../server/src/lib/two-generation-cache';

describe('TwoGenerationCache', () => {
  it('keeps what is used across a generation change and drops what was not used for a whole generation', () => {
    const cache = new TwoGenerationCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    // 'c' starts a new generation: a and b age.
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1);
    // 'a' came back young; the next change drops b, never used since.
    cache.set('d', 4);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([1, 3, 4]);
  });
});

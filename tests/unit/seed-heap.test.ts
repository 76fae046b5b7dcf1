import { heapShortfall } from '../../server/scripts/seed-city/seed';

describe('seed:city heap check', () => {
  it('asks a province-sized seed for more heap than Node gives by default, and lets a city through', () => {
    // Node 20's default on a 24 GB machine: 4,144 MB.
    expect(heapShortfall(100, 4144)).toEqual({ needMb: 6300, limitMb: 4144, nodeOptions: '--max-old-space-size=7168' });
    expect(heapShortfall(100, 8240)).toBeNull();
    expect(heapShortfall(10, 4144)).toBeNull();
    expect(heapShortfall(1, 512)).toBeNull();
  });
});

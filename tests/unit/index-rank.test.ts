import { Random } from '../../server/scripts/seed-city/prng';
import { NO_FIGURES } from '../../server/src/modules/assessment/assessment-repository';
import { nameOrder, rank, ranksInOrder, type Evaluated } from '../../server/src/modules/assessment/index-scoring';

const entry = (id: string, name: string, hundredths: number): Evaluated => ({
  org: { id, name, districtId: 'd', districtName: '板块', ...NO_FIGURES },
  hundredths,
  parts: [],
});

describe('先锋指数+ rank', () => {
  it('puts the highest first, shares ranks between equal scores and lists ties by name', () => {
    const ranked = rank([entry('a', '乙社区', 5000), entry('b', '甲社区', 7000), entry('c', '丙社区', 5000), entry('d', '丁社区', 100)]);
    expect(ranked.map((e) => [e.org.name, e.rank])).toEqual([
      ['甲社区', 1],
      ['丙社区', 2],
      ['乙社区', 2],
      ['丁社区', 4],
    ]);
  });

  it('orders any list as a comparator sort by score, name and id does', () => {
    const rng = new Random(42);
    for (let round = 0; round < 20; round++) {
      const list = Array.from({ length: rng.int(0, 400) }, (_, i) =>
        // Few distinct scores and names: ties on both, broken by id.
        entry(`id${rng.int(0, 1e6)}-${i}`, `社区${rng.int(0, 30)}`, rng.int(0, 6) * 1250),
      );
      const expected = [...list].sort(
        (a, b) =>
          b.hundredths - a.hundredths || (a.org.name < b.org.name ? -1 : a.org.name > b.org.name ? 1 : 0) || (a.org.id < b.org.id ? -1 : 1),
      );
      const order = nameOrder(list.map((e) => e.org));
      const ranked = rank(list, order);
      expect(ranked.map((e) => e.org.id)).toEqual(expected.map((e) => e.org.id));
      expect(ranked.map((e) => e.rank)).toEqual(expected.map((e) => 1 + expected.findIndex((x) => x.hundredths === e.hundredths)));
      // A part of a ranked list (a district's) keeps its order and is ranked among itself.
      const part = ranked.filter((_, i) => i % 3 === 0);
      expect(ranksInOrder(part).map((e) => e.rank)).toEqual(part.map((e) => 1 + part.findIndex((x) => x.hundredths === e.hundredths)));
    }
  });
});

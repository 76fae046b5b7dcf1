import { Random } from '../../server/scripts/seed-city/prng';
import type { UnitMonth } from '../../server/src/modules/units/unit-index-repository';
import { explainUnit, scoreUnit, UNIT_INDEX_PARTS, valueOf, valueOnly } from '../../server/src/modules/units/unit-index-service';

/** Random months of a unit, zeros and nulls included (no whistles, no members, nothing due). */
function months(count: number): UnitMonth[] {
  const r = new Random(26);
  const small = () => (r.next() < 0.3 ? 0 : r.int(0, 12));
  return Array.from({ length: count }, (_, i) => {
    const assigned = small();
    const invited = small();
    const due = small();
    const rated = r.int(0, assigned);
    const accepted = small();
    return {
      id: `u${i}`,
      name: `单位${i}`,
      districtId: 'd',
      districtName: '板块',
      assigned,
      responded: r.int(0, assigned),
      closed: r.int(0, assigned),
      rated,
      satisfaction: rated ? 1 + r.next() * 4 : null,
      needsClaimed: small(),
      projectsAccepted: accepted,
      projectRating: accepted ? 1 + r.next() * 4 : null,
      participations: small() * 3,
      members: small(),
      meetingsInvited: invited,
      meetingsAttended: r.int(0, invited),
      actionsDue: due,
      actionsOnTime: r.int(0, due),
      actionsOverdue: r.int(0, due),
    };
  });
}

test("the board's values and scores are the explanation's, part by part, and add up to its score", () => {
  for (const u of months(2000)) {
    for (const d of UNIT_INDEX_PARTS) expect(valueOnly(d.key, u)).toBe(valueOf(d.key, u).value);
    const board = scoreUnit(u);
    const explained = explainUnit(u);
    expect(board.parts).toEqual(explained.map((p) => ({ key: p.key, value: p.value, score: p.score })));
    expect(board.hundredths).toBe(Math.round(explained.reduce((s, p) => s + p.score, 0) * 100));
  }
});

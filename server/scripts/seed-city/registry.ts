import { decryptPhone, encryptPhone, hashPhone, maskPhone } from '../../src/lib/phone-crypto';
import { GIVEN_CHARS, GIVEN_ENDINGS, PHONE_PREFIXES, SURNAMES } from './names';
import { Random } from './prng';

type Columns = Record<string, unknown[]>;

export const HOUSEHOLD_COLUMNS = [
  'id',
  'community_org_id',
  'estate_id',
  'building',
  'unit_no',
  'room',
  'owner_name_cipher',
  'owner_name_hash',
  'phone_cipher',
  'phone_hash',
  'phone_masked',
  'created_at',
  'updated_at',
] as const;

/** `12幢` → `12`, `3单元` → `3`: what home_part() (migration registry_functions) makes of the generated forms. */
const part = (s: string) => s.replace(/(幢|单元)$/, '');

/**
 * The homeowner registry (业主信息库) of a generated city: about 1.5 homes per member. Most
 * members own their home with their own phone (matched); some homes are registered to a family
 * member's phone (conflict); some members' homes are missing from the registry (unmatched); the
 * rest are homes no member lives in. Its own random stream, so the rest of the city is unchanged.
 */
export function generateRegistry(
  members: Columns,
  estatesByCommunity: Map<string, string[]>,
  opts: { seed: number; at: number; phoneEncKey: Buffer; phoneHashKey: Buffer; perMember?: number },
): { households: Columns; count: number } {
  const rng = new Random(opts.seed ^ 0x0b5e55ed);
  const households: Columns = Object.fromEntries(HOUSEHOLD_COLUMNS.map((c) => [c, []]));
  const homes = new Set<string>();
  const surnames = SURNAMES.map(([s]) => s);
  const name = () => rng.pick(surnames) + rng.pick([...GIVEN_CHARS]) + (rng.chance(0.6) ? rng.pick([...GIVEN_ENDINGS]) : '');
  const push = (community: string, estate: string, building: string, unit: string, room: string, owner: string, phone: string) => {
    const key = `${estate}|${building}|${unit}|${room}`;
    if (homes.has(key)) return false;
    homes.add(key);
    households.id.push(rng.uuid());
    households.community_org_id.push(community);
    households.estate_id.push(estate);
    households.building.push(building);
    households.unit_no.push(unit);
    households.room.push(room);
    households.owner_name_cipher.push(encryptPhone(opts.phoneEncKey, owner));
    households.owner_name_hash.push(hashPhone(opts.phoneHashKey, `name:${owner}`));
    households.phone_cipher.push(encryptPhone(opts.phoneEncKey, phone));
    households.phone_hash.push(hashPhone(opts.phoneHashKey, phone));
    households.phone_masked.push(maskPhone(phone));
    households.created_at.push(opts.at);
    households.updated_at.push(opts.at);
    return true;
  };
  const phone = () => rng.pick(PHONE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0');

  const perCommunity = new Map<string, number>();
  const n = members.id.length;
  for (let i = 0; i < n; i++) {
    const community = members.community_org_id[i] as string;
    perCommunity.set(community, (perCommunity.get(community) ?? 0) + 1);
    const roll = rng.next();
    if (roll < 0.12) continue; // not in the registry: unmatched
    const own = roll < 0.92;
    push(
      community,
      members.estate_id[i] as string,
      part(members.building[i] as string),
      part(members.unit_no[i] as string),
      members.room[i] as string,
      own ? (members.name[i] as string) : name(),
      own ? decryptPhone(opts.phoneEncKey, members.phone_cipher[i] as string) : phone(),
    );
  }
  const perMember = opts.perMember ?? 1.5;
  for (const [community, count] of perCommunity) {
    const estates = estatesByCommunity.get(community) ?? [];
    if (estates.length === 0) continue;
    let missing = Math.round(count * perMember) - Math.round(count * 0.88);
    for (let tries = 0; missing > 0 && tries < count * 20; tries++) {
      if (
        push(
          community,
          rng.pick(estates),
          String(rng.int(1, 40)),
          String(rng.int(1, 4)),
          `${rng.int(1, 18)}0${rng.int(1, 4)}`,
          name(),
          phone(),
        )
      )
        missing--;
    }
  }
  return { households, count: households.id.length };
}

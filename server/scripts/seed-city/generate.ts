import { CATEGORY_KEYS, CATEGORY_LABELS, type Category } from '@pioneer/shared';
import { encryptPhone, hashPhone, maskPhone } from '../../src/lib/phone-crypto';
import { generateRegistry } from './registry';
import {
  CATEGORY_WEIGHTS,
  COMMUNITY_FIRST,
  COMMUNITY_SECOND,
  DISTRICT_NAMES,
  DISTRICT_WEIGHTS,
  ESTATE_STEMS,
  ESTATE_SUFFIXES,
  GIVEN_CHARS,
  GIVEN_ENDINGS,
  PHONE_PREFIXES,
  SURNAMES,
  TASK_PLACES,
  TASK_TITLES,
  UNIT_FIXED,
  UNIT_STEMS,
  UNIT_SUFFIXES,
} from './names';
import { Random, WeightedPicker } from './prng';

export const BASE_COUNTS = { communities: 336, units: 76, members: 16_000, tasks: 9_000 };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Changshu local time (UTC+8, no DST): posts start at local hours. */
const LOCAL_OFFSET = 8 * HOUR;
const CONSENT_VERSION = '2024-01';

export interface ExistingData {
  districtIds: Map<string, string>;
  orgNames: Set<string>;
  registerCodes: Set<string>;
}

export interface GenerateOptions {
  scale: number;
  seed: number;
  /** Anchor of the two-year history (ms). Tests pin it for determinism. */
  now: number;
  phoneEncKey: Buffer;
  phoneHashKey: Buffer;
}

/** Column-oriented rows: one array per column, streamed into COPY by seed.ts. */
export type Columns = Record<string, unknown[]>;

/** Posts and their claims, generated a batch at a time so a province-sized city never sits in memory whole. */
export interface PostBatch {
  tasks: Columns;
  claims: Columns;
}

export const TASK_COLUMNS = [
  'id',
  'community_org_id',
  'title',
  'category',
  'description',
  'location',
  'starts_at',
  'ends_at',
  'capacity',
  'claimed',
  'service_minutes',
  'status',
  'claim_opens_at',
  'cancel_cutoff_minutes',
  'filled_at',
  'created_by',
  'created_at',
  'cancelled_at',
] as const;
export const CLAIM_COLUMNS = [
  'id',
  'task_id',
  'member_id',
  'status',
  'claimed_at',
  'cancelled_at',
  'checked_in_at',
  'checked_out_at',
  'minutes',
] as const;

export interface City {
  districts: Columns;
  orgs: Columns;
  estates: Columns;
  users: Columns;
  grants: Columns;
  members: Columns;
  households: Columns;
  /**
   * The posts with their claims, `batchTasks` posts per batch, in the one deterministic order.
   * Call it once and consume it whole: it draws from the city's random stream, and the claim
   * and fill counts below are complete only when it is done.
   */
  posts(batchTasks: number): Generator<PostBatch>;
  counts: {
    districts: number;
    communities: number;
    units: number;
    estates: number;
    members: number;
    tasks: number;
    claims: number;
    liveClaims: number;
    filledTasks: number;
    households: number;
  };
  firstMemberNames: string[];
}

function columns(...names: string[]): Columns {
  return Object.fromEntries(names.map((n) => [n, []]));
}

function push(cols: Columns, row: Record<string, unknown>): void {
  for (const key in cols) cols[key].push(row[key] ?? null);
}

interface CommunityRef {
  id: string;
  districtIndex: number;
  secretaryUserId: string;
  estates: { id: string; name: string }[];
  /** Member indices, in registration order. */
  members: number[];
}

/** Local midnight of the day containing `t`, in ms. */
const localDay = (t: number) => Math.floor((t + LOCAL_OFFSET) / DAY) * DAY - LOCAL_OFFSET;

export function generateCity(opts: GenerateOptions, existing: ExistingData, onProgress?: (done: number, total: number) => void): City {
  const rng = new Random(opts.seed);
  const ids = new Random(opts.seed ^ 0x5eed1d5);
  const { now, scale } = opts;
  const historyStart = now - 730 * DAY;
  const count = (base: number) => Math.max(1, Math.round(base * scale));
  const nCommunities = count(BASE_COUNTS.communities);
  const nUnits = count(BASE_COUNTS.units);
  const nMembers = count(BASE_COUNTS.members);
  const nTasks = count(BASE_COUNTS.tasks);

  const city: City = {
    districts: columns('id', 'name', 'sort_order'),
    orgs: columns('id', 'kind', 'name', 'district_id', 'register_code', 'created_at'),
    estates: columns('id', 'community_org_id', 'name', 'created_at'),
    users: columns('id', 'openid', 'created_at', 'last_login_at'),
    grants: columns('id', 'user_id', 'role', 'org_id', 'created_at'),
    members: columns(
      'id',
      'user_id',
      'name',
      'phone_cipher',
      'phone_hash',
      'phone_masked',
      'unit_org_id',
      'work_unit',
      'community_org_id',
      'estate_id',
      'building',
      'unit_no',
      'room',
      'intentions',
      'consent_version',
      'consented_at',
      'registered_at',
      'updated_at',
    ),
    households: {},
    posts: () => {
      throw new Error('posts are set below');
    },
    counts: {
      districts: 16,
      communities: nCommunities,
      units: nUnits,
      estates: 0,
      members: nMembers,
      tasks: nTasks,
      claims: 0,
      liveClaims: 0,
      filledTasks: 0,
      households: 0,
    },
    firstMemberNames: [],
  };
  const orgCreated = historyStart - 60 * DAY;
  const staffUser = (openid: string) => {
    const id = ids.uuid();
    push(city.users, { id, openid, created_at: orgCreated, last_login_at: now - rng.int(0, 30) * DAY });
    return id;
  };
  const grant = (userId: string, role: string, orgId: string | null) =>
    push(city.grants, { id: ids.uuid(), user_id: userId, role, org_id: orgId, created_at: orgCreated });

  // Districts: reuse the demo's rows when the names already exist.
  const districtIds = DISTRICT_NAMES.map((name, i) => {
    const found = existing.districtIds.get(name);
    if (found) return found;
    const id = ids.uuid();
    push(city.districts, { id, name, sort_order: i + 1 });
    return id;
  });
  const cityAdmin = staffUser('dev_city_admin');
  grant(cityAdmin, 'city_admin', null);
  districtIds.forEach((id, i) => grant(staffUser(`dev_city_district_${i + 1}`), 'district_admin', id));

  const usedNames = new Set(existing.orgNames);
  const usedCodes = new Set(existing.registerCodes);
  const uniqueName = (make: (attempt: number) => string) => {
    for (let attempt = 0; ; attempt++) {
      const name = make(attempt);
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
  };
  const codeAlphabet = [...'abcdefghjkmnpqrstuvwxyz23456789'];
  const registerCode = () => {
    for (;;) {
      let code = 'cs';
      for (let i = 0; i < 8; i++) code += rng.pick(codeAlphabet);
      if (!usedCodes.has(code)) {
        usedCodes.add(code);
        return code;
      }
    }
  };

  // Communities, spread over the districts by weight (every district gets one when there are enough).
  const districtPicker = new WeightedPicker(
    DISTRICT_NAMES.map((_, i) => i),
    DISTRICT_WEIGHTS,
  );
  const communities: CommunityRef[] = [];
  const first = [...COMMUNITY_FIRST];
  const second = [...COMMUNITY_SECOND];
  for (let i = 0; i < nCommunities; i++) {
    const districtIndex = i < 16 && nCommunities >= 16 ? i : districtPicker.pick(rng);
    const name = uniqueName((attempt) =>
      attempt < 30 ? `${rng.pick(first)}${rng.pick(second)}社区` : `${rng.pick(first)}${rng.pick(first)}${rng.pick(second)}社区`,
    );
    const id = ids.uuid();
    push(city.orgs, {
      id,
      kind: 'community',
      name,
      district_id: districtIds[districtIndex],
      register_code: registerCode(),
      created_at: orgCreated,
    });
    const secretaryUserId = staffUser(`dev_city_sec_${i + 1}`);
    grant(secretaryUserId, 'secretary', id);
    const estateNames = new Set<string>();
    const estates: CommunityRef['estates'] = [];
    const nEstates = rng.int(2, 5);
    while (estates.length < nEstates) {
      const estateName = `${rng.pick(ESTATE_STEMS)}${rng.pick(ESTATE_SUFFIXES)}`;
      if (estateNames.has(estateName)) continue;
      estateNames.add(estateName);
      const estateId = ids.uuid();
      estates.push({ id: estateId, name: estateName });
      push(city.estates, { id: estateId, community_org_id: id, name: estateName, created_at: orgCreated });
    }
    city.counts.estates += nEstates;
    communities.push({ id, districtIndex, secretaryUserId, estates, members: [] });
  }

  const units: { id: string; name: string }[] = [];
  for (let i = 0; i < nUnits; i++) {
    const name = uniqueName((attempt) => {
      if (i < UNIT_FIXED.length && attempt === 0) return UNIT_FIXED[i];
      if (attempt < 10 && rng.chance(0.6)) return `常熟市${rng.pick(UNIT_STEMS)}${rng.pick(UNIT_SUFFIXES)}`;
      return `常熟${rng.pick(first)}${rng.pick(second)}${rng.pick(UNIT_SUFFIXES.slice(10))}`;
    });
    const id = ids.uuid();
    push(city.orgs, {
      id,
      kind: 'unit',
      name,
      district_id: districtIds[districtPicker.pick(rng)],
      register_code: null,
      created_at: orgCreated,
    });
    grant(staffUser(`dev_city_unit_${i + 1}`), 'unit_admin', id);
    units.push({ id, name });
  }

  // Members: a few communities and units have nobody yet (not onboarded); the rest vary in size.
  const lognormalWeights = (n: number, emptyShare: number) =>
    Array.from({ length: n }, (_, i) => (i > 0 && rng.chance(emptyShare) ? 0 : Math.exp(rng.normal(0, 0.5))));
  const communityPicker = new WeightedPicker(communities, lognormalWeights(nCommunities, 0.04));
  const unitPicker = new WeightedPicker(units, lognormalWeights(nUnits, 0.05));
  const surnamePicker = new WeightedPicker(
    SURNAMES.map(([s]) => s),
    SURNAMES.map(([, w]) => w),
  );
  const given = [...GIVEN_CHARS];
  const endings = [...GIVEN_ENDINGS];
  const categoryPicker = new WeightedPicker(
    [...CATEGORY_KEYS],
    CATEGORY_KEYS.map((k) => CATEGORY_WEIGHTS[k]),
  );
  const usedPhones = new Set<string>();
  const memberIds: string[] = new Array(nMembers);
  const registeredAt: number[] = new Array(nMembers);
  const registration = Array.from({ length: nMembers }, () => historyStart - 30 * DAY + Math.floor(760 * DAY * rng.next() ** 2)).sort(
    (a, b) => a - b,
  );
  for (let m = 0; m < nMembers; m++) {
    const community = communityPicker.pick(rng);
    const unit = unitPicker.pick(rng);
    const estate = rng.pick(community.estates);
    const name =
      surnamePicker.pick(rng) + (rng.chance(0.22) ? rng.pick(given) : rng.pick(given) + rng.pick(rng.chance(0.5) ? endings : given));
    let phone: string;
    do phone = rng.pick(PHONE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0');
    while (usedPhones.has(phone));
    usedPhones.add(phone);
    const intentions = new Set<Category>();
    const nIntentions = rng.chance(0.5) ? 1 : rng.chance(0.7) ? 2 : 3;
    while (intentions.size < nIntentions) intentions.add(categoryPicker.pick(rng));
    const userId = ids.uuid();
    const id = ids.uuid();
    const at = registration[m];
    push(city.users, { id: userId, openid: `city_${m + 1}`, created_at: at, last_login_at: Math.min(now, at + rng.int(0, 700) * DAY) });
    push(city.members, {
      id,
      user_id: userId,
      name,
      phone_cipher: encryptPhone(opts.phoneEncKey, phone),
      phone_hash: hashPhone(opts.phoneHashKey, phone),
      phone_masked: maskPhone(phone),
      unit_org_id: unit.id,
      work_unit: unit.name,
      community_org_id: community.id,
      estate_id: estate.id,
      building: `${rng.int(1, 40)}幢`,
      unit_no: `${rng.int(1, 4)}单元`,
      room: `${rng.int(1, 18)}0${rng.int(1, 4)}`,
      intentions: [...intentions].join(','),
      consent_version: CONSENT_VERSION,
      consented_at: at,
      registered_at: at,
      updated_at: at,
    });
    if (m < 10) city.firstMemberNames.push(name);
    memberIds[m] = id;
    registeredAt[m] = at;
    community.members.push(m);
    if (m % 2000 === 0) onProgress?.(m, nMembers);
  }
  const districtMembers: number[][] = DISTRICT_NAMES.map(() => []);
  for (const c of communities) districtMembers[c.districtIndex].push(...c.members);
  for (const list of districtMembers) list.sort((a, b) => a - b);
  /** How many of `list` registered before `t` (indices are in registration order, so they are a prefix). */
  const registeredBefore = (list: number[], t: number) => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (registeredAt[list[mid]] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  // Posts, weighted towards communities with more members; popular posts fill within minutes.
  const active = communities.filter((c) => c.members.length > 0);
  const taskCommunityPicker = new WeightedPicker(
    active,
    active.map((c) => Math.sqrt(c.members.length) + 2),
  );
  const capacities = [3, 5, 6, 8, 10, 10, 12, 15, 15, 20, 20, 25, 30, 40, 50];
  const capacityWeights = [3, 8, 6, 10, 14, 6, 8, 10, 4, 8, 4, 5, 5, 3, 2];
  const capacityPicker = new WeightedPicker(capacities, capacityWeights);
  const hours = [8, 8.5, 9, 9, 9.5, 14, 14.5, 15, 15, 16, 18.5, 19];
  const durations = [1, 1.5, 2, 2, 2, 3, 3, 4];
  const emptyBatch = (): PostBatch => ({ tasks: columns(...TASK_COLUMNS), claims: columns(...CLAIM_COLUMNS) });
  let postsTaken = false;
  city.posts = function* posts(batchTasks: number) {
    if (postsTaken) throw new Error('the posts of a city are generated once');
    postsTaken = true;
    let batch = emptyBatch();
    for (let t = 0; t < nTasks; t++) {
      const community = taskCommunityPicker.pick(rng);
      const category = categoryPicker.pick(rng);
      const future = rng.chance(0.03);
      const day = localDay(future ? now + rng.int(0, 14) * DAY : historyStart + Math.floor(rng.next() * 728) * DAY);
      const startsAt = day + rng.pick(hours) * HOUR;
      const endsAt = startsAt + rng.pick(durations) * HOUR;
      const claimOpensAt = localDay(startsAt) - rng.int(1, 5) * DAY + 20 * HOUR;
      const capacity = capacityPicker.pick(rng);
      const taskId = ids.uuid();
      const cancelled = rng.chance(0.015) && claimOpensAt < now;
      const closes = Math.min(startsAt, now);
      const windowMs = Math.max(0, closes - claimOpensAt);

      let pool = community.members;
      let poolSize = registeredBefore(pool, claimOpensAt);
      if (poolSize < capacity * 1.5) {
        pool = districtMembers[community.districtIndex];
        poolSize = registeredBefore(pool, claimOpensAt);
      }
      const wantFull = startsAt <= now ? rng.chance(0.9) : rng.chance(0.6);
      let live = windowMs === 0 ? 0 : wantFull ? capacity : Math.floor(capacity * (0.35 + 0.6 * rng.next()));
      const extraCancelled = windowMs === 0 ? 0 : Math.round(live * 0.09 * rng.next());
      live = Math.min(live, poolSize);
      const picked = rng.sample(pool, Math.min(poolSize, live + extraCancelled), poolSize);
      live = Math.min(live, picked.length);
      const full = live === capacity;

      // Arrival times: successive exponential gaps around a per-post "heat" for posts that fill.
      const times: number[] = [];
      if (full) {
        const gapMs = Math.exp(rng.normal(Math.log(6), 1.3)) * 1000;
        let at = claimOpensAt;
        for (let i = 0; i < live; i++) times.push((at += rng.exp(gapMs) + 200));
        const last = times[times.length - 1];
        if (last > claimOpensAt + windowMs * 0.9) {
          const k = (windowMs * 0.9) / (last - claimOpensAt);
          for (let i = 0; i < times.length; i++) times[i] = claimOpensAt + (times[i] - claimOpensAt) * k;
        }
      } else {
        for (let i = 0; i < live; i++) times.push(claimOpensAt + rng.next() * windowMs);
        times.sort((a, b) => a - b);
      }
      const filledAt = full && !cancelled ? Math.round(times[times.length - 1]) : null;
      const cancelledAt = cancelled ? claimOpensAt + Math.floor(rng.next() * Math.max(1, Math.min(startsAt, now) - claimOpensAt)) : null;
      const status = cancelled ? 'cancelled' : endsAt <= now ? 'ended' : 'open';
      const lastLive = times.length ? times[times.length - 1] : closes;

      let serviceMinutes = 0;
      for (let i = 0; i < picked.length; i++) {
        const isLive = i < live && !cancelled;
        const claimedAt = Math.round(i < live ? times[i] : claimOpensAt + rng.next() * Math.max(1, lastLive - claimOpensAt));
        const row: Record<string, unknown> = { id: ids.uuid(), task_id: taskId, member_id: memberIds[picked[i]], claimed_at: claimedAt };
        if (!isLive) {
          row.status = 'cancelled';
          row.cancelled_at = cancelled
            ? Math.max(claimedAt, cancelledAt!)
            : Math.round(claimedAt + rng.next() * Math.max(1, (filledAt ?? closes) - claimedAt));
        } else if (endsAt <= now) {
          if (rng.chance(0.9)) {
            const checkedIn = startsAt + Math.round(rng.normal(-8, 6) * MINUTE);
            const checkedOut = Math.max(checkedIn + 20 * MINUTE, endsAt + Math.round(rng.normal(5, 10) * MINUTE));
            const minutes = Math.round((checkedOut - checkedIn) / MINUTE);
            serviceMinutes += minutes;
            Object.assign(row, { status: 'completed', checked_in_at: checkedIn, checked_out_at: checkedOut, minutes });
          } else row.status = 'no_show';
        } else if (startsAt <= now && rng.chance(0.85)) {
          Object.assign(row, { status: 'checked_in', checked_in_at: startsAt + Math.round(rng.normal(-8, 6) * MINUTE) });
        } else row.status = 'claimed';
        push(batch.claims, row);
      }
      const liveCount = cancelled ? 0 : live;
      city.counts.claims += picked.length;
      city.counts.liveClaims += liveCount;
      if (filledAt !== null) city.counts.filledTasks++;

      const estate = rng.pick(community.estates);
      push(batch.tasks, {
        id: taskId,
        community_org_id: community.id,
        title: rng.pick(TASK_TITLES[category]),
        category,
        description: `${CATEGORY_LABELS[category]}岗位：请提前十分钟到岗，到岗后请社区书记扫先锋码签到，结束时扫码签退。`,
        location: `${estate.name}${rng.pick(TASK_PLACES)}`,
        starts_at: startsAt,
        ends_at: endsAt,
        capacity,
        claimed: liveCount,
        service_minutes: serviceMinutes,
        status,
        claim_opens_at: claimOpensAt,
        cancel_cutoff_minutes: rng.pick([60, 60, 120, 1440]),
        filled_at: filledAt,
        created_by: community.secretaryUserId,
        created_at: claimOpensAt - rng.int(1, 3) * DAY,
        cancelled_at: cancelledAt,
      });
      if (batch.tasks.id.length >= batchTasks) {
        yield batch;
        batch = emptyBatch();
      }
    }
    if (batch.tasks.id.length) yield batch;
  };
  onProgress?.(nMembers, nMembers);
  const estatesByCommunity = new Map(communities.map((c) => [c.id, c.estates.map((e) => e.id)]));
  const registry = generateRegistry(city.members, estatesByCommunity, {
    seed: opts.seed,
    at: now - 30 * DAY,
    phoneEncKey: opts.phoneEncKey,
    phoneHashKey: opts.phoneHashKey,
  });
  city.households = registry.households;
  city.counts.households = registry.count;
  return city;
}

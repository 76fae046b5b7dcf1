import type { Demand } from '@pioneer/shared';

export const DEMAND_COMMUNITY = '33333333-3333-4333-8333-333333333333';
export const DEMAND_ESTATE = '55555555-5555-4555-8555-555555555555';
export const DEMAND_ID = '66666666-6666-4666-8666-666666666666';

/** A new 居民点单 of the demo community with a contact (phone masked, as its secretary's list shows it). */
export function newDemand(over: Partial<Demand> = {}): Demand {
  return {
    id: DEMAND_ID,
    community: { id: DEMAND_COMMUNITY, name: '清和坊社区' },
    text: '独居老人家中水管漏水，需要帮忙联系维修',
    requester: null,
    category: 'care',
    contact: { name: '王阿姨', phone: '139****5678' },
    estate: { id: DEMAND_ESTATE, name: '清和苑' },
    address: '5幢2单元301',
    status: 'new',
    note: null,
    task: null,
    whistle: null,
    createdAt: '2026-03-05T00:00:00.000Z',
    triagedAt: null,
    ...over,
  };
}

import type { Estate, PartyOrg, PartyOrgCreateBody, PartyOrgList, PartyOrgListQuery } from '@pioneer/shared';
import type { Db } from '../../db/client';
import { transaction } from '../../db/transaction';
import { writeAudit } from '../../lib/audit';
import { z } from 'zod';
import type { Clock } from '../../lib/clock';
import { CursorIdSchema, CursorTextSchema, decodeCursor, encodeCursor } from '../../lib/cursor';
import { AppError, invalid, notFound } from '../../lib/errors';
import { isUniqueViolation } from '../../lib/pg-errors';
import { newRegisterCode } from '../../lib/register-code';
import type { DirectoryRepository, PartyOrgRow } from './directory-repository';

const PartyOrgCursorSchema = z.tuple([CursorTextSchema, CursorIdSchema]).transform(([name, id]) => ({ name, id }));

export function directoryServiceFactory(deps: { db: Db; directoryRepository: DirectoryRepository; clock: Clock }) {
  const repo = deps.directoryRepository;

  return {
    listDistricts: () => repo.listDistricts(),

    /** One party org's public card (name, kind, 板块), as the list shows it. */
    async getPartyOrg(id: string): Promise<PartyOrg> {
      const org = await repo.findPartyOrg(id);
      if (!org) throw notFound('党组织不存在');
      return { id: org.id, name: org.name, kind: org.kind, districtId: org.districtId };
    },

    async listPartyOrgs(query: PartyOrgListQuery): Promise<PartyOrgList> {
      const after = query.cursor ? decodeCursor(query.cursor, PartyOrgCursorSchema) : undefined;
      const rows = await repo.listPartyOrgs({
        kind: query.kind,
        districtId: query.districtId,
        q: query.q || undefined,
        limit: query.limit + 1,
        after,
      });
      const items = rows.slice(0, query.limit);
      return {
        items,
        nextCursor: rows.length > query.limit ? encodeCursor([items[items.length - 1].name, items[items.length - 1].id]) : null,
      };
    },

    /** A community party org by id; unit orgs and unknown ids alike are "not found" (they have no estates, QR …). */
    async getCommunity(id: string): Promise<PartyOrgRow> {
      const org = await repo.findPartyOrg(id);
      if (!org || org.kind !== 'community') throw notFound('社区党组织不存在');
      return org;
    },

    async createPartyOrg(actorUserId: string, body: PartyOrgCreateBody): Promise<PartyOrgRow> {
      // A district id in a body that names nothing is a bad field, not a missing resource.
      if (!(await repo.findDistrict(body.districtId))) throw invalid('districtId', 'unknown district', '所选板块不存在');
      for (let attempt = 0; ; attempt++) {
        const registerCode = body.kind === 'community' ? newRegisterCode() : null;
        try {
          return await transaction(deps.db, async (tx) => {
            const org = await repo.insertPartyOrg({ kind: body.kind, name: body.name, districtId: body.districtId, registerCode }, tx);
            await writeAudit(tx, {
              at: deps.clock.now(),
              actorUserId,
              action: 'party_org.create',
              entity: 'party_org',
              entityId: org.id,
              data: { kind: org.kind, name: org.name, districtId: org.districtId },
            });
            return org;
          });
        } catch (e) {
          if (isUniqueViolation(e, 'party_orgs_kind_name_unique')) throw new AppError('CONFLICT', '该名称的党组织已存在');
          // 72 random bits make a collision all but impossible; retry rather than reason about it.
          if (isUniqueViolation(e, 'party_orgs_registerCode_unique') && attempt < 3) continue;
          throw e;
        }
      }
    },

    listEstates: (communityOrgId: string) => repo.listEstates(communityOrgId),

    async createEstate(actorUserId: string, communityOrgId: string, name: string): Promise<Estate> {
      try {
        return await transaction(deps.db, async (tx) => {
          const estate = await repo.insertEstate({ communityOrgId, name }, tx);
          await writeAudit(tx, {
            at: deps.clock.now(),
            actorUserId,
            action: 'estate.create',
            entity: 'estate',
            entityId: estate.id,
            data: { communityOrgId, name },
          });
          return estate;
        });
      } catch (e) {
        if (isUniqueViolation(e, 'estates_community_name_unique')) throw new AppError('CONFLICT', '该小区已存在');
        throw e;
      }
    },
  };
}

export type DirectoryService = ReturnType<typeof directoryServiceFactory>;

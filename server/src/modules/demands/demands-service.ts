import {
  maskName,
  type Category,
  type Demand,
  type DemandContactReadResponse,
  type DemandCreateBody,
  type DemandList,
  type DemandListQuery,
  type DemandMineQuery,
  type DemandTriageBody,
  type TaskCreateBody,
  type WhistleCreateBody,
} from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { transaction } from '../../db/transaction';
import { writeAudit } from '../../lib/audit';
import type { Clock } from '../../lib/clock';
import { decodeCursor, encodeTimeIdCursor, TimeIdCursorSchema } from '../../lib/cursor';
import { AppError, invalid, notFound } from '../../lib/errors';
import type { Principal } from '../../lib/principal';
import type { DirectoryPort } from '../directory/directory-port';
import { decryptPhone, encryptPhone, hashPhone, maskPhone } from '../../lib/phone-crypto';
import { demandStep } from '../whistles/whistle-transitions';
import type { ContentCheck } from './content-check';
import type { DemandRow, DemandsRepository } from './demands-repository';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A post's or whistle's own refusals name their fields as they sit in the triage body: under `task` or `whistle`. */
const under = (field: 'task' | 'whistle') => (e: unknown) => {
  if (e instanceof AppError && e.code === 'VALIDATION_FAILED' && e.details)
    throw new AppError(e.code, e.message, { details: e.details.map((d) => ({ ...d, path: `${field}.${d.path}` })) });
  throw e;
};

function toDemand(r: DemandRow): Demand {
  return {
    id: r.id,
    community: { id: r.communityOrgId, name: r.communityName },
    text: r.text,
    requester: r.requesterName ? maskName(r.requesterName) : null,
    category: (r.category as Category | null) ?? null,
    // Masked for everyone who lists demands: the full number only through the audited read.
    contact: r.contactName || r.contactPhoneMasked ? { name: r.contactName, phone: r.contactPhoneMasked } : null,
    estate: r.estateId && r.estateName ? { id: r.estateId, name: r.estateName } : null,
    address: r.address,
    status: r.status,
    note: r.note,
    task: r.taskId && r.taskTitle ? { id: r.taskId, name: r.taskTitle } : null,
    whistle: r.whistleId && r.whistleTitle ? { id: r.whistleId, name: r.whistleTitle } : null,
    createdAt: r.createdAt.toISOString(),
    triagedAt: iso(r.triagedAt),
  };
}

function page(rows: DemandRow[], limit: number): DemandList {
  const items = rows.slice(0, limit);
  return {
    items: items.map(toDemand),
    nextCursor: rows.length > limit ? encodeTimeIdCursor(items[items.length - 1].createdAt, items[items.length - 1].id) : null,
  };
}

export function demandsServiceFactory(deps: {
  db: Db;
  demandsRepository: DemandsRepository;
  directoryRepository: Pick<DirectoryPort, 'findPartyOrg'>;
  contentCheck: ContentCheck;
  clock: Clock;
  phoneEncKey: Buffer;
  phoneHashKey: Buffer;
  /** Publishes a post in the triage's transaction, by the tasks module's rules for who may; answers its id. */
  publishTask?: (tx: DbOrTx, actor: Principal, body: TaskCreateBody) => Promise<string>;
  /**
   * Raises a whistle in the triage's transaction in the name of the demand's community (the route
   * let only its secretary in); `announce` tells the units once the triage has committed.
   */
  raiseWhistle?: (
    tx: DbOrTx,
    actor: Principal,
    communityOrgId: string,
    body: WhistleCreateBody,
  ) => Promise<{ id: string; announce: () => void }>;
}) {
  const repo = deps.demandsRepository;

  async function community(id: string) {
    const org = await deps.directoryRepository.findPartyOrg(id);
    if (!org || org.kind !== 'community') throw notFound('社区不存在');
    return org;
  }

  return {
    /** The community a list names (NOT_FOUND otherwise), for the route's scope guard. */
    community,

    /** A demand (NOT_FOUND otherwise), for the route's scope guard: its community never changes. */
    async find(id: string): Promise<DemandRow> {
      const d = await repo.find(id);
      if (!d) throw notFound('点单不存在');
      return d;
    },

    /** 居民点单: any signed-in user; the text passes WeChat's content check first. */
    async create(p: Principal, body: DemandCreateBody): Promise<Demand> {
      await community(body.communityOrgId);
      if (body.estateId && !(await repo.estateOf(body.communityOrgId, body.estateId)))
        throw invalid('estateId', 'not an estate of this community', '所选小区不属于该社区');
      if (deps.contentCheck.kind !== 'none') {
        const openid = await repo.openid(p.userId);
        if (openid) {
          // The address and contact name are shown to staff as written: checked like the text.
          for (const written of [body.text, body.address, body.contactName]) {
            if (written) await deps.contentCheck.check(written, openid, 'text');
          }
        }
      }
      const now = deps.clock.now();
      const phone = body.contactPhone;
      const hasContact = body.contactName !== undefined || phone !== undefined;
      const id = await repo.insert({
        communityOrgId: body.communityOrgId,
        userId: p.userId,
        text: body.text,
        category: body.category ?? null,
        createdAt: now,
        contactName: body.contactName ?? null,
        contactPhoneCipher: phone ? encryptPhone(deps.phoneEncKey, phone) : null,
        contactPhoneHash: phone ? hashPhone(deps.phoneHashKey, phone) : null,
        contactPhoneMasked: phone ? maskPhone(phone) : null,
        // The body's schema refuses a contact without consent; the row says when it was given.
        contactConsentedAt: hasContact && body.contactConsent ? now : null,
        estateId: body.estateId ?? null,
        address: body.address ?? null,
      });
      return toDemand((await repo.find(id))!);
    },

    /** The demands of a community the route's guard let the caller see. */
    async list(q: DemandListQuery): Promise<DemandList> {
      const rows = await repo.list({
        communityOrgId: q.communityOrgId,
        status: q.status,
        after: q.cursor ? decodeCursor(q.cursor, TimeIdCursorSchema) : undefined,
        limit: q.limit + 1,
      });
      return page(rows, q.limit);
    },

    async mine(p: Principal, q: DemandMineQuery): Promise<DemandList> {
      const rows = await repo.list({
        userId: p.userId,
        after: q.cursor ? decodeCursor(q.cursor, TimeIdCursorSchema) : undefined,
        limit: q.limit + 1,
      });
      return page(rows, q.limit);
    },

    /** That community's secretary (the route's guard) turns a new demand into a post, a whistle, or a rejection. */
    async triage(actor: Principal, id: string, body: DemandTriageBody): Promise<Demand> {
      const userId = actor.userId;
      const announce = await transaction(deps.db, async (tx) => {
        const d = await repo.lock(id, tx);
        if (!d) throw notFound('点单不存在');
        const to = demandStep(body.action, d.status);
        let taskId: string | null = null;
        let whistleId: string | null = null;
        let announce = () => {};
        if (body.action === 'post' && body.task) {
          if (body.task.communityOrgId !== d.communityOrgId)
            throw invalid('task.communityOrgId', 'not the community of the demand', '新岗位必须发布在点单所属社区');
          if (!deps.publishTask) throw new Error('demands service built without publishTask');
          // Published in this transaction: a refused post leaves the demand new, a refused demand leaves no post.
          taskId = await deps.publishTask(tx, actor, body.task).catch(under('task'));
        } else if (body.action === 'post') {
          const task = await repo.task(body.taskId!, tx);
          if (!task || task.communityOrgId !== d.communityOrgId)
            throw invalid('taskId', 'not a post of this community', '所选岗位不属于本社区');
          taskId = task.id;
        } else if (body.action === 'whistle' && body.whistle) {
          if (body.whistle.raisedByOrgId && body.whistle.raisedByOrgId !== d.communityOrgId)
            throw invalid('whistle.raisedByOrgId', 'not the community of the demand', '吹哨必须以点单所属社区的名义');
          if (!deps.raiseWhistle) throw new Error('demands service built without raiseWhistle');
          // Raised in this transaction, as a new post is: no whistle without its demand answered, and no half step.
          const raised = await deps.raiseWhistle(tx, actor, d.communityOrgId, body.whistle).catch(under('whistle'));
          whistleId = raised.id;
          announce = raised.announce;
        } else if (body.action === 'whistle') {
          const w = await repo.whistle(body.whistleId!, tx);
          if (!w || w.raisedByOrgId !== d.communityOrgId)
            throw invalid('whistleId', 'not a whistle of this community', '所选吹哨事项不属于本社区');
          whistleId = w.id;
        }
        await repo.update(
          id,
          { status: to, note: body.note ?? null, taskId, whistleId, triagedAt: deps.clock.now(), triagedBy: userId },
          tx,
        );
        return announce;
      });
      announce();
      return toDemand((await repo.find(id))!);
    },

    /**
     * A demand's full contact for its community's staff (the route's guard), like a member's
     * personal data: who, whose, when and why go to the audit log in the same transaction.
     */
    async readContact(actorUserId: string, communityOrgId: string, demandId: string, reason: string): Promise<DemandContactReadResponse> {
      return transaction(deps.db, async (tx) => {
        const d = await repo.find(demandId, tx);
        if (!d || d.communityOrgId !== communityOrgId) throw notFound('点单不存在');
        const fields = [...(d.contactName ? ['name'] : []), ...(d.contactPhoneCipher ? ['phone'] : []), ...(d.address ? ['address'] : [])];
        await writeAudit(tx, {
          at: deps.clock.now(),
          actorUserId,
          action: 'demand.personal_data_read',
          entity: 'demand',
          entityId: demandId,
          data: { reason, fields },
        });
        return {
          name: d.contactName,
          phone: d.contactPhoneCipher ? decryptPhone(deps.phoneEncKey, d.contactPhoneCipher) : null,
          estate: d.estateName,
          address: d.address,
        };
      });
    },
  };
}

export type DemandsService = ReturnType<typeof demandsServiceFactory>;

import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CommunityRedemptionListSchema,
  IdParamsSchema,
  RedemptionBodySchema,
  RedemptionListSchema,
  RedemptionResponseSchema,
  RewardCreateBodySchema,
  RewardListSchema,
  RewardPatchBodySchema,
  RewardResponseSchema,
} from '@pioneer/shared';
import { invalid } from '../../lib/errors';
import { principalOf, requireAuth, requireMember, requireRoles } from '../../plugins/auth';
import type { RewardsService } from './rewards-service';

const tags = ['rewards'];
const security = [{ bearer: [] }];
/** As for claims: 1–200 printable ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** 爱心超市: a community's rewards with stock, and redemptions by scanning the member's 先锋码. */
export const rewardsRoutes: FastifyPluginAsyncZod<{ rewardsService: RewardsService }> = async (app, opts) => {
  const service = opts.rewardsService;

  app.get(
    '/party-orgs/:id/rewards',
    {
      onRequest: requireAuth,
      schema: {
        summary: '爱心超市：社区的礼品与库存',
        description: '已登录用户可看在架礼品；本社区书记另见已下架的。',
        errors: ['NOT_FOUND'],
        tags,
        security,
        params: IdParamsSchema,
        response: { 200: RewardListSchema },
      },
    },
    async (request) => ({ items: await service.list(principalOf(request), request.params.id) }),
  );

  app.post(
    '/party-orgs/:id/rewards',
    {
      onRequest: requireRoles('secretary'),
      schema: {
        summary: '上架礼品（本社区书记）',
        description: '`{ name, pointsCost, stock, description? }` → 201 `{ reward }`。',
        errors: ['FORBIDDEN', 'NOT_FOUND'],
        tags,
        security,
        params: IdParamsSchema,
        body: RewardCreateBodySchema,
        response: { 201: RewardResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send({ reward: await service.create(principalOf(request), request.params.id, request.body) }),
  );

  const editReward = (summary: string) =>
    ({
      onRequest: requireRoles('secretary'),
      schema: {
        summary,
        description: '只改所给字段；`active: false` 下架（不能再兑换），`true` 重新上架；`stock` 为剩余件数。',
        errors: ['FORBIDDEN', 'NOT_FOUND'],
        tags,
        security,
        params: IdParamsSchema,
        body: RewardPatchBodySchema,
        response: { 200: RewardResponseSchema },
      },
    }) as const;
  app.patch('/rewards/:id', editReward('修改礼品：名称、积分、库存、上下架（本社区书记）'), async (request) => ({
    reward: await service.patch(principalOf(request), request.params.id, request.body),
  }));
  // WeChat's wx.request has no PATCH: the mini-program edits a reward through this POST twin.
  app.post('/rewards/:id/edit', editReward('修改礼品（PATCH 的 POST 等价写法，供小程序）'), async (request) => ({
    reward: await service.patch(principalOf(request), request.params.id, request.body),
  }));

  app.post(
    '/rewards/:id/redemptions',
    {
      onRequest: requireRoles('secretary'),
      schema: {
        summary: '扫先锋码兑换礼品（本社区书记）',
        description:
          '`code` 为成员的先锋码或其链接（与签到同一核验）。扣一件库存并扣减积分，同一事务；并发兑换不超卖、不透支。' +
          '`Idempotency-Key` 重放首次的结果（含 409 INSUFFICIENT_POINTS / OUT_OF_STOCK）。',
        errors: [
          'FORBIDDEN',
          'NOT_FOUND',
          'CODE_INVALID',
          'CODE_EXPIRED',
          'INSUFFICIENT_POINTS',
          'OUT_OF_STOCK',
          'CONFLICT',
          'IDEMPOTENCY_KEY_REUSED',
        ],
        tags,
        security,
        params: IdParamsSchema,
        body: RedemptionBodySchema,
        response: { 201: RedemptionResponseSchema },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
        throw invalid('Idempotency-Key', 'must be 1-200 printable ASCII characters');
      }
      const idem =
        key === undefined
          ? undefined
          : {
              key,
              requestHash: createHash('sha256')
                .update(`${request.method} ${request.url}\n${JSON.stringify(request.body)}`)
                .digest('hex'),
            };
      const answer = await service.redeem(principalOf(request), request.params.id, request.body.code, idem);
      return reply.code(201).send(answer);
    },
  );

  app.get(
    '/members/me/redemptions',
    {
      onRequest: requireMember,
      schema: { summary: '我的兑换记录', description: '最近 200 条，新的在前。', tags, security, response: { 200: RedemptionListSchema } },
    },
    async (request) => ({ items: await service.mine(principalOf(request).memberId!) }),
  );

  app.get(
    '/party-orgs/:id/redemptions',
    {
      onRequest: requireRoles('secretary'),
      schema: {
        summary: '社区的兑换记录（本社区书记）',
        description: '最近 200 条，新的在前。',
        errors: ['FORBIDDEN', 'NOT_FOUND'],
        tags,
        security,
        params: IdParamsSchema,
        response: { 200: CommunityRedemptionListSchema },
      },
    },
    async (request) => ({ items: await service.ofCommunity(principalOf(request), request.params.id) }),
  );
};

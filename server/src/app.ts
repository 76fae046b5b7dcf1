import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config';
import type { Database } from './db/client';
import { systemClock, type Clock } from './lib/clock';
import { loggableError } from './lib/pg-errors';
import { AppError, notFound } from './lib/errors';
import { withErrorAnswers } from './lib/openapi';
import { wechatClientFactory } from './lib/wechat-client';
import { every } from './lib/timers';
import authPlugin from './plugins/auth';
import errorHandler from './plugins/error-handler';
import rateLimitPlugin from './plugins/rate-limit';
import metricsPlugin from './plugins/metrics';
import readRoutingPlugin from './plugins/read-routing';
import { readReplicasFactory } from './db/read-replicas';
import { metricsRepositoryFactory } from './modules/metrics/metrics-repository';
import { metricsRoutes } from './modules/metrics/metrics-routes';
import { authRepositoryFactory } from './modules/auth/auth-repository';
import { authRoutes } from './modules/auth/auth-routes';
import { authServiceFactory } from './modules/auth/auth-service';
import { developmentProvider, wechatCode2SessionProvider, type WechatProvider } from './modules/auth/wechat-provider';
import { scannedCodeRoutes } from './modules/codes/codes-routes';
import { pioneerCodeServiceFactory } from './modules/codes/pioneer-code';
import { healthRoutes } from './modules/health/health-routes';
import { tasksRepositoryFactory } from './modules/tasks/tasks-repository';
import { tasksRoutes } from './modules/tasks/tasks-routes';
import { tasksServiceFactory } from './modules/tasks/tasks-service';
import { claimsRepositoryFactory } from './modules/claims/claims-repository';
import { claimsRoutes } from './modules/claims/claims-routes';
import { claimsServiceFactory } from './modules/claims/claims-service';
import { batchClaimer } from './modules/claims/claim-batch';
import { ClaimGate } from './modules/claim-gate/claim-gate';
import type { BatchAnswer } from './modules/claim-gate/claim-types';
import { claimJobsFactory } from './modules/waitlist/waitlist-jobs';
import { waitlistRepositoryFactory } from './modules/waitlist/waitlist-repository';
import { waitlistRoutes } from './modules/waitlist/waitlist-routes';
import { waitlistServiceFactory } from './modules/waitlist/waitlist-service';
import { MemberIds } from './modules/claims/member-ids';
import { liveHubFactory } from './modules/live/live-hub';
import { liveRoutes } from './modules/live/live-routes';
import { statsRepositoryFactory } from './modules/stats/stats-repository';
import { statsRoutes } from './modules/stats/stats-routes';
import { statsServiceFactory } from './modules/stats/stats-service';
import { rollupsServiceFactory, type RollupsService } from './modules/rollups/rollups-service';
import { assessmentRepositoryFactory } from './modules/assessment/assessment-repository';
import { assessmentRoutes } from './modules/assessment/assessment-routes';
import { assessmentServiceFactory } from './modules/assessment/assessment-service';
import { directoryRepositoryFactory } from './modules/directory/directory-repository';
import { directoryRoutes } from './modules/directory/directory-routes';
import { directoryServiceFactory } from './modules/directory/directory-service';
import { invitesRepositoryFactory } from './modules/invites/invites-repository';
import { invitesRoutes } from './modules/invites/invites-routes';
import { invitesServiceFactory } from './modules/invites/invites-service';
import { membersRepositoryFactory } from './modules/members/members-repository';
import { membersRoutes } from './modules/members/members-routes';
import { membersServiceFactory } from './modules/members/members-service';
import { developmentPhoneNumberProvider, wechatPhoneNumberProvider, type PhoneNumberProvider } from './modules/members/wechat-phone';
import { householdsRepositoryFactory } from './modules/households/households-repository';
import { householdsRoutes } from './modules/households/households-routes';
import { householdsServiceFactory } from './modules/households/households-service';
import { importsRoutes } from './modules/imports/imports-routes';
import { importsServiceFactory } from './modules/imports/imports-service';
import { UPLOAD_MAX_BYTES } from './lib/upload';
import { claimRecordsRepository } from './modules/claims/claim-records-repository';
import { recordsRepositoryFactory } from './modules/records/records-repository';
import { recordsRoutes } from './modules/records/records-routes';
import { recordsServiceFactory } from './modules/records/records-service';
import { certificatesRepositoryFactory } from './modules/certificates/certificates-repository';
import { certificatePageRoutes, certificatesRoutes } from './modules/certificates/certificates-routes';
import { certificatesServiceFactory } from './modules/certificates/certificates-service';
import { signingKeyFromSeed } from './modules/certificates/certificate-signing';
import { pointsRepositoryFactory } from './modules/points/points-repository';
import { pointsJobs } from './modules/points/points-jobs';
import { pointsRoutes } from './modules/points/points-routes';
import { pointsServiceFactory, type PointsService } from './modules/points/points-service';
import { rewardsRepositoryFactory } from './modules/rewards/rewards-repository';
import { rewardsRoutes } from './modules/rewards/rewards-routes';
import { rewardsServiceFactory } from './modules/rewards/rewards-service';
import { exportsRepositoryFactory } from './modules/exports/exports-repository';
import { exportsRoutes } from './modules/exports/exports-routes';
import { exportsServiceFactory } from './modules/exports/exports-service';
import { personalDataRoutes } from './modules/members/personal-data-routes';
import { personalDataServiceFactory } from './modules/members/personal-data-service';
import { registerRedirectRoutes, registrationRoutes } from './modules/registration/registration-routes';
import { registrationServiceFactory } from './modules/registration/registration-service';
import { whistleStatsFactory } from './modules/whistles/whistle-stats-repository';
import { whistlesRepositoryFactory } from './modules/whistles/whistles-repository';
import { whistlesRoutes } from './modules/whistles/whistles-routes';
import { whistlesServiceFactory, type WhistleEventNotice } from './modules/whistles/whistles-service';
import { meetingsRepositoryFactory } from './modules/meetings/meetings-repository';
import { meetingLinkRoutes, meetingsRoutes } from './modules/meetings/meetings-routes';
import { meetingsServiceFactory } from './modules/meetings/meetings-service';
import { demandsRepositoryFactory } from './modules/demands/demands-repository';
import { demandsRoutes } from './modules/demands/demands-routes';
import { demandsServiceFactory } from './modules/demands/demands-service';
import { noContentCheck, wechatContentCheck, type ContentCheck } from './modules/demands/content-check';
import type { Notifier } from './modules/notifications';
import { outboxRepository } from './modules/notifications/outbox-repository';
import { wechatTokensRepositoryFactory } from './modules/notifications/wechat-tokens-repository';
import { notificationsRepositoryFactory } from './modules/notifications/notifications-repository';
import { notificationsRoutes } from './modules/notifications/notifications-routes';
import { notificationsServiceFactory } from './modules/notifications/notifications-service';
import { pipelineRepositoryFactory } from './modules/notifications/pipeline-repository';
import { recipientsRepositoryFactory } from './modules/notifications/recipients-repository';
import { notificationPipelineFactory, type NotificationPipeline, type PipelineOptions } from './modules/notifications/pipeline';
import { wechatSenderFactory, type WechatSender } from './modules/notifications/wechat-sender';
import { agreementsRepositoryFactory } from './modules/units/agreements-repository';
import { agreementsServiceFactory } from './modules/units/agreements-service';
import { projectsRepositoryFactory } from './modules/units/projects-repository';
import { projectsServiceFactory } from './modules/units/projects-service';
import { unitsRoutes } from './modules/units/units-routes';
import { unitIndexRepositoryFactory } from './modules/units/unit-index-repository';
import { unitsStatsRepositoryFactory } from './modules/units/units-stats-repository';
import { unitIndexRoutes } from './modules/units/unit-index-routes';
import { unitIndexServiceFactory } from './modules/units/unit-index-service';

export interface AppDeps {
  config: Config;
  database: Database;
  clock?: Clock;
  /** Replaces the provider chosen from config (tests hand in fakes). */
  wechat?: WechatProvider;
  /** Replaces WeChat's msgSecCheck chosen from config. */
  contentCheck?: ContentCheck;
  /** Hears every committed whistle step (notifications hook in here). */
  onWhistleEvent?: (e: WhistleEventNotice) => void;
  /** Replaces the getPhoneNumber exchange chosen from config. */
  phoneNumbers?: PhoneNumberProvider;
  logger?: boolean;
  /** Background jobs' periods in ms (0 turns one off): ended posts and no-shows, old idempotency keys. */
  timers?: { sweepMs?: number; purgeMs?: number };
  /** Where log lines go instead of stdout (tests read them back to prove what is never logged). */
  logStream?: NodeJS.WritableStream;
  /**
   * false: a check-out writes no points (the path before the ledger). Only `npm run bench` turns it
   * off, to measure that the ledger does not slow the scan; points then wait for the catch-up job.
   */
  pointsOnCheckOut?: boolean;
  notifications?: {
    /** Overrides `NOTIFY_WORKER`: relay the outbox and run the queue's workers in this app. */
    worker?: boolean;
    /** Replaces the WeChat sender chosen from config (null: message center only). */
    sender?: WechatSender | null;
    options?: Partial<PipelineOptions>;
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The background jobs this process runs (none on a `web` process). */
    backgroundJobs: readonly string[];
    /** The notification pipeline (tests drive its relay, events and reminder sweep). */
    notifications: NotificationPipeline;
  }
}

export const API_PREFIX = '/api/v1';

declare module 'fastify' {
  interface FastifyInstance {
    /** The points ledger (tests and the expiry job drive `expireAll`). */
    points: PointsService;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The roll-up job (statistics and 先锋指数+ figures); tests and scripts call `refresh()`. */
    rollups: RollupsService;
  }
}

/**
 * A route's path parameters other than record ids (`:id`, `:orgId`) carry secrets (a 先锋码, a calendar feed's key, a
 * registration code, whatever a later route adds): such a request is logged as its route pattern.
 */
const SECRET_PARAM = /:(?!(?:[A-Za-z]*I|i)d(?:\/|$))[A-Za-z]+/;
/** Before routing (or for no route) the known secret-bearing prefixes are still cut. */
const SECRET_PREFIX = /^(\/c|\/r|\/m|\/api\/v1\/calendar)\/[^/]*/;

/** Drops query strings (the live socket carries its token there) and path secrets from logged URLs. */
const requestSerializer = (req: { method: string; url: string; id: string; routeOptions?: { url?: string } }) => {
  const route = req.routeOptions?.url;
  const url = route && SECRET_PARAM.test(route) ? route : req.url.split('?')[0].replace(SECRET_PREFIX, '$1/:secret');
  return { method: req.method, url, id: req.id };
};

const H5_BUILDING_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="refresh" content="5">
<title>先锋领航·码上到</title></head><body style="font-family:sans-serif;text-align:center;padding:4em 1em;color:#333">
<h2>先锋领航·码上到</h2><p>首次启动，正在构建网页客户端（约一两分钟），本页会自动刷新。</p>
<p style="color:#888">The API is already up at <code>/api/v1</code>; the H5 client is being built.</p></body></html>`;

/**
 * CSP hashes of the inline scripts in the H5 build's index.html (Taro inlines its rem sizing
 * script there), so `script-src` can stay 'self' without 'unsafe-inline'.
 */
function inlineScriptHashes(h5Dir: string): string[] {
  const index = path.join(h5Dir, 'index.html');
  if (!existsSync(index)) return [];
  const html = readFileSync(index, 'utf8');
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;
  const app = Fastify({
    logger:
      deps.logger === false
        ? false
        : {
            level: config.logLevel,
            serializers: { req: requestSerializer, err: loggableError },
            ...(deps.logStream ? { stream: deps.logStream } : {}),
          },
    genReqId: () => randomUUID(),
    // X-Forwarded-For is believed only from the proxies named in TRUST_PROXY: anyone can write that header.
    trustProxy: config.trustProxy === false ? false : config.trustProxy,
    bodyLimit: 256 * 1024,
  }).withTypeProvider<ZodTypeProvider>();

  // Security headers on the API and the H5 client alike; the CSP is what the Taro H5 build needs
  // (its own scripts, inline style attributes, QR images as data URIs, the live WebSocket).
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...inlineScriptHashes(config.h5Dir)],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: '先锋领航·码上到 API', version: '1.0.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: withErrorAnswers,
  });
  // A browsable page at /api/docs, the document itself at /api/docs/json.
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  await app.register(errorHandler);
  await app.register(metricsPlugin);
  // Uploads (registry and directory imports) are streamed with their own limits; nothing is kept on disk.
  await app.register(fastifyMultipart, { limits: { fileSize: UPLOAD_MAX_BYTES, files: 1, fields: 10, parts: 12 } });

  const authRepository = authRepositoryFactory(database.db);
  await app.register(authPlugin, { config, authRepository });
  await app.register(rateLimitPlugin, { redisUrl: config.redisUrl });
  // Roles (contract v3, running as a cluster): web processes run no background job; a worker
  // serves only /health and /metrics.
  const runsJobs = config.serverRole !== 'web';
  const servesApi = config.serverRole !== 'worker';
  const backgroundJobs: string[] = [];
  app.decorate('backgroundJobs', backgroundJobs);
  // Statistics, dashboards, rankings and exports read here: a replica within the allowed lag, or
  // the primary (no replica, all too far behind, or the caller has just written).
  const replicas = readReplicasFactory({
    primary: database,
    urls: config.replicaUrls,
    maxLagMs: config.replicaMaxLagMs,
    poolSize: config.dbPoolSize,
    onError: (err, index) => app.log.debug({ err: { message: err.message }, replica: index }, 'replica not usable'),
  });
  app.addHook('onReady', async () => replicas.start());
  app.addHook('onClose', async () => replicas.close());
  // A usable replica may be up to the allowed lag behind, plus one probe interval.
  await app.register(readRoutingPlugin, {
    replicas: config.replicaUrls.length > 0,
    windowMs: config.replicaMaxLagMs + 1000,
    redisUrl: config.redisUrl,
  });
  const limits = config.rateLimits;

  // WeChat's server API (subscribe messages, content checks, phone numbers) with one shared access token.
  const wechatClient = config.wechat ? wechatClientFactory({ tokens: wechatTokensRepositoryFactory(database.db), ...config.wechat }) : null;
  const wechat = deps.wechat ?? (config.wechat ? wechatCode2SessionProvider(config.wechat) : developmentProvider);
  const authService = authServiceFactory({
    authRepository,
    wechat,
    signSession: (userId, memberId, tokenVersion) => app.signSession(userId, memberId, tokenVersion),
    sessionsRevoked: (userId, tokenVersion) => app.sessionsRevoked(userId, tokenVersion),
    sessionTtlSeconds: config.sessionTtlSeconds,
    limitIdentity: (openid) => loginPerOpenid.hit(openid),
  });
  const loginPerOpenid = app.perMinute('login-openid', limits.loginPerIdentity);

  const pioneerCodes = pioneerCodeServiceFactory({ secret: config.pioneerCodeSecret, clock, publicUrl: config.publicUrl });
  const tasksRepository = tasksRepositoryFactory(database.db);
  const directoryRepository = directoryRepositoryFactory(database.db);

  const directoryService = directoryServiceFactory({ db: database.db, directoryRepository, clock });
  const invitesService = invitesServiceFactory({
    db: database.db,
    invitesRepository: invitesRepositoryFactory(database.db),
    directoryRepository,
    authRepository,
    clock,
  });
  const membersRepository = membersRepositoryFactory(database.db);
  const membersService = membersServiceFactory({
    db: database.db,
    membersRepository,
    directoryRepository,
    pioneerCodes,
    clock,
    checkInOpensMinutes: config.checkInOpensMinutes,
    phoneEncKey: config.phoneEncKey,
    phoneHashKey: config.phoneHashKey,
    onUndecryptablePhone: () =>
      app.log.warn({ event: 'phone_undecryptable' }, 'a stored phone number could not be decrypted; answered masked'),
  });
  const claimsRepository = claimsRepositoryFactory({ db: database.db });
  // Fed by the live hub's notifications below: trusted only while they are heard. Handed the
  // batch function itself: the gate never calls back into the claims service that holds it.
  const claimBatch = batchClaimer({ claimsRepository, clock });
  const claimGate = new ClaimGate<BatchAnswer>({
    claimMany: (taskId, memberIds, tokenVersions) => {
      app.metrics.claimBatchSize.observe(memberIds.length);
      return claimBatch(taskId, memberIds, tokenVersions);
    },
    loadFull: (taskId) => claimsRepository.fullPost(taskId, clock.now()),
    now: () => clock.now(),
    onError: (err) => app.log.warn({ err }, 'claim gate could not load a full post'),
  });
  app.decorate('claimGate', claimGate);
  let revocationsSynced: Promise<void> = Promise.resolve();
  let listening = 0;
  // The one LISTEN connection: live sockets, the claim gate and session revocations hear every process.
  const liveHub = liveHubFactory({
    databaseUrl: database.url,
    tasksRepository,
    clock,
    log: app.log,
    onCount: (count) => claimGate.heard(count),
    onRevoked: (userId, tokenVersion) => app.sessionsRevoked(userId, tokenVersion),
    onListening: (up) => {
      const generation = ++listening;
      if (!up) return claimGate.setListening(false);
      // Revocations announced while nobody listened were lost: read them all again, and only then
      // let the gate answer from memory (its answers come after the session check).
      revocationsSynced = app
        .syncRevocations()
        .catch((err) => app.log.warn({ err }, 'revocations could not be reloaded; claims still check them in the database'))
        .then(() => {
          if (generation === listening) claimGate.setListening(true);
        });
    },
  });
  if (servesApi) {
    app.addHook('onReady', async () => {
      await liveHub.start();
      await revocationsSynced;
    });
    app.addHook('onClose', async () => liveHub.close());
  }
  // A post cancelled here stops being "full" in this process at once, before the notification.
  // Notifications: other modules write events into the outbox in their own transactions.
  const notifier: Notifier = outboxRepository;
  const notificationsRepository = notificationsRepositoryFactory(database.db);
  const meetingsService = meetingsServiceFactory({
    db: database.db,
    meetingsRepository: meetingsRepositoryFactory(database.db),
    figuresRepository: meetingsRepositoryFactory(replicas.readDb),
    clock,
    notifier,
    publicUrl: config.publicUrl,
    secret: config.pioneerCodeSecret,
  });
  const wechatSender =
    deps.notifications?.sender !== undefined
      ? deps.notifications.sender
      : wechatClient
        ? wechatSenderFactory({ client: wechatClient, miniprogramState: config.notifications.miniprogramState })
        : null;
  const notificationPipeline = notificationPipelineFactory({
    databaseUrl: database.url,
    db: database.db,
    repo: pipelineRepositoryFactory(database.db),
    recipients: recipientsRepositoryFactory(database.db),
    clock,
    log: app.log,
    sender: wechatSender,
    templates: config.notifications.templates,
    options: { wechatConcurrency: config.notifications.wechatConcurrency, ...deps.notifications?.options },
    sweeps: [{ name: 'overdue actions', run: (at) => meetingsService.escalateOverdue(at) }],
    // The points ledger's expiry and catch-up run on the pipeline's pg-boss (one instance per process).
    jobs: [{ name: 'points', start: (boss) => pointsJobs({ points: pointsService, log: app.log }).start(boss) }],
  });
  app.decorate('notifications', notificationPipeline);
  if (runsJobs && (deps.notifications?.worker ?? config.notifications.worker)) {
    backgroundJobs.push('notifications');
    app.addHook('onReady', async () => notificationPipeline.start());
    app.addHook('onClose', async () => notificationPipeline.stop());
  }

  const whistlesRepository = whistlesRepositoryFactory(database.db);
  const waitlistRepository = waitlistRepositoryFactory({ notifier });
  // Slots that change here (a cancel, a release, an offer) stop the post being "full" in this
  // process at once, before the notification.
  const waitlistService = waitlistServiceFactory({
    db: database.db,
    claimsRepository,
    waitlistRepository,
    clock,
    policy: config.noShow,
    notifier,
    onChange: (id) => claimGate.forget(id),
  });
  const claimJobs = claimJobsFactory({ waitlistService, intervalMs: config.claimJobsIntervalMs, log: app.log });
  app.decorate('claimJobs', claimJobs);
  if (runsJobs) {
    backgroundJobs.push('claim-jobs');
    app.addHook('onReady', async () => claimJobs.start());
    app.addHook('onClose', async () => claimJobs.stop());
  }
  const tasksService = tasksServiceFactory({
    db: database.db,
    tasksRepository,
    claimsRepository,
    directoryRepository,
    clock,
    mine: (taskId, memberId) => waitlistService.mine(taskId, memberId),
    settleNoShows: () => waitlistService.settleNoShows(),
    notifier,
    onCancel: (id) => claimGate.forget(id),
    findWhistle: (id) => whistlesRepository.find(id),
    projects: {
      find: (id) => projectsService.findProject(id),
      postPublished: (projectId, tx) => projectsService.postPublished(projectId, tx),
    },
  });
  const demandsRepository = demandsRepositoryFactory(database.db);
  const whistlesService = whistlesServiceFactory({
    db: database.db,
    whistlesRepository,
    tasksRepository,
    clock,
    onEvent: deps.onWhistleEvent,
    notifier,
    linkedMeetings: (whistleId) => meetingsService.linkedTo('whistle', whistleId),
  });
  const demandsService = demandsServiceFactory({
    db: database.db,
    demandsRepository,
    directoryRepository,
    contentCheck: deps.contentCheck ?? (wechatClient ? wechatContentCheck(wechatClient) : noContentCheck),
    clock,
    phoneEncKey: config.phoneEncKey,
    phoneHashKey: config.phoneHashKey,
    publishTask: async (tx, actor, body) => {
      await tasksService.mayPublish(actor, body);
      return tasksService.publishIn(tx, actor.userId, body);
    },
    raiseWhistle: (tx, actor, communityOrgId, body) =>
      whistlesService.raiseIn(tx, { userId: actor.userId, role: 'secretary', orgId: communityOrgId }, body),
  });
  const claimsService = claimsServiceFactory({
    claimsRepository,
    membersRepository,
    pioneerCodes,
    clock,
    checkInOpensMinutes: config.checkInOpensMinutes,
    gate: claimGate,
    afterCheckOut: (claim, task) => {
      if (deps.pointsOnCheckOut === false) return;
      recordsService
        .afterCheckOut(claim, task)
        .catch((err: Error) =>
          app.log.warn({ err: { message: err.message } }, 'points for a check-out failed; the catch-up job writes them'),
        );
    },
  });
  // Statistics read roll-ups kept by this job, off the request path (modules/rollups).
  const rollups = rollupsServiceFactory({
    db: database.db,
    intervalMs: config.rollupIntervalMs,
    onError: (err) => app.log.warn({ err }, 'roll-up refresh failed; retried on the next tick'),
  });
  app.decorate('rollups', rollups);
  if (runsJobs) {
    backgroundJobs.push('rollups');
    app.addHook('onReady', async () => rollups.start());
    app.addHook('onClose', async () => rollups.stop());
  }
  const householdsRepository = householdsRepositoryFactory(database.db);
  const householdsService = householdsServiceFactory({
    db: database.db,
    householdsRepository,
    clock,
    phoneEncKey: config.phoneEncKey,
    phoneHashKey: config.phoneHashKey,
  });
  const statsService = statsServiceFactory({
    statsRepository: statsRepositoryFactory(replicas.readDb),
    directoryRepository,
    whistleStats: whistleStatsFactory(replicas.readDb),
    meetingStats: meetingsService,
    unitsStats: unitsStatsRepositoryFactory(replicas.readDb),
    clock,
  });
  const personalData = personalDataServiceFactory({
    db: database.db,
    membersRepository,
    membersService,
    householdsRepository,
    authRepository,
    notificationsRepository,
    demandsRepository,
    claimsService,
    claimsRepository,
    waitlistRepository,
    waitlistService,
    clock,
    phoneEncKey: config.phoneEncKey,
    sessionsRevoked: (userId, tokenVersion) => app.sessionsRevoked(userId, tokenVersion),
    serviceData: async (memberId) => {
      const [balance, entries, corrections, certs, redemptions] = await Promise.all([
        pointsRepository.balance(memberId),
        pointsRepository.entriesOf(database.db, memberId),
        recordsRepository.correctionsOf({ memberId }),
        certificatesRepository.ofMember(memberId),
        rewardsRepository.redemptionsOfMember(memberId),
      ]);
      return {
        points:
          entries.length === 0
            ? null
            : { balance, entries: entries.map((e) => ({ at: e.at.toISOString(), kind: e.kind, amount: e.amount, note: e.note })) },
        corrections: corrections.map((c) => ({
          kind: c.kind,
          status: c.status,
          taskTitle: c.taskTitle,
          reason: c.reason,
          createdAt: c.createdAt.toISOString(),
        })),
        certificates: certs.map((c) => ({
          no: c.no,
          status: c.status,
          from: c.fromDay,
          to: c.toDay,
          totalMinutes: c.totalMinutes,
          issuedAt: c.issuedAt.toISOString(),
        })),
        redemptions: redemptions.map((r) => ({
          reward: r.rewardName,
          points: r.points,
          communityOrgId: r.communityOrgId,
          at: r.at.toISOString(),
        })),
      };
    },
    eraseServiceData: async (tx, memberId, anonymous) => {
      await pointsRepository.relabel(tx, memberId, anonymous);
      await recordsRepository.relabel(tx, memberId, anonymous);
      await certificatesRepository.relabel(tx, memberId, anonymous);
      await rewardsRepository.relabel(tx, memberId, anonymous);
    },
  });
  // 组织报到: agreements gate the lists (a unit claims only where it is reported).
  const agreementsService = agreementsServiceFactory({
    db: database.db,
    agreementsRepository: agreementsRepositoryFactory(database.db),
    directoryRepository,
    notifier,
    clock,
    phoneEncKey: config.phoneEncKey,
  });
  const projectsService = projectsServiceFactory({
    db: database.db,
    projectsRepository: projectsRepositoryFactory(database.db),
    agreements: agreementsService,
    directoryRepository,
    notifier,
    clock,
    linkedMeetings: (needId) => meetingsService.linkedTo('need', needId),
    meetingsOfNeeds: (p, needIds) => meetingsService.briefsLinkedTo(p, 'need', needIds),
  });
  const community = async (id: string) => {
    const org = await directoryRepository.findPartyOrg(id);
    if (!org || org.kind !== 'community') throw notFound('社区不存在');
    return org;
  };
  const pointsRepository = pointsRepositoryFactory(database.db);
  const rewardsRepository = rewardsRepositoryFactory(database.db);
  const pointsService = pointsServiceFactory({ db: database.db, pointsRepository, clock });
  const recordsRepository = recordsRepositoryFactory(database.db);
  const certificatesRepository = certificatesRepositoryFactory(database.db);
  const certificatesService = certificatesServiceFactory({
    certificatesRepository,
    signingKey: signingKeyFromSeed(config.certSigningKey),
    publicUrl: config.publicUrl,
    clock,
    recordsFor: async (memberId, range, communityOrgId) =>
      (await recordsRepository.completedIn(memberId, range, communityOrgId)).map((r) => ({
        claimId: r.claim.id,
        startsAt: r.task.startsAt,
        title: r.task.title,
        category: r.task.category,
        minutes: r.claim.minutes ?? 0,
      })),
    member: (id) => membersRepository.findById(id),
    community,
  });
  const recordsService = recordsServiceFactory({
    db: database.db,
    recordsRepository,
    claimRecords: claimRecordsRepository(),
    membersRepository,
    pointsService,
    loadPost: (id) => tasksService.load(id),
    community,
    clock,
    correctionWindowDays: config.correctionWindowDays,
    onAmended: async (tx, claimIds, at) => {
      await certificatesService.revokeHolding(tx, claimIds, at);
    },
  });
  app.decorate('points', pointsService);
  // 爱心超市: redemptions spend through the ledger in their own transaction (modules/points).
  const rewardsService = rewardsServiceFactory({
    db: database.db,
    rewardsRepository,
    points: { spend: pointsService.spend, balance: (memberId, tx) => pointsRepository.balance(memberId, tx) },
    memberOfCode: async (code, tx) => {
      const { memberId } = pioneerCodes.verify(code);
      if (!(await membersRepository.findById(memberId, tx))) throw new AppError('CODE_INVALID');
      return memberId;
    },
    community,
    clock,
  });
  if (runsJobs && (deps.notifications?.worker ?? config.notifications.worker)) backgroundJobs.push('points');
  const registrationService = registrationServiceFactory({
    directoryRepository,
    publicUrl: config.publicUrl,
  });

  // Domain modules: one plugin each, wired here with their narrow dependencies.
  await app.register(
    async (api) => {
      await api.register(healthRoutes, { pool: database.pool, role: config.serverRole, replicas });
      await api.register(metricsRoutes, {
        pool: database.pool,
        replicas,
        repo: metricsRepositoryFactory(database.db),
        token: config.metricsToken,
        onError: (err) => app.log.debug({ err: { message: err.message } }, 'a metric could not be read'),
      });
      if (!servesApi) return;
      await api.register(authRoutes, {
        authService,
        devLogin: wechat.kind === 'development',
        limits: {
          perAddress: app.perMinute('login-address', limits.loginPerAddress),
          perCode: app.perMinute('login-code', limits.loginPerIdentity),
        },
      });
      await api.register(tasksRoutes, { tasksService });
      await api.register(claimsRoutes, {
        claimsService,
        cancelMine: (memberId, taskId) => waitlistService.cancelMine(memberId, taskId),
        memberIds: new MemberIds((ids) => authRepository.findMemberIds(ids)),
        loadPost: (id) => tasksService.load(id),
      });
      await api.register(waitlistRoutes, { waitlistService, loadPost: (id) => tasksService.load(id), community });
      await api.register(liveRoutes, {
        liveHub,
        loadPrincipal: (userId) => authRepository.loadPrincipal(userId),
        mayWatchMeeting: (principal, meetingId) => meetingsService.mayWatch(principal, meetingId),
      });
      await api.register(statsRoutes, { statsService });
      // One count per raiser for both ways a whistle is raised: 吹哨 and 居民点单's 转为吹哨.
      const whistleRaiseLimit = app.perMinute('whistle-raise', limits.whistlesPerRaiser);
      await api.register(whistlesRoutes, { whistlesService, raiseLimit: whistleRaiseLimit });
      await api.register(meetingsRoutes, { meetingsService });
      // One count for every full read of personal data (a member's, a demand's contact): each is audited, a sweep is not a call to make.
      const personalReadLimit = app.perMinute('personal-read', limits.personalReadsPerUser);
      await api.register(demandsRoutes, {
        demandsService,
        personalReadLimit,
        whistleRaiseLimit,
        createLimit: app.perMinute('demand-create', limits.demandsPerUser),
        addressLimit: app.perMinute('demand-create-address', limits.demandsPerAddress),
      });
      const assessmentService = assessmentServiceFactory({
        db: database.db,
        assessmentRepository: assessmentRepositoryFactory(database.db, replicas.readDb),
        directoryRepository,
        whistleStats: whistleStatsFactory(replicas.readDb),
        unitsStats: unitsStatsRepositoryFactory(replicas.readDb),
        clock,
      });
      await api.register(assessmentRoutes, { assessmentService });
      await api.register(directoryRoutes, { directoryService });
      await api.register(unitsRoutes, { agreementsService, projectsService });
      await api.register(unitIndexRoutes, {
        unitIndexService: unitIndexServiceFactory({
          unitIndexRepository: unitIndexRepositoryFactory(replicas.readDb),
          directoryRepository,
          clock,
          cacheMs: config.unitBoardCacheMs,
        }),
        exportsService: exportsServiceFactory({ exportsRepository: exportsRepositoryFactory(replicas.readDb), db: database.db, clock }),
      });
      await api.register(invitesRoutes, {
        invitesService,
        acceptLimit: app.perMinute('invite-accept', limits.inviteAcceptPerUser),
      });
      await api.register(membersRoutes, {
        membersService,
        sessionTtlSeconds: config.sessionTtlSeconds,
        verifyLimit: app.perMinute('code-verify', limits.codeVerifyPerUser),
        phoneNumbers: deps.phoneNumbers ?? (wechatClient ? wechatPhoneNumberProvider(wechatClient) : developmentPhoneNumberProvider),
        standing: (memberId) => waitlistService.standing(memberId),
        star: (memberId) => recordsService.star(memberId),
      });
      await api.register(registrationRoutes, {
        registrationService,
        lookupLimit: app.perMinute('register-lookup', limits.registerLookupPerUser),
        // Before sign-in, a whole office scanning one poster shares an address: as high as sign-in's.
        anonymousLookupLimit: app.perMinute('register-lookup-address', limits.loginPerAddress),
      });
      await api.register(notificationsRoutes, {
        notificationsService: notificationsServiceFactory({
          repo: notificationsRepository,
          clock,
          publicUrl: config.publicUrl,
          calendarKey: config.phoneHashKey,
          templates: wechatSender ? config.notifications.templates : {},
        }),
        creditLimit: app.perMinute('subscription-credit', limits.creditsPerTemplate),
      });
      await api.register(personalDataRoutes, { personalData });
      await api.register(recordsRoutes, { recordsService, loadPost: (id) => tasksService.load(id), community });
      await api.register(pointsRoutes, { pointsService });
      await api.register(rewardsRoutes, { rewardsService });
      await api.register(certificatesRoutes, { certificatesService, community });
      // One count for both imports: a secretary and a city admin each read files at a person's pace.
      const importLimit = app.perMinute('imports', limits.importsPerUser);
      await api.register(householdsRoutes, {
        householdsService,
        directoryService,
        personalData,
        importLimit,
        personalReadLimit,
      });
      await api.register(importsRoutes, {
        importsService: importsServiceFactory({ db: database.db, directoryRepository, clock }),
        importLimit,
      });
      await api.register(exportsRoutes, {
        exportsService: exportsServiceFactory({ exportsRepository: exportsRepositoryFactory(replicas.readDb), db: database.db, clock }),
        statsService,
        assessmentService,
      });
    },
    { prefix: API_PREFIX },
  );
  if (servesApi) {
    await app.register(registerRedirectRoutes);
    await app.register(certificatePageRoutes, { certificatesService });
    // Browsers ask for it on every page; served whether or not the H5 build exists.
    const favicon = readFileSync(path.join(__dirname, '..', 'assets', 'favicon.ico'));
    app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('image/x-icon').header('cache-control', 'public, max-age=86400').send(favicon),
    );
    await app.register(scannedCodeRoutes);
    await app.register(meetingLinkRoutes, { meetingsService });
  }

  // Ended posts and no-shows are computed on read; the sweep also writes them down.
  if (runsJobs) {
    backgroundJobs.push('task-sweep', 'idempotency-purge');
    every(app, deps.timers?.sweepMs ?? 60_000, 'task sweep', () => tasksService.sweep());
    every(app, deps.timers?.purgeMs ?? 3600_000, 'idempotency key purge', () => claimsService.purgeIdempotencyKeys());
    every(app, deps.timers?.purgeMs ?? 3600_000, 'redemption key purge', () => rewardsService.purgeKeys());
  }

  if (servesApi && existsSync(config.h5Dir)) {
    await app.register(fastifyStatic, { root: config.h5Dir, prefix: '/', wildcard: false, index: ['index.html'] });
  } else if (servesApi && config.h5Pending) {
    // The first `npm start` serves the API at once and builds the H5 client meanwhile.
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(H5_BUILDING_PAGE));
  }

  return app;
}

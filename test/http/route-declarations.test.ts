/**
 * What a route's declaration guarantees (src/http/open-api-route.ts): a route that names a
 * machine gets it from the pipeline, which checks it is the merchant's before the handler runs
 * on it, and a route answers only the refusals it declares, so the reference lists every code
 * it can answer (openapi-document.ts).
 */
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, it } from '../helpers/node-test.js';
import { seedMerchant, type MerchantFixture } from '../helpers/server.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';
import { DEFAULTS, type ServerConfig } from '../../src/config.js';
import { AnsweredRequests } from '../../src/http/answer-once.js';
import { decorateMerchantRequest } from '../../src/http/merchant-auth.js';
import { assertMachineDeclared, registerOpenApiRoutes, type OpenApiDeps, type OpenApiRoute } from '../../src/http/open-api-route.js';
import { httpLimits } from '../../src/http/rate-limit.js';
import { asApiError } from '../../src/http/refusals.js';
import { ApiError, ErrorCode } from '../../src/protocol/errors.js';
import { FIELD, needs } from '../../src/protocol/request-fields.js';
import { nowSeconds } from '../../src/protocol/time.js';
import type { MachineRef } from '../../src/store/repositories/machines.repository.js';
import { MachineDirectory } from '../../src/service/machine-directory.js';
import { MerchantDirectory } from '../../src/service/merchants.js';
import { Refused } from '../../src/service/refused.js';
import type { Store } from '../../src/store/store.js';

const [sqlite] = storeKinds();

/** The routes on a bare Fastify behind the real authentication, answering `{code}` as the envelope would. */
async function appWith(store: Store, routes: OpenApiRoute[]): Promise<FastifyInstance> {
  const config: ServerConfig = { ...DEFAULTS.server, clock: nowSeconds, merchantCacheSeconds: 0 };
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error, _request, reply) => {
    const refusal = asApiError(error);
    return reply.send(refusal instanceof ApiError ? { code: refusal.code } : { code: ErrorCode.INTERNAL_ERROR, message: (error as Error).message });
  });
  const deps: OpenApiDeps = {
    store,
    config,
    merchants: new MerchantDirectory(store, 0),
    machines: new MachineDirectory(0),
    answers: new AnsweredRequests(store, config.timestampWindowSeconds),
    limits: await httpLimits(config, app.log),
    routes: [],
  };
  await app.register(async (scope) => {
    decorateMerchantRequest(scope);
    registerOpenApiRoutes(scope, deps, routes);
  });
  app.addHook('onClose', async () => deps.limits.close());
  return app;
}

function asMerchantOf(app: FastifyInstance, merchant: MerchantFixture) {
  return async (url: string): Promise<{ code: number; message?: string; data?: unknown }> =>
    (await app.inject({ method: 'POST', url, headers: { appid: merchant.appid, appsecret: merchant.app_secret } })).json();
}

describe('a route on a machine', () => {
  it('cannot be registered if it names machine_no (in its payload or path) without taking the machine from the pipeline, nor declare a machine it does not name', () => {
    const inPayload = { method: 'POST', url: '/x', summary: 'x', fields: { machine_no: needs(FIELD.machineNo) }, signed: true, read: async () => ({}) } as const;
    assert.throws(() => assertMachineDeclared(inPayload), /names a machine: it must declare machine: true/);
    assert.throws(() => assertMachineDeclared({ method: 'POST', url: '/x/:machine_no', summary: 'x', signed: false, read: async () => ({}) }), /must declare machine: true/);
    assert.throws(() => assertMachineDeclared({ method: 'POST', url: '/x', summary: 'x', signed: false, machine: true, read: () => async () => ({}) }), /names no machine_no/);
    assert.doesNotThrow(() => assertMachineDeclared({ ...inPayload, machine: true, read: () => async () => ({}) }));
  });

  it('runs its handler on the merchant’s own machine only: another merchant’s or an unknown one is 30003 and the handler never sees it', { skip: sqlite!.skip }, async () => {
    await withFreshStore(sqlite!, async (store) => {
      const owner = await seedMerchant(store);
      const other = await seedMerchant(store);
      const seen: MachineRef[] = [];
      const app = await appWith(store, [
        {
          method: 'POST',
          url: '/machines/:machine_no/probe',
          summary: 'probe',
          signed: false,
          machine: true,
          read: () => async (machine) => {
            seen.push(machine);
            return { machine_no: machine.machine_no };
          },
        },
      ]);
      try {
        const as = asMerchantOf(app, owner);
        const own = owner.machines[0]!.machine_no;
        assert.deepEqual(await as(`/machines/${own}/probe`), { code: 0, message: 'ok', data: { machine_no: own } });
        assert.deepEqual(await as(`/machines/${other.machines[0]!.machine_no}/probe`), { code: ErrorCode.MACHINE_NOT_FOUND });
        assert.deepEqual(await as('/machines/99999999901/probe'), { code: ErrorCode.MACHINE_NOT_FOUND });
        assert.deepEqual(await as('/machines/12ab/probe'), { code: ErrorCode.FIELD_INVALID });
        assert.deepEqual(
          seen.map((machine) => [machine.machine_no, machine.merchant_id]),
          [[own, owner.merchant_id]],
        );
      } finally {
        await app.close();
      }
    });
  });
});

describe('a route’s refusals', () => {
  it('are answered with their codes when declared; a refusal the route does not declare fails as a programming error (500), so the reference cannot leave its code out', { skip: sqlite!.skip }, async () => {
    await withFreshStore(sqlite!, async (store) => {
      const merchant = await seedMerchant(store);
      const refuse = async (): Promise<never> => {
        throw new Refused({ refused: 'offline' });
      };
      const app = await appWith(store, [
        { method: 'POST', url: '/declared', summary: 'declares it', signed: false, refuses: ['offline'], read: refuse },
        { method: 'POST', url: '/undeclared', summary: 'does not', signed: false, refuses: ['busy'], read: refuse },
      ]);
      try {
        const as = asMerchantOf(app, merchant);
        assert.deepEqual(await as('/declared'), { code: ErrorCode.MACHINE_OFFLINE });
        const undeclared = await as('/undeclared');
        assert.equal(undeclared.code, ErrorCode.INTERNAL_ERROR);
        assert.match(undeclared.message ?? '', /POST \/undeclared answered the refusal offline, which it does not declare/);
      } finally {
        await app.close();
      }
    });
  });
});

import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EcsClient } from '../../src/gateway/ecs/client.js';
import { ecsRoute, type CuratedRoute } from '../../src/gateway/routes/factory.js';
import { curatedDeclarer } from '../support/declare-route.js';

/**
 * The factory's declarative hooks added for the resource routes are checked against the catalog at start-up
 * like everything else: a parameter picked by value (ParamByValue) that none of the route's actions has, a
 * path through a list to a member that is not there, an `actionBy` action the catalog lacks or a picking
 * field that is sent to ECS.
 */

const deps = { client: new EcsClient({ signatureVersion: 'v3', allowedEndpoints: [], timeoutMs: 1000 }) };
const pick = () => 'a';

const declare = curatedDeclarer({ method: 'POST', operationId: 'Test_Rule', action: 'AuthorizeSecurityGroup' });

describe('resource-route hooks are checked against the catalog', () => {
  it('accepts a path through a list, a parameter picked by value, an action picked by a field', () => {
    expect(declare({
      actionBy: { field: 'direction', actions: { egress: 'AuthorizeSecurityGroupEgress' } },
      fields: {
        direction: { schema: z.string(), param: null },
        port: { schema: z.string(), param: ['Permissions', 'PortRange'] },
        // SourceGroupId exists only for ingress, DestGroupId only for egress: refused per request, not at start-up.
        source: { schema: z.string(), param: { params: { a: ['Permissions', 'SourceCidrIp'], b: ['Permissions', 'SourceGroupId'] }, pick } },
        destination: { schema: z.string(), param: { params: { a: ['Permissions', 'DestCidrIp'], b: ['Permissions', 'DestGroupId'] }, pick } },
      },
    })).not.toThrow();
  });

  it.each([
    ['a list member that is not there', { fields: { port: { schema: z.string(), param: ['Permissions', 'Port'] } } }, /names Permissions → Port, which AuthorizeSecurityGroup does not have/],
    ['a picked parameter no action has', { fields: { source: { schema: z.string(), param: { params: { a: ['Permissions', 'SourceCidr'] }, pick } } } }, /names Permissions → SourceCidr/],
    ['a picked parameter the one action lacks', { fields: { destination: { schema: z.string(), param: { params: { a: ['Permissions', 'DestGroupId'] }, pick } } } }, /names Permissions → DestGroupId/],
    ['wire syntax in a path', { fields: { port: { schema: z.string(), param: ['Permissions.1.PortRange'] } } }, /give catalog names, not wire syntax/],
    ['an actionBy action the catalog lacks', { actionBy: { field: 'direction', actions: { egress: 'AuthorizeSecurityGroupEgres' } }, fields: { direction: { schema: z.string(), param: null } } }, /AuthorizeSecurityGroupEgres is not an ECS action/],
    ['an actionBy field that is sent to ECS', { actionBy: { field: 'description', actions: { egress: 'AuthorizeSecurityGroupEgress' } }, fields: { description: { schema: z.string(), param: ['Permissions', 'Description'] } } }, /must be a field with `param: null`/],
    ['a field one of the actions lacks', { actionBy: { field: 'direction', actions: { egress: 'AuthorizeSecurityGroupEgress' } }, fields: { direction: { schema: z.string(), param: null }, group: { schema: z.string(), param: ['Permissions', 'SourceGroupId'] } } }, /SourceGroupId, which AuthorizeSecurityGroupEgress does not have/],
  ] as const)('refuses %s', (_name, overrides, message) => {
    expect(declare(overrides as Partial<CuratedRoute>)).toThrow(message);
  });
});

describe('routeCall (what other plugins read) resolves the action a request calls', () => {
  it('the rule route: AuthorizeSecurityGroup by default, AuthorizeSecurityGroupEgress for direction egress', async () => {
    const { SECURITY_GROUP_ROUTES } = await import('../../src/gateway/routes/security-groups.js');
    const { routeCall } = await import('../../src/gateway/routes/factory.js');
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    const seen: unknown[] = [];
    app.addHook('preHandler', (request, reply, done) => {
      seen.push(routeCall(request));
      void reply.code(204).send();
      done();
    });
    for (const route of SECURITY_GROUP_ROUTES) ecsRoute(app, deps, route);
    await app.ready();
    const rule = { regionId: 'cn-hangzhou', protocol: 'tcp', port: 22, source: '0.0.0.0/0', destination: '0.0.0.0/0' };
    await app.inject({ method: 'POST', url: '/security-groups/sg-bp1a/rules', payload: rule });
    await app.inject({ method: 'POST', url: '/security-groups/sg-bp1a/rules', payload: { ...rule, direction: 'egress' } });
    await app.inject({ method: 'POST', url: '/security-groups/sg-bp1a/rules/revoke', payload: { ...rule, direction: 'egress' } });
    await app.inject({ method: 'GET', url: '/security-groups/sg-bp1a?regionId=cn-hangzhou' });
    expect(seen).toEqual([
      { action: 'AuthorizeSecurityGroup', readOnly: false },
      { action: 'AuthorizeSecurityGroupEgress', readOnly: false },
      { action: 'RevokeSecurityGroupEgress', readOnly: false },
      { action: 'DescribeSecurityGroupAttribute', readOnly: true },
    ]);
    await app.close();
  });
});

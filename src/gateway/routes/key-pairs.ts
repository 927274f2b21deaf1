import { z } from 'zod';
import { boolish, pageNumber, pageSize, text } from '../schemas/common.js';
import { instanceId, keyPairName, tags } from '../schemas/resources.js';
import { queryTags, region, requestId, routesPlugin } from './declare.js';
import type { CuratedRoute } from './factory.js';

const instanceIds = { schema: z.array(instanceId()).min(1).max(50).describe('Instance IDs (1-50)'), param: 'InstanceIds' };

/**
 * Key pairs. CreateKeyPair's answer carries the private key (the catalog marks PrivateKeyBody secret): it
 * is sent with `Cache-Control: no-store` and never logged; ECS keeps no copy.
 */
export const KEY_PAIR_ROUTES: CuratedRoute[] = [
  {
    method: 'GET', url: '/key-pairs', operationId: 'KeyPair_ListKeyPairs', action: 'DescribeKeyPairs', tag: 'Key pairs',
    summary: 'List key pairs', description: 'The SSH key pairs of a region (ECS DescribeKeyPairs); `keyPairName` takes * as a wildcard.',
    fields: {
      regionId: region(),
      keyPairName: text(128).optional().describe('Key pair name; * is a wildcard'),
      keyPairFingerPrint: text(128).optional(),
      includePublicKey: boolish().optional(),
      tags: queryTags(),
      pageNumber: pageNumber(),
      pageSize: pageSize(50),
    },
    example: { regionId: 'cn-hangzhou', keyPairName: 'demo-*' },
    exampleBody: { KeyPairs: { KeyPair: [{ KeyPairName: 'demo-key', KeyPairFingerPrint: '89:f0:ba:62:ac:6d:1e:b6:d2:1c:3b:4c:9c:2b:2b:5e', CreationTime: '2026-11-30T08:00Z' }] }, PageNumber: 1, PageSize: 10, TotalCount: 1, RequestId: requestId },
  },
  {
    method: 'POST', url: '/key-pairs', operationId: 'KeyPair_CreateKeyPair', action: 'CreateKeyPair', tag: 'Key pairs',
    summary: 'Create a key pair',
    description: 'A new SSH key pair (ECS CreateKeyPair). The answer carries the private key (PrivateKeyBody), once: keep it. It is sent with `Cache-Control: no-store` and never logged.',
    fields: { regionId: region(), keyPairName: keyPairName(), tags: { schema: tags().optional(), param: 'Tag' } },
    example: { regionId: 'cn-hangzhou', keyPairName: 'demo-key' },
    exampleBody: { KeyPairId: 'kp-bp67acfmxazb4p****', KeyPairName: 'demo-key', KeyPairFingerPrint: '89:f0:ba:62:ac:6d:1e:b6:d2:1c:3b:4c:9c:2b:2b:5e', PrivateKeyBody: '(the PEM private key)', RequestId: requestId },
  },
  {
    method: 'POST', url: '/key-pairs/import', operationId: 'KeyPair_ImportKeyPair', action: 'ImportKeyPair', tag: 'Key pairs',
    summary: 'Import a public key', description: 'Register an SSH public key you made (ECS ImportKeyPair); ECS answers its fingerprint.',
    fields: {
      regionId: region(),
      keyPairName: keyPairName(),
      publicKeyBody: text(8192).describe('The public key, e.g. "ssh-rsa AAAA… comment"'),
      tags: { schema: tags().optional(), param: 'Tag' },
    },
    example: { regionId: 'cn-hangzhou', keyPairName: 'my-laptop', publicKeyBody: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ… me@laptop' },
    exampleBody: { KeyPairName: 'my-laptop', KeyPairFingerPrint: '89:f0:ba:62:ac:6d:1e:b6:d2:1c:3b:4c:9c:2b:2b:5e', RequestId: requestId },
  },
  {
    method: 'DELETE', url: '/key-pairs/:keyPairName', operationId: 'KeyPair_DeleteKeyPair', action: 'DeleteKeyPairs', tag: 'Key pairs',
    summary: 'Delete a key pair', description: 'Delete a key pair no instance uses (ECS DeleteKeyPairs). Parameters in the query string.',
    pathParams: { keyPairName: { schema: keyPairName(), param: 'KeyPairNames' } },
    fields: { regionId: region() },
    example: { regionId: 'cn-hangzhou' },
    exampleBody: { RequestId: requestId },
  },
  {
    method: 'POST', url: '/key-pairs/:keyPairName/attach', operationId: 'KeyPair_AttachKeyPair', action: 'AttachKeyPair', tag: 'Key pairs',
    summary: 'Bind a key pair to instances', description: 'Bind a key pair to Linux instances (ECS AttachKeyPair); a Running instance takes it after a restart.',
    pathParams: { keyPairName: { schema: keyPairName(), param: 'KeyPairName' } },
    fields: { regionId: region(), instanceIds },
    example: { regionId: 'cn-hangzhou', instanceIds: ['i-bp67acfmxazb4p****'] },
    exampleBody: { TotalCount: '1', FailCount: '0', KeyPairName: 'demo-key', Results: { Result: [{ InstanceId: 'i-bp67acfmxazb4p****', Success: 'true', Code: '200', Message: 'successful' }] }, RequestId: requestId },
  },
  {
    method: 'POST', url: '/key-pairs/:keyPairName/detach', operationId: 'KeyPair_DetachKeyPair', action: 'DetachKeyPair', tag: 'Key pairs',
    summary: 'Unbind a key pair from instances', description: 'Unbind a key pair from instances (ECS DetachKeyPair).',
    pathParams: { keyPairName: { schema: keyPairName(), param: 'KeyPairName' } },
    fields: { regionId: region(), instanceIds },
    example: { regionId: 'cn-hangzhou', instanceIds: ['i-bp67acfmxazb4p****'] },
    exampleBody: { TotalCount: '1', FailCount: '0', KeyPairName: 'demo-key', Results: { Result: [{ InstanceId: 'i-bp67acfmxazb4p****', Success: 'true', Code: '200', Message: 'successful' }] }, RequestId: requestId },
  },
];

export const keyPairRoutes = routesPlugin(KEY_PAIR_ROUTES);

import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/emulator/protocol/errors.js';
import { newRequestId, renderError, renderSuccess, responseFormat } from '../../src/emulator/protocol/render.js';

const ID = 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE';

describe('response rendering', () => {
  it('issues upper-case UUID request ids', () => {
    expect(newRequestId()).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
  });

  it('picks XML only for Format=XML in any case', () => {
    expect([responseFormat('XML'), responseFormat('xml'), responseFormat('json'), responseFormat(undefined)]).toEqual([
      'XML',
      'XML',
      'JSON',
      'JSON',
    ]);
  });

  it('renders JSON with RequestId first and the ECS headers', () => {
    const out = renderSuccess('DescribeRegions', { Regions: { Region: [{ RegionId: 'cn-hangzhou' }] } }, ID, 'JSON');
    expect(out.status).toBe(200);
    expect(out.body).toBe(`{"RequestId":"${ID}","Regions":{"Region":[{"RegionId":"cn-hangzhou"}]}}`);
    expect(out.headers).toMatchObject({
      'content-type': 'application/json;charset=utf-8',
      'x-acs-request-id': ID,
      'access-control-allow-origin': '*',
      'access-control-max-age': '172800',
      vary: 'Accept-Encoding',
    });
    expect(out.headers['x-acs-trace-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('renders XML with the <ActionResponse> root, repeated list elements and escaping', () => {
    const body = { InstanceIdSets: { InstanceIdSet: ['i-1', 'i-2'] }, Name: 'a<b&"c"', Empty: { Item: [] }, Flag: true };
    const out = renderSuccess('RunInstances', body, ID, 'XML');
    expect(out.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(out.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><RunInstancesResponse>' +
        `<RequestId>${ID}</RequestId><InstanceIdSets><InstanceIdSet>i-1</InstanceIdSet><InstanceIdSet>i-2</InstanceIdSet></InstanceIdSets>` +
        '<Name>a&lt;b&amp;&quot;c&quot;</Name><Empty></Empty><Flag>true</Flag></RunInstancesResponse>',
    );
  });

  it('renders errors as {RequestId, HostId, Code, Message, Recommend} or <Error>, with extra headers', () => {
    const err = new ProtocolError(400, 'Throttling.User', 'slow down', { 'x-acs-retry-after': '10' });
    const json = renderError(err, ID, 'JSON');
    expect(json.status).toBe(400);
    expect(json.headers['x-acs-retry-after']).toBe('10');
    expect(JSON.parse(json.body)).toEqual({
      RequestId: ID,
      HostId: 'ecs.aliyuncs.com',
      Code: 'Throttling.User',
      Message: 'slow down',
      Recommend: `https://api.aliyun.com/troubleshoot?q=Throttling.User&product=Ecs&requestId=${ID}`,
    });
    const xml = renderError(err, ID, 'XML');
    expect(xml.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Error><RequestId>.*<Code>Throttling.User<\/Code>/);
  });
});

// Cumulocity's official TypeScript client (@c8y/client) against the local tenant.
// Run by tests/integration/tenant/test_c8y_client_js.py with C8Y_BASEURL, C8Y_TENANT, C8Y_USER,
// C8Y_PASSWORD, C8Y_BOOTSTRAP_USER (<tenant>/<user>), C8Y_BOOTSTRAP_PASSWORD and NODE_EXTRA_CA_CERTS set.
// Every step runs even when an earlier one failed; one JSON document on stdout holds each
// step's result or error, and the pytest side asserts on it.
'use strict';

const {
  BasicAuth,
  Client,
  EventBinaryService,
  InventoryBinaryService,
  Severity,
} = require('@c8y/client');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const baseUrl = env('C8Y_BASEURL');
const tenant = env('C8Y_TENANT');
const credentials = { tenant, user: env('C8Y_USER'), password: env('C8Y_PASSWORD') };
const suffix = `${process.pid}-${Date.now()}`;
const results = {};

async function step(name, body) {
  try {
    results[name] = { ok: true, value: await body() };
  } catch (error) {
    const detail = error && error.res
      ? `HTTP ${error.res.status} ${JSON.stringify(error.data || '')}`
      : String((error && error.stack) || error);
    results[name] = { ok: false, error: detail };
  }
}

async function main() {
  const client = await Client.authenticate(credentials, baseUrl);
  const state = {};

  await step('basic_auth', async () => {
    const { data } = await client.user.current();
    return { tenant: client.core.tenant, user: data.userName };
  });
  await step('cookie_auth', async () => {
    const cookieClient = await Client.authenticateViaOAuthInternalCookie(credentials, baseUrl);
    const { data } = await cookieClient.user.current();
    return { tenant: cookieClient.core.tenant, user: data.userName };
  });
  await step('bearer_auth', async () => {
    const bearerClient = await Client.authenticateViaOAuthInternal(credentials, baseUrl);
    const { data } = await bearerClient.tenant.current();
    return { tenant: data.name };
  });

  await step('inventory', async () => {
    const name = `js-device-${suffix}`;
    const { data: created, res } = await client.inventory.create({ name, c8y_IsDevice: {}, type: 'js_type' });
    state.device = created.id;
    const { data: updated } = await client.inventory.update({ id: created.id, c8y_Hardware: { model: 'js' } });
    const { data: fetched } = await client.inventory.detail(created.id);
    const queried = await client.inventory.listQuery({ name }, { pageSize: 5 });
    const devices = await client.inventory.listQueryDevices({ type: 'js_type' }, { pageSize: 100 });
    const { data: count } = await client.inventory.count({ type: 'js_type' });
    const paged = await client.inventory.list({ type: 'js_type', pageSize: 1, withTotalPages: true });
    return {
      status: res.status,
      model: updated.c8y_Hardware.model,
      name: fetched.name,
      queried: queried.data.map((mo) => mo.id),
      devices: devices.data.map((mo) => mo.id).includes(created.id),
      count,
      totalPages: paged.paging.totalPages,
      currentPage: paged.paging.currentPage,
    };
  });
  await step('child_references', async () => {
    const { data: child } = await client.inventory.create({ name: `js-child-${suffix}`, c8y_IsDevice: {} });
    await client.inventory.childDevicesAdd(child.id, state.device);
    const { data: asset } = await client.inventory.childAssetsCreate({ name: `js-asset-${suffix}` }, state.device);
    const devices = (await client.inventory.childDevicesList(state.device)).data.map((mo) => mo.id);
    const assets = (await client.inventory.childAssetsList(state.device)).data.length;
    await client.inventory.childDevicesRemove(child.id, state.device);
    const after = (await client.inventory.childDevicesList(state.device)).data.length;
    await client.inventory.delete(child.id);
    return { devices: devices.includes(child.id), assets, after, asset: Boolean(asset.id || (asset.managedObject && asset.managedObject.id)) };
  });
  await step('identity', async () => {
    const externalId = `js-serial-${suffix}`;
    await client.identity.create({ type: 'c8y_Serial', externalId, managedObject: { id: state.device } });
    const { data } = await client.identity.detail({ type: 'c8y_Serial', externalId });
    const { data: list } = await client.identity.list(state.device);
    return { managedObject: data.managedObject.id, listed: list.map((xid) => xid.externalId) };
  });
  await step('measurements', async () => {
    const time = new Date().toISOString();
    const { res } = await client.measurement.create({
      source: { id: state.device },
      type: 'c8y_Temperature',
      time,
      c8y_Temperature: { T: { value: 21.5, unit: 'C' } },
    });
    const { data } = await client.measurement.list({ source: state.device, pageSize: 10 });
    const series = await client.measurement.listSeries({
      source: state.device,
      dateFrom: '1970-01-01',
      dateTo: new Date(Date.now() + 60000).toISOString(),
    });
    const supported = await client.inventory.getSupportedSeries(state.device);
    return {
      status: res.status,
      values: data.map((m) => m.c8y_Temperature.T.value),
      series: Object.keys(series.data.series || {}).length,
      supported,
    };
  });
  await step('events', async () => {
    const { data: event, res } = await client.event.create({
      source: { id: state.device }, type: 'js_Event', text: 'from @c8y/client', time: new Date().toISOString(),
    });
    await client.event.update({ id: event.id, text: 'updated' });
    const { data: listed } = await client.event.list({ source: state.device, type: 'js_Event' });
    const binaries = new EventBinaryService(client.core);
    await binaries.upload(Buffer.from('hello binary'), event.id);
    const download = await binaries.download(event.id);
    const content = await download.text();
    return { status: res.status, texts: listed.map((e) => e.text), binary: content };
  });
  await step('inventory_binaries', async () => {
    const service = new InventoryBinaryService(client.core);
    const { data } = await service.create(Buffer.from('inventory binary'), { name: `js-${suffix}.txt`, type: 'text/plain' });
    const response = await service.download(data.id);
    const content = await response.text();
    await service.delete(data.id);
    return { content };
  });
  await step('alarms', async () => {
    const { data: alarm } = await client.alarm.create({
      source: { id: state.device }, type: 'js_Alarm', text: 'hot', severity: Severity.MAJOR, time: new Date().toISOString(),
    });
    const { data: updated } = await client.alarm.update({ id: alarm.id, status: 'ACKNOWLEDGED' });
    const { data: count } = await client.alarm.count({ source: state.device });
    const { data: active } = await client.alarm.count({ source: state.device, status: 'ACTIVE' });
    return { status: updated.status, count, active };
  });
  await step('operations', async () => {
    const { data: operation, res } = await client.operation.create({
      deviceId: state.device, description: 'restart', c8y_Restart: {},
    });
    const { data: pending } = await client.operation.list({ deviceId: state.device, status: 'PENDING' });
    const { data: executing } = await client.operation.update({ id: operation.id, status: 'EXECUTING' });
    const { data: done } = await client.operation.update({ id: operation.id, status: 'SUCCESSFUL' });
    return { status: res.status, pending: pending.map((o) => o.id).includes(operation.id), executing: executing.status, done: done.status };
  });
  await step('bulk_operations', async () => {
    const { data: group } = await client.inventory.create({ name: `js-group-${suffix}`, c8y_IsDeviceGroup: {} });
    await client.inventory.childAssetsAdd(state.device, group.id);
    const { data: bulk, res } = await client.operationBulk.create({
      groupId: group.id,
      startDate: new Date().toISOString(),
      creationRamp: 1,
      operationPrototype: { description: 'bulk restart', c8y_Restart: {} },
    });
    const { data: fetched } = await client.operationBulk.detail(bulk.id);
    const { data: created } = await client.operation.list({ deviceId: state.device, bulkOperationId: bulk.id });
    const { data: listed } = await client.operationBulk.list({ pageSize: 100 });
    await client.inventory.delete(group.id);
    return {
      status: res.status,
      groupId: String(fetched.groupId) === String(group.id),
      operations: created.length,
      listed: listed.map((b) => String(b.id)).includes(String(bulk.id)),
    };
  });
  await step('device_registration', async () => {
    const serial = `js-register-${suffix}`;
    const bootstrap = { user: env('C8Y_BOOTSTRAP_USER'), pass: env('C8Y_BOOTSTRAP_PASSWORD') };
    await client.deviceRegistration.create({ id: serial });
    let before;
    try {
      await client.deviceRegistration.bootstrap(serial, { basicAuth: bootstrap });
      before = 'credentials';
    } catch (error) {
      before = error.res ? error.res.status : String(error);
      if (before !== 404) throw error;
    }
    const { data: accepted } = await client.deviceRegistration.accept(serial);
    const { data: credentialsOf } = await client.deviceRegistration.bootstrap(serial, { basicAuth: bootstrap });
    const device = new Client(new BasicAuth({ tenant: credentialsOf.tenantId, user: credentialsOf.username, password: credentialsOf.password }), baseUrl);
    const { data: self } = await device.user.current();
    const users = (await client.user.list({ pageSize: 2000 })).data.map((u) => u.userName);
    return { before, accepted: accepted.status, username: credentialsOf.username, self: self.userName, visible: users.includes(credentialsOf.username) };
  });
  await step('users_and_tenant', async () => {
    const { data: current } = await client.tenant.current();
    const { data: users } = await client.user.list({ pageSize: 100 });
    const { data: groups } = await client.userGroup.list({ pageSize: 100 });
    const { data: roles } = await client.userRole.list({ pageSize: 100 });
    const category = `js_${process.pid}`;
    await client.options.tenant.create({ category, key: 'mode', value: 'on' });
    const { data: option } = await client.options.tenant.detail({ category, key: 'mode' });
    return { tenant: current.name, users: users.length, groups: groups.length, roles: roles.length, option: option.value };
  });
  await step('applications', async () => {
    const { data } = await client.application.list({ pageSize: 100 });
    return { names: data.map((app) => app.name) };
  });
  await step('realtime', async () => {
    // notifications of the device's measurements over CometD (websocket, else long-polling): the
    // measurement is sent again every 300 ms until the first notification arrives (the subscription
    // has no acknowledgement callback in this client), for at most 15 s
    const type = `js_rt_${suffix}`;
    let sender;
    const received = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no realtime notification within 15 s')), 15000);
      const handle = client.realtime.subscribe(`/measurements/${state.device}`, (message) => {
        if (message.data.data.type !== type) return;
        clearTimeout(timer);
        client.realtime.unsubscribe(handle);
        resolve(message.data);
      });
      const send = () => client.measurement.create({
        source: { id: state.device }, type, time: new Date().toISOString(), c8y_Rt: { v: { value: 1 } },
      }).catch(() => undefined);
      sender = setInterval(send, 300);
      send();
    }).finally(() => { clearInterval(sender); client.realtime.disconnect(); });
    return { action: received.realtimeAction, type: received.data.type, source: received.data.source.id };
  });
  await step('cleanup', async () => {
    await client.inventory.delete(state.device);
    try {
      await client.inventory.detail(state.device);
      return { gone: false };
    } catch (error) {
      return { gone: error.res.status === 404 };
    }
  });
}

main()
  .catch((error) => { results.login = { ok: false, error: String((error && error.stack) || error) }; })
  .finally(() => { process.stdout.write(JSON.stringify(results) + '\n'); });

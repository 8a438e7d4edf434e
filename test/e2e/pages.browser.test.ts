import { existsSync } from 'fs';
import { Browser, chromium } from 'playwright-core';
import { ENVELOPE_FIELDS } from '../../shared/runner/handler';
import { API_KEYS_ENV, HttpAnswer, HttpCall, KEYS, startApi } from '../support/api';
import { aSubmitOrder } from '../support/orders';
import { SagaDriver } from '../support/saga';
import { TestStack } from '../support/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The tracking and operator pages in headless Chromium, against the whole fleet and the API. */
describe('tracking and operator pages in Chromium', () => {
  const stack = new TestStack({ API_KEYS: API_KEYS_ENV });
  const saga = new SagaDriver(stack);
  const SKU = `PAGE-${stack.prefix.slice(1, 9)}`;
  let browser: Browser;
  let baseUrl: string;
  let call: (c: HttpCall) => Promise<HttpAnswer>;
  let closeApi: () => Promise<void>;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium chromium-driver (or set CHROMIUM_PATH)`);
    await stack.provision();
    for (const s of ['intake', 'fraud', 'inventory', 'payment', 'fulfillment', 'notifications'] as const) await stack.startService(stack.service(s));
    await saga.setStock(SKU, 100);
    ({ baseUrl, call, close: closeApi } = await startApi(stack));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120000);
  afterAll(async () => {
    await browser?.close();
    await closeApi?.();
    await stack.close();
  });

  const submitThroughApi = async (over: Record<string, unknown> = {}) => {
    const cmd = aSubmitOrder({ lines: [{ sku: SKU, name: 'Desk lamp', quantity: 1, unitPriceMinor: 4200, weightGrams: 900 }], ...over }) as unknown as Record<string, unknown>;
    for (const f of ENVELOPE_FIELDS) delete cmd[f];
    const res = await call({ method: 'POST', url: '/v1/orders', headers: { authorization: `Bearer ${KEYS.channel}` }, payload: cmd });
    expect(res.statusCode).toBe(202);
    return res.json().orderId as string;
  };

  it('when a customer opens the tracking page with the token, then they see the state, and it moves to Shipped with carrier and tracking number without a reload', async () => {
    const orderId = await submitThroughApi();
    const { tracking_token: token } = await saga.waitForState(orderId, 'Awaiting_Shipment');
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/track`);
    await page.fill('#token', token);
    await page.click('button[type=submit]');
    await page.getByTestId('state').filter({ hasText: 'Awaiting_Shipment' }).waitFor();
    expect(await page.locator('#items').innerText()).toContain('Desk lamp');

    await saga.dispatch(orderId);
    await page.getByTestId('state').filter({ hasText: 'Shipped' }).waitFor({ timeout: 15000 });
    expect(await page.getByTestId('shipping').innerText()).toContain(`UPS 1Z${orderId.slice(0, 8).toUpperCase()}`);
    expect(await page.locator('#timeline').innerText()).toMatch(/Pending[\s\S]*Processing[\s\S]*Awaiting_Shipment[\s\S]*Shipped/);
    await page.close();
  });

  it('when an operator releases an on-hold order from the operator page, then the order goes on to Awaiting_Shipment', async () => {
    const orderId = await submitThroughApi({ lines: [{ sku: SKU, name: 'Grand piano lamp', quantity: 1, unitPriceMinor: 300000, weightGrams: 900 }] });
    await saga.waitForState(orderId, 'On_Hold');
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/ops`);
    await page.fill('#key', KEYS.operator);
    await page.click('#k button[type=submit]');
    const row = page.locator(`#held tr[data-order="${orderId}"]`);
    await row.waitFor();
    await row.locator('button[data-action=release]').click();
    await saga.waitForState(orderId, 'Awaiting_Shipment');
    await row.waitFor({ state: 'detached', timeout: 15000 });
    const history = await saga.history(orderId);
    expect(history.find((h) => h.from_state === 'On_Hold')).toMatchObject({ to_state: 'Processing', cause_type: 'ReleaseOrderHold', reason: expect.stringContaining('ops-page') });
    await page.close();
  });

  it('when a rejected order holds markup in a field the operator page shows (its currency), then the page shows it as text and runs none of it', async () => {
    const markup = '<img src=x onerror="window.__injected=1">';
    const orderId = await submitThroughApi({ currency: markup });
    await saga.waitForState(orderId, 'Rejected');
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/ops`);
    await page.fill('#key', KEYS.operator);
    await page.click('#k button[type=submit]');
    await page.selectOption('#state', 'Rejected');
    const row = page.locator(`#orders tr[data-order="${orderId}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain(markup);
    expect(await row.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __injected?: number }).__injected)).toBeUndefined();
    await page.close();
  });
});

// 一次收齐 over HTTP (issue 24): a business licence the hotel chain's
// registration recorded is reused by a company-change application that
// consents, and what a case reused is shown to each department only as its
// view allows (a field it sees, a licence its matters ask for). Every answer
// is checked against schemas/openapi.json.
//   node tests/js/serve-reuse.mjs --cli build/cli/yilian
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { Serve, Tests, cliArgument, projectRoot } from './serve-lib.mjs';

const cli = cliArgument('serve-reuse.mjs');
const runner = new Tests();
const read = (file) => YAML.parse(readFileSync(join(projectRoot, file), 'utf8'));
const USCC = '91371302MA3C4L7Q5H';

const serve = new Serve(cli, { now: '2025-03-10T09:00', chains: ['chains/hotel-restaurant.yaml', 'chains/company-change.yaml'] });
const keys = {
  window: serve.account('窗口接口', 'window'),
  market: serve.account('市场监管-系统', 'department', 'market'),
  tax: serve.account('税务-系统', 'department', 'tax'),
};
let n = 0;
async function submit(body) {
  const r = await serve.call('POST', '/api/v1/cases', { key: keys.window, body, headers: { 'Idempotency-Key': `reuse-${n++}` } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}
/// The company-change application less what case 1 recorded for the company.
function change(consent) {
  const app = read('examples/applications/company-change-complete.yaml');
  delete app.fields['applicant.legal_rep'];
  app.materials = app.materials.filter((m) => m !== 'old-business-licence');
  if (consent) app.reuse_consent = true;
  return app;
}

try {
  await serve.start();
  let reusing;
  await runner.test('a licence the registration recorded is reused with consent, not without', async () => {
    const hotel = await submit(read('examples/applications/hotel-restaurant-complete.yaml'));
    const approve = await serve.call('POST', `/api/v1/tasks/${hotel.case}/business-registration/approve`,
      { key: keys.market, body: { produce: { 'applicant.uscc': USCC } } });
    assert.equal(approve.status, 200, JSON.stringify(approve.body));
    const without = await submit(change(false));
    assert.equal(without.stage, 'incomplete');
    const withConsent = await submit(change(true));
    assert.equal(withConsent.stage, 'running');
    reusing = withConsent.case;
    const view = (await serve.call('GET', `/api/v1/cases/${reusing}`, { key: keys.window })).body;
    assert.equal(view.reuse.consent, true);
    assert.deepEqual(view.reuse.reused.map((r) => [r.kind, r.key, r.from_case]),
      [['field', 'applicant.legal_rep', hotel.case], ['licence', 'old-business-licence', hotel.case]]);
    assert.equal(view.reuse.reused[1].number, USCC);
    assert.equal((await serve.call('GET', `/api/v1/cases/${without.case}`, { key: keys.window })).body.reuse, undefined);
  });

  await runner.test('a department sees of what was reused only the fields in its view and the licences its matters ask for', async () => {
    const market = (await serve.call('GET', `/api/v1/cases/${reusing}`, { key: keys.market })).body;
    assert.deepEqual(market.reuse.reused.map((r) => r.key), ['applicant.legal_rep', 'old-business-licence'],
      'change-registration asks for both');
    const tax = await serve.call('GET', `/api/v1/cases/${reusing}`, { key: keys.tax });
    assert.equal(tax.status, 200);
    const keysSeen = tax.body.reuse.reused.map((r) => r.key);
    assert.ok(!keysSeen.includes('old-business-licence'), 'the tax update does not ask for the old licence');
    for (const r of tax.body.reuse.reused) assert.ok(r.key in tax.body.data, `${r.key} is in the tax view`);
    assert.equal(keysSeen.includes('applicant.legal_rep'), 'applicant.legal_rep' in tax.body.data);
  });
} finally {
  await serve.close();
}
process.exit(runner.summary());

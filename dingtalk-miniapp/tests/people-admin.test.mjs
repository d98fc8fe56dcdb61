// 人员与角色, 单位, 来源与类型 (issue 13.3): the admin grants a role on the page and the person
// sees it take effect; units and sources are edited; screenshots at 375×812 and 1280×800 go to
// docs/screenshots/. Leaves the demo data as it found it (other test files share the product).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiAs,
  DESKTOP,
  MOBILE,
  shot,
  signInAs,
  smallTouchTargets,
  startBrowser,
  withFailureShots,
} from './helpers.mjs';

let b;
let admin;
let person;
before(async () => {
  b = await startBrowser();
  admin = await b.newPage();
  person = await b.newPage();
});
after(() => b?.stop());

/** Console errors other than the browser's line for the 409s this file provokes on purpose. */
const unexpectedErrors = () =>
  b.errors.filter((e) => !/Failed to load resource: the server responded with a status of 409/.test(e));

test('issue 13.3: the admin grants 派单员 on 人员与角色 and the person can register at once; the change is on the record', async () => {
  await withFailureShots(
    'people-admin',
    () => [admin, person],
    async () => {
      // The person (a receiver of 安全技术科) has no 登记 tab yet.
      await signInAs(person, b.base, 'safety_receiver', '#/inbox');
      assert.equal(await person.locator('.adm-tab-bar-item', { hasText: '登记' }).count(), 0);

      // The admin reaches 人员与角色 from 系统管理.
      await signInAs(admin, b.base, 'admin', '#/admin');
      await admin.locator('#admin-org-links .adm-list-item', { hasText: '人员与角色' }).click();
      await admin.waitForURL(/#\/admin\/people$/);
      const people = admin.locator('#admin-people');
      await people.locator('.person-row').first().waitFor();
      // Which roles come from DingTalk is said on the page.
      assert.match(await people.locator('.role-legend').innerText(), /接单员.*部门领导|部门领导.*接单员/s);
      await shot(admin, 'admin-people', MOBILE);
      await shot(admin, 'admin-people', DESKTOP);

      await people.locator('.people-search input').fill('郑浩');
      await people.locator('.people-search input').press('Enter');
      const row = people.locator('.person-row[data-userid="safety_receiver"]');
      await row.waitFor();
      await people.locator('.person-row').nth(1).waitFor({ state: 'detached' });
      assert.match(await row.innerText(), /接单员 · 钉钉/);
      await row.getByRole('button', { name: '设置角色' }).click();
      const popup = admin.locator('.roles-popup .adm-popup-body');
      await popup.waitFor();
      // unit_leader comes from DingTalk and cannot be ticked here.
      assert.ok(await popup.locator('.role-choice', { hasText: '部门领导' }).locator('input').isDisabled());
      await popup.locator('.role-choice', { hasText: '派单员' }).click();
      await popup.getByRole('button', { name: '保存' }).click();
      await admin.getByText('已保存 郑浩 的角色').waitFor();
      await row.locator('.adm-tag', { hasText: '派单员' }).waitFor();
      const recent = admin.locator('#admin-role-changes');
      await recent.getByText(/郑浩 接单员 → 派单员、接单员/).waitFor();
      assert.match(await recent.innerText(), /马超（管理员）/);

      // It takes effect: after reopening the app the person has 登记 and can register a ticket.
      await person.reload();
      await person.locator('.adm-tab-bar-item', { hasText: '登记' }).waitFor();
      await person.locator('.adm-tab-bar-item', { hasText: '登记' }).click();
      await person.waitForURL(/#\/new$/);
      await person.locator('form, .new-ticket').first().waitFor();

      // The last admin cannot take away their own admin role: the reason is shown.
      await people.locator('.people-search input').fill('马超');
      await people.locator('.people-search input').press('Enter');
      const self = people.locator('.person-row[data-userid="admin"]');
      await self.waitFor();
      await self.getByRole('button', { name: '设置角色' }).click();
      await popup.locator('.role-choice', { hasText: '管理员' }).click();
      await popup.getByRole('button', { name: '保存' }).click();
      await admin.getByText(/最后一位在职的系统管理员/).waitFor();
      await popup.getByRole('button', { name: '取消' }).click();

      await admin.setViewportSize(MOBILE);
      assert.deepEqual(await smallTouchTargets(admin), [], 'touch targets ≥ 44 px on 人员与角色');
    },
  );
  await apiAs('admin', 'PUT', '/api/admin/people/safety_receiver/roles', { roles: ['receiver'] });
  assert.deepEqual(unexpectedErrors(), [], 'no console errors besides the refusals provoked on purpose');
});

test('issue 13.3: 单位 and 来源与类型: set a unit up, add a source and deactivate it for new registrations', async () => {
  await withFailureShots(
    'units-sources',
    () => [admin],
    async () => {
      await signInAs(admin, b.base, 'admin', '#/admin/units');
      const units = admin.locator('#admin-units');
      const fare = units.locator('.unit-row[data-code="fare"]');
      await fare.waitFor();
      assert.match(await units.locator('.unit-row[data-code="ops"]').innerText(), /运营服务部/);
      await shot(admin, 'admin-units', MOBILE);
      await shot(admin, 'admin-units', DESKTOP);
      await fare.getByRole('button', { name: '编辑' }).click();
      const popup = admin.locator('.roles-popup .adm-popup-body');
      await popup.getByRole('textbox', { name: '单位名称' }).fill('票务管理科');
      await popup.getByRole('button', { name: '保存' }).click();
      await admin.getByText('单位已保存').waitFor();
      await fare.getByText('票务管理科').waitFor();
      assert.match(await fare.innerText(), /钉钉名称：票务科/);
      // A second 运营服务部 is refused with the reason.
      await units.locator('.unit-row[data-code="safety"]').getByRole('button', { name: '编辑' }).click();
      await popup.locator('.adm-selector-item', { hasText: '运营服务部' }).click();
      await popup.getByRole('button', { name: '保存' }).click();
      await admin.getByText(/只能有一个在用单位/).waitFor();
      await popup.getByRole('button', { name: '取消' }).click();
      await admin.locator('.adm-toast-main').waitFor({ state: 'detached', timeout: 10_000 });
      await apiAs('admin', 'PATCH', '/api/admin/units/fare', { name: '票务科' });

      await admin.locator('.org-admin-tabs .adm-tabs-tab', { hasText: '来源与类型' }).click();
      await admin.waitForURL(/#\/admin\/reference$/);
      const sources = admin.locator('#admin-sources');
      await sources.locator('.ref-row').first().waitFor();
      await admin.locator('#admin-categories .ref-row').first().waitFor();
      await shot(admin, 'admin-reference', MOBILE);
      await shot(admin, 'admin-reference', DESKTOP);
      const code = `src_${Date.now().toString(36)}`;
      await sources.getByRole('textbox', { name: '来源代码' }).fill(code);
      await sources.getByRole('textbox', { name: '来源名称' }).fill('地铁服务热线');
      await sources.locator('.adm-selector-item', { hasText: 'B 链' }).click();
      await sources.getByRole('button', { name: '新增来源' }).click();
      await admin.getByText('已新增来源“地铁服务热线”').waitFor();
      const row = sources.locator(`.ref-row[data-code="${code}"]`);
      await row.waitFor();
      assert.match(await row.innerText(), /B 链/);
      assert.ok((await apiAs('dispatcher1', 'GET', '/api/sources')).some((s) => s.code === code));

      await row.getByRole('button', { name: '编辑' }).click();
      await popup.getByRole('switch', { name: '在用' }).click();
      await popup.getByRole('button', { name: '保存' }).click();
      await row.getByText('已停用').waitFor();
      assert.ok(!(await apiAs('dispatcher1', 'GET', '/api/sources')).some((s) => s.code === code));
      await admin.setViewportSize(MOBILE);
      assert.deepEqual(await smallTouchTargets(admin), [], 'touch targets ≥ 44 px on 来源与类型');
    },
  );
  assert.deepEqual(unexpectedErrors(), [], 'no console errors besides the refusals provoked on purpose');
});

test('issue 13.3: the configuration pages are for admins only', async () => {
  await signInAs(person, b.base, 'dispatcher1', '#/admin/people');
  await person.getByText('仅系统管理员可使用此页面').waitFor();
  assert.deepEqual(unexpectedErrors(), [], 'no console errors');
});

// scripts/gen-api-types.mjs --check (part of npm run check) must pass on the checked-in micro-app
// API files and fail, naming the file, once one of them no longer matches the API.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const checkedIn = join(root, 'dingtalk-miniapp/src/api');
const files = ['openapi.json', 'schema.ts', 'labels.ts'];

function checkCopy(edit?: (dir: string) => void): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-api-types-spec-'));
  try {
    for (const f of files) copyFileSync(join(checkedIn, f), join(dir, f));
    edit?.(dir);
    const res = spawnSync(process.execPath, [join(root, 'scripts/gen-api-types.mjs'), '--check', '--dir', dir], {
      cwd: root,
      encoding: 'utf8',
    });
    return { status: res.status, out: `${res.stdout}${res.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('issue 14.5: the micro-app API types are generated from the OpenAPI document, checked in CI', () => {
  jest.setTimeout(60_000);

  it('issue 14.5: the check passes on the current files', () => {
    const res = checkCopy();
    expect(res.out).toContain('matches');
    expect(res.status).toBe(0);
  });

  it('issue 14.5: the check fails on a stale schema.ts, naming it and how to regenerate', () => {
    const res = checkCopy((dir) => {
      const path = join(dir, 'schema.ts');
      writeFileSync(path, readFileSync(path, 'utf8').replace('  content: string;\n', '  content: number;\n'));
    });
    expect(res.status).toBe(1);
    expect(res.out).toContain('schema.ts');
    expect(res.out).toContain('npm run gen:api-types');
  });

  it('issue 14.5: the check fails on a hand-edited label (labels come from libs/workflow only)', () => {
    const res = checkCopy((dir) => {
      const path = join(dir, 'labels.ts');
      const text = readFileSync(path, 'utf8');
      expect(text).toContain("approve_reply: '审批回复'");
      writeFileSync(path, text.replace("approve_reply: '审批回复'", "approve_reply: '审批通过'"));
    });
    expect(res.status).toBe(1);
    expect(res.out).toContain('labels.ts');
  });

  it('issue 14.5: the check fails when the OpenAPI document is missing', () => {
    const res = checkCopy((dir) => rmSync(join(dir, 'openapi.json')));
    expect(res.status).toBe(1);
    expect(res.out).toContain('openapi.json');
  });
});

// docs/workflow.md carries the generated workflow between two markers; this test fails when the
// table changed and the document did not. Regenerate with:
//   UPDATE_DOCS=1 npx jest libs/workflow/src/workflow-doc.spec.ts --selectProjects unit
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderWorkflowMarkdown } from './workflow-doc';
import { ACTIONS } from './workflow.types';

const DOC = resolve(__dirname, '../../../docs/workflow.md');
const START = '<!-- generated:start -->';
const END = '<!-- generated:end -->';
const REGENERATE = 'UPDATE_DOCS=1 npx jest libs/workflow/src/workflow-doc.spec.ts --selectProjects unit';

function generatedPart(text: string): string | null {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return null;
  return text.slice(start + START.length, end);
}

function withGenerated(text: string, generated: string): string {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`${DOC} lacks the markers ${START} … ${END}; add them below the intro.`);
  return `${text.slice(0, start + START.length)}\n${generated}${text.slice(end)}`;
}

describe('docs/workflow.md', () => {
  test('R-8: the generated part of docs/workflow.md equals renderWorkflowMarkdown()', () => {
    const generated = renderWorkflowMarkdown();
    // Reading an environment flag is this spec's regeneration switch, not application config.
    if (process.env.UPDATE_DOCS === '1') {
      const current = existsSync(DOC) ? readFileSync(DOC, 'utf8') : `# Workflow\n\n${START}\n${END}\n`;
      writeFileSync(DOC, withGenerated(current, generated));
    }
    const part = existsSync(DOC) ? generatedPart(readFileSync(DOC, 'utf8')) : null;
    if (part !== `\n${generated}`) {
      throw new Error(`docs/workflow.md is out of date with the workflow table. Regenerate it with:\n  ${REGENERATE}`);
    }
  });

  test('R-8: the generated document names every action and both chains', () => {
    const md = renderWorkflowMarkdown();
    for (const action of ACTIONS) expect(md).toContain(`\`${action}\``);
    expect(md).toContain('### Chain A');
    expect(md).toContain('### Chain B');
    expect(md.match(/```mermaid/g)?.length).toBe(3);
    expect(md).toContain('office_review --> upstream_report : pass_review');
    expect(md).toContain('ops_review --> closed : pass_review');
  });
});

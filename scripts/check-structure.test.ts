import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/** scripts/check-structure.mjs run on a small tree of two modules, whole or with one fault. */

const script = path.join(import.meta.dirname, 'check-structure.mjs');
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'upstander-structure-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

function wholeModule(name: string): Record<string, string> {
  const dir = `src/server/modules/${name}`;
  return {
    [`${dir}/index.ts`]: `import { routes } from './routes';\nexport const ${name} = { routes };\nexport { helper } from './domain';\n`,
    [`${dir}/routes.ts`]: `import { helper } from './domain';\nexport const routes = [helper];\n`,
    [`${dir}/domain.ts`]: 'export const helper = 1;\n',
    [`${dir}/policy.ts`]: 'export const may = () => false;\n',
    [`${dir}/demo.ts`]: 'export const demo = 1;\n',
    [`${dir}/role-matrix.ts`]: 'export const matrix = { entries: {} };\n',
    [`${dir}/role-matrix.test.ts`]: '',
    [`src/web/modules/${name}/routes.ts`]: 'export const pages = [];\n',
    [`e2e/${name}-journey.test.ts`]: '',
  };
}

const lists = {
  'src/server/modules/index.ts': "import { alpha } from './alpha';\nimport { beta } from './beta';\n",
  'src/web/modules/index.ts': "import { a } from './alpha/routes';\nimport { b } from './beta/routes';\n",
};

function check(root: string) {
  const result = spawnSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('scripts/check-structure.mjs', () => {
  it('passes a tree whose modules have every part and meet only at their front doors', () => {
    const root = tree({
      ...wholeModule('alpha'),
      ...wholeModule('beta'),
      ...lists,
      'src/server/modules/beta/domain.ts':
        "import { helper as a } from '../alpha';\nexport const helper = a;\n",
    });
    const { status, output } = check(root);
    expect(output).toContain('Module structure OK: 2 server and 2 web modules');
    expect(status).toBe(0);
  });

  it('fails a module that reaches past another module’s index.ts', () => {
    const root = tree({
      ...wholeModule('alpha'),
      ...wholeModule('beta'),
      ...lists,
      'src/server/modules/beta/domain.ts':
        "import { helper as a } from '../alpha/domain';\nexport const helper = a;\n",
    });
    const { status, output } = check(root);
    expect(status).toBe(1);
    expect(output).toContain(
      'src/server/modules/beta/domain.ts imports src/server/modules/alpha/domain.ts: other code uses the alpha module only through src/server/modules/alpha/index.ts',
    );
  });

  it('fails an import cycle, but not one made of type-only imports', () => {
    const cyclic = tree({
      ...wholeModule('alpha'),
      ...wholeModule('beta'),
      ...lists,
      'src/server/modules/alpha/domain.ts': "import { may } from './policy';\nexport const helper = may;\n",
      'src/server/modules/alpha/policy.ts':
        "import { helper } from './domain';\nexport const may = () => helper;\n",
    });
    const { status, output } = check(cyclic);
    expect(status).toBe(1);
    expect(output).toContain(
      'import cycle: src/server/modules/alpha/domain.ts ↔ src/server/modules/alpha/policy.ts',
    );

    const typesOnly = tree({
      ...wholeModule('alpha'),
      ...wholeModule('beta'),
      ...lists,
      'src/server/modules/alpha/domain.ts':
        "import type { May } from './policy';\nexport const helper = 1;\nexport type H = May;\n",
      'src/server/modules/alpha/policy.ts':
        "import { type H } from './domain';\nexport type May = H;\nexport const may = () => false;\n",
    });
    expect(check(typesOnly).status).toBe(0);
  });

  it('fails a module missing a part, a line in the list, or a journey', () => {
    const alpha = wholeModule('alpha');
    delete alpha['src/server/modules/alpha/policy.ts'];
    delete alpha['e2e/alpha-journey.test.ts'];
    const root = tree({
      ...alpha,
      ...wholeModule('beta'),
      'src/server/modules/index.ts': "import { beta } from './beta';\n",
      'src/web/modules/index.ts': lists['src/web/modules/index.ts'],
    });
    const { status, output } = check(root);
    expect(status).toBe(1);
    expect(output).toContain('src/server/modules/alpha/ has no policy.ts');
    expect(output).toContain('src/server/modules/index.ts does not list alpha');
    expect(output).toContain('alpha has no browser journey');
  });
});

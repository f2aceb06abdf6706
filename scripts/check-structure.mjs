#!/usr/bin/env node
// The module structure, checked rather than remembered (`npm run lint` runs it after biome).
// In the spirit of Rallly's scripts/check-feature-structure.mjs and check-feature-cycles.mjs.
// It fails on:
//   1. an import of another server module that bypasses its front door: outside
//      src/server/modules/<m>/, only src/server/modules/<m>/index.ts may be imported
//      (test code — *.test.ts, src/server/test/, src/server/resilience/ — may reach further in);
//      and a web page of src/web/app/ importing a web module other than through its routes.ts;
//   2. an import cycle between files of src/ (type-only imports are erased, so they do not count;
//      lazy `import()`s do, except a front door's loaders of its role matrix and bench);
//   3. a module missing one of its parts: on the server index.ts, routes.ts, policy.ts, demo.ts,
//      role-matrix.ts (its rows) and role-matrix.test.ts, and a line in src/server/modules/index.ts;
//      on the web routes.ts and a line in src/web/modules/index.ts; a browser journey in e2e/
//      (e2e/<module>-*.test.ts, or a journey that says `@journey <module>`).
//
//   node scripts/check-structure.mjs [--root <dir>]
import fs from 'node:fs';
import path from 'node:path';

const argv = process.argv.slice(2);
const rootArg = argv.indexOf('--root');
const root = path.resolve(rootArg >= 0 ? argv[rootArg + 1] : path.join(import.meta.dirname, '..'));

const SERVER_PARTS = [
  'index.ts',
  'routes.ts',
  'policy.ts',
  'demo.ts',
  'role-matrix.ts',
  'role-matrix.test.ts',
];
const WEB_PARTS = ['routes.ts'];
const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;

const rel = (file) => path.relative(root, file).split(path.sep).join('/');
const exists = (file) => fs.existsSync(file);

function sourceFiles(dir, files = []) {
  if (!exists(dir)) return files;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(full, files);
    else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(full);
  }
  return files;
}

/**
 * The imports of a file: { specifier, typeOnly, lazy }. Comments are blanked first so a commented
 * import does not count; strings are left alone (specifiers are strings).
 */
function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
  const found = [];
  const statement = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(statement)) {
    // `import { type A, type B } from` is type-only too.
    const clause = m[3].trim();
    const allTypes =
      /^\{[^}]*\}$/.test(clause) &&
      clause
        .slice(1, -1)
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .every((n) => n.startsWith('type '));
    found.push({ specifier: m[4], typeOnly: Boolean(m[2]) || allTypes, lazy: false });
  }
  for (const m of code.matchAll(/(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g)) {
    found.push({ specifier: m[1], typeOnly: false, lazy: false });
  }
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push({ specifier: m[1], typeOnly: false, lazy: true });
  }
  return found;
}

/** A relative specifier to the file it names, or null (packages, missing files). */
function resolve(fromFile, specifier) {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    `${base}.mjs`,
    path.join(base, 'index.ts'),
    path.join(base, 'index.tsx'),
  ];
  return candidates.find((c) => exists(c) && fs.statSync(c).isFile()) ?? null;
}

const problems = [];
const serverModules = path.join(root, 'src/server/modules');
const webModules = path.join(root, 'src/web/modules');
const dirsOf = (dir) =>
  exists(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];

/** `src/server/modules/<m>/…` → m (null for anything else, including the list itself). */
function moduleOf(file, modulesDir) {
  const r = path.relative(modulesDir, file);
  if (r.startsWith('..') || path.isAbsolute(r)) return null;
  const parts = r.split(path.sep);
  return parts.length > 1 ? parts[0] : null;
}

const isTestCode = (r) =>
  /\.test\.tsx?$/.test(r) || r.startsWith('src/server/test/') || r.startsWith('src/server/resilience/');

// 1 and 2: the import graph of src/.
const files = sourceFiles(path.join(root, 'src'));
const edges = new Map();
for (const file of files) {
  const from = rel(file);
  const out = new Set();
  for (const imp of importsOf(fs.readFileSync(file, 'utf8'))) {
    const target = resolve(file, imp.specifier);
    if (!target) continue;
    const to = rel(target);
    // Front doors (server): type imports included, since a type is part of what is shared.
    const targetModule = moduleOf(target, serverModules);
    if (targetModule && moduleOf(file, serverModules) !== targetModule && !isTestCode(from)) {
      if (
        path.basename(target) !== 'index.ts' ||
        path.dirname(target) !== path.join(serverModules, targetModule)
      ) {
        problems.push(
          `${from} imports ${to}: other code uses the ${targetModule} module only through src/server/modules/${targetModule}/index.ts`,
        );
      }
    }
    // Front doors (web): the app shell reads a module's routes.ts only.
    const webTarget = moduleOf(target, webModules);
    if (webTarget && from.startsWith('src/web/app/') && path.basename(target) !== 'routes.ts') {
      problems.push(`${from} imports ${to}: the app reads a web module only through its routes.ts`);
    }
    // A lazy import() is an edge too (a page that loads a page that imports it back), except a front
    // door's loaders of the role matrix and bench, which only tests and tools call.
    const frontDoorLoader = imp.lazy && /^src\/server\/modules\/[^/]+\/index\.ts$/.test(from);
    if (!imp.typeOnly && !frontDoorLoader) out.add(to);
  }
  edges.set(from, out);
}

// Tarjan's strongly connected components: any with more than one file is a cycle.
{
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const connect = (node) => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (!indices.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), indices.get(next)));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const group = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1 || (edges.get(node) ?? new Set()).has(node)) {
        problems.push(`import cycle: ${group.sort().join(' ↔ ')}`);
      }
    }
  };
  for (const node of edges.keys()) if (!indices.has(node)) connect(node);
}

// 3: each module's parts.
const serverList = exists(path.join(serverModules, 'index.ts'))
  ? fs.readFileSync(path.join(serverModules, 'index.ts'), 'utf8')
  : '';
const webList = exists(path.join(webModules, 'index.ts'))
  ? fs.readFileSync(path.join(webModules, 'index.ts'), 'utf8')
  : '';
const journeys = sourceFiles(path.join(root, 'e2e')).filter((f) => f.endsWith('.test.ts'));
const listed = (list, name) => new RegExp(`from\\s*['"]\\./${name}(/index|/routes)?['"]`).test(list);

for (const name of dirsOf(serverModules)) {
  for (const part of SERVER_PARTS) {
    if (!exists(path.join(serverModules, name, part))) {
      problems.push(`src/server/modules/${name}/ has no ${part}`);
    }
  }
  const matrix = path.join(serverModules, name, 'role-matrix.ts');
  if (exists(matrix) && !/\bentries\s*:/.test(fs.readFileSync(matrix, 'utf8'))) {
    problems.push(`src/server/modules/${name}/role-matrix.ts has no rows (entries)`);
  }
  if (!listed(serverList, name)) problems.push(`src/server/modules/index.ts does not list ${name}`);
  if (!exists(path.join(webModules, name)))
    problems.push(`${name} has no web folder src/web/modules/${name}/`);
  const hasJourney = journeys.some(
    (f) =>
      path.basename(f).startsWith(`${name}-`) ||
      new RegExp(`@journey\\s+${name}\\b`).test(fs.readFileSync(f, 'utf8')),
  );
  if (!hasJourney)
    problems.push(`${name} has no browser journey (e2e/${name}-*.test.ts, or @journey ${name})`);
}
for (const name of dirsOf(webModules)) {
  for (const part of WEB_PARTS) {
    if (!exists(path.join(webModules, name, part))) problems.push(`src/web/modules/${name}/ has no ${part}`);
  }
  if (!listed(webList, name)) problems.push(`src/web/modules/index.ts does not list ${name}`);
}

if (problems.length > 0) {
  console.error(`Module structure: ${problems.length} problem(s)\n`);
  for (const p of problems) console.error(`  ✗ ${p}`);
  console.error(
    '\nModules use each other through their index.ts, files do not import each other in a circle, and',
  );
  console.error('each module has its parts (ARCHITECTURE.md, "Adding a module").');
  process.exit(1);
}
console.log(
  `Module structure OK: ${dirsOf(serverModules).length} server and ${dirsOf(webModules).length} web modules, ${files.length} files, no cycles`,
);

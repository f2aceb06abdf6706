// `npm test`: the server tests (PGlite, or PostgreSQL when DATABASE_URL is set), then the browser
// journeys in Debian Chromium when it is installed. Prints `N passed, N failed` at the end.
//
//   node scripts/test.mjs              both runs
//   node scripts/test.mjs --e2e-only   build the web app and run the browser journeys only
//   node scripts/test.mjs --server-only the server tests only (CI's PostgreSQL pass: the browser cannot tell
//                                      which engine serves it, so the journeys run once, on PGlite)
//   node scripts/test.mjs --no-build   use the web app already built in dist/web (CI builds it once)
//   node scripts/test.mjs -- <args>    extra arguments for vitest (a file filter, -t "name", …)
//   node scripts/test.mjs --resilience the load, fault and hostile-input tests only (src/server/resilience
//                                      and e2e/hardening); RESILIENCE_SUBMISSIONS=1000 for the full crash
//                                      burst, FUZZ_RUNS=50 for a longer fuzz. They also run in a plain `npm test`.
//
// At the end it prints the ten slowest test files, so the next slowdown is seen.
// REQUIRE_E2E=1 turns "Chromium is missing, browser tests skipped" into a failure (CI sets it).
// CHROMIUM_PATH points at another Chromium binary (default /usr/bin/chromium).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const tmp = path.join(root, '.tmp');
fs.mkdirSync(tmp, { recursive: true });

const argv = process.argv.slice(2);
const e2eOnly = argv.includes('--e2e-only');
const resilienceOnly = argv.includes('--resilience');
const serverOnly = argv.includes('--server-only');
const noBuild = argv.includes('--no-build');
const dashDash = argv.indexOf('--');
const extra = dashDash >= 0 ? argv.slice(dashDash + 1) : argv.filter((a) => !a.startsWith('--'));
/** The files each project runs with --resilience. */
const RESILIENCE_FILES = { server: ['src/server/resilience/'], e2e: ['e2e/hardening.test.ts'] };

const vitestBin = path.join(root, 'node_modules/vitest/vitest.mjs');
const viteBin = path.join(root, 'node_modules/vite/bin/vite.js');
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const requireE2e = process.env.REQUIRE_E2E === '1' || process.env.REQUIRE_E2E === 'true';
const database = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'PGlite (embedded)';

const totals = { passed: 0, failed: 0, skipped: 0 };
/** Each test file's wall time, from the JSON reports: the slowest are printed at the end. */
const fileTimes = [];
const problems = [];

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** Runs one vitest project with the usual console output plus a JSON report we can count. */
function runVitest(project) {
  const report = path.join(tmp, `vitest-${project}.json`);
  fs.rmSync(report, { force: true });
  const started = performance.now();
  console.log(`\n▶ vitest --project ${project} on ${database}\n`);
  const result = spawnSync(
    process.execPath,
    [
      vitestBin,
      'run',
      '--project',
      project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...(resilienceOnly ? RESILIENCE_FILES[project] : []),
      ...extra,
    ],
    { cwd: root, stdio: 'inherit', env: process.env },
  );
  let counted = false;
  if (fs.existsSync(report)) {
    try {
      const json = JSON.parse(fs.readFileSync(report, 'utf8'));
      totals.passed += json.numPassedTests ?? 0;
      totals.failed += json.numFailedTests ?? 0;
      totals.skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
      // A file that fails to load (syntax error, failing beforeAll) has no failed *test*; count it.
      const brokenFiles = (json.testResults ?? []).filter(
        (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
      ).length;
      totals.failed += brokenFiles;
      for (const f of json.testResults ?? []) {
        if (f.endTime && f.startTime) {
          fileTimes.push({ file: path.relative(root, f.name), project, ms: f.endTime - f.startTime });
        }
      }
      counted = true;
    } catch {
      // fall through: an unreadable report is a failure below
    }
  }
  const ok = result.status === 0;
  if (!ok) problems.push(`${project} tests failed (exit ${result.status ?? result.signal})`);
  if (!counted) {
    totals.failed += ok ? 0 : 1;
    problems.push(`${project}: no JSON report at ${path.relative(root, report)}`);
  }
  console.log(`\n◀ ${project} tests ${ok ? 'passed' : 'FAILED'} in ${seconds(started)}`);
  return ok;
}

function box(lines) {
  const width = Math.max(...lines.map((l) => l.length));
  const bar = '═'.repeat(width + 2);
  return [`╔${bar}╗`, ...lines.map((l) => `║ ${l.padEnd(width)} ║`), `╚${bar}╝`].join('\n');
}

let ok = true;

// Build the web app first: the server tests serve it too (the asset route, the page fallback), and
// the browser journeys drive it. --no-build uses the one already built (CI builds once per run).
let built;
if (noBuild) {
  built = fs.existsSync(path.join(root, 'dist/web/index.html'));
  if (!built) {
    ok = false;
    totals.failed += 1;
    problems.push('--no-build, but there is no dist/web/index.html: run `npm run build` first');
  }
} else {
  const started = performance.now();
  console.log('\n▶ vite build\n');
  const build = spawnSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  built = build.status === 0;
  if (built) {
    console.log(`  built in ${seconds(started)}`);
  } else {
    ok = false;
    totals.failed += 1;
    problems.push(`vite build failed (exit ${build.status ?? build.signal}); browser tests not run`);
  }
}

if (!e2eOnly) ok = runVitest('server') && ok;

if (serverOnly) {
  console.log('\n(--server-only: browser journeys not run)');
} else if (fs.existsSync(chromium)) {
  if (built) ok = runVitest('e2e') && ok;
} else {
  console.log(
    `\n${box([
      'BROWSER TESTS SKIPPED: Chromium was not found',
      `(looked for ${chromium}).`,
      '',
      'The end-to-end journeys drive a real Chromium. Install it with',
      '    sudo apt-get install chromium',
      'or point CHROMIUM_PATH at a Chromium/Chrome binary, then run',
      '    npm run test:e2e',
      requireE2e ? 'REQUIRE_E2E is set, so this run FAILS.' : 'Set REQUIRE_E2E=1 to make this a failure.',
    ])}\n`,
  );
  if (requireE2e) {
    ok = false;
    problems.push('Chromium missing and REQUIRE_E2E=1');
  }
}

if (!process.env.DATABASE_URL && !e2eOnly) {
  console.log(
    `\n${box([
      'SEVERAL INSTANCES: PROVEN ON POSTGRESQL ONLY',
      'On PGlite the two app instances of src/server/resilience/instances.test.ts',
      'share one embedded database with one connection, so their races are',
      'serialised, and the statement timeout test is skipped (PGlite has none).',
      'Run the real proof against PostgreSQL (CI does):',
      '    DATABASE_URL=postgres://user@host:5432/db npm test',
    ])}\n`,
  );
}

if (fileTimes.length > 0) {
  console.log('\nSlowest test files:');
  for (const f of fileTimes.sort((a, b) => b.ms - a.ms).slice(0, 10)) {
    console.log(`  ${(f.ms / 1000).toFixed(1).padStart(6)} s  ${f.project.padEnd(6)}  ${f.file}`);
  }
}

console.log('');
for (const p of problems) console.log(`✗ ${p}`);
const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(ok && totals.failed === 0 ? 0 : 1);

import { openConfiguredDatabase } from '../../../db/open-from-config';
import { loadConfig } from '../../config';
import { loadMasterKey } from '../crypto';
import { verifyAuditChain } from './verify';

/** `npm run verify-audit [-- --expect-head <hash>]`: exit 0 when intact, 1 when altered. */
function expectHeadArgument(argv: string[]): string | undefined {
  const at = argv.findIndex((a) => a === '--expect-head' || a.startsWith('--expect-head='));
  if (at < 0) return undefined;
  const arg = argv[at]!;
  return (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[at + 1])?.trim() || undefined;
}

const PROBLEMS: Record<string, string> = {
  edited: 'edited (its link does not match its contents)',
  removed_or_reordered: 'removed or reordered (it does not link to the event before it)',
  gap: 'gap in the sequence numbers',
  unkeyed_after_keyed: 'written without the master key after the chain was keyed',
  not_keyed: 'no event carries a keyed link (start Upstander once with its master key to key the chain)',
  expected_head_missing: 'the head hash kept elsewhere is not in the chain: events were removed or rewritten',
};

const config = loadConfig();
// Read the key only: a missing key is an error here, never a reason to make a new one.
const masterKey = loadMasterKey(config, { create: false });
const expectHead = expectHeadArgument(process.argv.slice(2));
const database = await openConfiguredDatabase(config);
try {
  const result = await verifyAuditChain(database.db, masterKey, { expectHead });
  for (const p of result.problems) console.error(`audit event ${p.seq}: ${PROBLEMS[p.problem] ?? p.problem}`);
  console.log(
    result.ok
      ? `Audit log intact: ${result.checked} events, head ${result.headHash}` +
          (expectHead ? ' (the expected head hash is in the chain)' : '')
      : `Audit log TAMPERED: ${result.problems.length} problem(s) in ${result.checked} events`,
  );
  if (result.ok && result.unkeyedEvents > 0) {
    console.log(
      `The first ${result.unkeyedEvents} events were written before the chain was keyed; the first keyed event covers them.`,
    );
  }
  process.exitCode = result.ok ? 0 : 1;
} finally {
  await database.close();
}

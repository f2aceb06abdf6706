import { openConfiguredDatabase } from '../../../db/open-from-config';
import { loadConfig } from '../../config';
import { verifyAuditChain } from './verify';

const expectHead = process.argv.find((a) => a.startsWith('--expect-head='))?.slice('--expect-head='.length);
const database = await openConfiguredDatabase(loadConfig());
try {
  const result = await verifyAuditChain(database.db);
  for (const p of result.problems) console.error(`audit event ${p.seq}: ${p.problem.replaceAll('_', ' ')}`);
  if (expectHead && expectHead !== result.headHash) {
    console.error(
      `head hash ${result.headHash} differs from the expected ${expectHead}: newest events removed or chain rewritten`,
    );
    result.ok = false;
  }
  console.log(
    result.ok
      ? `Audit log intact: ${result.checked} events, head ${result.headHash}`
      : `Audit log TAMPERED: ${result.problems.length} problem(s) in ${result.checked} events`,
  );
  process.exitCode = result.ok ? 0 : 1;
} finally {
  await database.close();
}

import { loadConfig } from '../server/config';
import { openConfiguredDatabase } from './open-from-config';

const config = loadConfig();
const database = await openConfiguredDatabase(config);
try {
  await database.migrate();
  console.log(`Migrations applied (${database.kind}).`);
} finally {
  await database.close();
}

import { loadConfig } from '../server/config';
import { openConfiguredDatabase } from './open-from-config';
import { migrateAsOwner } from './roles';

const config = loadConfig();
if (config.databaseUrl) {
  // As the owner (MIGRATION_DATABASE_URL) when set, then the app role's grants.
  await migrateAsOwner(config);
  console.log('Migrations applied (postgres).');
} else {
  const database = await openConfiguredDatabase(config);
  try {
    await database.migrate();
    console.log(`Migrations applied (${database.kind}).`);
  } finally {
    await database.close();
  }
}

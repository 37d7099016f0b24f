import { recordMysqlAvailability } from './kit/src/testing/test-databases';
import { recordPostgresAvailability } from './kit/src/testing/postgres';
import { recordRedisAvailability } from './kit/src/testing/redis';

export default async function globalSetup(): Promise<void> {
  await Promise.all([recordMysqlAvailability(), recordPostgresAvailability(), recordRedisAvailability()]);
}

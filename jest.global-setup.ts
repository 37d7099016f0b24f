import { recordMysqlAvailability } from './kit/src/testing/test-databases';

export default async function globalSetup(): Promise<void> {
  await recordMysqlAvailability();
}

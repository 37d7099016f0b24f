import { openApiDocument } from '@strangler/kit';
import { describeAuthApi } from '@strangler/auth-api';

/** The auth service's public API: the auth API module's, as the monolith serves it too. */
export const authServiceApiDocument = () => openApiDocument({ title: 'Auth service', version: '0.1.0', description: 'The public auth API.' }, [describeAuthApi]);

import { z } from 'zod';
import { jsonContent, type ApiRegistry } from '@strangler/kit';
import { loginSchema, registerSchema } from './auth-schemas';

const userSchema = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
});

/** What register and login answer with (user.ts's sessionJson). */
const sessionSchema = z.strictObject({
  user: userSchema,
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  expiresAt: z.iso.datetime(),
});

/** The public auth API as both sides serve it (auth-routes.ts). */
export function describeAuthApi(api: ApiRegistry): void {
  const user = api.schema('User', userSchema);
  const session = api.schema('Session', sessionSchema);
  api.operation({
    method: 'post',
    path: '/api/auth/register',
    tags: ['auth'],
    summary: 'Create an account and a session',
    request: { body: { required: true, content: jsonContent(api.schema('RegisterRequest', registerSchema)) } },
    responses: { 201: { description: 'The new user and a session token', content: jsonContent(session) } },
    problems: [409],
  });
  api.operation({
    method: 'post',
    path: '/api/auth/login',
    tags: ['auth'],
    summary: 'Exchange email and password for a session',
    request: { body: { required: true, content: jsonContent(api.schema('LoginRequest', loginSchema)) } },
    responses: { 200: { description: 'The user and a session token', content: jsonContent(session) } },
    problems: [401],
  });
  api.operation({
    method: 'get',
    path: '/api/auth/me',
    tags: ['auth'],
    summary: 'The session\u2019s user',
    authenticated: true,
    responses: { 200: { description: 'The user', content: jsonContent(z.strictObject({ user })) } },
  });
  api.operation({
    method: 'post',
    path: '/api/auth/logout',
    tags: ['auth'],
    summary: 'End the session',
    authenticated: true,
    responses: { 204: { description: 'The token no longer works' } },
  });
}

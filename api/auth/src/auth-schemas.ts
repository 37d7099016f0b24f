// The rules and messages of the auth API's request bodies, one set for both sides.
import { z } from 'zod';

const email = z
  .string({ error: 'must be a string' })
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ error: 'must be a valid email address' }))
  .transform((value) => value.toLowerCase());

export const registerSchema = z.object({
  email,
  password: z
    .string({ error: 'must be a string' })
    .min(8, 'must be at least 8 characters')
    .max(128, 'must be at most 128 characters'),
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters'),
});

export const loginSchema = z.object({
  email,
  // No length rules on login: a wrong password is a 401, never a hint about the policy.
  password: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(1024, 'is too long'),
});

export type RegisterInput = z.infer<typeof registerSchema>;
export type LoginInput = z.infer<typeof loginSchema>;

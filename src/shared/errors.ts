import { z } from 'zod';

/** The one error shape every API route answers with. The web app shows `fields` beside the inputs. */
export const ApiErrorSchema = z.object({
  error: z.object({
    code: z.enum([
      'validation_failed',
      'unauthenticated',
      'second_factor_required',
      'two_factor_enrolment_required',
      'forbidden',
      'not_found',
      'conflict',
      'rate_limited',
      'payload_too_large',
      'unsupported_media_type',
      'csrf_failed',
      'internal',
      'busy',
    ]),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;
export type ApiErrorCode = ApiError['error']['code'];

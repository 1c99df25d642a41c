import { z } from 'zod'

/** Every 4xx and 5xx answer (http/errorHandler.ts). */
export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable, machine-readable code', examples: ['invalid_request'] }),
      message: z.string().meta({ description: 'What went wrong and what to do, for a person' }),
      details: z
        .unknown()
        .optional()
        .meta({ description: 'For invalid_request: each problem with the path of the field it is in' }),
    }),
  })
  .meta({
    id: 'Error',
    examples: [
      {
        error: {
          code: 'invalid_request',
          message: 'label: Too small: expected string to have >=1 characters',
          details: [{ path: 'label', message: 'Too small: expected string to have >=1 characters' }],
        },
      },
    ],
  })

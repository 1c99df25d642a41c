import { z } from 'zod'

/** `next_cursor` of every list answer. */
const nextCursor = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `cursor` to read the next page; null on the last page' })

/**
 * The answer of a list, `{ <name>: [...], next_cursor }` (pagination.ts `pageBody`), named `id`
 * in the document, with one item as its example.
 */
export function pageAnswer<const Name extends string, Item extends z.ZodType>(
  name: Name,
  item: Item,
  id: string,
  example: z.input<Item>,
) {
  const shape = { [name]: z.array(item), next_cursor: nextCursor } as Record<Name, z.ZodArray<Item>> & {
    next_cursor: typeof nextCursor
  }
  return z.object(shape).meta({
    id,
    description: 'One page, in creation order then id',
    examples: [{ [name]: [example], next_cursor: 'WyJsaXN0IiwiMTc4MjgxMjgwMDAwMDAwMCIsIjViMGUiXQ' }],
  })
}

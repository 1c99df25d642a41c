/** The `code` a promise rejects with, or `resolved`: refusals compared as apps see them. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    return (error as { code?: string }).code
  }
  return 'resolved'
}

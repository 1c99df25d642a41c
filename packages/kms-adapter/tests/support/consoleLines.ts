import { jest } from '@jest/globals'

/** Runs `run` with every console line captured instead of printed; answers the lines. */
export async function consoleLinesOf(run: () => Promise<void>): Promise<string[]> {
  const logged: string[] = []
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '))
    }),
  )
  try {
    await run()
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  return logged
}

import { readFileSync } from 'node:fs'

/** /proc's clock ticks per second (USER_HZ; 100 on Linux for x86 and arm). */
const TICKS_PER_SECOND = 100

/** CPU time (user + system) of process `pid` so far, in milliseconds, from /proc/<pid>/stat; undefined once it is gone. */
export function cpuMillisOf(pid: number | 'self'): number | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // Fields after the command name (which may hold spaces): state is the first; utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
}

/**
 * CPU time of a set of processes between two readings: `read()` notes each live one's time; the
 * difference counts processes that started in between from zero and says how many ended (their
 * last share is lost).
 */
export function cpuOfProcesses(pids: number[]): Map<number, number> {
  const times = new Map<number, number>()
  for (const pid of pids) {
    const millis = cpuMillisOf(pid)
    if (millis !== undefined) times.set(pid, millis)
  }
  return times
}

export function cpuBetween(before: Map<number, number>, after: Map<number, number>) {
  let millis = 0
  for (const [pid, time] of after) millis += time - (before.get(pid) ?? 0)
  const ended = [...before.keys()].filter((pid) => !after.has(pid)).length
  return { millis, ended }
}

import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, normally 100). */
export const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

interface ProcessTimes {
  parentPid: number
  /** utime + stime, and cutime + cstime (children it waited for), in clock ticks. */
  ownTicks: number
  childTicks: number
  /** stime + cstime: the kernel's share of the above. */
  kernelTicks: number
}

/** The fields of /proc/<pid>/stat after the `(comm)` field, which may itself hold spaces. */
function readStat(pid: number): ProcessTimes | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  // Fields 4, 14-17 of proc(5), numbered from `state` (3) here.
  const at = (field: number) => Number(fields[field - 3])
  return { parentPid: at(4), ownTicks: at(14) + at(15), childTicks: at(16) + at(17), kernelTicks: at(15) + at(17) }
}

/** The ids of the live processes whose parent is `parentPid`. */
export function childPids(parentPid: number): number[] {
  return readdirSync('/proc')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0 && readStat(pid)?.parentPid === parentPid)
}

/** CPU time in milliseconds of one process (children it reaped included), and the kernel's share. */
export function processCpuMillis(pid: number): { total: number; kernel: number } {
  const stat = readStat(pid)
  if (!stat) throw new Error(`process ${pid} is gone`)
  const millis = (ticks: number) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND
  return { total: millis(stat.ownTicks + stat.childTicks), kernel: millis(stat.kernelTicks) }
}

/**
 * CPU time in milliseconds of `rootPid` and all its live descendants (PostgreSQL: the postmaster
 * and its backends and background processes), plus the children it has already reaped.
 */
export function processTreeCpuMillis(rootPid: number): number {
  const root = readStat(rootPid)
  if (!root) throw new Error(`process ${rootPid} is gone`)
  const children = new Map<number, number[]>()
  const stats = new Map<number, ProcessTimes>()
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid <= 0) continue
    const stat = readStat(pid)
    if (!stat) continue
    stats.set(pid, stat)
    children.set(stat.parentPid, [...(children.get(stat.parentPid) ?? []), pid])
  }
  let ticks = root.ownTicks + root.childTicks
  const pending = [...(children.get(rootPid) ?? [])]
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    ticks += stats.get(pid)?.ownTicks ?? 0
    pending.push(...(children.get(pid) ?? []))
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND
}

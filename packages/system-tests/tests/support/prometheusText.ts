// The Prometheus text exposition format, read strictly, for tests that scrape /metrics.

/** One parsed sample of the Prometheus text format. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Parses the text exposition format strictly: a line that is neither a comment nor a sample throws. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line)
    if (!match) throw new Error(`Not a metrics line: ${line}`)
    const labels: Record<string, string> = {}
    const body = match[2] ?? ''
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g
    let consumed = 0
    for (const label of body.matchAll(labelPattern)) {
      labels[label[1] as string] = (label[2] as string).replace(/\\"/g, '"').replace(/\\\\/g, '\\')
      consumed += label[0].length
    }
    if (consumed !== body.length) throw new Error(`Bad labels: ${line}`)
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) })
  }
  return samples
}

export const find = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))
export const total = (samples: Sample[]) => samples.reduce((sum, s) => sum + s.value, 0)

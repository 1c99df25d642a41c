import type { PointMeasurement } from '../measure/measurePoint.js'
import { statementShapeTable } from '../measure/statementShapes.js'

/** Each point's statements by shape (`BENCH_STATEMENTS=1`): which statement a flow runs how often. */
export function statementTables(points: PointMeasurement[]): string {
  return points
    .filter((point) => point.statementShapes)
    .map((point) =>
      statementShapeTable(
        `${point.kind}, ${point.deployment}, ${point.concurrency} in flight`,
        point.statementShapes ?? [],
      ),
    )
    .join('\n')
}

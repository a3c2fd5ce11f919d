import { newestDrills, type DrillRecord, type MeasuredRecovery } from "./drill-record";
import { describeMinutes, type EstatePosture, type RtoFigures, type SourcePosture } from "./posture";

const minutesText = (m: number) => (m < 1 ? `${Math.max(1, Math.round(m * 60))} seconds` : describeMinutes(Math.ceil(m)));

/**
 * The sentence a posture prints for a source's RTO: "RTO measured on 2026-11-28: 12 minutes
 * (objective 4 hours)" when a drill measured it, else "RTO estimated: about 2 hours (objective 4
 * hours); no drill has measured it yet". A failed newest drill says so, with the last success.
 */
export function rtoFigures(source: Pick<SourcePosture, "objective" | "achieved">, measured: MeasuredRecovery | undefined): RtoFigures {
  const objective = `objective ${describeMinutes(source.objective.rtoMinutes)}`;
  const estimatedMinutes = source.achieved.rtoMinutes;
  const estimate = `RTO estimated: about ${describeMinutes(estimatedMinutes)} (${objective})`;
  if (!measured) return { shown: "estimated", estimatedMinutes, statement: `${estimate}; no drill has measured it yet` };
  const on = measured.drilledAt.slice(0, 10);
  if (measured.outcome === "succeeded" && measured.restoreMinutes !== undefined) {
    const over = measured.restoreMinutes > source.objective.rtoMinutes ? "; OVER the objective" : "";
    return { shown: "measured", estimatedMinutes, measured, statement: `RTO measured on ${on}: ${minutesText(measured.restoreMinutes)} (${objective}${over})` };
  }
  if (measured.lastSucceededAt && measured.lastSucceededRestoreMinutes !== undefined) {
    return {
      shown: "measured",
      estimatedMinutes,
      measured,
      statement: `RTO measured on ${measured.lastSucceededAt.slice(0, 10)}: ${minutesText(measured.lastSucceededRestoreMinutes)} (${objective}); the newest drill, on ${on}, FAILED`,
    };
  }
  return { shown: "estimated", estimatedMinutes, measured, statement: `${estimate}; the newest drill, on ${on}, FAILED and none has succeeded` };
}

/**
 * The posture with each source's newest drill read in: `rto` carries the measured and the estimated
 * figure and says which it shows, and a measured restore slower than the objective means the source
 * no longer meets its objectives, whatever the estimate says.
 */
export function withDrillRecords(posture: EstatePosture, records: readonly DrillRecord[]): EstatePosture {
  const newest = newestDrills(records);
  return {
    ...posture,
    sources: posture.sources.map((s) => {
      const rto = rtoFigures(s, newest.get(s.name));
      const measuredMinutes = rto.shown === "measured" ? (rto.measured?.outcome === "succeeded" ? rto.measured.restoreMinutes : rto.measured?.lastSucceededRestoreMinutes) : undefined;
      const slow = measuredMinutes !== undefined && measuredMinutes > s.objective.rtoMinutes;
      return { ...s, rto, meetsObjectives: s.meetsObjectives && !slow };
    }),
  };
}

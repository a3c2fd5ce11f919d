/** A copy kept in another region, as deployed: where the original is, where the copy's provider deploys, what was declared. */
export interface CrossRegionCopy {
  /** The component, as errors name it: `AwsBackupPlan "dbs"`. */
  readonly subject: string;
  /** The original's region, when known. */
  readonly originalAt: string | undefined;
  /** The region the copy's provider deploys to. */
  readonly copyAt: string;
  /** The region the arguments declare for the copy. */
  readonly copyRegion: string;
  /** The argument holding the copy's `provider` and `region`: `replica` or `dr`. */
  readonly argument: string;
  /** The original and the copy in words: "the primary and the replica". */
  readonly pair: string;
}

/**
 * The one deploy-time region check of every cross-region copy (replica vaults, AWS Backup DR vaults,
 * replicated automated backups), in every front end: the copy's provider must deploy where its
 * region argument says, and not where the original lives. Regions given as providers are known only
 * at deploy time; what is known earlier is checked by the designs. Returns every problem in one
 * message, or `undefined`.
 */
export function crossRegionMismatch(copy: CrossRegionCopy): string | undefined {
  const problems: string[] = [];
  if (copy.copyAt !== copy.copyRegion) {
    problems.push(`\`${copy.argument}.provider\` deploys to ${copy.copyAt} but \`${copy.argument}.region\` says ${copy.copyRegion}; make them agree`);
  }
  if (copy.originalAt !== undefined && copy.copyAt === copy.originalAt) {
    problems.push(`${copy.pair} are both in ${copy.copyAt}, and a copy in the same region does not survive a regional outage; pass a \`${copy.argument}.provider\` for another region and set \`${copy.argument}.region\` to it`);
  }
  return problems.length === 0 ? undefined : `${copy.subject}: ${problems.join("; and ")}.`;
}

import { describe, expect, it } from "vitest";
import { designSourceJob, Problems } from "@lifeboat/constructs/core";

const image = { bundled: false, value: { imageUri: "x" }, imageFix: "{ imageUri }" };

describe("designSourceJob", () => {
  it("gives a PostgreSQL backup and every drill 1,024 MB, other backups 512 MB, and the vault prefix to backups only", () => {
    const problems = new Problems();

    const pg = designSourceJob("backup", { name: "db", kind: "postgres" }, image, problems);
    const redis = designSourceJob("backup", { name: "cache", kind: "redis" }, image, problems);
    const drill = designSourceJob("drill", { name: "cache", kind: "redis" }, image, problems);

    expect(problems.isEmpty).toBe(true);
    expect([pg.defaultMemoryMb, redis.defaultMemoryMb, drill.defaultMemoryMb]).toEqual([1024, 512, 1024]);
    expect([pg.handler, pg.description, pg.prefix]).toEqual(["backup", "Lifeboat backup of db (postgres)", "db/"]);
    expect([drill.handler, drill.description, drill.prefix, drill.input]).toEqual(["drill", "Lifeboat restore drill of cache (redis)", "", { source: "cache" }]);
  });

  it("gives an objects drill the default scratch prefix unless its settings name one", () => {
    expect(designSourceJob("drill", { name: "files", kind: "objects" }, image, new Problems()).scratchPrefix).toBe("lifeboat-drill/");
    expect(designSourceJob("drill", { name: "files", kind: "objects", drill: { scratch: { bucket: "s", prefix: "tmp/" } } }, image, new Problems()).scratchPrefix).toBe("tmp/");
  });

  it("refuses a source name that is not a name and a PostgreSQL drill from the bundled handler, naming the tools and the fix", () => {
    const problems = new Problems();

    designSourceJob("drill", { name: "Bad Name", kind: "postgres" }, { bundled: true, value: { bundle: true }, imageFix: "{ repository, tag }" }, problems);

    expect(problems.all.map((p) => p.argument)).toEqual(["source.name", "code"]);
    expect(problems.all[1]!.message).toBe("cannot drill postgres with the bundled handler: the restore needs pg_restore and psql from the jobs image. Pass { repository, tag }.");
  });
});

import { describe, expect, it } from "vitest";
import { LifeboatValidationError, parseRestorePoint } from "@lifeboat/constructs/core";

const now = new Date("2026-11-21T10:00:00Z");

function refusal(at: string): LifeboatValidationError {
  try {
    parseRestorePoint(at, now);
  } catch (error) {
    return error as LifeboatValidationError;
  }
  throw new Error(`${at} was accepted`);
}

describe("a restore point (--at)", () => {
  it("accepts latest, ISO times with a zone, dates and backup stamps", () => {
    expect(parseRestorePoint("latest", now)).toEqual(now);
    expect(parseRestorePoint("2026-11-20T08:30:00Z", now).toISOString()).toBe("2026-11-20T08:30:00.000Z");
    expect(parseRestorePoint("2026-11-20T08:30:00.25+02:00", now).toISOString()).toBe("2026-11-20T06:30:00.250Z");
    expect(parseRestorePoint("2026-11-20T08:30-0130", now).toISOString()).toBe("2026-11-20T10:00:00.000Z");
    expect(parseRestorePoint("2024-02-29", now).toISOString()).toBe("2024-02-29T23:59:59.000Z");
    expect(parseRestorePoint("20261120T083000Z", now).toISOString()).toBe("2026-11-20T08:30:00.000Z");
  });

  it("takes today, given as a date, as now", () => {
    expect(parseRestorePoint("2026-11-21", now)).toEqual(now);
  });

  it("refuses days that do not exist, naming the month's length", () => {
    expect(refusal("2026-02-30").problems).toEqual([{ argument: "--at", value: '"2026-02-30"', message: expect.stringMatching(/^is not a real date: February 2026 has no day 30 \(it has 28\)\. Write "latest"/) }]);
    expect(refusal("2026-04-31T10:00:00Z").problems[0]!.message).toMatch(/April 2026 has no day 31 \(it has 30\)/);
    expect(refusal("2026-13-01").problems[0]!.message).toMatch(/month 13 does not exist/);
    expect(refusal("20260230T000000Z").problems[0]!.message).toMatch(/February 2026 has no day 30/);
  });

  it("refuses hours, minutes, seconds and zone offsets that do not exist", () => {
    expect(refusal("2026-11-20T25:00:00Z").problems[0]!.message).toMatch(/^is not a real time: hour 25 does not exist \(00 to 23\)/);
    expect(refusal("2026-11-20T10:60Z").problems[0]!.message).toMatch(/minute 60 does not exist/);
    expect(refusal("2026-11-20T10:00:61Z").problems[0]!.message).toMatch(/second 61 does not exist/);
    expect(refusal("2026-11-20T10:00:00+15:00").problems[0]!.message).toMatch(/zone offset 15:00 does not exist/);
  });

  it("refuses a time in the future, saying what now is", () => {
    const error = refusal("2026-11-21T10:00:01Z");

    expect(error).toBeInstanceOf(LifeboatValidationError);
    expect(error.problems[0]!.message).toBe('is in the future (2026-11-21T10:00:01.000Z; it is now 2026-11-21T10:00:00.000Z): a restore goes back to a backup that exists. Write "latest" for the newest one.');
    expect(refusal("2026-11-22").problems[0]!.message).toMatch(/is in the future/);
    expect(refusal("20261121T100100Z").problems[0]!.message).toMatch(/is in the future/);
  });

  it("refuses a time without a zone, and anything else, saying what is accepted", () => {
    expect(refusal("2026-11-20T08:30:00").problems[0]!.message).toMatch(/^has no zone.*add Z for UTC, or the offset, like 2026-11-20T08:30:00Z/);
    expect(refusal("yesterday").message).toMatch(/`--at` \("yesterday"\) is not a time\. Write "latest", an ISO 8601 time/);
  });
});

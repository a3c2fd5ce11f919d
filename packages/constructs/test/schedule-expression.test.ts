import { describe, expect, it } from "vitest";
import { checkScheduledJob, parseScheduleExpression, Problems } from "@lifeboat/constructs/core";

const parse = (text: string) => {
  const problems = new Problems();
  const parsed = parseScheduleExpression(text, "schedule", problems);
  return { parsed, problems: problems.all.map((p) => p.message) };
};
const maxGap = (text: string) => parse(text).parsed?.maxIntervalMinutes;

describe("parseScheduleExpression", () => {
  it("reads rate() expressions in minutes, hours and days", () => {
    expect([maxGap("rate(1 minute)"), maxGap("rate(30 minutes)"), maxGap("rate(2 hours)"), maxGap("rate(1 day)")]).toEqual([1, 30, 120, 1440]);
  });

  it("refuses a rate whose unit does not agree with its value", () => {
    expect(parse("rate(1 minutes)").problems[0]).toContain('must say "1 minute"');
    expect(parse("rate(5 hour)").problems[0]).toContain('"5 hours"');
  });

  it("derives five minutes from a cron that runs every five minutes, not a day", () => {
    expect(maxGap("cron(0/5 * * * ? *)")).toBe(5);
    expect(maxGap("cron(*/5 * * * ? *)")).toBe(5);
  });

  it("takes the longest gap of an uneven schedule: hours 8 to 17 on weekdays leaves the weekend", () => {
    // Friday 17:00 to Monday 08:00.
    expect(maxGap("cron(0 8-17 ? * MON-FRI *)")).toBe(63 * 60);
    expect(parse("cron(0 8-17 ? * MON-FRI *)").parsed?.minIntervalMinutes).toBe(60);
  });

  it("reads lists, names and the daily, weekly and monthly forms AWS Backup uses", () => {
    expect(maxGap("cron(0 3 * * ? *)")).toBe(1440);
    expect(maxGap("cron(0 1 ? * SUN *)")).toBe(7 * 1440);
    expect(maxGap("cron(0 0,12 ? * * *)")).toBe(720);
    // The longest month follows the 1st of July or of December: 31 days.
    expect(maxGap("cron(0 1 1 * ? *)")).toBe(31 * 1440);
    expect(maxGap("cron(0 0 1 JAN,JUL ? *)")).toBe(184 * 1440);
  });

  it("reads L, W and # in the day fields", () => {
    // The last day of the month: from 28 or 29 February to 31 March, from 31 January to 28 or 29 February.
    expect(maxGap("cron(0 0 L * ? *)")).toBe(31 * 1440);
    // The second Tuesday, the last Friday, the weekday nearest the 15th: never more than five weeks apart.
    for (const expression of ["cron(0 9 ? * TUE#2 *)", "cron(0 9 ? * 6L *)", "cron(0 9 15W * ? *)"]) {
      const gap = maxGap(expression) as number;
      expect(gap).toBeGreaterThanOrEqual(28 * 1440);
      expect(gap).toBeLessThanOrEqual(35 * 1440);
    }
  });

  it("counts a leap day that runs every four years as a four-year gap", () => {
    expect(maxGap("cron(0 0 29 2 ? *)")).toBe((365 * 4 + 1) * 1440);
  });

  it("refuses a cron whose fields are words, with the field named", () => {
    const { parsed, problems } = parse("cron(a b c d e f)");

    expect(parsed).toBeUndefined();
    expect(problems[0]).toContain("minutes:");
    expect(problems[0]).toContain("hours:");
  });

  it("refuses values outside each field's range, five fields, and both day fields set", () => {
    expect(parse("cron(60 * * * ? *)").problems[0]).toContain("minutes");
    expect(parse("cron(0 24 * * ? *)").problems[0]).toContain("hours");
    expect(parse("cron(0 0 32 * ? *)").problems[0]).toContain("day-of-month");
    expect(parse("cron(0 0 ? 13 * *)").problems[0]).toContain("month");
    expect(parse("cron(0 0 ? * 8 *)").problems[0]).toContain("day-of-week");
    expect(parse("cron(0 0 * * ? 2300)").problems[0]).toContain("year");
    expect(parse("cron(0 3 * * *)").problems[0]).toContain("has 5 fields");
    expect(parse("cron(0 3 * * MON *)").problems[0]).toContain('exactly one of them must be "?"');
    expect(parse("cron(0 3 ? * ? *)").problems[0]).toContain('exactly one of them must be "?"');
    expect(parse("cron(0 3 ? * MON#6 *)").problems[0]).toContain("n from 1 to 5");
  });

  it("refuses a schedule that never runs, or runs once", () => {
    expect(parse("cron(0 0 30 2 ? *)").problems[0]).toContain("never runs");
    expect(parse("cron(0 0 1 1 ? 2030)").problems[0]).toContain("runs only once");
  });

  it("refuses one-time and malformed expressions", () => {
    expect(parse("at(2030-01-01T00:00:00)").problems[0]).toContain("is not a recurring schedule");
    expect(parse("every 5 minutes").problems[0]).toContain("is not a recurring schedule");
  });
});

describe("checkScheduledJob", () => {
  it("takes a job's interval, and so its retry window, from its cron expression", () => {
    const problems = new Problems();

    const plan = checkScheduledJob({ schedule: "cron(0/5 * * * ? *)" }, { memoryMb: 512 }, problems);

    expect(problems.all).toEqual([]);
    expect(plan).toMatchObject({ intervalMinutes: 5, maxEventAgeSeconds: 300, schedulerRetryAttempts: 3, deadLetterRetentionSeconds: 1_209_600 });
  });

  it("caps the retry window of a daily job at six hours, for Lambda and the scheduler alike", () => {
    const problems = new Problems();

    const plan = checkScheduledJob({ schedule: "rate(1 day)" }, { memoryMb: 512 }, problems);

    expect(plan?.maxEventAgeSeconds).toBe(21_600);
  });
});

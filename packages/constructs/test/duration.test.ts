import { describe, expect, it } from "vitest";
import { Duration, LifeboatValidationError } from "@lifeboat/constructs/core";
import { errorOf } from "./support";

describe("Duration", () => {
  it.each([
    ["15m", 15 * 60],
    ["6h", 6 * 3600],
    ["35d", 35 * 86400],
    ["2w", 14 * 86400],
    ["1y", 365 * 86400],
    ["90s", 90],
  ])("parses %s", (text, seconds) => {
    expect(Duration.parse(text).seconds).toBe(seconds);
  });

  it.each(["", "35", "d", "3.5d", "35 days", "-1d", "1mo", "35D", "forever"])("refuses %j, naming the argument and the value", (text) => {
    const error = errorOf(() => Duration.parse(text, "retention.daily"));

    expect(error).toBeInstanceOf(LifeboatValidationError);
    expect(error.message).toContain("`retention.daily`");
    expect(error.message).toContain(JSON.stringify(text));
    expect(error.message).toMatch(/"15m", "6h", "35d"/);
  });

  it("describes itself in the largest whole unit", () => {
    expect(Duration.parse("1y").describe()).toBe("365 days");
    expect(Duration.parse("90m").describe()).toBe("90 minutes");
    expect(Duration.parse("120m").describe()).toBe("2 hours");
    expect(Duration.days(1).describe()).toBe("1 day");
  });

  it("compares and adds", () => {
    const hour = Duration.hours(1);

    expect(hour.plus(Duration.minutes(30)).minutes).toBe(90);
    expect(Duration.parse("59m").isShorterThan(hour)).toBe(true);
    expect(Duration.parse("2h").isLongerThan(hour)).toBe(true);
    expect(Duration.parse("36h").isWholeDays).toBe(false);
  });
});

import { parseJobConfig, type JobConfig } from "@lifeboat/constructs/core";
import { readFileSync } from "node:fs";
import { InputError } from "./support/errors";

/**
 * Reads the job configuration: `--config <file>`, else the file named by `LIFEBOAT_CONFIG_FILE`,
 * else the JSON in `LIFEBOAT_CONFIG` (how Lambda gets it). Validates it, naming every bad field.
 */
export function loadJobConfig(env: NodeJS.ProcessEnv, configFile?: string): JobConfig {
  let text: string;
  let origin: string;
  const file = configFile ?? env.LIFEBOAT_CONFIG_FILE;
  if (file !== undefined && file !== "") {
    origin = configFile !== undefined ? `--config ${file}` : `LIFEBOAT_CONFIG_FILE (${file})`;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new InputError(`The configuration file ${file} (${configFile !== undefined ? "--config" : "LIFEBOAT_CONFIG_FILE"}) cannot be read: ${(error as Error).message}.`);
    }
  } else if (env.LIFEBOAT_CONFIG) {
    origin = "LIFEBOAT_CONFIG";
    text = env.LIFEBOAT_CONFIG;
  } else {
    throw new InputError("No job configuration: pass --config <file>, or set LIFEBOAT_CONFIG_FILE to a file or LIFEBOAT_CONFIG to the JSON itself.");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`The configuration in ${origin} is not JSON: ${(error as Error).message}.`);
  }
  return parseJobConfig(value, `Lifeboat job configuration (${origin})`);
}

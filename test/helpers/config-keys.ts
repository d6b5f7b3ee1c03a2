import { parse } from "yaml";
import { COMPONENT_KINDS, type CollectorConfig, readRepoFile, typeOf } from "./stack-files.js";

/**
 * The keys a config may hold, as a fixture lists them: a map of known keys, `"*"` for any
 * name, `null` for any value (a leaf, or a block checked elsewhere), or the YAML type a leaf
 * must have: the collector decodes strictly, so a number where a string goes stops it.
 */
type Leaf = null | "string" | "number" | "boolean";
export interface KeyShape {
  [key: string]: KeyShape | Leaf;
}
type Shapes = Record<(typeof COMPONENT_KINDS)[number], Record<string, KeyShape | Leaf>> & {
  service: KeyShape;
};

/** A fixture of the config keys each component type of one distribution takes. */
export const readKeyShapes = (file: string) =>
  parse(readRepoFile(file), { merge: true, maxAliasCount: -1 }) as Shapes;

/** Every key path in `value` that `shape` does not know; a list is checked item by item. */
export function unknownKeys(value: unknown, shape: KeyShape | Leaf, at: string): string[] {
  if (shape === null || value === null || value === undefined) return [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => unknownKeys(item, shape, `${at}[${index}]`));
  if (typeof shape === "string")
    return typeof value === shape ? [] : [`${at} must be a ${shape}, not ${JSON.stringify(value)}`];
  if (typeof value !== "object") return [`${at} must be a map`];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = `${at}.${key}`;
    const known = Object.hasOwn(shape, key) ? shape[key] : shape["*"];
    return known === undefined ? [`unknown key ${path}`] : unknownKeys(child, known, path);
  });
}

/** The keys of a collector config, component by component, that its distribution does not take. */
export function configKeyProblems(config: CollectorConfig, shapes: Shapes): string[] {
  const problems: string[] = [];
  for (const kind of COMPONENT_KINDS)
    for (const [id, body] of Object.entries(config[kind] ?? {})) {
      const shape = shapes[kind]?.[typeOf(id)];
      if (shape === undefined) problems.push(`${kind}.${id}: no key list for ${typeOf(id)}`);
      else problems.push(...unknownKeys(body, shape, `${kind}.${id}`));
    }
  problems.push(...unknownKeys(config.service, shapes.service, "service"));
  const sections = new Set<string>([...COMPONENT_KINDS, "service"]);
  for (const key of Object.keys(config))
    if (!sections.has(key)) problems.push(`unknown section ${key}`);
  return problems;
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attributeKeysOf, checkOttlCondition, OttlSyntaxError } from "./helpers/ottl-condition.js";

const valid = [
  'attributes["openrouter.usage.cost"] > 0.05',
  'attributes["openrouter.agent.stop_reason"] != nil and attributes["openrouter.agent.stop_reason"] != "completed"',
  "status.code == STATUS_CODE_ERROR",
  "kind == SPAN_KIND_CLIENT or kind == SPAN_KIND_INTERNAL",
  'not (attributes["gen_ai.operation.name"] == "chat")',
  'IsMatch(name, "^chat") and resource.attributes["service.name"] == "demo"',
  "end_time_unix_nano >= 1",
  'attributes["x"] <= -1 or attributes["y"] < +2.5e3',
  "true",
  'IsDouble(attributes["openrouter.usage.cost"])',
  '((attributes["a"] == 1))',
];

const broken = [
  'attributes["openrouter.usage.cost"] >', // no right-hand side
  'attributes["openrouter.usage.cost"] => 0.05', // not an operator
  'attributes["openrouter.usage.cost"] = 0.05', // assignment, not comparison
  "attributes[openrouter.usage.cost] > 0.05", // unquoted key
  'attributes["cost"] > 0.05 && attributes["x"] == 1', // && is not OTTL
  'attributes["cost"] > 0.05 AND attributes["x"] == 1', // keywords are lowercase
  '(attributes["cost"] > 0.05', // unbalanced
  'attributes["cost"] > 0.05)',
  'attribute["cost"] > 0.05', // no such path
  "attributes > 1", // attributes needs a key
  'attributes["cost"]', // a value is not a condition
  "status == STATUS_CODE_ERROR", // status needs .code
  "status.code == STATUS_ERROR", // no such enum
  'attributes["cost"] > 0.05 or', // dangling operator
  "'single' == 'quoted'", // strings are double-quoted
  'attributes["cost"] * 2 > 1', // math is outside the checked subset
  'IsMatches(name, "x")', // no such converter
  'attributes["a"] == 1 attributes["b"] == 2', // missing and/or
  "",
];

describe("the OTTL condition checker", () => {
  it.each(valid)("accepts %s", (condition) => {
    expect(() => checkOttlCondition(condition)).not.toThrow();
  });

  it.each(broken)("rejects %j", (condition) => {
    expect(() => checkOttlCondition(condition)).toThrow(OttlSyntaxError);
  });

  it("names where a condition broke", () => {
    expect(() => checkOttlCondition('attributes["cost"] > 0.05 or')).toThrow(/at the end/);
    expect(() => checkOttlCondition('attribute["cost"] > 1')).toThrow(
      /unknown span path attribute at 0/,
    );
  });

  it("lists the attribute keys a condition reads", () => {
    expect(attributeKeysOf(valid[1]!)).toEqual([
      "openrouter.agent.stop_reason",
      "openrouter.agent.stop_reason",
    ]);
  });

  // Conditions built from the grammar's parts parse; cut one anywhere inside a token pair and
  // the checker either still finds a whole condition or says where it broke.
  const key = fc.stringMatching(/^[a-z][a-z0-9_.]{0,20}$/);
  const literal = fc.oneof(
    fc
      .double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
      .map((n) => n.toFixed(3)),
    fc.integer({ min: -1000, max: 1000 }).map(String),
    fc.stringMatching(/^[a-z ]{0,10}$/).map((text) => JSON.stringify(text)),
    fc.constant("nil"),
  );
  const comparison = fc
    .tuple(key, fc.constantFrom("==", "!=", "<", "<=", ">", ">="), literal)
    .map(([name, op, right]) => `attributes[${JSON.stringify(name)}] ${op} ${right}`);
  const condition: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      comparison,
      fc.tuple(tie("node"), fc.constantFrom("and", "or"), tie("node")).map((p) => p.join(" ")),
      tie("node").map((inner) => `not (${inner})`),
    ),
  })).node;

  it("accepts every condition built from the grammar", () => {
    fc.assert(
      fc.property(condition, (text) => {
        checkOttlCondition(text);
      }),
    );
  });

  it("rejects every built condition with a dangling operator", () => {
    fc.assert(
      fc.property(
        condition,
        fc.constantFrom(" and", " or", " ==", " >", " (", " not"),
        (text, tail) => {
          expect(() => checkOttlCondition(text + tail)).toThrow(OttlSyntaxError);
        },
      ),
    );
  });
});

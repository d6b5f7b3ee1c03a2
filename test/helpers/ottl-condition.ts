/**
 * A checker for the subset of OTTL boolean conditions that the tail-sampling configs use, by the
 * grammar of the collector-contrib release the stack pins. It mirrors
 * open-telemetry/opentelemetry-collector-contrib@055d362:pkg/ottl/grammar.go: the lexer rules in
 * their order (participle takes the first rule that matches, not the longest), and
 * booleanExpression / term / booleanValue / comparison / value / path / converter.
 * Left out, so rejected rather than guessed at: math expressions, byte slices, maps, lists and
 * editors. On top of the grammar it checks what the span context of `ottl_condition` accepts:
 * the path names of contexts/internal/ctxspan and the enum symbols of the span context.
 * The v0.150.0 tag itself cannot be read here; @f17fbd0:pkg/ottl/grammar.go, an older version
 * (no map literals, no braces in the lexer), has the same rules for everything the stack's
 * conditions use (paths with string keys, float literals, comparisons, nil, and/or/not).
 */

type TokenType =
  | "Bytes"
  | "Float"
  | "Int"
  | "String"
  | "OpNot"
  | "OpOr"
  | "OpAnd"
  | "OpComparison"
  | "OpAddSub"
  | "OpMultDiv"
  | "Boolean"
  | "Equal"
  | "LParen"
  | "RParen"
  | "LBrace"
  | "RBrace"
  | "Colon"
  | "Punct"
  | "Uppercase"
  | "Lowercase";

interface Token {
  type: TokenType;
  text: string;
  at: number;
}

const LEXER_RULES: ReadonlyArray<readonly [TokenType | "whitespace", RegExp]> = [
  ["Bytes", /0x[a-fA-F0-9]+/y],
  ["Float", /[-+]?\d*\.\d+([eE][-+]?\d+)?/y],
  ["Int", /[-+]?\d+/y],
  ["String", /"(\\.|[^\\"])*"/y],
  ["OpNot", /\b(not)\b/y],
  ["OpOr", /\b(or)\b/y],
  ["OpAnd", /\b(and)\b/y],
  ["OpComparison", /==|!=|>=|<=|>|</y],
  ["OpAddSub", /\+|-/y],
  ["OpMultDiv", /\/|\*/y],
  ["Boolean", /\b(true|false)\b/y],
  ["Equal", /=/y],
  ["LParen", /\(/y],
  ["RParen", /\)/y],
  ["LBrace", /\{/y],
  ["RBrace", /\}/y],
  ["Colon", /:/y],
  ["Punct", /[,.[\]]/y],
  ["Uppercase", /[A-Z][A-Z0-9_]*/y],
  ["Lowercase", /[a-z][a-z0-9_]*/y],
  ["whitespace", /\s+/y],
];

/** Span-context paths: a top-level field, and the sub-fields it takes (none: a leaf). */
const SPAN_PATHS: Readonly<Record<string, readonly string[] | "keyed">> = {
  trace_id: [],
  span_id: [],
  parent_span_id: [],
  trace_state: [],
  name: [],
  kind: [],
  start_time_unix_nano: [],
  end_time_unix_nano: [],
  dropped_attributes_count: [],
  dropped_events_count: [],
  dropped_links_count: [],
  attributes: "keyed",
  status: ["code", "message"],
  resource: ["attributes", "dropped_attributes_count"],
  instrumentation_scope: ["name", "version", "attributes", "dropped_attributes_count"],
};

const SPAN_ENUMS = new Set([
  "STATUS_CODE_UNSET",
  "STATUS_CODE_OK",
  "STATUS_CODE_ERROR",
  "SPAN_KIND_UNSPECIFIED",
  "SPAN_KIND_INTERNAL",
  "SPAN_KIND_SERVER",
  "SPAN_KIND_CLIENT",
  "SPAN_KIND_PRODUCER",
  "SPAN_KIND_CONSUMER",
]);

/** Converters a condition may call here: the type checks and casts of the standard library. */
const CONVERTERS = new Set([
  "IsBool",
  "IsDouble",
  "IsInt",
  "IsMap",
  "IsList",
  "IsString",
  "IsMatch",
  "Bool",
  "Double",
  "Int",
  "String",
  "Len",
]);

export class OttlSyntaxError extends Error {
  override name = "OttlSyntaxError";
  /** The index of the token where parsing stopped: the deepest failure is the one to report. */
  constructor(
    message: string,
    readonly tokenIndex = 0,
  ) {
    super(message);
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  outer: while (at < source.length) {
    for (const [type, pattern] of LEXER_RULES) {
      pattern.lastIndex = at;
      const match = pattern.exec(source);
      if (match === null || match[0].length === 0) continue;
      if (type !== "whitespace") tokens.push({ type, text: match[0], at });
      at += match[0].length;
      continue outer;
    }
    throw new OttlSyntaxError(`unexpected character ${JSON.stringify(source[at])} at ${at}`);
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): void {
    this.booleanExpression();
    const extra = this.tokens[this.at];
    if (extra !== undefined) this.fail(`unexpected ${JSON.stringify(extra.text)}`, extra);
  }

  private fail(message: string, token = this.tokens[this.at]): never {
    const where = token === undefined ? "at the end" : `at ${token.at}`;
    throw new OttlSyntaxError(`${message} ${where} in ${JSON.stringify(this.source)}`, this.at);
  }

  private peek(type: TokenType, text?: string): boolean {
    const token = this.tokens[this.at];
    return (
      token !== undefined && token.type === type && (text === undefined || token.text === text)
    );
  }

  private take(type: TokenType, text?: string): Token {
    if (!this.peek(type, text)) this.fail(`expected ${text ?? type}`);
    return this.tokens[this.at++]!;
  }

  /** The failure that got furthest among alternatives tried: the likeliest mistake. */
  private deepest: OttlSyntaxError | undefined;

  /** Tries `parse` and rewinds when it fails, as participle backtracks between alternatives. */
  private attempt(parse: () => void): boolean {
    const start = this.at;
    try {
      parse();
      return true;
    } catch (error) {
      if (!(error instanceof OttlSyntaxError)) throw error;
      if (error.tokenIndex > start && error.tokenIndex >= (this.deepest?.tokenIndex ?? 0))
        this.deepest = error;
      this.at = start;
      return false;
    }
  }

  private booleanExpression(): void {
    this.term();
    while (this.peek("OpOr")) {
      this.at++;
      this.term();
    }
  }

  private term(): void {
    this.booleanValue();
    while (this.peek("OpAnd")) {
      this.at++;
      this.booleanValue();
    }
  }

  private booleanValue(): void {
    if (this.peek("OpNot")) this.at++;
    if (this.attempt(() => this.comparison())) return;
    if (this.peek("Boolean")) {
      this.at++;
      return;
    }
    if (this.peek("Uppercase") && this.attempt(() => this.converter())) return;
    if (this.peek("LParen")) {
      this.at++;
      this.booleanExpression();
      this.take("RParen");
      return;
    }
    const deepest = this.deepest;
    if (deepest !== undefined && deepest.tokenIndex > this.at) throw deepest;
    this.fail("expected a comparison, true/false, a converter or a parenthesised condition");
  }

  private comparison(): void {
    this.value();
    this.take("OpComparison");
    this.value();
  }

  private value(): void {
    const token = this.tokens[this.at];
    if (token === undefined) this.fail("expected a value");
    if (token.type === "Lowercase" && token.text === "nil") {
      this.at++;
      return;
    }
    if (token.type === "OpAddSub" || token.type === "OpMultDiv" || token.type === "Bytes")
      this.fail("math expressions and byte slices are outside the checked subset");
    if (token.type === "LBrace" || token.type === "Punct")
      this.fail("maps and lists are outside the checked subset");
    if (token.type === "Float" || token.type === "Int" || token.type === "String") this.at++;
    else if (token.type === "Boolean") this.at++;
    else if (token.type === "Lowercase") this.path();
    else if (token.type === "Uppercase") {
      if (
        this.tokens[this.at + 1]?.type === "LParen" ||
        this.tokens[this.at + 1]?.type === "Lowercase"
      )
        this.converter();
      else this.enumSymbol();
    } else this.fail(`unexpected ${JSON.stringify(token.text)}`);
    if (this.peek("OpAddSub") || this.peek("OpMultDiv"))
      this.fail("math expressions are outside the checked subset");
  }

  private enumSymbol(): void {
    const symbol = this.take("Uppercase");
    if (!SPAN_ENUMS.has(symbol.text)) this.fail(`unknown enum ${symbol.text}`, symbol);
  }

  private keys(): number {
    let count = 0;
    while (this.peek("Punct", "[")) {
      this.at++;
      if (this.peek("String") || this.peek("Int")) this.at++;
      else this.fail("expected a string or integer key");
      this.take("Punct", "]");
      count++;
    }
    return count;
  }

  private path(): void {
    const first = this.take("Lowercase");
    const shape = SPAN_PATHS[first.text];
    if (shape === undefined) this.fail(`unknown span path ${first.text}`, first);
    if (shape === "keyed") {
      if (this.keys() === 0) this.fail(`${first.text} needs a key, as in ${first.text}["name"]`);
      return;
    }
    if (shape.length === 0) return;
    this.take("Punct", ".");
    const field = this.take("Lowercase");
    if (!shape.includes(field.text)) this.fail(`unknown path ${first.text}.${field.text}`, field);
    if (field.text === "attributes" && this.keys() === 0)
      this.fail(`${first.text}.attributes needs a key`);
  }

  private converter(): void {
    const start = this.take("Uppercase");
    let name = start.text;
    while (this.peek("Uppercase") || this.peek("Lowercase")) name += this.tokens[this.at++]!.text;
    if (!CONVERTERS.has(name)) this.fail(`unknown converter ${name}`, start);
    this.take("LParen");
    if (!this.peek("RParen")) {
      this.value();
      while (this.peek("Punct", ",")) {
        this.at++;
        this.value();
      }
    }
    this.take("RParen");
    this.keys();
  }
}

/** Throws an OttlSyntaxError naming the place, unless `condition` parses as a span condition. */
export function checkOttlCondition(condition: string): void {
  new Parser(tokenize(condition), condition).parse();
}

/** The attribute keys a condition reads, as `attributes["key"]` (span or resource). */
export function attributeKeysOf(condition: string): string[] {
  return [...condition.matchAll(/attributes\["((?:\\.|[^\\"])*)"\]/g)].map((match) => match[1]!);
}

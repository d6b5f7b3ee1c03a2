/**
 * The TypeScript type of the values a JSON Schema accepts, for the common subset of tool
 * parameters (`type`, `properties`, `required`, `items`, `enum`, `const`, type unions), so that
 * `tool({ parameters: {...}, execute: (args) => ... })` types `args` without a schema library.
 * Anything outside the subset is `unknown`: a type that is too wide, never a wrong one.
 */

/** A JSON Schema object, as sent to the model. */
export type JsonSchema = { readonly [keyword: string]: unknown };

type TypeOfName<Name> = Name extends "string"
  ? string
  : Name extends "number" | "integer"
    ? number
    : Name extends "boolean"
      ? boolean
      : Name extends "null"
        ? null
        : Name extends "array"
          ? unknown[]
          : Name extends "object"
            ? { [key: string]: unknown }
            : unknown;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

type ObjectOf<Properties, Required> = Flatten<
  { -readonly [K in keyof Properties & Required]: FromJsonSchema<Properties[K]> } & {
    -readonly [K in Exclude<keyof Properties, Required>]?: FromJsonSchema<Properties[K]>;
  }
>;

export type FromJsonSchema<Schema> = Schema extends { readonly enum: readonly (infer Value)[] }
  ? Value
  : Schema extends { readonly const: infer Value }
    ? Value
    : Schema extends { readonly type: "object"; readonly properties: infer Properties }
      ? ObjectOf<
          Properties,
          Schema extends { readonly required: readonly (infer Name)[] } ? Name : never
        >
      : Schema extends { readonly type: "array"; readonly items: infer Items }
        ? FromJsonSchema<Items>[]
        : Schema extends { readonly type: infer Name }
          ? Name extends readonly (infer Names)[]
            ? TypeOfName<Names>
            : TypeOfName<Name>
          : unknown;

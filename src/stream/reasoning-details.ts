import type { ReasoningDetail } from "../types.js";
import type { WireReasoningDetail } from "../wire.js";

interface BlockState {
  fields: ReasoningDetail;
  text: string[] | undefined;
  summary: string[] | undefined;
  data: string[] | undefined;
}

/**
 * Merges the `reasoning_details` fragments of one response into whole blocks, exactly as they
 * must be sent back on the assistant message. Fragments belong to one block when their `type`
 * and `index` are equal: OpenAI streams a `reasoning.summary` and a `reasoning.encrypted` both
 * at index 0, and merging by index alone fuses them. Unknown types and formats are kept as sent.
 */
export class ReasoningDetails {
  readonly #blocks = new Map<string, BlockState>();
  /** The block of the previous fragment: nearly every fragment continues it. */
  #last: BlockState | undefined;
  #withoutIndex = 0;

  /**
   * Merges one fragment and returns the visible reasoning it carries (the text of a
   * `reasoning.text`, the summary of a `reasoning.summary`; `""` for encrypted and other blocks).
   */
  push(detail: WireReasoningDetail): string {
    const index = detail.index;
    const last = this.#last;
    if (
      last !== undefined &&
      typeof index === "number" &&
      last.fields.index === index &&
      last.fields.type === detail.type
    ) {
      return appendFragment(last, detail);
    }
    const key =
      typeof index === "number"
        ? `${index}\u0000${detail.type}`
        : // A fragment without an index cannot be matched to another: a block of its own.
          `\u0000${this.#withoutIndex++}`;
    let block = this.#blocks.get(key);
    if (block === undefined) {
      block = startBlock(detail);
      this.#blocks.set(key, block);
      this.#last = block;
      return visibleText(detail);
    }
    this.#last = block;
    return appendFragment(block, detail);
  }

  /** The merged blocks, in the order their first fragment arrived. */
  build(): ReasoningDetail[] {
    const result: ReasoningDetail[] = [];
    for (const block of this.#blocks.values()) {
      const detail: ReasoningDetail = { ...block.fields };
      if (block.text) detail.text = block.text.join("");
      if (block.summary) detail.summary = block.summary.join("");
      if (block.data) detail.data = block.data.join("");
      result.push(detail);
    }
    return result;
  }
}

/** A new block from its first fragment: every field kept as sent. */
function startBlock(detail: WireReasoningDetail): BlockState {
  const block: BlockState = {
    fields: { type: detail.type },
    text: undefined,
    summary: undefined,
    data: undefined,
  };
  for (const key in detail) {
    // Every field in its place, so that the merged block reads in the order it was sent; text,
    // summary and data are replaced by their joined fragments when the block is built.
    block.fields[key] = detail[key];
    if (key === "text" || key === "summary" || key === "data") appendPart(block, key, detail[key]);
  }
  return block;
}

/**
 * A later fragment of a block: text, summary and data are appended; signature, id and format
 * keep their first non-empty value, so Anthropic's empty placeholder signature is replaced by
 * the real one that arrives alone, late. Only the documented fields are read (this runs for
 * every reasoning chunk); any other field keeps the value of the first fragment.
 */
function appendFragment(block: BlockState, detail: WireReasoningDetail): string {
  appendPart(block, "text", detail.text);
  appendPart(block, "summary", detail.summary);
  appendPart(block, "data", detail.data);
  const fields = block.fields;
  if (detail.signature && !fields.signature) fields.signature = detail.signature;
  if (detail.id && !fields.id) fields.id = detail.id;
  if (detail.format && !fields.format) fields.format = detail.format;
  return visibleText(detail);
}

/** Appends a text, summary or data fragment; an empty string still marks the field present. */
function appendPart(block: BlockState, key: "text" | "summary" | "data", value: unknown): void {
  if (typeof value !== "string") return;
  const parts = block[key] ?? [];
  block[key] = parts;
  if (value !== "") parts.push(value);
}

function visibleText(detail: WireReasoningDetail): string {
  if (detail.type === "reasoning.text") return typeof detail.text === "string" ? detail.text : "";
  if (detail.type === "reasoning.summary")
    return typeof detail.summary === "string" ? detail.summary : "";
  return "";
}

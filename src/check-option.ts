import { InvalidRequestError } from "./errors.js";

/** A numeric option checked at construction: an `InvalidRequestError` names a bad one. */
export function positiveNumber(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidRequestError(field, `must be a positive number (got ${String(value)})`);
  }
  return value;
}

export function nonNegativeNumber(
  field: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidRequestError(field, `must be a finite number >= 0 (got ${String(value)})`);
  }
  return value;
}

export function nonNegativeInteger(
  field: string,
  value: number | undefined,
  fallback: number,
): number;
export function nonNegativeInteger(field: string, value: number | undefined): number | undefined;
export function nonNegativeInteger(
  field: string,
  value: number | undefined,
  fallback?: number,
): number | undefined {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidRequestError(field, `must be a whole number >= 0 (got ${String(value)})`);
  }
  return value;
}

/**
 * `text` cut at the given points (any order, duplicates allowed, each taken modulo
 * `text.length + 1`), as a stream would deliver it. A point at either end makes an empty piece.
 */
export function cutText(text: string, points: number[]): string[] {
  const sorted = [...new Set(points.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const point of [...sorted, text.length]) {
    pieces.push(text.slice(from, point));
    from = point;
  }
  return pieces;
}

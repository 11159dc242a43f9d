// The calls list's pages. The API pages with opaque cursors, each valid only with its filters;
// the page's cursor is in the address bar and the cursors of the pages before it are kept in
// the history entry, so "Previous page", back and forward all work.

export interface PageTrail {
  /** The cursors of the pages before this one (the first page's is ""). */
  before: string[];
}

export function readTrail(state: unknown): PageTrail | null {
  const before = (state as { before?: unknown } | null)?.before;
  return Array.isArray(before) && before.every((c) => typeof c === "string") ? { before } : null;
}

/** The page number when the trail is known (1 on the first page), else null. */
export function pageNumber(cursor: string | undefined, trail: PageTrail | null): number | null {
  if (!cursor) return 1;
  return trail ? trail.before.length + 1 : null;
}

/** The next page's cursor and history state (null when this page's place is not known). */
export function nextPage(
  cursor: string | undefined,
  trail: PageTrail | null,
  next: string,
): { cursor: string; state: PageTrail | null } {
  if (!cursor) return { cursor: next, state: { before: [""] } };
  return { cursor: next, state: trail ? { before: [...trail.before, cursor] } : null };
}

/**
 * The page before: its cursor (undefined: the first page) and history state. Opened from a
 * link, a page does not know the pages before it; then this is the first page.
 */
export function previousPage(trail: PageTrail | null): { cursor: string | undefined; state: PageTrail } {
  const before = trail?.before ?? [];
  const previous = before.at(-1) ?? "";
  return { cursor: previous || undefined, state: { before: before.slice(0, -1) } };
}

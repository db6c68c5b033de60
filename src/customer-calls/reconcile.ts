/**
 * What a calendar sync changed, as the sync hands it to the customer calls (pure: no Nest, no database).
 * Times are the event row's before (`from`) and after (`to`) the sync.
 */
export interface Times {
  startsAt: Date;
  endsAt: Date;
}

export interface CalendarChanges {
  /** Events whose times changed; their rows already hold `to`. */
  moved: { eventId: string; from: Times; to: Times }[];
  /** Events gone from the calendar (removed or cancelled there); their rows are deleted after reconcile. */
  removed: ({ eventId: string } & Times)[];
  /** Ids of the rows this sync created. */
  added: string[];
}

export const NO_CHANGES: CalendarChanges = { moved: [], removed: [], added: [] };

/** The moves that really change an event's times, one per event (the last wins), in the order given. */
export function realMoves(changes: CalendarChanges): CalendarChanges['moved'] {
  const byId = new Map<string, CalendarChanges['moved'][number]>();
  for (const mv of changes.moved) {
    if (mv.from.startsAt.getTime() === mv.to.startsAt.getTime() && mv.from.endsAt.getTime() === mv.to.endsAt.getTime()) continue;
    byId.delete(mv.eventId);
    byId.set(mv.eventId, mv);
  }
  const removed = new Set(changes.removed.map((r) => r.eventId));
  return [...byId.values()].filter((mv) => !removed.has(mv.eventId));
}

/**
 * Names for players who gave none: two words picked from the player id, so the same id always
 * reads the same ("Amber Heron"), neighbours in a list read apart, and nobody is "player
 * 1480966508". 24 × 24 = 576 names: ids are random, so two players of a room share one only by
 * chance (the colour beside a name tells them apart then).
 */
const ADJECTIVES = [
  "Amber", "Azure", "Brisk", "Calm", "Coral", "Crimson", "Daring", "Eager", "Fern", "Gentle", "Golden", "Indigo",
  "Jade", "Lively", "Lunar", "Mellow", "Nimble", "Quiet", "Rapid", "Scarlet", "Silver", "Sunny", "Swift", "Violet",
] as const;
const ANIMALS = [
  "Badger", "Crane", "Dolphin", "Falcon", "Fox", "Gecko", "Heron", "Ibis", "Koala", "Lynx", "Marten", "Newt",
  "Otter", "Owl", "Panda", "Puffin", "Quail", "Raven", "Seal", "Stoat", "Swan", "Tapir", "Wren", "Yak",
] as const;

/** The name a player without one goes by; `playerId` is the room's random 32-bit id. */
export function defaultPlayerName(playerId: number): string {
  const n = playerId >>> 0;
  return `${ADJECTIVES[n % ADJECTIVES.length]} ${ANIMALS[Math.floor(n / ADJECTIVES.length) % ANIMALS.length]}`;
}

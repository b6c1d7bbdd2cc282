/**
 * The lobby at "/": the live list of public rooms, joining by link or id, and the form that
 * creates a room. The list is polled (the API has no lobby socket); polling pauses while the
 * tab is hidden so a forgotten tab costs the server nothing.
 */
import { type RoomInfo, ApiError, createRoom, listRooms } from "./api.ts";
import { saveOwnerToken } from "./browser-storage.ts";
import { byId, formatCount, formatSize, h, replaceChildren, setText } from "./dom.ts";
import { RuleEditor, describeRule } from "./rule-editor.ts";
import { fillSpeedPresets, tickMsFor } from "./speed.ts";

const POLL_MS = 2000;
const SIZE_PRESETS = [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];
const DEFAULT_SIZE = 256;
const DEFAULT_SPEED = 10;

/** A room id from a pasted link ("…/r/<id>") or a bare id. */
export function roomIdFromInput(text: string): string | undefined {
  const trimmed = text.trim();
  const match = /\/r\/([^/?#\s]+)/.exec(trimmed);
  const id = match ? decodeURIComponent(match[1]) : trimmed;
  return /^[A-Za-z0-9_-]{1,128}$/.test(id) ? id : undefined;
}

export function startLobby(): void {
  byId("lobby", HTMLDivElement).hidden = false;
  document.title = "edgelife";
  startRoomList();
  startJoinForm();
  startCreateForm();
}

function startRoomList(): void {
  const body = byId("rooms-body", HTMLTableSectionElement);
  const status = byId("rooms-status", HTMLSpanElement);
  const empty = byId("rooms-empty", HTMLParagraphElement);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;

  const render = (rooms: RoomInfo[]) => {
    rooms.sort((a, b) => b.players - a.players || a.name.localeCompare(b.name));
    replaceChildren(body, ...rooms.map(roomRow));
    empty.hidden = rooms.length > 0;
  };

  const poll = async () => {
    timer = undefined;
    inFlight = new AbortController();
    try {
      render(await listRooms(inFlight.signal));
      setText(status, `updated ${new Date().toLocaleTimeString()}`);
    } catch (error) {
      if (inFlight.signal.aborted) return;
      setText(status, `could not load rooms: ${error instanceof Error ? error.message : String(error)}`);
    }
    inFlight = undefined;
    if (!document.hidden) timer = setTimeout(poll, POLL_MS);
  };

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      clearTimeout(timer);
      timer = undefined;
    } else if (timer === undefined && inFlight === undefined) {
      void poll();
    }
  });
  setText(status, "loading…");
  void poll();
}

function roomRow(room: RoomInfo): HTMLTableRowElement {
  const href = `/r/${encodeURIComponent(room.id)}`;
  const link = h("a", { href }, room.name || "(unnamed)");
  const row = h(
    "tr",
    { "data-room-id": room.id },
    h("td", { class: "name" }, link),
    h("td", { class: "num" }, formatSize(room.width, room.height)),
    h("td", {}, describeRule(room.rule)),
    h("td", {}, room.topology),
    // data-before/data-after label the numbers where narrow screens drop the table header.
    h("td", { class: "num", "data-after": room.players === 1 ? " player" : " players" }, formatCount(room.players)),
    h(
      "td",
      {
        class: room.slowed ? "num slowed" : "num",
        "data-before": "gen ",
        // A running room nobody watches keeps time without ticking: this is where its clock says it is.
        title: room.running && room.idleSince != null ? `Nobody is watching: the room catches up to this generation when opened${room.slowed ? `, but falls ${formatCount(room.slowed.generations)} generations behind (catching up is limited)` : ""}` : "",
      },
      formatCount(room.generation),
      room.slowed ? " (slowed)" : "",
    ),
  );
  // The whole row is a click target; the link inside stays the keyboard and middle-click path.
  row.addEventListener("click", (event) => {
    if (event.target instanceof HTMLAnchorElement) return;
    location.assign(href);
  });
  return row;
}

function startJoinForm(): void {
  const form = byId("join-form", HTMLFormElement);
  const input = byId("join-input", HTMLInputElement);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const id = roomIdFromInput(input.value);
    if (!id) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    location.assign(`/r/${encodeURIComponent(id)}`);
  });
}

function startCreateForm(): void {
  const form = byId("create-form", HTMLFormElement);
  const name = byId("create-name", HTMLInputElement);
  const size = byId("create-size", HTMLSelectElement);
  const customSize = byId("create-custom-size", HTMLDivElement);
  const width = byId("create-width", HTMLInputElement);
  const height = byId("create-height", HTMLInputElement);
  const speed = byId("create-speed", HTMLSelectElement);
  const generationsPerTick = byId("create-gpt", HTMLInputElement);
  const running = byId("create-running", HTMLInputElement);
  const isPrivate = byId("create-private", HTMLInputElement);
  const submit = byId("create-submit", HTMLButtonElement);
  const error = byId("create-error", HTMLParagraphElement);

  for (const side of SIZE_PRESETS) {
    size.append(h("option", { value: String(side), selected: side === DEFAULT_SIZE }, `${side} × ${side}`));
  }
  size.append(h("option", { value: "custom" }, "Custom…"));
  size.addEventListener("change", () => {
    customSize.hidden = size.value !== "custom";
  });
  fillSpeedPresets(speed, DEFAULT_SPEED);

  const rule = new RuleEditor(
    byId("create-rule-preset", HTMLSelectElement),
    byId("create-rule-description", HTMLParagraphElement),
    byId("create-rule-editor", HTMLFieldSetElement),
    "create-rule",
  );
  rule.onChange(() => {
    submit.disabled = rule.value() === undefined;
    // Golly's grid suffix (B3/S23:P100,50) fills in the size and the topology it names.
    const bounds = rule.bounds();
    if (!bounds) return;
    size.value = "custom";
    customSize.hidden = false;
    width.value = String(bounds.width);
    height.value = String(bounds.height);
    const radio = form.querySelector<HTMLInputElement>(`input[name="topology"][value="${bounds.topology}"]`);
    if (radio) radio.checked = true;
  });

  const showError = (message: string) => {
    error.hidden = false;
    setText(error, message);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const ruleText = rule.value();
    const roomName = name.value.trim();
    const side = size.value === "custom" ? undefined : Number(size.value);
    const w = side ?? Math.trunc(Number(width.value));
    const hgt = side ?? Math.trunc(Number(height.value));
    const gpt = Math.trunc(Number(generationsPerTick.value));
    if (roomName === "") return showError("Give the room a name.");
    if (!(w >= 1 && w <= 16384 && hgt >= 1 && hgt <= 16384)) return showError("Width and height must be 1 to 16384.");
    if (!(gpt >= 1 && gpt <= 1000)) return showError("Generations per tick must be 1 to 1000.");
    if (!ruleText) return showError("The rule string is not valid.");
    const topology = new FormData(form).get("topology") === "plane" ? "plane" : "torus";
    submit.disabled = true;
    try {
      const room = await createRoom({
        name: roomName,
        width: w,
        height: hgt,
        rule: ruleText,
        topology,
        tickMs: tickMsFor(Number(speed.value)),
        generationsPerTick: gpt,
        running: running.checked,
        private: isPrivate.checked,
      });
      saveOwnerToken(room.id, room.ownerToken);
      location.assign(`/r/${encodeURIComponent(room.id)}`);
    } catch (failure) {
      const reason = failure instanceof ApiError ? failure.message : "the server could not be reached";
      showError(`Could not create the room: ${reason}.`);
      submit.disabled = false;
    }
  });
}

/**
 * The owner's controls, shown only to a page holding the room's owner token: play and pause,
 * stepping, speed, rule, randomize, clear, lock and private. Each control goes out as a
 * CONTROL frame with a seq, and its answer (ACK or ERROR) is written in the panel's status line.
 */
import { type ClientMessage, type ControlAction, type RoomSettings } from "../../common/protocol/index.ts";
import { formatRule, parseRule } from "../../common/rules.ts";
import { byId, formatCount, setText } from "../dom.ts";
import { fillRulePresets } from "../rule-editor.ts";
import { fillSpeedPresets, nearestSpeedPreset, tickMsFor } from "../speed.ts";
import type { Requests } from "./requests.ts";
import type { RoomSession } from "./session.ts";

export class OwnerPanel {
  readonly #session: RoomSession;
  readonly #requests: Requests;
  readonly #send: (message: ClientMessage) => boolean;
  readonly #notice: (message: string) => void;

  /** `notice` shows a short message to a player who is not the owner and pressed a control key. */
  constructor(session: RoomSession, requests: Requests, send: (message: ClientMessage) => boolean, notice: (message: string) => void) {
    this.#session = session;
    this.#requests = requests;
    this.#send = send;
    this.#notice = notice;
    const speed = byId("ctl-speed", HTMLSelectElement);
    fillSpeedPresets(speed, 10);
    const rulePreset = byId("ctl-rule-preset", HTMLSelectElement);
    fillRulePresets(rulePreset);
    const ruleInput = byId("ctl-rule", HTMLInputElement);
    rulePreset.addEventListener("change", () => {
      if (rulePreset.value !== "custom") ruleInput.value = rulePreset.value;
    });
    byId("ctl-play", HTMLButtonElement).addEventListener("click", () => this.togglePlay());
    byId("ctl-step", HTMLButtonElement).addEventListener("click", () => this.stepOne());
    const stepN = byId("ctl-step-n", HTMLInputElement);
    const stepGo = byId("ctl-step-n-go", HTMLButtonElement);
    stepGo.addEventListener("click", () => {
      const n = Math.trunc(Number(stepN.value));
      if (n >= 1 && n <= 100_000) this.#step(n, stepGo);
      else setText(byId("ctl-status", HTMLParagraphElement), "Step: choose 1 to 100,000 generations");
    });
    const gpt = byId("ctl-gpt", HTMLInputElement);
    byId("ctl-speed-set", HTMLButtonElement).addEventListener("click", (e) => {
      const generationsPerTick = Math.trunc(Number(gpt.value));
      if (!(generationsPerTick >= 1 && generationsPerTick <= 1000)) {
        setText(byId("ctl-status", HTMLParagraphElement), "Speed: 1 to 1000 generations per tick");
        return;
      }
      this.#control({ action: "configure", tickMs: tickMsFor(Number(speed.value)), generationsPerTick }, "Speed", e.currentTarget as HTMLButtonElement);
    });
    byId("ctl-rule-set", HTMLButtonElement).addEventListener("click", (e) => {
      const parsed = parseRule(ruleInput.value);
      if (!parsed.ok) {
        setText(byId("ctl-status", HTMLParagraphElement), parsed.error);
        return;
      }
      // A grid suffix cannot resize a room: say so rather than drop it without a word.
      const bounds = parsed.value.bounds;
      const grid = this.#session.settings;
      if (bounds && grid && (bounds.width !== grid.width || bounds.height !== grid.height || bounds.topology !== grid.topology)) {
        setText(
          byId("ctl-status", HTMLParagraphElement),
          `Rule: the suffix asks for a ${bounds.width}×${bounds.height} ${bounds.topology}, but this room is a ${grid.width}×${grid.height} ${grid.topology}; a room's grid cannot change (leave the suffix out, or create a new room)`,
        );
        return;
      }
      this.#control({ action: "configure", rule: formatRule(parsed.value.rule) }, "Rule", e.currentTarget as HTMLButtonElement);
    });
    const density = byId("ctl-density", HTMLInputElement);
    byId("ctl-randomize", HTMLButtonElement).addEventListener("click", (e) => {
      const d = Number(density.value);
      if (!(d >= 0 && d <= 1)) {
        setText(byId("ctl-status", HTMLParagraphElement), `Randomize: the density is the share of live cells, from 0 to 1 (${density.value || "nothing"} was given)`);
        return;
      }
      const seed = crypto.getRandomValues(new Uint32Array(1))[0];
      this.#control({ action: "randomize", density: d, seed }, "Randomize", e.currentTarget as HTMLButtonElement);
    });
    // Clearing is not undoable: the button asks for a second click instead of a modal dialog.
    const clear = byId("ctl-clear", HTMLButtonElement);
    let armed: ReturnType<typeof setTimeout> | undefined;
    clear.addEventListener("click", () => {
      if (armed === undefined) {
        setText(clear, "Really clear?");
        armed = setTimeout(() => {
          armed = undefined;
          setText(clear, "Clear");
        }, 3000);
        return;
      }
      clearTimeout(armed);
      armed = undefined;
      setText(clear, "Clear");
      this.#control({ action: "clear" }, "Clear", clear);
    });
    const locked = byId("ctl-locked", HTMLInputElement);
    locked.addEventListener("change", () => this.#control({ action: "configure", locked: locked.checked }, locked.checked ? "Lock editing" : "Unlock editing"));
    const isPrivate = byId("ctl-private", HTMLInputElement);
    isPrivate.addEventListener("change", () => this.#control({ action: "configure", private: isPrivate.checked }, isPrivate.checked ? "Make private" : "Make public"));
  }

  /** Shows the panel to the owner only, with the room's current settings in its controls. */
  show(s: RoomSettings): void {
    const owner = this.#session.owner;
    byId("owner-panel", HTMLDetailsElement).hidden = !owner;
    if (!owner) return;
    setText(byId("ctl-play", HTMLButtonElement), s.running ? "Pause" : "Play");
    byId("ctl-step", HTMLButtonElement).disabled = false;
    byId("ctl-locked", HTMLInputElement).checked = s.locked;
    byId("ctl-private", HTMLInputElement).checked = s.private;
    const rule = formatRule(s.rule);
    const ruleInput = byId("ctl-rule", HTMLInputElement);
    if (document.activeElement !== ruleInput) ruleInput.value = rule;
    const preset = byId("ctl-rule-preset", HTMLSelectElement);
    preset.value = [...preset.options].some((o) => o.value === rule) ? rule : "custom";
    byId("ctl-speed", HTMLSelectElement).value = String(nearestSpeedPreset(s.tickMs));
    const gpt = byId("ctl-gpt", HTMLInputElement);
    if (document.activeElement !== gpt) gpt.value = String(s.generationsPerTick);
  }

  togglePlay(): void {
    const settings = this.#session.settings;
    if (!settings) return;
    if (!this.#session.owner) return this.#notOwner(settings.running ? "pause" : "start");
    this.#control({ action: settings.running ? "pause" : "resume" }, settings.running ? "Pause" : "Play", byId("ctl-play", HTMLButtonElement));
  }

  /** A control key pressed by a player who does not own the room: say why nothing happens. */
  #notOwner(verb: string): void {
    this.#notice(`Only the room's owner can ${verb} it; you can draw and stamp${this.#session.settings?.locked ? " when the owner unlocks editing" : ""}.`);
  }

  /** One generation (the Step button, and "n"). */
  stepOne(): void {
    this.#step(1, byId("ctl-step", HTMLButtonElement));
  }

  #step(generations: number, button?: HTMLButtonElement): void {
    const settings = this.#session.settings;
    if (!settings) return;
    if (!this.#session.owner) return this.#notOwner("step");
    // Stepping runs while paused; pause first so "n" works on a running room.
    if (settings.running) this.#control({ action: "pause" }, "Pause");
    this.#control({ action: "step", generations }, `Step ${formatCount(generations)}`, button);
  }

  #control(action: ControlAction, label: string, button?: HTMLButtonElement): void {
    const status = byId("ctl-status", HTMLParagraphElement);
    const seq = this.#requests.next();
    if (!this.#send({ type: "control", seq, control: action })) {
      setText(status, `${label}: not connected`);
      return;
    }
    if (button) button.disabled = true;
    setText(status, `${label}…`);
    this.#requests.track(seq, label, (ok, detail) => {
      if (button) button.disabled = false;
      setText(status, detail);
      status.classList.toggle("error", !ok);
    });
  }
}

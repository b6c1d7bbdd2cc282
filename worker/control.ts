/**
 * An owner's control actions (pause, resume, step, clear, randomize, configure), checked against
 * the room before anything changes, so that a refused request changes nothing, then run on the
 * engine and the settings. The room saves, broadcasts and reports what they changed.
 */
import type { Engine } from "../common/engine.ts";
import type { StepCapture } from "../common/lockstep/broadcast.ts";
import { ErrorCode, type ControlAction, type RoomSettings } from "../common/protocol/index.ts";
import { parseRule, type Rule } from "../common/rules.ts";
import { MAX_STEP_CELL_GENERATIONS, MAX_TICK_CELL_GENERATIONS } from "./limits.ts";
import { badRequest, fail, type Outcome } from "./outcome.ts";

/** Checks a control action against this room; the rule to switch to when it is a configure. */
export function checkControl(action: ControlAction, engine: Engine, settings: RoomSettings): Outcome<Rule | null> {
  const cells = engine.width * engine.height;
  if (action.action === "step") {
    if (settings.running) return fail(409, ErrorCode.CONFLICT, "pause the room before stepping");
    const most = Math.floor(MAX_STEP_CELL_GENERATIONS / cells);
    if (action.generations > most) return badRequest(`at most ${most} generations per step on this grid`);
  }
  if (action.action !== "configure") return { ok: true, value: null };
  const perTick = action.generationsPerTick ?? settings.generationsPerTick;
  if (perTick * cells > MAX_TICK_CELL_GENERATIONS) return badRequest(`at most ${Math.floor(MAX_TICK_CELL_GENERATIONS / cells)} generations per tick on this grid`);
  if (action.rule === undefined) return { ok: true, value: null };
  const parsed = parseRule(action.rule);
  if (!parsed.ok) return badRequest(`invalid rule: ${parsed.error}`.slice(0, 120));
  const bounds = parsed.value.bounds;
  if (bounds && (bounds.topology !== settings.topology || bounds.width !== engine.width || bounds.height !== engine.height)) {
    return badRequest("the rule's bounds suffix does not match this room's grid");
  }
  return { ok: true, value: parsed.value.rule };
}

/** What running an action changed. */
export interface ControlResult {
  settingsChanged: boolean;
  /** Taken just before a step, for predicting sockets (see ViewFeed.captureStep). */
  capture: StepCapture | null;
  /** A step that changed no cell: the grid is still. */
  still: boolean;
  /** The room was made private or public: the lobby must know at once. */
  lobbyAtOnce: boolean;
}

/** Runs an action that checkControl accepted (`rule` is what it returned). */
export function runControl(action: ControlAction, rule: Rule | null, engine: Engine, settings: RoomSettings, captureStep: () => StepCapture | null): ControlResult {
  const result: ControlResult = { settingsChanged: false, capture: null, still: false, lobbyAtOnce: false };
  switch (action.action) {
    case "pause":
    case "resume":
      settings.running = action.action === "resume";
      result.settingsChanged = true;
      break;
    case "step":
      result.capture = captureStep();
      result.still = engine.step(action.generations) === 0;
      break;
    case "clear":
      engine.clear();
      break;
    case "randomize":
      engine.randomize(action.density, action.seed);
      break;
    case "configure": {
      if (rule) {
        settings.rule = rule;
        engine.rule = rule;
      }
      settings.generationsPerTick = action.generationsPerTick ?? settings.generationsPerTick;
      settings.tickMs = action.tickMs ?? settings.tickMs;
      if (action.private !== undefined && action.private !== settings.private) result.lobbyAtOnce = true;
      settings.private = action.private ?? settings.private;
      settings.locked = action.locked ?? settings.locked;
      result.settingsChanged = true;
      break;
    }
  }
  return result;
}

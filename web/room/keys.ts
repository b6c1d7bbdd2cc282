/**
 * Keyboard shortcuts for the room (listed in the panel's "Keyboard" section of index.html).
 * Keys typed into a form field, or with Ctrl, Meta or Alt held, are left to the browser.
 */
import { flipHorizontal, rotateClockwise } from "../stamp.ts";
import type { OwnerPanel } from "./owner-panel.ts";
import type { Selection } from "./selection.ts";
import type { SelectionActions } from "./selection-actions.ts";
import type { SidePanel } from "./side-panel.ts";
import type { Stamping } from "./stamping.ts";
import type { Tools } from "./tools.ts";
import { type Viewport, ZOOM_STEP } from "./viewport.ts";

export interface KeyTargets {
  ownerPanel: OwnerPanel;
  viewport: Viewport;
  tools: Tools;
  stamping: Stamping;
  selection: Selection;
  selectionActions: SelectionActions;
  sidePanel: SidePanel;
}

export function bindKeys(targets: KeyTargets): void {
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
    if (target instanceof HTMLElement && target.isContentEditable) return;
    const handled = handleKey(targets, e.key, e.shiftKey);
    if (handled) e.preventDefault();
  });
}

/** Acts on one key; returns whether the key was used. */
function handleKey({ ownerPanel, viewport, tools, stamping, selection, selectionActions, sidePanel }: KeyTargets, key: string, shift: boolean): boolean {
  const pan = shift ? 0.5 : 0.125;
  switch (key) {
    case " ":
      ownerPanel.togglePlay();
      return true;
    case "n":
      ownerPanel.stepOne();
      return true;
    case "+":
    case "=":
      viewport.zoomBy(ZOOM_STEP);
      return true;
    case "-":
    case "_":
      viewport.zoomBy(1 / ZOOM_STEP);
      return true;
    case "f":
      viewport.fit();
      return true;
    case "ArrowLeft":
      viewport.panBy(pan, 0);
      return true;
    case "ArrowRight":
      viewport.panBy(-pan, 0);
      return true;
    case "ArrowUp":
      viewport.panBy(0, pan);
      return true;
    case "ArrowDown":
      viewport.panBy(0, -pan);
      return true;
    case "m":
      tools.set("move");
      return true;
    case "d":
      tools.set("draw");
      return true;
    case "e":
      tools.set("erase");
      return true;
    case "s":
      tools.set("select");
      return true;
    case "r":
      stamping.transform(rotateClockwise);
      return true;
    case "x":
      stamping.transform(flipHorizontal);
      return true;
    case "Enter":
      if (!stamping.active) return false;
      void stamping.place();
      return true;
    case "Escape":
      if (stamping.active) stamping.set(undefined);
      else selection.clear();
      return true;
    case "p":
      sidePanel.toggle();
      return true;
    case "Delete":
    case "Backspace":
      if (!selection.rect || stamping.active) return false;
      selectionActions.run((actions) => actions.delete());
      return true;
    default:
      return false;
  }
}

import { describe, expect, it } from "vitest";
import { MAX_SCALE, View, cellsOnLine, containsRect } from "../../web/view.ts";

describe("the room camera", () => {
  it("fits a 16384² world into an 800×600 canvas and maps cells to pixels and back", () => {
    const view = new View(16384, 16384);
    view.resize(800, 600);
    view.fit();
    expect(view.scale).toBeCloseTo((600 / 16384) * 0.92, 6);
    const centre = view.cellToScreen(8192, 8192);
    expect(centre).toEqual({ x: 400, y: 300 });
    const cell = view.screenToCell(123, 456);
    const back = view.cellToScreen(cell.x, cell.y);
    expect(back.x).toBeCloseTo(123, 6);
    expect(back.y).toBeCloseTo(456, 6);
  });

  it("keeps the cell under the pointer in place while zooming", () => {
    const view = new View(1024, 1024);
    view.resize(1000, 800);
    view.fit();
    const before = view.screenToCell(250, 175);
    view.zoomAt(250, 175, 3);
    const after = view.screenToCell(250, 175);
    expect(after.x).toBeCloseTo(before.x, 6);
    expect(after.y).toBeCloseTo(before.y, 6);
  });

  it("stops zooming in at MAX_SCALE pixels per cell and out at a quarter of the fit", () => {
    const view = new View(64, 64);
    view.resize(640, 640);
    view.fit();
    for (let i = 0; i < 50; i++) view.zoomAt(320, 320, 2);
    expect(view.scale).toBe(MAX_SCALE);
    for (let i = 0; i < 50; i++) view.zoomAt(320, 320, 0.5);
    expect(view.scale).toBeCloseTo(view.fitScale() / 4, 9);
  });

  it("pans so the grid follows the drag, and keeps the centre inside the grid", () => {
    const view = new View(100, 100);
    view.resize(200, 200);
    view.scale = 4;
    view.cx = 50;
    view.cy = 50;
    view.panBy(40, -20); // drag right and up: the view moves left and down
    expect(view.cx).toBe(40);
    expect(view.cy).toBe(55);
    view.panBy(100_000, 100_000);
    expect(view.cx).toBe(0);
    expect(view.cy).toBe(0);
  });

  it("reports the visible cells clipped to the grid, and a padded rectangle around them", () => {
    const view = new View(100, 50);
    view.resize(200, 100);
    view.scale = 10;
    view.cx = 5;
    view.cy = 5;
    expect(view.visibleCells()).toEqual({ x: 0, y: 0, w: 15, h: 10 });
    const padded = view.paddedCells(0.5);
    expect(containsRect(padded, view.visibleCells())).toBe(true);
    expect(padded).toEqual({ x: 0, y: 0, w: 25, h: 15 });
  });
});

describe("brush strokes", () => {
  it("fill every cell between two pointer samples, ends included", () => {
    expect(cellsOnLine(0, 0, 3, 0)).toEqual([[0, 0], [1, 0], [2, 0], [3, 0]]);
    expect(cellsOnLine(2, 2, 0, 0)).toEqual([[2, 2], [1, 1], [0, 0]]);
    const steep = cellsOnLine(0, 0, 2, 7);
    expect(steep[0]).toEqual([0, 0]);
    expect(steep.at(-1)).toEqual([2, 7]);
    expect(steep).toHaveLength(8); // one cell per row: no gaps in a steep line
  });
});

/**
 * Entry point of the web client. One page serves both views: the worker answers "/r/<id>" with
 * this same index.html, and the path decides what to show.
 */
import { startLobby } from "./lobby.ts";
import { startRoom } from "./room/page.ts";

function route(): void {
  const match = /^\/r\/([^/]+)\/?$/.exec(location.pathname);
  if (match) void startRoom(decodeURIComponent(match[1]));
  else startLobby();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", route, { once: true });
else route();

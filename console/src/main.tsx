import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import App from "./App";

// A page's code that fails to load (a new build replaced the hashed files, or the connection dropped it) would
// leave the page blank: reload once instead, which fetches the current build's files.
window.addEventListener("vite:preloadError", () => {
  const key = "riskloop.reloaded";
  if (sessionStorage.getItem(key) === location.href) return; // reloaded for this page already: show the error
  sessionStorage.setItem(key, location.href);
  location.reload();
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// The chat UI in the MemCode sidebar (a browser bundle, dist/webview.js). Placeholder until the
// extension issue's webview lands: it only proves the bundle builds for the browser.
export {};

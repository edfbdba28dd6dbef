// The chat view's page: a strict Content-Security-Policy (nothing remote, one nonce for the script and
// styles) around the bundled script. Free of vscode so the browser tests load exactly this page.

export interface ChatPageResources {
  /** The webview's own origin (`webview.cspSource`), where styles and fonts may come from. */
  cspSource: string;
  /** A fresh random value per page load. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** media/layout.css: the compact header, the overlays, the composer footer, onboarding. */
  layoutStyleUri?: string;
  /** The tool cards' stylesheet (media/cards.css). */
  cardsStyleUri?: string;
  /** The codicon stylesheet, when the build shipped it. */
  codiconsUri?: string;
  /** Extra inline CSS (the tests' stand-in for VS Code's theme variables). */
  inlineStyle?: string;
  /** Leave the policy out, to test the sanitizer on its own. */
  withoutCsp?: boolean;
  /** Attributes for <body> (VS Code sets the theme kind itself). */
  bodyAttributes?: string;
}

export function chatPageHtml(r: ChatPageResources): string {
  const csp = [
    "default-src 'none'",
    `style-src ${r.cspSource} 'nonce-${r.nonce}'`,
    `font-src ${r.cspSource}`,
    `img-src ${r.cspSource} data:`,
    `script-src 'nonce-${r.nonce}'`,
  ].join('; ');
  const lines = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    r.withoutCsp ? '' : `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    r.codiconsUri ? `<link rel="stylesheet" href="${r.codiconsUri}" nonce="${r.nonce}">` : '',
    `<link rel="stylesheet" href="${r.styleUri}" nonce="${r.nonce}">`,
    `<link rel="stylesheet" href="${besideChatCss(r.styleUri, 'flow.css')}" nonce="${r.nonce}">`,
    r.layoutStyleUri ? `<link rel="stylesheet" href="${r.layoutStyleUri}" nonce="${r.nonce}">` : '',
    r.cardsStyleUri ? `<link rel="stylesheet" href="${r.cardsStyleUri}" nonce="${r.nonce}">` : '',
    r.inlineStyle ? `<style nonce="${r.nonce}">${r.inlineStyle}</style>` : '',
    '<title>MemCode</title>',
    '</head>',
    `<body${r.bodyAttributes ? ` ${r.bodyAttributes}` : ''}>`,
    '<div id="root"></div>',
    `<script nonce="${r.nonce}" src="${r.scriptUri}"></script>`,
    '</body>',
    '</html>',
  ];
  return lines.filter(Boolean).join('\n');
}

/** A stylesheet in media/ beside chat.css (the conversation's flow, code blocks and contrast: flow.css). */
function besideChatCss(styleUri: string, name: string): string {
  return styleUri.replace(/[^/]*$/, name);
}
